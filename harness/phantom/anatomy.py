"""Per-study anatomy: heart shape and motion sampled per diagnosis group, with exact truth.

Groups follow ACDC: NOR (normal), DCM (large, poorly contracting LV), HCM (thick walls, small
cavity, high EF), MINF (regional akinesia, reduced EF), RV (dilated, poorly contracting RV).
The target ejection fractions vary continuously within each group; the truth reported is the
exact volume of the geometry actually rendered (:mod:`cmrbench.phantom.geometry`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from cmrbench.phantom.geometry import (
    Akinesia,
    HeartShape,
    Motion,
    Quadrature,
    calibrate_motion,
    la_volume_ml,
)

GROUPS = ("NOR", "DCM", "HCM", "MINF", "RV")
FINDINGS = (
    "lv_dilation",
    "lv_hypertrophy",
    "rv_dilation",
    "la_dilation",
    "ra_dilation",
    "pericardial_effusion",
    "regional_wall_motion_abnormality",
    "reduced_ef",
    "pure_normal",
)
# Centre angles of wall segments (theta = 90 degrees points anterior, 0 towards the free wall).
SEGMENTS = {"anterior": 90.0, "anteroseptal": 125.0, "inferior": 270.0,
            "inferolateral": 315.0, "lateral": 10.0}

LV_DILATION_ML = 190.0
RV_DILATION_ML = 190.0
LA_DILATION_ML = 70.0
RA_DILATION_RADIUS_MM = 22.0
LV_HYPERTROPHY_MM = 13.0
REDUCED_EF = 40.0

Range = tuple[float, float]


@dataclass(frozen=True)
class GroupPrior:
    """Uniform ranges of the shape and function parameters of one diagnosis group."""

    lv_a: Range
    sphericity: Range  # lv_b / lv_a
    lv_length: Range
    wall_mm: Range
    septal_extra_mm: Range
    long_shortening: Range
    lvef: Range  # fraction
    rv_depth: Range
    rv_halfwidth_deg: Range
    rv_length_fraction: Range
    rvef: Range
    systole_ms: Range
    p_la_dilation: float
    p_ra_dilation: float
    p_effusion: float


PRIORS = {
    "NOR": GroupPrior(
        lv_a=(24.5, 28.0), sphericity=(0.9, 0.98), lv_length=(70.0, 82.0), wall_mm=(7.0, 10.0),
        septal_extra_mm=(0.0, 1.0), long_shortening=(0.14, 0.19), lvef=(0.55, 0.70),
        rv_depth=(23.0, 29.0), rv_halfwidth_deg=(75.0, 85.0), rv_length_fraction=(0.75, 0.85),
        rvef=(0.50, 0.62), systole_ms=(280.0, 340.0),
        p_la_dilation=0.05, p_ra_dilation=0.03, p_effusion=0.04),
    "DCM": GroupPrior(
        lv_a=(33.0, 39.0), sphericity=(0.92, 1.0), lv_length=(80.0, 92.0), wall_mm=(5.5, 8.0),
        septal_extra_mm=(0.0, 1.0), long_shortening=(0.04, 0.09), lvef=(0.12, 0.40),
        rv_depth=(20.0, 27.0), rv_halfwidth_deg=(75.0, 90.0), rv_length_fraction=(0.72, 0.82),
        rvef=(0.35, 0.55), systole_ms=(320.0, 400.0),
        p_la_dilation=0.6, p_ra_dilation=0.2, p_effusion=0.15),
    "HCM": GroupPrior(
        lv_a=(20.0, 24.0), sphericity=(0.88, 0.96), lv_length=(62.0, 72.0), wall_mm=(10.0, 13.5),
        septal_extra_mm=(5.0, 11.0), long_shortening=(0.15, 0.20), lvef=(0.62, 0.78),
        rv_depth=(19.0, 25.0), rv_halfwidth_deg=(70.0, 85.0), rv_length_fraction=(0.72, 0.82),
        rvef=(0.50, 0.65), systole_ms=(280.0, 340.0),
        p_la_dilation=0.5, p_ra_dilation=0.05, p_effusion=0.05),
    "MINF": GroupPrior(
        lv_a=(26.0, 31.0), sphericity=(0.9, 0.98), lv_length=(72.0, 85.0), wall_mm=(7.5, 10.0),
        septal_extra_mm=(0.0, 1.0), long_shortening=(0.08, 0.13), lvef=(0.25, 0.45),
        rv_depth=(23.0, 29.0), rv_halfwidth_deg=(75.0, 85.0), rv_length_fraction=(0.75, 0.85),
        rvef=(0.45, 0.60), systole_ms=(300.0, 380.0),
        p_la_dilation=0.3, p_ra_dilation=0.05, p_effusion=0.1),
    "RV": GroupPrior(
        lv_a=(24.5, 28.0), sphericity=(0.9, 0.98), lv_length=(70.0, 80.0), wall_mm=(7.0, 10.0),
        septal_extra_mm=(0.0, 1.0), long_shortening=(0.13, 0.18), lvef=(0.50, 0.65),
        rv_depth=(34.0, 44.0), rv_halfwidth_deg=(100.0, 120.0), rv_length_fraction=(0.85, 0.95),
        rvef=(0.22, 0.42), systole_ms=(280.0, 340.0),
        p_la_dilation=0.05, p_ra_dilation=0.7, p_effusion=0.08),
}


@dataclass(frozen=True)
class Anatomy:
    """One study's heart: its geometry, its motion and the exact truth derived from both."""

    group: str
    shape: HeartShape
    motion: Motion
    systole_ms: Range
    akinetic_segment: str | None
    edv_ml: float
    esv_ml: float
    rv_edv_ml: float
    rv_esv_ml: float
    la_volume_ml: float
    findings: dict[str, bool]

    @property
    def lvef(self) -> float:
        """Left-ventricular ejection fraction in percent."""
        return 100.0 * (self.edv_ml - self.esv_ml) / self.edv_ml

    @property
    def rvef(self) -> float:
        """Right-ventricular ejection fraction in percent."""
        return 100.0 * (self.rv_edv_ml - self.rv_esv_ml) / self.rv_edv_ml


def sample_anatomy(group: str, rng: np.random.Generator) -> Anatomy:
    """Draw one heart of a diagnosis group and compute its exact volumes and findings."""
    if group not in PRIORS:
        raise ValueError(f"unknown group {group!r}; choose one of {', '.join(GROUPS)}")
    p = PRIORS[group]
    u = rng.uniform
    lv_a = u(*p.lv_a)
    lv_length = u(*p.lv_length)
    equator = lv_length * u(0.12, 0.2)
    theta_rv = np.deg2rad(u(140.0, 160.0))
    segment = None
    akinesia = None
    if group == "MINF":
        segment = str(rng.choice(sorted(SEGMENTS)))
        extent = equator + lv_length
        akinesia = Akinesia(theta=np.deg2rad(SEGMENTS[segment]),
                            halfwidth=np.deg2rad(u(45.0, 65.0)),
                            z_from=extent * u(0.2, 0.35), z_to=extent * u(0.78, 0.85),
                            wall_mm=u(4.0, 6.0))
    la_dilated = rng.random() < p.p_la_dilation
    ra_dilated = rng.random() < p.p_ra_dilation
    effusion = u(7.0, 15.0) if rng.random() < p.p_effusion else 0.0
    shape = HeartShape(
        lv_a=lv_a, lv_b=lv_a * u(*p.sphericity), lv_length=lv_length, lv_equator=equator,
        wall_mm=u(*p.wall_mm), septal_extra_mm=u(*p.septal_extra_mm), theta_rv=theta_rv,
        rv_depth=u(*p.rv_depth), rv_halfwidth=np.deg2rad(u(*p.rv_halfwidth_deg)),
        rv_length=lv_length * u(*p.rv_length_fraction), akinesia=akinesia,
        la_radius=u(22.5, 28.0) if la_dilated else u(16.0, 20.5),
        ra_radius=u(24.0, 30.0) if ra_dilated else u(17.0, 21.0),
        theta_aorta=theta_rv - np.deg2rad(u(25.0, 40.0)), effusion_mm=effusion)
    motion = calibrate_motion(shape, u(*p.long_shortening), u(*p.lvef), u(*p.rvef))
    quad = Quadrature(shape)
    edv, _, rv_edv = quad.volumes(motion, 0.0)
    esv, _, rv_esv = quad.volumes(motion, 1.0)
    anatomy = Anatomy(group, shape, motion, p.systole_ms, segment, edv, esv, rv_edv, rv_esv,
                      la_volume_ml(shape), {})
    return dataclasses.replace(anatomy, findings=derive_findings(anatomy))


def derive_findings(anatomy: Anatomy) -> dict[str, bool]:
    """Binary findings implied by the geometry (each visible in the images)."""
    s = anatomy.shape
    found = {
        "lv_dilation": anatomy.edv_ml > LV_DILATION_ML,
        "lv_hypertrophy": s.max_wall_mm >= LV_HYPERTROPHY_MM,
        "rv_dilation": anatomy.rv_edv_ml > RV_DILATION_ML,
        "la_dilation": anatomy.la_volume_ml > LA_DILATION_ML,
        "ra_dilation": s.ra_radius > RA_DILATION_RADIUS_MM,
        "pericardial_effusion": s.effusion_mm > 0.0,
        "regional_wall_motion_abnormality": s.akinesia is not None,
        "reduced_ef": anatomy.lvef < REDUCED_EF,
    }
    found["pure_normal"] = anatomy.group == "NOR" and not any(found.values())
    return found
