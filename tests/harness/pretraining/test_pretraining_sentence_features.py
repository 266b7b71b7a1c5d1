"""Cached sentence features of a frozen text backbone (``text_features: cached-sentences``).

The truth is the encoder itself: a sample's embedding must equal the projection of the mean of
its sentences' pooled features, each computed directly by the backbone on that sentence alone.
"""

from __future__ import annotations

import copy

import pytest
import torch
from cmrbench.plugins.encoders import text
from cmrbench.pretraining.sentence_features import (
    SentenceCacheError,
    SentenceFeatures,
    weights_sha256,
)
from torch.nn import functional as F

REPORT = "LVEF is 34%. The left ventricle is dilated. No pericardial effusion."


@pytest.fixture(scope="module")
def frozen() -> text.TextEncoder:
    torch.manual_seed(0)
    return text.build_minilm(freeze_layers=6).train()


def direct(encoder: text.TextEncoder, sentences: list[str]) -> torch.Tensor:
    """Each sentence's pooled feature, one backbone pass per sentence, in eval mode."""
    encoder.eval()
    with torch.no_grad():
        rows = [encoder.features(**encoder.tokenize([s]))[0] for s in sentences]
    encoder.train()
    return torch.stack(rows)


def test_a_sample_is_the_projected_mean_of_its_sentences_features(frozen):
    sentences = ["LVEF is 34%.", "The left ventricle is dilated.", "No pericardial effusion."]
    expected = F.normalize(frozen.projection(direct(frozen, sentences).mean(dim=0)), dim=-1)
    got = SentenceFeatures(frozen).embed([REPORT, "LVEF is 34%."])
    assert torch.allclose(got[0], expected, atol=1e-5)
    assert torch.allclose(got[1], F.normalize(frozen.projection(direct(frozen, sentences[:1])[0]),
                                              dim=-1), atol=1e-5)


def test_features_are_free_of_dropout_and_gradients_reach_only_the_projection(frozen):
    cache = SentenceFeatures(frozen)
    assert frozen.training  # dropout would be on, were the backbone not put in eval mode
    first = cache.embed([REPORT])
    first.sum().backward()
    assert frozen.projection.weight.grad is not None
    assert all(p.grad is None for p in frozen.backbone.parameters())
    frozen.zero_grad()
    assert torch.equal(first, cache.embed([REPORT]))


def test_each_sentence_is_encoded_once(frozen, monkeypatch):
    cache = SentenceFeatures(frozen)
    cache.embed(["A new sentence one. A new sentence two."])
    calls = []
    original = frozen.features
    monkeypatch.setattr(frozen, "features", lambda **kw: calls.append(kw) or original(**kw))
    cache.embed(["A new sentence two. A new sentence one.", "A new sentence one."])
    assert calls == []
    cache.embed(["A new sentence three."])
    assert len(calls) == 1


def test_the_cache_never_answers_for_other_weights(frozen):
    """Same sentence, other backbone weights: the features are the other backbone's."""
    sentence = "Left ventricular ejection fraction measures 52%."
    before = SentenceFeatures(frozen).sentences([sentence])
    changed = copy.deepcopy(frozen)
    with torch.no_grad():
        changed.backbone.encoder.layer[-1].output.dense.weight.mul_(0.5)
    assert weights_sha256(changed.backbone) != weights_sha256(frozen.backbone)
    after = SentenceFeatures(changed).sentences([sentence])
    assert torch.allclose(after[0], direct(changed, [sentence])[0], atol=1e-5)
    assert not torch.allclose(after, before, atol=1e-3)


def test_a_backbone_that_trains_is_refused_with_the_fix(frozen):
    layer = frozen.backbone.encoder.layer[-1]
    layer.requires_grad_(True)
    try:
        with pytest.raises(SentenceCacheError, match="freeze_text_layers.*layer count"):
            SentenceFeatures(frozen)
    finally:
        layer.requires_grad_(False)
