"""The printed rerun command gives back the entry's resolved config through `cmrbench run`'s
own parser (the submitter's paths as placeholders)."""

from __future__ import annotations

import shlex

from cmrbench.cli import build_parser
from cmrbench.cli.commands.run import config_from_args
from cmrbench.leaderboard.rerun import rerun_command
from cmrbench.training.config import RunConfig


def test_rerun_round_trips_switches_exclusions_and_task_options(tmp_path):
    config = RunConfig.from_mapping({
        "encoder": "r3d-18", "dataset": "clinical", "store": tmp_path / "s", "task": "diseases",
        "mode": "finetune", "out": tmp_path / "o", "weights": "/data/kinetics.pth",
        "exclude": ["fc", "head."], "task_options": {"labels": "hcm,amyloid", "k": [1, 2]},
        "feature_cache": False, "fraction": 0.1, "seed": 3, "max_steps": 100, "lr": 1e-4,
        "cache_dir": tmp_path / "cache"}).as_dict()
    words = shlex.split(rerun_command(config))
    assert words[:2] == ["cmrbench", "run"] and "--no-feature-cache" in words
    back = config_from_args(build_parser().parse_args(words[1:])).as_dict()
    placeholders = {"store": "STORE", "out": "RUN_DIR", "weights": "WEIGHTS", "cache_dir": None}
    assert back == {**config, **placeholders}


def test_rerun_round_trips_the_zero_shot_text_encoder(tmp_path):
    config = RunConfig.from_mapping({
        "encoder": "r3d-18-tiny", "dataset": "phantom", "store": tmp_path / "s",
        "task": "zeroshot", "mode": "zeroshot", "out": tmp_path / "o",
        "weights": "/runs/p/encoders/video.safetensors", "text_encoder": "bert",
        "text_weights": "/runs/p/encoders/text.safetensors",
        "text_options": {"model_path": "/models/PubMedBERT"},
        "task_options": {"target": "lvef"}}).as_dict()
    words = shlex.split(rerun_command(config))
    back = config_from_args(build_parser().parse_args(words[1:])).as_dict()
    assert back == {**config, "store": "STORE", "out": "RUN_DIR", "weights": "WEIGHTS",
                    "text_weights": "TEXT_WEIGHTS"}
