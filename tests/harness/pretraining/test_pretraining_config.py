"""The pretraining configuration: SPEC §1's defaults, validation that names the field, and a
--config file equal to the flags."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from cmrbench.cli import build_parser
from cmrbench.cli.commands.pretrain import config_from_args
from cmrbench.cli.errors import CommandError
from cmrbench.pretraining.config import ConfigError, PretrainConfig
from cmrbench.pretraining.loss import ContrastiveLoss
from cmrbench.pretraining.module import ContrastiveModule, _bag_means

REQUIRED = {"video_encoder": "r3d-18-tiny", "text_encoder": "bert-minilm-l6",
            "store": Path("store"), "out": Path("runs/p")}


def test_defaults_are_the_reference_protocol_and_convirt_s_loss():
    """SPEC §1: AdamW lr 4.8e-5, wd 1e-6, eps 1e-8, × 0.1 at epoch 300 of 600, batch 32,
    5 sentences, a checkpoint every 10 epochs; λ = 0.75 and τ = 0.1 (ConVIRT), b = 0.05."""
    config = PretrainConfig(**REQUIRED).resolve("phantom")
    assert (config.lr, config.weight_decay, config.eps) == (4.8e-5, 1e-6, 1e-8)
    assert (config.lr_drop_at, config.lr_drop_factor, config.max_epochs) == (0.5, 0.1, 600)
    assert (config.batch_size, config.sentences, config.checkpoint_every) == (32, 5, 10)
    assert (config.loss_lambda, config.temperature, config.flood) == (0.75, 0.1, 0.05)
    assert config.dataset == "phantom" and config.pairs == "random-video"
    assert config.text_features == "joint"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("pairs", "one-per-view", "pairs: 'one-per-view': must be one of"),
    ("text_features", "sentence-mean", "text_features: .sentence-mean.: must be one of"),
    ("loss_lambda", 1.5, "loss_lambda: 1.5: λ must lie in"),
    ("temperature", 0.0, "temperature: 0.0: τ must be positive"),
    ("sentences", 0, "sentences: must be a positive integer"),
    ("lr_drop_at", 0.0, "lr_drop_at"),
    ("text_options", {"freeze_layers": 2}, "set freeze_layers with freeze_text_layers"),
])
def test_invalid_settings_are_refused_naming_the_field(field, value, message):
    with pytest.raises(ConfigError, match=message):
        PretrainConfig(**REQUIRED, **{field: value})


def parse(*argv: str):
    return config_from_args(build_parser().parse_args(["pretrain", *argv]))


def test_a_config_file_equals_the_flags_and_flags_win(tmp_path):
    flags = ("--video-encoder", "r3d-18-tiny", "--text-encoder", "bert", "--store", "s",
             "--out", "o", "--loss-lambda", "0.5", "--text-option", "model_path=/models/bert",
             "--pairs", "study-mean", "--no-augment")
    from_flags = parse(*flags)
    (tmp_path / "p.yaml").write_text(
        "video-encoder: r3d-18-tiny\ntext_encoder: bert\nstore: s\nout: o\nloss_lambda: 0.9\n"
        "text_options: {model_path: /models/bert}\npairs: study-mean\naugment: false\n")
    assert parse("--config", str(tmp_path / "p.yaml"), "--loss-lambda", "0.5") == from_flags
    assert from_flags.text_options == {"model_path": "/models/bert"}


def test_missing_and_unknown_fields_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="missing --text-encoder, --out"):
        parse("--video-encoder", "r3d-18-tiny", "--store", "s")
    (tmp_path / "p.yaml").write_text("video_encoder: a\ntext_encoder: b\nstore: s\nout: o\n"
                                     "temprature: 0.2\n")
    with pytest.raises(CommandError, match=r"unknown field\(s\) \['temprature'\]"):
        parse("--config", str(tmp_path / "p.yaml"))


def test_help_states_the_loss_defaults_and_where_they_come_from(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["pretrain", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "ConVIRT's, λ = 0.75 and τ = 0.1" in text and "b = 0.05" in text


def test_the_learning_rate_drops_tenfold_half_way_through_the_budget():
    module = ContrastiveModule(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), ContrastiveLoss(),
                               lr=1e-3, weight_decay=1e-6, eps=1e-8, lr_drop_at=0.5,
                               lr_drop_factor=0.1, seed=0)
    module._trainer = SimpleNamespace(estimated_stepping_batches=10)
    setup = module.configure_optimizers()
    optimiser, schedule = setup["optimizer"], setup["lr_scheduler"]["scheduler"]
    assert setup["lr_scheduler"]["interval"] == "step"
    rates = []
    for _ in range(10):
        rates.append(optimiser.param_groups[0]["lr"])
        optimiser.step()
        schedule.step()
    assert rates == pytest.approx([1e-3] * 5 + [1e-4] * 5)
    assert optimiser.defaults["eps"] == 1e-8 and optimiser.defaults["weight_decay"] == 1e-6


def test_a_study_s_video_embedding_is_the_normalised_mean_of_its_real_videos():
    videos = torch.tensor([[1.0, 0.0], [0.0, 1.0], [3.0, 4.0]])
    mask = torch.tensor([[True, True], [True, False]])
    means = _bag_means(videos, mask)
    assert torch.allclose(means, torch.tensor([[0.5 ** 0.5, 0.5 ** 0.5], [0.6, 0.8]]))
