"""The plugin-author documentation is true: README and hookspecs show examples/encoder-plugin
as it is, and that plugin, installed by pip into a fresh folder, passes its own tests and is
listed by cmrbench under its own distribution."""

import inspect
import re
import textwrap
import tomllib
from pathlib import Path

import pytest
from cmrbench import hookspecs
from cmrbench.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "encoder-plugin"


def test_readme_shows_every_example_file_verbatim(check_readme_shows):
    check_readme_shows(EXAMPLE)


def test_hookspecs_examples_are_taken_from_the_example_plugin():
    literal_blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", inspect.getdoc(hookspecs) + "\n")
    assert len(literal_blocks) == 2
    sources = "\n".join(p.read_text() for p in sorted(EXAMPLE.rglob("*"))
                        if p.suffix in (".py", ".toml"))
    for block in literal_blocks:
        for chunk in textwrap.dedent(block).strip().split("\n\n"):
            assert chunk in sources, f"hookspecs shows code the example does not have:\n{chunk}"


@pytest.fixture(scope="module")
def installed_example(install_example) -> Path:
    return install_example(EXAMPLE)


def test_the_example_passes_its_own_conformance_tests(installed_example, run_own_tests):
    result = run_own_tests(installed_example)
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
