"""The view-attention map, against hand-computed sums, and on a trained model whose finding
only one view shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from cmrbench.cards import card_path, load_card
from cmrbench.cli import main
from cmrbench.embedding import build_encoder, embed_store
from cmrbench.explain.view_attention import per_study, view_attention_map
from cmrbench.phantom import generate_cohort
from cmrbench.predictions import build_table
from cmrbench.registry import get_registry
from cmrbench.training.model import ProjectionTop, StudyModel

from .conftest import VIEWS, volume, write_phantom_store


def test_planes_sum_their_videos_and_each_study_sums_to_one():
    table = build_table({"study_id": ["a", "b"], "patient_id": ["p", "q"],
                         "split": ["test", "test"]}, {}, {"x": np.zeros(2)},
                        [{"x": {"4CH/0": 0.5, "SAX/1": 0.25, "SAX/3": 0.25}},
                         {"x": {"2CH/0": 0.1, "SAX/0": 0.4}}])  # relative: 0.2, 0.8
    studies = per_study(table)
    assert studies.set_index("study_id").loc["a", ["4CH", "2CH", "SAX"]].tolist() == [
        0.5, 0.0, 0.5]
    np.testing.assert_allclose(studies[["4CH", "2CH", "SAX"]].sum(axis=1), 1.0)
    assert view_attention_map(studies).loc["x"].tolist() == pytest.approx([0.25, 0.1, 0.65])


def test_the_run_command_writes_the_map_and_each_study_sums_to_one(mvit_run):
    assert main(["view-attention", str(mvit_run)]) == 0
    studies = pd.read_csv(mvit_run / "figures" / "view_attention_studies.csv")
    np.testing.assert_allclose(studies[list(VIEWS)].sum(axis=1), 1.0, atol=1e-5)
    mean = pd.read_csv(mvit_run / "figures" / "view_attention.csv")
    assert list(mean["branch"]) == ["lv_dilation", "rv_dilation"]
    np.testing.assert_allclose(mean[list(VIEWS)].sum(axis=1), 1.0, atol=1e-5)
    assert (mvit_run / "figures" / "view_attention.png").read_bytes()[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def dcm_hcm_features(tmp_path_factory):
    """Frozen r3d-18-tiny features [studies, F] per view of the phantom's dilated (DCM) and
    hypertrophied (HCM) hearts (a balanced lv_dilation), one slice per view, and their truth."""
    studies = [s for s in generate_cohort(100, seed=0, views=VIEWS, frames=8, matrix=32)
               if s.group in ("DCM", "HCM")]
    store = write_phantom_store(tmp_path_factory.mktemp("views") / "store", studies,
                                lambda i, s: {v: volume(s.views[v], middle_slice=True)
                                              for v in VIEWS})
    spec = get_registry().entry("encoder", "r3d-18-tiny").spec
    encoder, _ = build_encoder(spec)
    found = embed_store(spec, encoder, store, views="all", progress=False, features=True,
                        workers=0)
    ids = sorted(set(found.study_id))
    features = {v: torch.from_numpy(np.stack([
        found.vectors[(found.study_id == s) & (found.view == v)][0] for s in ids]))
        for v in VIEWS}
    truth = torch.tensor([[float(s.findings["lv_dilation"])] for s in studies])
    return ids, features, truth, spec, encoder


@pytest.mark.parametrize("signal", VIEWS)
def test_a_model_trained_on_a_finding_one_view_shows_attends_to_that_view(signal,
                                                                         dcm_hcm_features):
    """In each bag only the ``signal`` view is the study's own; every other view is another
    study's, drawn afresh at every step, so it carries nothing about the label and cannot be
    memorised: the finding is rendered in one view only. The real model (the frozen encoder's
    projection, gated attention, the task's head and loss) trains on it full-batch; the map of
    its test-set attention must rank the signal view first (Ilse et al. 2018: gated attention
    learns to weight the instances that carry the bag's label)."""
    ids, features, truth, spec, encoder = dcm_hcm_features
    task = get_registry().entry("task", "diseases").spec.build(
        load_card(card_path("phantom")), labels="lv_dilation")
    test = np.arange(len(ids)) % 5 == 4
    train, held = np.flatnonzero(~test), np.flatnonzero(test)
    task.fit(truth.numpy()[train])
    torch.manual_seed(0)
    draws = torch.Generator().manual_seed(0)

    def bags(own: np.ndarray) -> torch.Tensor:
        return torch.stack([features[v][own] if v == signal else
                            features[v][own[torch.randint(len(own), (len(own),),
                                                          generator=draws)]]
                            for v in VIEWS], dim=1)

    model = StudyModel(task, spec.embed_dim, top=ProjectionTop(encoder.projection))
    model.top.requires_grad_(False)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3,
                                  weight_decay=1e-4)
    everyone = torch.ones(len(train), len(VIEWS), dtype=torch.bool)
    for _ in range(300):
        outputs, _ = model(bags(train), everyone)
        loss = task.loss(outputs, truth[train])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        outputs, attention = model(bags(held), torch.ones(len(held), len(VIEWS), dtype=torch.bool))
    table = build_table({"study_id": [ids[i] for i in held],
                         "patient_id": [ids[i] for i in held], "split": ["test"] * len(held)},
                        {}, {"lv_dilation": outputs[:, 0].numpy()},
                        [{"lv_dilation": {f"{v}/0": float(attention[b, 0, k])
                                          for k, v in enumerate(VIEWS)}}
                         for b in range(len(held))])
    mean = view_attention_map(per_study(table)).loc["lv_dilation"]
    assert mean.idxmax() == signal, mean.to_dict()
