"""The plugin-author documentation is true: README and hookspecs show examples/encoder-plugin
as it is, and that plugin, installed by pip into a fresh folder, passes its own tests and is
listed by cmrbench under its own distribution."""

import inspect
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from cmrbench import hookspecs
from cmrbench.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "encoder-plugin"
FILES = sorted(p.relative_to(ROOT).as_posix() for p in EXAMPLE.rglob("*")
               if p.suffix in (".py", ".toml") and p.name != "__init__.py")


def readme_blocks() -> dict[str, str]:
    """README code blocks introduced by a bold file path: path -> block text."""
    text = (ROOT / "README.md").read_text()
    return dict(re.findall(r"\*\*`(examples/[^`]+)`\*\*\n\n```\w*\n(.*?)```", text, re.S))


def test_readme_shows_every_example_file_verbatim():
    blocks = readme_blocks()
    assert sorted(blocks) == FILES
    for path, block in blocks.items():
        assert block == (ROOT / path).read_text(), f"README's copy of {path} is out of date"


def test_hookspecs_examples_are_taken_from_the_example_plugin():
    literal_blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", inspect.getdoc(hookspecs) + "\n")
    assert len(literal_blocks) == 2
    sources = "\n".join((ROOT / path).read_text() for path in FILES)
    for block in literal_blocks:
        for chunk in textwrap.dedent(block).strip().split("\n\n"):
            assert chunk in sources, f"hookspecs shows code the example does not have:\n{chunk}"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory) -> Path:
    """pip installs a copy of the example (so no build folder lands in the checkout) into a
    fresh folder, offline, as an author's `pip install .` would."""
    work = tmp_path_factory.mktemp("example")
    source = shutil.copytree(EXAMPLE, work / "encoder-plugin")
    site = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--no-build-isolation", "--target", str(site), str(source)], check=True,
                   timeout=300)
    return source


def test_the_example_passes_its_own_conformance_tests(installed_example):
    paths = [str(installed_example.parent / "site"), os.environ.get("PYTHONPATH", "")]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=installed_example, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))})
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed" in result.stdout


def test_the_example_is_listed_under_its_own_distribution(installed_example, monkeypatch,
                                                          capsys):
    from cmrbench.registry import clear_registry_cache

    monkeypatch.syspath_prepend(str(installed_example.parent / "site"))
    clear_registry_cache()
    try:
        assert main(["ls", "encoders", "--strict"]) == 0
    finally:
        clear_registry_cache()
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    pyproject = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    (plugin,) = pyproject["project"]["entry-points"]["cmrbench"]
    for name in ("example-net", "example-net-wide"):
        assert listed[name].endswith(f"[cmrbench-example-encoder 0.1.0 ({plugin})]")
