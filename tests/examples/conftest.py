"""What the example-plugin tests share: README's copies of example files, and an example
installed by pip into a fresh folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def example_files(example: Path) -> list[str]:
    """The files README shows of an example: its sources, build file and card."""
    return sorted(p.relative_to(ROOT).as_posix() for p in example.rglob("*")
                  if p.suffix in (".py", ".toml", ".yaml") and p.name != "__init__.py")


def readme_blocks(example: Path) -> dict[str, str]:
    """README code blocks introduced by a bold path of one of the example's files: path ->
    block text."""
    text = (ROOT / "README.md").read_text()
    prefix = re.escape(example.relative_to(ROOT).as_posix())
    return dict(re.findall(rf"\*\*`({prefix}/[^`]+)`\*\*\n\n```\w*\n(.*?)```", text, re.S))


@pytest.fixture(scope="session")
def check_readme_shows() -> Callable[[Path], None]:
    """Asserts README shows every file of an example, each as it is."""

    def check(example: Path) -> None:
        blocks = readme_blocks(example)
        assert sorted(blocks) == example_files(example)
        for path, block in blocks.items():
            assert block == (ROOT / path).read_text(), f"README's copy of {path} is out of date"

    return check


@pytest.fixture(scope="module")
def install_example(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """pip installs a copy of an example (so no build folder lands in the checkout) into a
    fresh folder, offline, as an author's `pip install .` would; returns the copy, whose
    sibling `site` holds the installed distribution."""

    def install(example: Path) -> Path:
        work = tmp_path_factory.mktemp("example")
        source = shutil.copytree(example, work / example.name)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                        "--no-index", "--no-build-isolation", "--target", str(work / "site"),
                        str(source)], check=True, timeout=300)
        return source

    return install


@pytest.fixture(scope="session")
def run_own_tests() -> Callable[[Path], subprocess.CompletedProcess[str]]:
    """Runs an installed example's own tests in its folder, the installed copy importable."""

    def run(installed: Path) -> subprocess.CompletedProcess[str]:
        paths = [str(installed.parent / "site"), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                              cwd=installed, capture_output=True, text=True, timeout=300, env=env)

    return run
