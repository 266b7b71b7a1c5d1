"""README shows examples/dataset-plugin as it is, and that plugin, installed by pip into a
fresh folder, passes its own tests (conformance, its layout read as NIfTI and DICOM say, an
ingest end to end) and is listed by cmrbench under its own distribution. README's worked
example with it (install, list, ingest, run) is run by tests/test_readme_commands.py."""

import tomllib
from pathlib import Path

import pytest
from cmrbench.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dataset-plugin"


def test_readme_shows_every_example_file_verbatim(check_readme_shows):
    check_readme_shows(EXAMPLE)


@pytest.fixture(scope="module")
def installed_example(install_example) -> Path:
    return install_example(EXAMPLE)


def test_the_example_passes_its_own_tests(installed_example, run_own_tests):
    result = run_own_tests(installed_example)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "11 passed" in result.stdout


def test_the_example_is_listed_under_its_own_distribution(installed_example, monkeypatch,
                                                          capsys):
    from cmrbench.registry import clear_registry_cache

    monkeypatch.syspath_prepend(str(installed_example.parent / "site"))
    clear_registry_cache()
    try:
        assert main(["ls", "datasets", "--strict"]) == 0
    finally:
        clear_registry_cache()
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    pyproject = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    (plugin,) = pyproject["project"]["entry-points"]["cmrbench"]
    assert listed["example-cine"].endswith(f"[cmrbench-example-dataset 0.1.0 ({plugin})]")
