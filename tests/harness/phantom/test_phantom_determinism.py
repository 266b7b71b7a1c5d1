"""Same seed, same bytes; a different seed, a different cohort."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cmrbench.phantom import LAYOUTS, generate_cohort, write_layout

TINY = {"matrix": 48, "fov_mm": 300.0, "frames": 8}


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _write(layout: str, seed: int, out: Path) -> dict[str, str]:
    write_layout(layout, generate_cohort(3, seed, layout, **TINY), out)
    return _hashes(out)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_same_seed_writes_identical_bytes(layout: str, tmp_path: Path) -> None:
    first = _write(layout, 5, tmp_path / "a")
    assert first == _write(layout, 5, tmp_path / "b")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_another_seed_writes_another_cohort(layout: str, tmp_path: Path) -> None:
    first = _write(layout, 5, tmp_path / "a")
    second = _write(layout, 6, tmp_path / "b")
    shared = set(first) & set(second)
    assert all(first[name] != second[name] for name in shared if name.endswith(
        (".gz", ".dcm", ".zip", "truth.csv")))
    assert (tmp_path / "a" / "truth.csv").read_text() != (tmp_path / "b" / "truth.csv").read_text()
