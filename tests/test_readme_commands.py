"""README's worked examples run verbatim.

A ```bash block directly after an HTML comment ``<!-- verified: NAME -->`` is one step of the
example NAME; the steps of one example run in order, each line as a shell command, in one
fresh directory, with the test environment's ``cmrbench`` first on PATH. A block (any
language) directly after ``<!-- verified-file: NAME PATH -->`` is written to PATH in that
directory before the example's commands run, so a file README shows is the file they use. A
block that stops working turns this test red, so README never shows a command that fails.

README's commands run from a checkout, so the directory holds a copy of the checkout's
``examples/``. ``pip install`` installs into a throwaway folder on PYTHONPATH, offline, with
the environment's build tools and without dependencies (the environment has them), so an
example can install a plugin without changing the test environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- verified: ([\w-]+) -->\n```bash\n(.*?)```", re.S)
FILE = re.compile(r"<!-- verified-file: ([\w-]+) (\S+) -->\n```\w*\n(.*?)```", re.S)


def examples() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, block in BLOCK.findall((ROOT / "README.md").read_text()):
        found.setdefault(name, []).extend(
            line for line in block.splitlines() if line.strip() and not line.startswith("#"))
    return found


def files() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for name, path, text in FILE.findall((ROOT / "README.md").read_text()):
        found.setdefault(name, []).append((path, text))
    return found


def test_readme_has_verified_examples():
    assert {"run-a-benchmark", "sweep", "dataset-plugin"} <= set(examples())
    assert set(files()) <= set(examples())  # every file belongs to an example that uses it


@pytest.mark.parametrize("name", sorted(examples()))
def test_readme_example_runs_verbatim(name, tmp_path):
    checkout, site = tmp_path / "checkout", tmp_path / "site"
    shutil.copytree(ROOT / "examples", checkout / "examples",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
           # pip reads PIP_NO_BUILD_ISOLATION=0 as --no-build-isolation
           "PIP_TARGET": str(site), "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1",
           "PIP_NO_BUILD_ISOLATION": "0"}
    for path, text in files().get(name, []):
        (checkout / path).parent.mkdir(parents=True, exist_ok=True)
        (checkout / path).write_text(text)
    for line in examples()[name]:
        done = subprocess.run(line, shell=True, cwd=checkout, env=env, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, f"README example {name!r}: `{line}` failed:\n" \
                                     f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
