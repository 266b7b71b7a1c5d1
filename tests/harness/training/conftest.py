"""A phantom cohort ingested once per session for the runner's tests (the real CLI path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cmrbench.cli import main


def phantom_store(root: Path, n: int, seed: int) -> Path:
    source, store = root / "source", root / "store"
    assert main(["phantom", "--layout", "clinical", "--n", str(n), "--seed", str(seed),
                 "--out", str(source), "--matrix", "64", "--frames", "12", "--quiet"]) == 0
    assert main(["ingest", "phantom", str(source), "--out", str(store), "--no-progress",
                 "--workers", "2"]) == 0
    return store


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 studies: 26 train, 7 val, 7 test (an odd test split, for 2-process evaluation)."""
    return phantom_store(tmp_path_factory.mktemp("small"), n=40, seed=2)


@pytest.fixture(scope="session")
def learning_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 studies (46 train, 16 val, 18 test) for the tests that must really learn."""
    return phantom_store(tmp_path_factory.mktemp("learning"), n=80, seed=1)
