"""Gated attention pooling against SPEC §2's formula, computed by hand in NumPy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from cmrbench.pooling import GatedAttentionPooling


def _by_hand(pool: GatedAttentionPooling, h: np.ndarray, mask: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """a_k = softmax_k(w^T(tanh(V h_k) * sigm(U h_k))), pooled = sum_k a_k h_k, per study."""
    V, bV = pool.value.weight.detach().numpy(), pool.value.bias.detach().numpy()
    U, bU = pool.gate.weight.detach().numpy(), pool.gate.bias.detach().numpy()
    w, bw = pool.score.weight.detach().numpy(), pool.score.bias.detach().numpy()
    pooled, weights = [], []
    for study, real in zip(h, mask, strict=True):
        hk = study[real]
        gated = np.tanh(hk @ V.T + bV) * (1 / (1 + np.exp(-(hk @ U.T + bU))))
        scores = gated @ w.T + bw                       # [k, branches]
        a = np.exp(scores - scores.max(0)) / np.exp(scores - scores.max(0)).sum(0)
        full = np.zeros((len(study), a.shape[1]))
        full[real] = a
        weights.append(full.T)
        pooled.append(a.T @ hk)
    return np.stack(pooled), np.stack(weights)


@pytest.mark.parametrize("branches", [1, 3])
def test_pooling_is_the_gated_attention_formula_and_ignores_padding(branches):
    torch.manual_seed(0)
    pool = GatedAttentionPooling(dim=6, hidden=5, branches=branches)
    h = torch.randn(2, 4, 6)
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    h[1, 2:] = 100.0  # padding values must have no influence
    pooled, attention = pool(h, mask)
    expected_pooled, expected_attention = _by_hand(pool, h.numpy(), mask.numpy())
    np.testing.assert_allclose(pooled.detach().numpy(), expected_pooled, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(attention.detach().numpy(), expected_attention, atol=1e-6)
    np.testing.assert_allclose(attention.sum(-1).detach().numpy(), 1.0, atol=1e-6)
    assert (attention[1, :, 2:] == 0).all()


def test_layernorm_applies_before_attention_for_classification():
    torch.manual_seed(0)
    pool = GatedAttentionPooling(dim=4, hidden=3, layernorm=True)
    h = torch.randn(1, 3, 4)
    pooled, attention = pool(h, torch.ones(1, 3, dtype=torch.bool))
    normed = torch.nn.functional.layer_norm(h, (4,), pool.norm.weight, pool.norm.bias)
    torch.testing.assert_close(pooled, attention @ normed)


def test_a_study_without_videos_is_refused():
    pool = GatedAttentionPooling(dim=4)
    with pytest.raises(ValueError, match="at least one video"):
        pool(torch.zeros(2, 3, 4), torch.tensor([[True, False, False], [False] * 3]))
