"""Run configuration: YAML equal to the flags, validated with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest
from cmrbench.task import TrainingDefaults
from cmrbench.training.config import ConfigError, RunConfig

BASE = {"encoder": "r3d-18-tiny", "dataset": "phantom", "store": "store", "task": "lvef",
        "mode": "linear", "out": "run"}


def test_yaml_keys_may_be_spelled_like_flags(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("encoder: r3d-18-tiny\ndataset: phantom\nstore: s\ntask: lvef\n"
                    "mode: finetune\nout: o\nmax-steps: 7\nfraction: 0.5\nexclude: [fc]\n")
    config = RunConfig.from_yaml(path)
    assert (config.max_steps, config.fraction, config.exclude) == (7, 0.5, ("fc",))
    assert config.store == Path("s")


@pytest.mark.parametrize(("change", "message"), [
    ({"mode": "frozen"}, "mode: 'frozen' is not one of"),
    ({"fraction": 0.0}, r"fraction: 0.0 must lie in \(0, 1\]"),
    ({"max_steps": "many"}, "max_steps: 'many' is not a valid"),
    ({"views": "sax"}, "views: 'sax' is not one of"),
    ({"learning_rate": 1}, r"unknown field\(s\) \['learning_rate'\]"),
])
def test_bad_fields_are_named(change, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_mapping({**BASE, **change})


def test_a_missing_required_field_is_named():
    with pytest.raises(ConfigError, match=r"missing field\(s\) \['task'\]"):
        RunConfig.from_mapping({k: v for k, v in BASE.items() if k != "task"})


def test_resolve_fills_only_what_is_unset_from_the_task_defaults():
    defaults = TrainingDefaults(lr=1e-4, weight_decay=0.01, max_steps=100, views="all")
    config = RunConfig.from_mapping({**BASE, "lr": 0.5}).resolve(defaults)
    assert (config.lr, config.weight_decay, config.max_steps, config.views) == (0.5, 0.01, 100,
                                                                                 "all")
    epochs = RunConfig.from_mapping({**BASE, "max_epochs": 2}).resolve(defaults)
    assert (epochs.max_epochs, epochs.max_steps) == (2, None)
