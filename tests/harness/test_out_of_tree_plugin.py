"""A third-party plugin, installed as a real distribution, is found, listed and usable.

A second, broken distribution is reported by name without hiding the first.
"""

import json
import subprocess
import sys

import pytest
from cmrbench import get_registry
from cmrbench.cli import main
from cmrbench.testing import check_encoder, check_installed_plugin

GOOD_PLUGIN = '''
    """A third-party encoder plugin."""
    import torch
    from cmrbench import EncoderSpec, VideoInput, hookimpl


    class TinyNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv3d(3, 8, kernel_size=3, padding=1)
            self.proj = torch.nn.Linear(8, 512)

        def forward(self, video):
            pooled = self.conv(video).mean(dim=(2, 3, 4))
            return torch.nn.functional.normalize(self.proj(pooled), dim=-1)


    @hookimpl
    def cmrbench_encoders():
        return [EncoderSpec(name="oot-net", description="Out-of-tree test encoder.",
                            factory=TinyNet, input=VideoInput(frames=4, height=16, width=16))]
'''

BROKEN_PLUGIN = '''
    import a_module_that_does_not_exist  # noqa: F401
'''


@pytest.fixture
def installed(install_distribution):
    install_distribution("oot-encoders", {"oot_encoders": GOOD_PLUGIN}, {"oot": "oot_encoders"})
    return install_distribution("oot-broken", {"oot_broken": BROKEN_PLUGIN},
                                {"broken": "oot_broken"})


def cmrbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cmrbench.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_out_of_tree_encoder_is_usable_in_process(installed):
    registry = get_registry()
    entry = registry.entry("encoder", "oot-net")
    assert (entry.provider.distribution, entry.provider.plugin) == ("oot-encoders", "oot")
    check_encoder(entry.spec)
    check_installed_plugin("oot")


def test_broken_plugin_is_reported_by_name_and_distribution(installed):
    problems = [p for p in get_registry().problems if p.plugin == "broken"]
    assert len(problems) == 1
    assert problems[0].distribution == "oot-broken"
    assert "a_module_that_does_not_exist" in problems[0].message


def test_cli_lists_the_plugin_and_warns_about_the_broken_one(installed):
    result = cmrbench("ls", "encoders")
    assert result.returncode == 0, result.stderr
    assert "oot-net" in result.stdout and "oot-encoders 0.1.0" in result.stdout
    assert "plugin 'broken' from oot-broken" in result.stderr


def test_cli_json_names_the_provider(installed):
    result = cmrbench("ls", "--json")
    listing = json.loads(result.stdout)
    (entry,) = [e for e in listing["encoders"] if e["name"] == "oot-net"]
    assert entry["provider"]["distribution"] == "oot-encoders"
    assert entry["input"]["frames"] == 4 and entry["embed_dim"] == 512
    assert [p["plugin"] for p in listing["problems"]] == ["broken"]


def test_strict_fails_when_a_plugin_is_broken(installed):
    assert cmrbench("ls", "--strict").returncode == 1
    assert cmrbench("--disable", "broken", "ls", "--strict").returncode == 0


def test_disabled_plugin_is_not_loaded(installed, monkeypatch):
    monkeypatch.setenv("CMRBENCH_DISABLE", "oot")
    result = cmrbench("ls", "--json")
    names = [e["name"] for e in json.loads(result.stdout)["encoders"]]
    assert "oot-net" not in names
    cli = cmrbench("--disable", "oot", "ls", "--json")
    assert "oot-net" not in [e["name"] for e in json.loads(cli.stdout)["encoders"]]


def test_typo_exits_non_zero_with_did_you_mean_and_the_plugin_that_failed(installed):
    result = cmrbench("ls", "encoders", "--name", "oot-nett")
    assert result.returncode == 2
    assert "Did you mean 'oot-net'?" in result.stderr
    assert ("1 plugin failure(s) may hide it: plugin 'broken' from oot-broken: failed to "
            "import 'oot_broken'") in result.stderr


SILENT_PLUGINS = {  # distribution: (module source, the warning `ls` must give)
    "oot-unmarked": ("""
        from cmrbench import EncoderSpec, VideoInput

        def cmrbench_encoders():
            return [EncoderSpec(name="unmarked-net", description="never listed",
                                factory=object, input=VideoInput(frames=4, height=8, width=8))]
        """, "defines ['cmrbench_encoders'] without the @hookimpl marker"),
    "oot-prefixless": ("""
        from cmrbench import hookimpl

        @hookimpl
        def encoders():
            return []
        """, "defines ['encoders'] which match no cmrbench hook"),
    "oot-empty": ("""
        def encoders():
            return []
        """, "implements no cmrbench hook, so it provides nothing"),
}


def test_a_plugin_that_would_silently_provide_nothing_is_reported(install_distribution, capsys):
    for dist, (source, _) in SILENT_PLUGINS.items():
        module = dist.replace("-", "_")
        install_distribution(dist, {module: source}, {dist.removeprefix("oot-"): module})
    assert main(["ls", "encoders"]) == 0
    out, err = capsys.readouterr()
    assert "unmarked-net" not in out
    for dist, (_, warning) in SILENT_PLUGINS.items():
        assert f"warning: plugin {dist.removeprefix('oot-')!r} from {dist}: {warning}" in err
    assert main(["ls", "encoders", "--strict"]) == 1


def test_check_installed_plugin_reports_the_broken_one(installed):
    from cmrbench.testing import ConformanceError
    with pytest.raises(ConformanceError, match="a_module_that_does_not_exist"):
        check_installed_plugin("broken")
