"""`cmrbench run` end to end on a phantom store: the run directory, modes, cache, re-runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from cmrbench.cli import main
from cmrbench.embedding import build_encoder
from cmrbench.predictions import read_predictions
from cmrbench.registry import get_registry
from cmrbench.store import StudyStore
from cmrbench.task import Metric
from cmrbench.training.config import RunConfig
from cmrbench.training.rundir import RunDirectoryError
from cmrbench.training.runner import run_benchmark

ENCODER = "r3d-18-tiny"


def config(store: Path, out: Path, **changes) -> RunConfig:
    values = {"encoder": ENCODER, "dataset": "phantom", "store": store, "task": "lvef",
              "mode": "linear", "out": out, "max_steps": 4, "batch_size": 4, "lr": 1e-3}
    return RunConfig.from_mapping({**values, **changes})


def test_a_run_directory_holds_what_a_leaderboard_needs(small_store, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--encoder", ENCODER, "--dataset", "phantom", "--store",
                 str(small_store), "--task", "lvef", "--mode", "linear", "--out", str(out),
                 "--max-steps", "4", "--batch-size", "4", "--no-progress"]) == 0
    assert "* mae:" in capsys.readouterr().out
    saved = yaml.safe_load((out / "config.yaml").read_text())
    assert saved["lr"] == 1e-4 and saved["weight_decay"] == 0.01  # the task's reference values
    assert saved["views"] == "random-half-sax"

    index = StudyStore(small_store).index
    predictions = read_predictions(out / "predictions.csv")
    test = index[index["split"] == "test"]
    assert sorted(predictions.table["study_id"]) == sorted(test["study_id"])
    by_study = test.set_index("study_id")["label:lvef"]
    assert predictions.truth("lvef").tolist() == pytest.approx(
        [float(by_study[s]) for s in predictions.table["study_id"]])

    result = json.loads((out / "result.json").read_text())
    task = get_registry().task("lvef").build(None)  # metrics need no card and no fitting
    recomputed = {k: Metric.as_dict(v) for k, v in task.metrics(predictions.table).items()}
    assert result["metrics"] == recomputed
    assert result["predictions"]["rows"] == len(test)
    provenance = result["provenance"]
    assert provenance["encoder_plugin"]["distribution"] == "cmrbench"
    assert provenance["initialisation"] == "random"
    assert provenance["split_sha256"] == predictions.header["split_sha256"]
    assert provenance["feature_cache_key"]
    assert result["cost"]["steps"] == 4
    assert (out / "checkpoints" / "best.ckpt").exists()


def test_a_finished_run_is_returned_and_another_config_is_refused(small_store, tmp_path):
    first = run_benchmark(config(small_store, tmp_path / "run"), progress=False)
    stamp = (tmp_path / "run" / "result.json").stat().st_mtime_ns
    again = run_benchmark(config(small_store, tmp_path / "run"), progress=False)
    assert again == json.loads(json.dumps(first, default=str))
    assert (tmp_path / "run" / "result.json").stat().st_mtime_ns == stamp
    with pytest.raises(RunDirectoryError, match="another configuration"):
        run_benchmark(config(small_store, tmp_path / "run", seed=1), progress=False)


def test_every_epochs_validation_score_is_kept_when_an_earlier_epoch_is_selected(small_store,
                                                                                  tmp_path):
    """With lr 0 every epoch scores the same, so the first epoch's checkpoint stays the
    selected one (ties do not replace it); result.json still lists every epoch's score."""
    result = run_benchmark(config(small_store, tmp_path / "run", max_steps=None, max_epochs=3,
                                  lr=0.0), progress=False)
    assert result["validation"]["selected_checkpoint"] == "best.ckpt"
    assert list(result["validation"]["scores_by_epoch"]) == ["0", "1", "2"]
    assert len(set(result["validation"]["scores_by_epoch"].values())) == 1


def _trained_state(store: Path, out: Path, mode: str) -> dict[str, torch.Tensor]:
    run_benchmark(config(store, out, mode=mode, feature_cache=False, max_steps=2, lr=0.05),
                  progress=False)
    state = torch.load(out / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    return {k.removeprefix("model."): v for k, v in state.items()}


@pytest.mark.parametrize(("mode", "trains"), [
    ("linear", {"pooling", "head"}),
    ("finetune", {"pooling", "head", "encoder.projection"}),
    ("transfer", {"pooling", "head", "encoder.projection", "encoder.backbone"}),
])
def test_modes_train_exactly_their_parameters(small_store, tmp_path, mode, trains):
    spec = get_registry().encoder(ENCODER)
    initial, _ = build_encoder(spec, seed=0)
    before = {f"encoder.{k}": v for k, v in initial.state_dict().items()}
    after = _trained_state(small_store, tmp_path / mode, mode)
    changed = {k for k, v in before.items() if not torch.equal(v, after[k])}
    groups = {k.split(".")[0] if not k.startswith("encoder.") else ".".join(k.split(".")[:2])
              for k in changed}
    assert groups == trains - {"pooling", "head"}, sorted(changed)[:5]
    fresh_head = {k for k in after if k.startswith(("pooling", "head"))}
    assert fresh_head  # the head exists and was saved with the encoder
