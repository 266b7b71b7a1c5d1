"""Cohorts: many phantom studies, balanced over diagnosis groups, identified as a layout would.

Study ``i`` of a cohort draws everything from its own generator seeded by ``(seed, i)``, so a
cohort is reproducible study by study. The layout decides the sites, the frame counts, the views
rendered and the identifiers (ACDC ``patient001``, Kaggle ``1``, UK Biobank eid, clinical
accession number, clinical-h5 ``<institution>_<MRN>/<accession>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from cmrbench.phantom.anatomy import FINDINGS, GROUPS, sample_anatomy
from cmrbench.phantom.appearance import SITES, Site, sample_imaging, sample_look
from cmrbench.phantom.body import sample_thorax
from cmrbench.phantom.cine import Scene, render_view
from cmrbench.phantom.cycle import sample_timing
from cmrbench.phantom.identity import Identity, sample_identity
from cmrbench.phantom.report import write_report
from cmrbench.phantom.scanner import VIEWS, sample_pose
from cmrbench.phantom.study import PhantomStudy

ACDC_GROUP_ORDER = ("DCM", "HCM", "MINF", "NOR", "RV")
KAGGLE_STUDIES = 1140
TRUTH_COLUMNS = ("study_id", "patient_id", "group", "edv_ml", "esv_ml", "lvef", "rv_edv_ml",
                 "rv_esv_ml", "rvef", "wall_thickness_mm", "site", "vendor", "n_frames",
                 "ed_frame", "es_frame", "heart_rate_bpm", "height_cm", "weight_kg", *FINDINGS)


@dataclass(frozen=True)
class LayoutProfile:
    """What a layout's real data looks like: its scanners, frame counts and views."""

    sites: tuple[Site, ...]
    frames: tuple[int, ...]
    views: tuple[str, ...]


PROFILES: dict[str, LayoutProfile] = {
    "acdc": LayoutProfile(SITES["acdc"], (25, 30), ("SAX",)),
    "kaggle": LayoutProfile(SITES["kaggle"], (30,), ("SAX", "2CH", "4CH")),
    "ukbb": LayoutProfile(SITES["ukbb"], (50,), VIEWS),
    "clinical": LayoutProfile(SITES["clinical"], (25, 30), VIEWS),
    "clinical-h5": LayoutProfile(SITES["clinical"], (25, 30), VIEWS),
}
LAYOUTS = tuple(PROFILES)
_GENERIC = PROFILES["clinical"]


def generate_cohort(n: int, seed: int, layout: str | None = None, *,
                    views: Sequence[str] | None = None, frames: int | None = None,
                    matrix: int | None = None, fov_mm: float | None = None,
                    ) -> list[PhantomStudy]:
    """``n`` studies for a layout (or generic ones when ``layout`` is None), all in memory.

    ``views`` defaults to the layout's views, ``frames`` to its frame counts; ``matrix`` (image
    rows) and ``fov_mm`` override the sites' imaging geometry, e.g. for fast tests.
    """
    return list(iter_cohort(n, seed, layout, views=views, frames=frames, matrix=matrix,
                            fov_mm=fov_mm))


def iter_cohort(n: int, seed: int, layout: str | None = None, *,
                views: Sequence[str] | None = None, frames: int | None = None,
                matrix: int | None = None, fov_mm: float | None = None,
                ) -> Iterator[PhantomStudy]:
    """Like :func:`generate_cohort`, one study at a time, so large cohorts stream to disk."""
    if n < 1:
        raise ValueError(f"n={n}: a cohort needs at least one study; pass n >= 1")
    if layout is not None and layout not in PROFILES:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    if matrix is not None and matrix < 32:
        raise ValueError(f"matrix={matrix}: too few rows to draw a heart; pass 32 or more")
    profile = PROFILES[layout] if layout is not None else _GENERIC
    views = tuple(views) if views is not None else profile.views
    unknown = sorted(set(views) - set(VIEWS))
    if unknown:
        raise ValueError(f"unknown views {unknown}; choose from {', '.join(VIEWS)}")
    options = _Options(profile, views, frames, matrix, fov_mm)
    ids = _IdFactory(layout, n, np.random.default_rng([seed, n]))
    for index, group in enumerate(_groups(n, seed, layout)):
        yield _study(index, group, seed, options, ids)


def truth_table(studies: Iterable[PhantomStudy]) -> pd.DataFrame:
    """One row per study: identifiers, group, exact volumes and EF, findings, site."""
    return pd.DataFrame([truth_row(s) for s in studies], columns=list(TRUTH_COLUMNS))


def truth_row(study: PhantomStudy) -> dict[str, object]:
    """The truth of one study as a flat record (volumes in ml, EF in percent)."""
    row: dict[str, object] = {
        "study_id": study.study_id, "patient_id": study.patient_id, "group": study.group,
        "edv_ml": study.edv_ml, "esv_ml": study.esv_ml, "lvef": study.lvef,
        "rv_edv_ml": study.rv_edv_ml, "rv_esv_ml": study.rv_esv_ml, "rvef": study.rvef,
        "wall_thickness_mm": study.wall_thickness_mm, "site": study.site,
        "vendor": study.vendor, "n_frames": next(iter(study.views.values())).n_frames,
        "ed_frame": study.ed_frame, "es_frame": study.es_frame,
        "heart_rate_bpm": study.heart_rate_bpm, "height_cm": study.height_cm,
        "weight_kg": study.weight_kg}
    row.update({name: bool(study.findings[name]) for name in FINDINGS})
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def _groups(n: int, seed: int, layout: str | None) -> list[str]:
    """Balanced groups: in ACDC's contiguous ID blocks for ACDC, shuffled otherwise."""
    groups = [GROUPS[i % len(GROUPS)] for i in range(n)]
    if layout == "acdc":
        return sorted(groups, key=ACDC_GROUP_ORDER.index)
    order = np.random.default_rng([seed, n, 1]).permutation(n)
    return [groups[i] for i in order]


@dataclass(frozen=True)
class _Options:
    profile: LayoutProfile
    views: tuple[str, ...]
    frames: int | None
    matrix: int | None
    fov_mm: float | None


def _study(index: int, group: str, seed: int, options: _Options, ids: _IdFactory,
           ) -> PhantomStudy:
    """Study ``index`` of the cohort, drawn from its own generator."""
    rng = np.random.default_rng([seed, index])
    sex = "M" if rng.random() < 0.6 else "F"
    height = rng.normal(176.0, 7.0) if sex == "M" else rng.normal(163.0, 6.0)
    weight = rng.normal(26.0, 4.0) * (height / 100.0) ** 2
    age = int(rng.integers(45, 80) if group in ("DCM", "MINF") else rng.integers(20, 75))
    anatomy = sample_anatomy(group, rng)
    sites = options.profile.sites
    site = sites[int(rng.integers(len(sites)))]
    imaging = sample_imaging(site, anatomy.shape, rng, options.matrix, options.fov_mm)
    n_frames = options.frames or int(rng.choice(options.profile.frames))
    timing = sample_timing(rng, n_frames, anatomy.systole_ms)
    scene = Scene(anatomy, sample_pose(rng), sample_thorax(rng, weight, height),
                  sample_look(site, rng), site.bits_stored)
    rendered = {view: render_view(view, scene, imaging, timing, rng) for view in options.views}
    identity = ids.identity(rng, sex, age)
    study_id, patient_id = ids.assign(index, site, identity)
    return PhantomStudy(
        study_id=study_id, patient_id=patient_id, group=group, scanner=site,
        edv_ml=anatomy.edv_ml, esv_ml=anatomy.esv_ml, lvef=anatomy.lvef,
        rv_edv_ml=anatomy.rv_edv_ml, rv_esv_ml=anatomy.rv_esv_ml,
        wall_thickness_mm=anatomy.shape.max_wall_mm, findings=dict(anatomy.findings),
        report=write_report(anatomy, rng), height_cm=round(float(height), 1),
        weight_kg=round(float(weight), 1), ed_frame=0, es_frame=timing.es_frame,
        heart_rate_bpm=round(timing.heart_rate_bpm, 1), views=rendered, identity=identity,
        anatomy=anatomy, layout=ids.layout, cohort_seed=seed)


class _IdFactory:
    """Hands out identities and layout identifiers that are unique within the cohort."""

    def __init__(self, layout: str | None, n: int, rng: np.random.Generator) -> None:
        self.layout = layout
        self.n = n
        self._rng = rng
        self._used: set[str] = set()

    def identity(self, rng: np.random.Generator, sex: str, age: int) -> Identity:
        for _ in range(1000):
            identity = sample_identity(rng, sex, age)
            keys = {identity.patient_name, identity.mrn, identity.accession}
            if not keys & self._used:
                self._used |= keys
                return identity
        raise RuntimeError("could not draw a unique fake identity; the cohort is too large "
                           "for the name lists in cmrbench.phantom.identity")

    def assign(self, index: int, site: Site, identity: Identity) -> tuple[str, str]:
        """(study_id, patient_id) in the layout's own form."""
        return _ID_SCHEMES[self.layout](self, index, site, identity)

    def eid(self) -> str:
        """A fresh seven-digit UK Biobank participant id."""
        while (eid := str(self._rng.integers(1_000_000, 6_100_000))) in self._used:
            pass
        self._used.add(eid)
        return eid


def _acdc_ids(ids: _IdFactory, index: int, site: Site, identity: Identity) -> tuple[str, str]:
    return f"patient{index + 1:03d}", f"patient{index + 1:03d}"


def kaggle_number(index: int, n: int) -> int:
    """Study ``index`` of ``n``: IDs fill train (1-500), validate (501-700) and test (701-1140)
    in the competition's proportions, so even a small cohort has every split's label file."""
    if n > KAGGLE_STUDIES:
        raise ValueError(f"n={n}: the Kaggle layout holds at most {KAGGLE_STUDIES} studies")
    test = max(round(n * 440 / KAGGLE_STUDIES), int(n >= 2))
    validate = max(round(n * 200 / KAGGLE_STUDIES), int(n >= 3))
    train = n - test - validate
    if index < train:
        return 1 + index
    if index < train + validate:
        return 501 + index - train
    return 701 + index - train - validate


def _kaggle_ids(ids: _IdFactory, index: int, site: Site, identity: Identity) -> tuple[str, str]:
    number = str(kaggle_number(index, ids.n))
    return number, number


def _ukbb_ids(ids: _IdFactory, index: int, site: Site, identity: Identity) -> tuple[str, str]:
    eid = ids.eid()
    return eid, eid


def _clinical_ids(ids: _IdFactory, index: int, site: Site, identity: Identity,
                  ) -> tuple[str, str]:
    return identity.accession, f"{site.name}_{identity.mrn}"


def _clinical_h5_ids(ids: _IdFactory, index: int, site: Site, identity: Identity,
                     ) -> tuple[str, str]:
    """cmr_toolkit's ``<institution>_<MRN>/<accession>``; its institution prefixes hold no '_'."""
    folder = f"{site.name.lower().replace('_', '')}_{identity.mrn}"
    return f"{folder}/{identity.accession}", folder


def _generic_ids(ids: _IdFactory, index: int, site: Site, identity: Identity,
                 ) -> tuple[str, str]:
    return f"PH{index + 1:05d}", f"P{index + 1:05d}"


_ID_SCHEMES = {"acdc": _acdc_ids, "kaggle": _kaggle_ids, "ukbb": _ukbb_ids,
               "clinical": _clinical_ids, "clinical-h5": _clinical_h5_ids, None: _generic_ids}
