"""Retrieval ranks, recall@k and median/mean rank from a similarity matrix.

Reference: ranks found by sorting each query's row in pure Python.
"""

from __future__ import annotations

import numpy as np
import pytest
from cmrbench.stats import StatsInputError, mean_rank, median_rank, recall_at_k, retrieval_ranks


def ranks_by_sorting(similarity: np.ndarray, true_index: np.ndarray) -> list[int]:
    ranks = []
    for row, true in zip(similarity.tolist(), true_index.tolist(), strict=True):
        ordered = sorted(range(len(row)), key=lambda j: (-row[j], j != true))
        # Ties count against the query: its item goes after every item tied with it.
        tied_after = sum(1 for j, v in enumerate(row) if v == row[true] and j != true)
        ranks.append(ordered.index(true) + 1 + tied_after)
    return ranks


@pytest.fixture
def similarity() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.round(rng.normal(size=(40, 60)) + 2.0 * np.eye(40, 60), 1)


def test_ranks_equal_sorting_each_row(similarity: np.ndarray) -> None:
    expected = ranks_by_sorting(similarity, np.arange(40))
    assert retrieval_ranks(similarity).tolist() == expected


def test_recall_and_ranks_summaries(similarity: np.ndarray) -> None:
    ranks = np.array(ranks_by_sorting(similarity, np.arange(40)))
    for k in (1, 5, 10):
        assert recall_at_k(similarity, k) == np.mean(ranks <= k)
    assert median_rank(similarity) == np.median(ranks)
    assert mean_rank(similarity) == np.mean(ranks)


def test_explicit_true_indices() -> None:
    rng = np.random.default_rng(1)
    sim = rng.normal(size=(30, 12))
    true = rng.integers(0, 12, 30)
    assert retrieval_ranks(sim, true).tolist() == ranks_by_sorting(sim, true)


def test_hand_computed_case() -> None:
    sim = np.array([[0.9, 0.1, 0.2], [0.8, 0.5, 0.1], [0.3, 0.3, 0.3]])
    # Query 0 ranks its item first; query 1 second; query 2 is tied with all three items.
    assert retrieval_ranks(sim).tolist() == [1, 2, 3]
    assert recall_at_k(sim, 1) == 1 / 3
    assert recall_at_k(sim, 2) == 2 / 3
    assert median_rank(sim) == 2.0


def test_constant_similarities_rank_last_not_first() -> None:
    assert retrieval_ranks(np.zeros((5, 8))).tolist() == [8] * 5
    assert recall_at_k(np.zeros((5, 8)), 1) == 0.0


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(StatsInputError, match="similarity must be 2-dimensional"):
        recall_at_k(np.zeros(5), 1)
    with pytest.raises(StatsInputError, match="3 queries but only 2 items"):
        retrieval_ranks(np.zeros((3, 2)))
    with pytest.raises(StatsInputError, match=r"true_index has 1 entries outside \[0, 2\)"):
        retrieval_ranks(np.zeros((2, 2)), [0, 2])
    with pytest.raises(StatsInputError, match="true_index must hold integer item indices"):
        retrieval_ranks(np.zeros((2, 2)), [0.0, 1.0])
    with pytest.raises(StatsInputError, match="one item index per query"):
        retrieval_ranks(np.zeros((2, 2)), [0])
    with pytest.raises(StatsInputError, match="k must be a positive integer"):
        recall_at_k(np.eye(2), 0)
    with pytest.raises(StatsInputError, match=r"similarity has 1 NaN values at rows \[1\]"):
        mean_rank(np.array([[1.0, 0.0], [np.nan, 1.0]]))
