"""The registry keeps working plugins usable whatever the broken ones do."""

import types

import pytest
from cmrbench import EncoderSpec, UnknownNameError, VideoInput, hookimpl
from cmrbench.registry import disabled_from_env, registry_from_plugins


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


def test_duplicate_name_keeps_the_first_and_reports_the_second():
    copycat = plugin(cmrbench_encoders=lambda: [spec("r3d-18")])
    registry = registry_from_plugins({"good": GOOD, "copycat": copycat})
    assert registry.entry("encoder", "r3d-18").provider.plugin == "good"
    (problem,) = registry.problems
    assert problem.plugin == "copycat" and "already provided by" in problem.message


def test_misspelt_hook_is_an_error_not_silence():
    typo = plugin(cmrbench_encoder=lambda: [spec("typo-net")])
    registry = registry_from_plugins({"typo": typo, "good": GOOD})
    assert "typo-net" not in registry.names("encoder")
    (problem,) = registry.problems
    assert "cmrbench_encoder" in problem.message and "match no cmrbench hook" in problem.message


def test_kinds_are_collected_independently():
    registry = registry_from_plugins({"good": GOOD})
    assert registry.names("dataset") == [] and registry.names("task") == []
    with pytest.raises(ValueError, match="unknown kind 'model'"):
        registry.names("model")


def test_disable_env_accepts_commas_and_spaces():
    assert disabled_from_env({"CMRBENCH_DISABLE": "a, b c"}) == {"a", "b", "c"}
    assert disabled_from_env({}) == frozenset()
