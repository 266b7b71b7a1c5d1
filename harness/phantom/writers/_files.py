"""Small helpers the writers share: a per-study random generator and reproducible archives."""

from __future__ import annotations

import zipfile
import zlib

import numpy as np
from cmrbench.phantom.study import PhantomStudy


def study_rng(study: PhantomStudy, purpose: str) -> np.random.Generator:
    """A generator fixed by the cohort seed, the study and the purpose (a layout's choices)."""
    key = zlib.crc32(f"{study.layout}/{study.study_id}/{purpose}".encode())
    return np.random.default_rng([study.cohort_seed, key])


def add_to_zip(archive: zipfile.ZipFile, name: str, data: bytes,
               date_time: tuple[int, int, int, int, int, int]) -> None:
    """Add one member with a fixed timestamp and permissions, so archives are reproducible.

    Members are stored, not deflated: noisy 16-bit pixels barely compress and deflating them
    took longer than rendering; ``zipfile`` reads either transparently.
    """
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
