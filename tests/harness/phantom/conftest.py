"""Phantom cohorts written once per test session, at small matrices so the suite stays fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cmrbench.phantom import PhantomStudy, generate_cohort, write_layout

# 2.5 mm pixels: coarse enough to be quick, fine enough for voxel counting to stay within 2 %.
FAST = {"matrix": 96, "fov_mm": 240.0}

Written = tuple[Path, list[PhantomStudy]]


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Written]:
    """``written(layout, n, seed, **options)``: a cohort written in a layout, cached."""
    cache: dict[tuple, Written] = {}

    def write(layout: str, n: int = 4, seed: int = 0, **options: object) -> Written:
        options = {**FAST, **options}
        key = (layout, n, seed, tuple(sorted(options.items())))
        if key not in cache:
            out = tmp_path_factory.mktemp(f"phantom-{layout}")
            studies = generate_cohort(n, seed, layout, **options)
            write_layout(layout, studies, out)
            cache[key] = (out, studies)
        return cache[key]

    return write
