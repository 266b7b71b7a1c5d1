"""The zero-shot tasks: the contract (check_task with its zeroshot checks), EchoCLIP's prompt
ranking against a re-implementation of its published code, and metrics against scikit-learn
and SciPy.

EchoCLIP's regression (echonet/echo_CLIP, utils.compute_regression_metric): similarities
[N, frames, candidates] are argsorted in descending order, mapped to the candidates' values,
averaged over frames, and the torch.median of the first int(0.2 · candidates) is the
prediction. Here a study's videos play the frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from cmrbench.cards import card_path, load_card
from cmrbench.plugins.tasks.zeroshot import ranked_value
from cmrbench.registry import get_registry
from cmrbench.task import TaskError, ZeroShotInputs
from cmrbench.testing import ConformanceError, check_task
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import mean_absolute_error, mean_squared_error, roc_auc_score

PHANTOM = load_card(card_path("phantom"))
RNG = np.random.default_rng(0)


def labels(n: int = 30) -> list[dict]:
    return [{"lvef": float(RNG.uniform(15, 75)), "lv_dilation": int(RNG.random() < 0.4)}
            for _ in range(n)]


def spec(name: str):
    return get_registry().task(name)


def echoclip_regression(video: torch.Tensor, prompts: torch.Tensor,
                        values: torch.Tensor) -> torch.Tensor:
    """EchoCLIP's compute_regression_metric, re-implemented from its published code."""
    similarities = video @ prompts.T                      # (N x frames x candidates)
    ranked = torch.argsort(similarities, dim=-1, descending=True)
    per_frame = values[ranked].float().mean(dim=1)        # (N x candidates)
    top = int(per_frame.shape[1] * 0.2)
    return per_frame[:, :top].median(dim=-1)[0]


def test_prompt_ranking_is_echoclip_s():
    generator = torch.Generator().manual_seed(1)
    videos = torch.nn.functional.normalize(torch.randn(4, 3, 8, generator=generator), dim=-1)
    prompts = torch.nn.functional.normalize(torch.randn(202, 8, generator=generator), dim=-1)
    values = torch.arange(101.0).repeat(2)
    expected = echoclip_regression(videos, prompts, values)
    got = [ranked_value((v @ prompts.T).numpy(), values.numpy(), 0.2) for v in videos]
    assert got == pytest.approx(expected.tolist())


def test_the_top_fifth_is_not_the_single_best_candidate():
    """One stray candidate (90) ranks first; the top 20 % around it say 40."""
    values = np.arange(0.0, 100.0, 10.0)           # 10 candidates: the top 2 count
    similarity = np.array([[0.1, 0.2, 0.3, 0.7, 0.8, 0.3, 0.2, 0.1, 0.1, 0.9]])
    assert ranked_value(similarity, values, 0.2) == 40.0   # lower median of {90, 40}
    assert ranked_value(similarity, values, 0.5) == 40.0   # of {90, 40, 30, 20, 50}


def angle_text(texts):
    """A stand-in text encoder: "... IS X%." lies at angle X degrees on a circle."""
    angles = np.radians([float(t.rsplit(" ", 1)[1].rstrip("%.")) for t in texts])
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def test_zero_shot_lvef_reads_the_value_whose_prompts_match_the_videos():
    task = spec("zeroshot").build(PHANTOM, target="lvef")
    assert len(task.prompts()[0]) == 2 * 101 and "LV EJECTION FRACTION IS 37%." in \
        task.prompts()[0]
    videos = [np.array([[np.cos(np.radians(a)), np.sin(np.radians(a))]]) for a in (37, 62)]
    inputs = ZeroShotInputs(study_ids=["s1", "s2"], patient_ids=["p1", "p2"], videos=videos,
                            video_names=[["4CH/0"], ["4CH/0"]], reports=[None, None],
                            embed_text=angle_text, sentences=5)
    assert task.zero_shot(inputs)[:, 0] == pytest.approx([37.0, 62.0], abs=1.0)


def test_zero_shot_tasks_pass_check_task_with_reference_metrics():
    def value_reference(t: pd.DataFrame) -> dict[str, float]:
        truth, pred = t["truth:lvef"], t["pred:lvef"]
        return {"mae": mean_absolute_error(truth, pred), "mse": mean_squared_error(truth, pred),
                "pearson_r": pearsonr(truth, pred).statistic,
                "spearman_r": spearmanr(truth, pred).statistic}
    check_task(spec("zeroshot"), PHANTOM, labels(), options={"target": "lvef"},
               reference=value_reference)

    def finding_reference(t: pd.DataFrame) -> dict[str, float]:
        return {"auroc": roc_auc_score(t["truth:lv_dilation"], t["pred:lv_dilation"])}
    task = check_task(spec("zeroshot-finding"), PHANTOM, labels(),
                      options={"target": "lv_dilation"}, reference=finding_reference)
    assert task.negative  # common findings come with negative prompts


def test_a_finding_scores_positive_less_negative_similarity_averaged_over_videos():
    task = spec("zeroshot-finding").build(PHANTOM, target="lv_dilation", positive=["P."],
                                          negative=["N."])
    embed = {"P.": [1.0, 0.0], "N.": [0.0, 1.0]}
    inputs = ZeroShotInputs(study_ids=["s"], patient_ids=["p"],
                            videos=[np.array([[0.6, 0.8], [1.0, 0.0]])], video_names=[["a", "b"]],
                            reports=[None], embed_text=lambda texts: np.array(
                                [embed[t] for t in texts]), sentences=5)
    assert task.zero_shot(inputs)[0, 0] == pytest.approx(((0.6 + 1.0) - (0.8 + 0.0)) / 2)


@pytest.mark.parametrize(("name", "options", "message"), [
    ("zeroshot", {"target": "lv_dilation"}, "not a continuous label"),
    ("zeroshot", {"target": "edv_ml"}, "templates: give prompts with '{value}'"),
    ("zeroshot", {"templates": ["LVEF IS X%."]}, "templates: give prompts with"),
    ("zeroshot-finding", {}, "needs a target"),
    ("zeroshot-finding", {"target": "lvef"}, "not a binary label"),
    ("zeroshot-finding", {"target": "pure_normal"}, "has no default prompts"),
])
def test_bad_options_name_the_fix(name, options, message):
    with pytest.raises(TaskError, match=message):
        spec(name).build(PHANTOM, **options)


def test_check_task_catches_a_zero_shot_that_mixes_studies():
    zeroshot = spec("zeroshot")
    base = type(zeroshot.build(PHANTOM))

    class Mixed(base):
        def zero_shot(self, inputs):
            first = float(inputs.videos[0][0, 0])  # every row depends on the first study
            return np.full((len(inputs.videos), 1), first)

    broken = type(zeroshot)(**{**zeroshot.__dict__, "build": lambda card, **o: Mixed(
        **{**zeroshot.build(card).__dict__})})
    with pytest.raises(ConformanceError, match="changes when the studies come in another"):
        check_task(broken, PHANTOM, labels())
