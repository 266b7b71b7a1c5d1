"""Real learning on the phantom: a short CPU pretraining of a tiny video encoder against
`bert-minilm-l6` (SPEC §1), then what the reference claims for it, in miniature.

The phantom's reports state the LVEF and the findings its videos render (cavity volumes
through the cycle, dilated chambers, wall thickness), so a video encoder that learned nothing
from them retrieves its own report at chance (recall@k = k/N), ranks EF prompts at random
(Spearman ≈ 0) and gives a linear LVEF head no more than its random initialisation does.
One pretraining run (module scope) serves every test here; the pretraining itself sees only
the training split, every number is measured on the held-out test split. The text backbone is
wholly frozen with ``text_features: cached-sentences``, so each report sentence is encoded
once and a step costs little more than the video encoder's pass: enough steps fit the budget.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cmrbench.cli import main
from cmrbench.pretraining import PretrainConfig, exported_weights, run_pretraining

VIDEO, TEXT = "r3d-18-tiny", "bert-minilm-l6"
STEPS, LR = 300, 3e-3
# Issue #13's retrieval bar, not yet met: this run measures recall@5 0.56 against chance 0.28
# (2.0x, 2026-12-01). 22 variants of r3d-18-tiny pretraining (steps 300-1000, study-mean /
# every-video pairs, batch 46, tau 0.05/0.2, lambda 0.5, AugMix, lr 1e-3, seeds, 92 pretraining
# studies, clips of 8 frames or 64 px, placeholder-only sentences dropped) measured 0.50-0.83 on
# these 18 test studies (2.4x on average; 3.0x once, with 8 x 64 x 64 clips at 8x the cost);
# mvit-b-16x4-tiny at lr 3e-3 stayed at chance. The text side is not what limits:
# a ridge map from the truth labels to the trained report embeddings retrieves at 0.94 (group
# alone 0.89); the tiny video encoder is, its held-out top-5 matches share the study's group
# for 50-67 % of studies. Strict, so the mark must go once a run meets the bar.
NOT_YET = pytest.mark.xfail(strict=True, reason="300 CPU steps do not yet retrieve at 3x "
                                                "chance (issue #13 blocked on this point: it "
                                                "needs a larger encoder or a GPU)")


@pytest.fixture(scope="module")
def pretrained(learning_store: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> dict[str, Path]:
    """The exported encoders of one short pretraining run (text backbone frozen)."""
    out = tmp_path_factory.mktemp("pretrain") / "run"
    run_pretraining(PretrainConfig(video_encoder=VIDEO, text_encoder=TEXT, store=learning_store,
                                   out=out, max_steps=STEPS, batch_size=16, lr=LR,
                                   freeze_text_layers=6, text_features="cached-sentences",
                                   augment=False,
                                   checkpoint_every=1000, val_every=1000), progress=False)
    return exported_weights(out)


def run(store: Path, out: Path, task: str, *extra: str) -> dict:
    assert main(["run", "--encoder", VIDEO, "--dataset", "phantom", "--store", str(store),
                 "--task", task, "--out", str(out), "--no-progress", *extra]) == 0
    return json.loads((out / "result.json").read_text())


def zero_shot(store: Path, out: Path, task: str, weights: dict[str, Path], *extra: str) -> dict:
    return run(store, out, task, "--mode", "zeroshot", "--weights", str(weights["video"]),
               "--text-encoder", TEXT, "--text-weights", str(weights["text"]), *extra)


@NOT_YET
def test_held_out_study_to_report_recall_at_5_is_three_times_chance(pretrained, learning_store,
                                                                     tmp_path):
    result = zero_shot(learning_store, tmp_path / "retrieval", "retrieval", pretrained)
    recall = result["metrics"]["study_to_report_recall_at_5"]["value"]
    chance = result["details"]["chance"]["study_to_report_recall_at_5"]
    assert chance == pytest.approx(5 / result["details"]["candidates"])
    assert recall >= 3 * chance, (recall, chance)


def test_zero_shot_ef_correlates_with_the_truth(pretrained, learning_store, tmp_path):
    result = zero_shot(learning_store, tmp_path / "zeroshot", "zeroshot", pretrained,
                       "--option", "target=lvef")
    spearman = result["metrics"]["spearman_r"]
    assert spearman["value"] >= 0.4, spearman


def test_linear_lvef_from_the_contrastive_checkpoint_beats_its_random_initialisation(
        pretrained, learning_store, tmp_path):
    linear = ("--mode", "linear", "--max-steps", "150", "--lr", "1e-2", "--batch-size", "16",
              "--views", "reference", "--eval-views", "reference", "--no-augment")
    random = run(learning_store, tmp_path / "random", "lvef", *linear)
    contrastive = run(learning_store, tmp_path / "contrastive", "lvef", *linear,
                      "--weights", str(pretrained["video"]))
    assert contrastive["provenance"]["initialisation"] == "contrastive"
    assert random["provenance"]["initialisation"] == "random"
    assert contrastive["metrics"]["mae"]["value"] < 0.9 * random["metrics"]["mae"]["value"], (
        contrastive["metrics"]["mae"], random["metrics"]["mae"])
