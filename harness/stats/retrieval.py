"""Retrieval metrics from a query-by-item similarity matrix (e.g. video-to-report search).

Row ``i`` of ``similarity`` scores every item for query ``i``; its true item is item ``i``
unless ``true_index`` says otherwise. The rank of the true item is 1 + the number of other
items scored at least as high: ties count against the query, so a model that scores every
item alike ranks last instead of first.
"""

from __future__ import annotations

import numpy as np
from cmrbench.stats._validate import (
    StatsInputError,
    as_float_array,
    check_positive_int,
    describe_indices,
)
from numpy.typing import ArrayLike


def _true_index(true_index: ArrayLike | None, n_queries: int, n_items: int) -> np.ndarray:
    if true_index is None:
        if n_items < n_queries:
            raise StatsInputError(
                f"similarity has {n_queries} queries but only {n_items} items, so query i "
                "cannot match item i; pass true_index with each query's true item"
            )
        return np.arange(n_queries)
    index = np.asarray(true_index)
    if index.ndim != 1 or index.size != n_queries:
        raise StatsInputError(
            f"true_index must hold one item index per query ({n_queries}), but it has shape "
            f"{index.shape}; pass a 1-D array of length {n_queries}"
        )
    if not np.issubdtype(index.dtype, np.integer):
        raise StatsInputError(
            f"true_index must hold integer item indices, but its dtype is {index.dtype}; "
            "convert it with .astype(int)"
        )
    outside = np.flatnonzero((index < 0) | (index >= n_items))
    if outside.size:
        raise StatsInputError(
            f"true_index has {outside.size} entries outside [0, {n_items}) at indices "
            f"{describe_indices(outside)}; every true item must be a column of similarity"
        )
    return index


def retrieval_ranks(similarity: ArrayLike, true_index: ArrayLike | None = None) -> np.ndarray:
    """1-based rank of each query's true item among all items (ties count against it)."""
    sim = as_float_array(similarity, "similarity", ndim=2)
    n_queries, n_items = sim.shape
    index = _true_index(true_index, n_queries, n_items)
    true_scores = sim[np.arange(n_queries), index]
    return (sim >= true_scores[:, None]).sum(axis=1)


def recall_at_k(similarity: ArrayLike, k: int, true_index: ArrayLike | None = None) -> float:
    """Fraction of queries whose true item ranks in the top ``k``."""
    k = check_positive_int(k, "k")
    return float(np.mean(retrieval_ranks(similarity, true_index) <= k))


def median_rank(similarity: ArrayLike, true_index: ArrayLike | None = None) -> float:
    """Median rank of the true item over queries (1 is best)."""
    return float(np.median(retrieval_ranks(similarity, true_index)))


def mean_rank(similarity: ArrayLike, true_index: ArrayLike | None = None) -> float:
    """Mean rank of the true item over queries (1 is best)."""
    return float(np.mean(retrieval_ranks(similarity, true_index)))
