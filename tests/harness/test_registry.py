"""The registry keeps working plugins usable whatever the broken ones do."""

import json
import subprocess
import sys
import types

import pytest
from cmrbench import EncoderSpec, UnknownNameError, VideoInput, hookimpl
from cmrbench.registry import (
    Provider,
    Registry,
    disabled_from_env,
    precedence,
    registry_from_plugins,
)


def build():
    return None


def spec(name: str) -> EncoderSpec:
    return EncoderSpec(name=name, description=f"{name} encoder.", factory=build,
                       input=VideoInput(frames=4, height=8, width=8))


def plugin(**hooks) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{name: hookimpl(fn) for name, fn in hooks.items()})


GOOD = plugin(cmrbench_encoders=lambda: [spec("mvit-b-16x4"), spec("r3d-18")])


def test_lists_and_resolves_names_with_provider():
    registry = registry_from_plugins({"good": GOOD})
    assert registry.names("encoder") == ["mvit-b-16x4", "r3d-18"]
    assert registry.encoder("r3d-18").name == "r3d-18"
    assert registry.entry("encoder", "r3d-18").provider.plugin == "good"
    assert registry.problems == ()


def test_unknown_name_suggests_the_closest_and_lists_known():
    registry = registry_from_plugins({"good": GOOD})
    with pytest.raises(UnknownNameError) as info:
        registry.encoder("mvit-x")
    message = str(info.value)
    assert "Did you mean 'mvit-b-16x4'?" in message
    assert "mvit-b-16x4, r3d-18" in message
    assert info.value.suggestion == "mvit-b-16x4"


def test_unknown_name_with_nothing_close_gives_no_suggestion():
    with pytest.raises(UnknownNameError) as info:
        registry_from_plugins({"good": GOOD}).encoder("zzzzzz")
    assert "Did you mean" not in str(info.value)


def test_raising_hook_is_reported_and_others_survive():
    def explode():
        raise RuntimeError("boom")

    registry = registry_from_plugins({"bad": plugin(cmrbench_encoders=explode), "good": GOOD})
    assert registry.names("encoder") == ["mvit-b-16x4", "r3d-18"]
    (problem,) = registry.problems
    assert problem.plugin == "bad"
    assert "cmrbench_encoders() raised RuntimeError: boom" in problem.message


def test_malformed_item_is_reported_and_valid_items_kept():
    bad = plugin(cmrbench_encoders=lambda: [spec("ok-net"), {"name": "dict-net"}])
    registry = registry_from_plugins({"bad": bad})
    assert registry.names("encoder") == ["ok-net"]
    (problem,) = registry.problems
    assert "item 1 is a dict, not a EncoderSpec" in problem.message


def test_malformed_spec_construction_is_reported_by_plugin():
    bad = plugin(cmrbench_encoders=lambda: [spec("Bad Name")])
    registry = registry_from_plugins({"bad": bad, "good": GOOD})
    assert "r3d-18" in registry.names("encoder")
    (problem,) = registry.problems
    assert problem.plugin == "bad" and "EncoderSpec.name" in problem.message


def test_duplicate_name_goes_by_plugin_name_not_registration_order():
    copycat = plugin(cmrbench_encoders=lambda: [spec("r3d-18")])
    for order in (["good", "copycat"], ["copycat", "good"]):
        plugins = {"good": GOOD, "copycat": copycat}
        registry = registry_from_plugins({name: plugins[name] for name in order})
        assert registry.entry("encoder", "r3d-18").provider.plugin == "copycat"
        (problem,) = registry.problems
        assert problem.plugin == "good" and "'r3d-18' is already provided by" in problem.message


BUILT_IN = Provider("video-encoders", "cmrbench", "0.1.0")


@pytest.mark.parametrize("marker", [{"tryfirst": True}, {"trylast": True}, {}])
def test_a_built_in_name_stays_built_in_whatever_the_hook_order(marker):
    """pluggy calls tryfirst hooks first and trylast ones last; neither may decide a name."""
    built_in = plugin(cmrbench_encoders=lambda: [spec("r3d-18")])
    intruder = types.SimpleNamespace(
        cmrbench_encoders=hookimpl(**marker)(lambda: [spec("r3d-18"), spec("own-net")]))
    thief = Provider("aaa", "aaa-encoders", "9.9")  # sorts before "cmrbench" by name
    for plugins in ({"video-encoders": (built_in, BUILT_IN), "aaa": (intruder, thief)},
                    {"aaa": (intruder, thief), "video-encoders": (built_in, BUILT_IN)}):
        registry = Registry(plugins)
        assert registry.entry("encoder", "r3d-18").provider == BUILT_IN
        assert registry.entry("encoder", "own-net").provider == thief
        (problem,) = registry.problems
        assert (problem.plugin, problem.distribution) == ("aaa", "aaa-encoders")
        assert "'r3d-18' is already provided by cmrbench 0.1.0 (video-encoders)" in str(problem)


def test_third_party_distributions_rank_by_distribution_then_plugin_name():
    ranked = sorted([Provider("b", "zeta", "1"), Provider("a", "zeta", "1"),
                     Provider("z", "Alpha", "1"), BUILT_IN], key=precedence)
    assert [(p.distribution, p.plugin) for p in ranked] == [
        ("cmrbench", "video-encoders"), ("Alpha", "z"), ("zeta", "a"), ("zeta", "b")]


def test_misspelt_hook_is_an_error_not_silence():
    typo = plugin(cmrbench_encoder=lambda: [spec("typo-net")])
    registry = registry_from_plugins({"typo": typo, "good": GOOD})
    assert "typo-net" not in registry.names("encoder")
    (problem,) = registry.problems
    assert "cmrbench_encoder" in problem.message and "match no cmrbench hook" in problem.message


def test_marked_hook_without_the_prefix_is_reported():
    registry = registry_from_plugins({"short": plugin(encoders=lambda: [spec("short-net")])})
    (problem,) = registry.problems
    assert problem.plugin == "short"
    assert "['encoders'] which match no cmrbench hook" in problem.message


def test_hook_without_hookimpl_marker_is_reported():
    unmarked = types.SimpleNamespace(cmrbench_encoders=lambda: [spec("unmarked-net")])
    registry = registry_from_plugins({"unmarked": unmarked, "good": GOOD})
    assert "unmarked-net" not in registry.names("encoder")
    (problem,) = registry.problems
    assert problem.plugin == "unmarked"
    assert "['cmrbench_encoders'] without the @hookimpl marker" in problem.message


def test_plugin_that_provides_nothing_is_reported():
    silent = types.SimpleNamespace(encoders=lambda: [spec("silent-net")])
    (problem,) = registry_from_plugins({"silent": silent}).problems
    assert problem.plugin == "silent" and "implements no cmrbench hook" in problem.message


def test_hook_wrappers_are_refused():
    def wrapper():
        yield

    wrapping = types.SimpleNamespace(cmrbench_encoders=hookimpl(wrapper=True)(wrapper))
    (problem,) = registry_from_plugins({"wrapping": wrapping}).problems
    assert "cannot be wrapped" in problem.message


def test_unknown_name_says_which_plugins_failed():
    def explode():
        raise RuntimeError("boom")

    registry = registry_from_plugins({"good": GOOD, "typo": plugin(encoders=lambda: []),
                                      "bad": plugin(cmrbench_encoders=explode,
                                                    cmrbench_datasets=lambda: [])})
    with pytest.raises(UnknownNameError) as info:
        registry.encoder("typo-net")
    message = str(info.value)
    assert "2 plugin failure(s) may hide it" in message
    assert "plugin 'typo' from local" in message and "plugin 'bad' from local" in message
    assert "RuntimeError: boom" in message
    with pytest.raises(UnknownNameError) as info:
        registry.dataset("kaggle")  # bad's dataset hook worked: only typo may hide it
    assert "1 plugin failure(s)" in str(info.value) and "'bad'" not in str(info.value)


def test_unknown_name_without_failures_does_not_mention_them():
    with pytest.raises(UnknownNameError) as info:
        registry_from_plugins({"good": GOOD}).encoder("x-net")
    assert "failure" not in str(info.value)


def test_kinds_are_collected_independently():
    registry = registry_from_plugins({"good": GOOD})
    assert registry.names("dataset") == [] and registry.names("task") == []
    with pytest.raises(ValueError, match="unknown kind 'model'"):
        registry.names("model")


def test_disable_env_accepts_commas_and_spaces():
    assert disabled_from_env({"CMRBENCH_DISABLE": "a, b c"}) == {"a", "b", "c"}
    assert disabled_from_env({}) == frozenset()


# Listing plugins is what `cmrbench ls`, `ingest` and `phantom` do before anything else: the
# plugin modules must defer torch (about 0.5 GB resident, seconds to import) to the code that
# builds a model, a head or a loss, or every ingest carries it (the 1 GiB ingest bound in
# tests/harness/ingest/test_ingest_limits.py failed on CI once while it did).
LIST_EVERY_KIND = """
import json, sys
from cmrbench.registry import KINDS, get_registry
registry = get_registry()
listed = {kind: registry.names(kind) for kind in KINDS}
assert not registry.problems, registry.problems
heavy = ("torch", "torchvision", "lightning", "transformers")
print(json.dumps({"imported": [name for name in heavy if name in sys.modules], **listed}))
"""


def test_listing_every_installed_plugin_does_not_import_torch():
    result = subprocess.run([sys.executable, "-c", LIST_EVERY_KIND], capture_output=True,
                            text=True, timeout=120, check=True)
    out = json.loads(result.stdout)
    assert out["imported"] == [], "listing plugins imported " + ", ".join(out["imported"])
    assert {"lvef", "diseases", "kaggle-volumes", "retrieval"} <= set(out["task"])
    assert {"mvit-b-16x4", "r3d-18-tiny", "bert-minilm-l6"} <= set(out["encoder"])
    assert {"ukbb", "acdc", "phantom"} <= set(out["dataset"])
