"""`cmrbench ls` lists every built-in, with its providing package, for people and machines."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from cmrbench.cli import main
from cmrbench.registry import clear_registry_cache, get_registry

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def built_in_plugins() -> set[str]:
    data = tomllib.loads(PYPROJECT.read_text())
    return set(data["project"]["entry-points"]["cmrbench"])


def test_every_built_in_plugin_loads_through_the_entry_point_group():
    clear_registry_cache()
    registry = get_registry()
    mine = {name for name, p in registry.plugins.items() if p.distribution == "cmrbench"}
    assert mine == built_in_plugins()
    assert [p for p in registry.problems if p.distribution == "cmrbench"] == []


def test_ls_json_lists_every_built_in_with_its_provider(capsys):
    clear_registry_cache()
    assert main(["ls", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    registry = get_registry()
    for kind in ("encoder", "dataset", "task"):
        listed = {e["name"]: e["provider"] for e in listing[f"{kind}s"]}
        assert set(listed) == set(registry.names(kind))
        for entry in registry.entries(kind):
            assert listed[entry.name]["plugin"] == entry.provider.plugin
            assert listed[entry.name]["distribution"] == entry.provider.distribution
    built_in_datasets = {e["name"] for e in listing["datasets"]
                         if e["provider"]["distribution"] == "cmrbench"}
    assert {"acdc", "kaggle-dsb", "ukbb", "clinical", "phantom"} <= built_in_datasets


def test_ls_table_shows_name_description_and_package(capsys):
    clear_registry_cache()
    assert main(["ls", "datasets"]) == 0
    out = capsys.readouterr().out
    assert "datasets (" in out
    assert any(line.split()[0] == "acdc" and "cmrbench 0.1.0 (acdc)" in line
               for line in out.splitlines()[1:])


def test_typo_in_a_built_in_name_suggests_the_real_one(capsys):
    clear_registry_cache()
    assert main(["ls", "datasets", "--name", "acdcc"]) == 2
    assert "Did you mean 'acdc'?" in capsys.readouterr().err


def test_name_without_kind_is_a_usage_error(capsys):
    assert main(["ls", "--name", "acdc"]) == 2
    assert "--name needs a kind" in capsys.readouterr().err


def test_version_and_console_script():
    result = subprocess.run([str(Path(sys.executable).with_name("cmrbench")), "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("cmrbench 0.1.0")


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "ls" in capsys.readouterr().out


def test_mvit_typo_exits_non_zero_with_did_you_mean(capsys):
    clear_registry_cache()
    assert main(["ls", "encoders", "--name", "mvit-x"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'mvit-" in err and "mvit-b-16x4" in err
