"""Exported encoders are cmrbench weight files that name their origin: the initialisation
'contrastive', the pretraining run, the sha256 of its config.yaml, the checkpoint and step; a
checkpoint's encoder states load back exactly, read without unpickling code."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from cmrbench.files import sha256_file
from cmrbench.pretraining.config import PretrainConfig
from cmrbench.pretraining.export import checkpoint_encoders, export_encoders
from cmrbench.weights import WeightsError, load_weights, read_checkpoint


def encoders(seed: int) -> dict[str, torch.nn.Module]:
    torch.manual_seed(seed)
    return {"video": torch.nn.Linear(3, 2), "text": torch.nn.Linear(4, 2)}


def a_run(tmp_path: Path) -> tuple[PretrainConfig, Path]:
    run = tmp_path / "run"
    config = PretrainConfig(video_encoder="r3d-18-tiny", text_encoder="bert-minilm-l6",
                            store=tmp_path / "store", out=run, video_weights="k400.pth")
    run.mkdir()
    config.save(run / "config.yaml")
    return config, run


def test_exports_name_the_contrastive_initialisation_and_the_pretraining_run(tmp_path):
    config, run = a_run(tmp_path)
    modules = encoders(0)
    exported = export_encoders(modules, config, run, tmp_path / "out", checkpoint="last.ckpt",
                               step=42)
    for kind, module in modules.items():
        path = Path(exported[kind]["path"])
        assert exported[kind]["sha256"] == sha256_file(path)
        checkpoint = read_checkpoint(path)
        assert checkpoint.format == "cmrbench"
        meta = checkpoint.metadata
        assert meta["initialisation"] == "contrastive"
        assert meta["encoder"] == {"video": "r3d-18-tiny", "text": "bert-minilm-l6"}[kind]
        assert meta["pretraining_run"] == str(run.resolve())
        assert meta["pretraining_config_sha256"] == sha256_file(run / "config.yaml")
        assert (meta["pretraining_checkpoint"], meta["pretraining_step"]) == ("last.ckpt", "42")
        assert meta["pretraining_video_weights"] == "k400.pth"
        fresh = encoders(1)[kind]
        result = load_weights(fresh, path)   # strict, no conversion
        assert result.initialisation == "contrastive"
        # every result that loads the file names the run it came from
        assert result.provenance["pretraining"] == {
            "run": str(run.resolve()), "config_sha256": sha256_file(run / "config.yaml"),
            "checkpoint": "last.ckpt", "step": "42", "video_encoder": "r3d-18-tiny",
            "text_encoder": "bert-minilm-l6", "video_weights": "k400.pth",
            "text_features": "joint"}
        assert torch.equal(fresh.weight, module.weight)


def test_a_checkpoint_s_encoders_load_back_exactly(tmp_path):
    trained = encoders(0)
    state = {f"{kind}_encoder.{key}": value for kind, module in trained.items()
             for key, value in module.state_dict().items()}
    torch.save({"state_dict": state, "global_step": 7, "epoch": 2}, tmp_path / "last.ckpt")
    fresh = encoders(1)
    assert checkpoint_encoders(tmp_path / "last.ckpt", fresh) == 7
    for kind in trained:
        assert torch.equal(fresh[kind].weight, trained[kind].weight)
    torch.save({"state_dict": {"model.weight": torch.zeros(2, 3)}}, tmp_path / "other.ckpt")
    with pytest.raises(WeightsError, match="holds no video encoder"):
        checkpoint_encoders(tmp_path / "other.ckpt", encoders(2))
