"""Site and vendor appearance: scanner identity, imaging geometry, intensity, bias and noise.

A site fixes the things that differ between hospitals and scanners (vendor, field of view,
matrix, slice thickness, noise level, coil bias, intensity scale, in-plane orientation, series
naming); per study, values are drawn around the site's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from cmrbench.phantom.geometry import HeartShape
from cmrbench.phantom.scanner import Imaging, plan_stack

Range = tuple[float, float]


@dataclass(frozen=True)
class Site:
    """One scanner at one hospital."""

    name: str
    institution: str
    vendor: str  # DICOM Manufacturer
    model: str  # ManufacturerModelName
    field_strength: float  # tesla
    fov_mm: Range  # extent along the image rows' direction
    matrix: tuple[int, int]  # (rows, columns)
    slice_thickness_mm: float
    slice_gap_mm: float
    noise: Range  # noise sigma as a fraction of blood signal
    bias: float  # strength of the coil sensitivity variation
    scale: Range  # blood signal in stored units
    bits_stored: int
    rotation_deg: float  # typical in-plane rotation of displayed images
    apex_first: bool  # whether SAX series are numbered from the apex
    descriptions: dict[str, str]  # SeriesDescription per view; "{n}" = 1-based SAX slice
    repetition_ms: float
    echo_ms: float
    flip_deg: float


@dataclass(frozen=True, eq=False)
class Look:
    """One study's intensity appearance."""

    scale: float
    noise: float
    bias: np.ndarray  # (4,) coefficients: x, y, z gradients and a radial term

    def bias_field(self, points: np.ndarray, centre: np.ndarray) -> np.ndarray:
        """Smooth multiplicative coil sensitivity at patient points (..., 3)."""
        rel = (points - centre) / 200.0
        g = rel @ self.bias[:3] + self.bias[3] * np.sum(rel[..., :2] ** 2, axis=-1)
        return np.exp(g).astype(np.float32)

    def acquire(self, clean: np.ndarray, bias: np.ndarray, noise: np.ndarray,
                bits_stored: int) -> np.ndarray:
        """Magnitude images with Rician noise, quantised to the stored integer range.

        ``noise`` is (real and imaginary, ...) standard normal noise; it is overwritten.
        """
        noise *= np.float32(self.noise * self.scale)
        noise[0] += clean * (bias * np.float32(self.scale))
        np.square(noise, out=noise)
        magnitude = np.sqrt(noise[0] + noise[1])
        np.rint(magnitude, out=magnitude)
        np.minimum(magnitude, np.float32(2 ** bits_stored - 1), out=magnitude)
        return magnitude.astype(np.uint16)


class NoiseBank:
    """Complex white noise for every frame of one plane, as distinct windows of one field.

    Drawing a fresh field per frame dominated rendering time; windows of a padded field at
    distinct offsets look independent (no two frames share a window) at a fraction of the cost.
    """

    PAD = 48

    def __init__(self, rng: np.random.Generator, shape: tuple[int, int], frames: int) -> None:
        rows, cols = shape
        self._field = rng.standard_normal((2, rows + self.PAD, cols + self.PAD),
                                          dtype=np.float32)
        self._offsets = rng.choice((self.PAD + 1) ** 2, size=frames, replace=False)
        self._shape = shape

    def frames(self) -> np.ndarray:
        """(real and imaginary, frames, rows, columns) noise."""
        rows, cols = self._shape
        windows = [self._field[:, dy:dy + rows, dx:dx + cols]
                   for dy, dx in (divmod(int(o), self.PAD + 1) for o in self._offsets)]
        return np.stack(windows, axis=1)


def sample_look(site: Site, rng: np.random.Generator) -> Look:
    """Per-study intensity scale, noise level and coil bias around the site's settings."""
    bias = rng.normal(0.0, site.bias, 4)
    bias[3] = -abs(bias[3])  # sensitivity falls off away from the coil centre
    return Look(rng.uniform(*site.scale), rng.uniform(*site.noise), bias)


def sample_imaging(site: Site, shape: HeartShape, rng: np.random.Generator,
                   matrix: int | None = None, fov_mm: float | None = None) -> Imaging:
    """Per-study imaging geometry; ``matrix``/``fov_mm`` override the site (rows, in mm)."""
    fov = fov_mm if fov_mm is not None else rng.uniform(*site.fov_mm)
    rows, cols = site.matrix
    if matrix is not None:
        rows, cols = matrix, max(8, round(matrix * cols / rows))
    spacing = site.slice_thickness_mm + site.slice_gap_mm
    n_slices, spacing = plan_stack(shape, spacing)
    thickness = min(site.slice_thickness_mm, spacing)
    shift = 0.07 * fov  # keeps the whole heart inside the field of view
    return Imaging(pixel_mm=round(fov / rows, 4), matrix=(rows, cols),
                   slice_thickness_mm=thickness, slice_spacing_mm=spacing, n_slices=n_slices,
                   rotation_deg=site.rotation_deg + rng.uniform(-12.0, 12.0),
                   offset_mm=(rng.uniform(-shift, shift), rng.uniform(-shift, shift)))


_SIEMENS_UKB = {"SAX": "CINE_segmented_SAX_b{n}", "4CH": "CINE_segmented_LAX_4Ch",
                "3CH": "CINE_segmented_LAX_3Ch", "2CH": "CINE_segmented_LAX_2Ch"}
_SIEMENS = {"SAX": "cine_trueFISP_SAX", "4CH": "cine_trueFISP_4CH", "3CH": "cine_trueFISP_3CH",
            "2CH": "cine_trueFISP_2CH"}
_SIEMENS_ALT = {"SAX": "SSFP SAX STACK", "4CH": "SSFP 4 CHAMBER", "3CH": "SSFP 3 CHAMBER LVOT",
                "2CH": "SSFP 2 CHAMBER"}
_GE = {"SAX": "FIESTA CINE SAX", "4CH": "FIESTA CINE 4CH", "3CH": "FIESTA CINE 3CH",
       "2CH": "FIESTA CINE 2CH"}
_PHILIPS = {"SAX": "sBTFE_SA", "4CH": "sBTFE_4ch", "3CH": "sBTFE_3ch", "2CH": "sBTFE_2ch"}
_KAGGLE = {"SAX": "sax", "4CH": "4ch", "3CH": "3ch", "2CH": "2ch"}

_SIEMENS_15 = dict(vendor="SIEMENS", field_strength=1.5, bits_stored=12, repetition_ms=2.9,
                   echo_ms=1.2, flip_deg=60.0)
_SIEMENS_3 = dict(vendor="SIEMENS", field_strength=3.0, bits_stored=12, repetition_ms=3.1,
                  echo_ms=1.4, flip_deg=45.0)

SITES: dict[str, tuple[Site, ...]] = {
    "acdc": (
        Site("DIJON_AERA", "CHU Dijon", model="Aera", fov_mm=(300, 360), matrix=(160, 144),
             slice_thickness_mm=8.0, slice_gap_mm=0.0, noise=(0.03, 0.06), bias=0.25,
             scale=(250, 450), rotation_deg=0.0, apex_first=False, descriptions=_SIEMENS,
             **_SIEMENS_15),
        Site("DIJON_TRIO", "CHU Dijon", model="TrioTim", fov_mm=(300, 360),
             matrix=(160, 160), slice_thickness_mm=6.0, slice_gap_mm=4.0, noise=(0.02, 0.05),
             bias=0.35, scale=(300, 600), rotation_deg=90.0, apex_first=False,
             descriptions=_SIEMENS, **_SIEMENS_3),
    ),
    "kaggle": (
        Site("DSB_A", "Hospital A", model="Avanto", fov_mm=(320, 380), matrix=(176, 144),
             slice_thickness_mm=8.0, slice_gap_mm=2.0, noise=(0.03, 0.07), bias=0.3,
             scale=(200, 500), rotation_deg=0.0, apex_first=False, descriptions=_KAGGLE,
             **_SIEMENS_15),
        Site("DSB_B", "Hospital B", model="Skyra", fov_mm=(300, 360), matrix=(160, 160),
             slice_thickness_mm=7.0, slice_gap_mm=3.0, noise=(0.02, 0.05), bias=0.35,
             scale=(400, 900), rotation_deg=-90.0, apex_first=True, descriptions=_KAGGLE,
             **_SIEMENS_3),
        Site("DSB_C", "Hospital C", vendor="GE MEDICAL SYSTEMS", model="Signa HDxt",
             field_strength=1.5, fov_mm=(340, 400), matrix=(160, 160), slice_thickness_mm=8.0,
             slice_gap_mm=2.0, noise=(0.04, 0.08), bias=0.3, scale=(600, 1400), bits_stored=16,
             rotation_deg=180.0, apex_first=False, descriptions=_KAGGLE, repetition_ms=3.6,
             echo_ms=1.6, flip_deg=50.0),
    ),
    "ukbb": tuple(
        Site(f"UKB_{centre.upper()}", f"UK Biobank Imaging Centre {centre}", model="Aera",
             fov_mm=(360, 380), matrix=(160, 144), slice_thickness_mm=8.0, slice_gap_mm=2.0,
             noise=(0.03, 0.05), bias=0.25, scale=(250, 400), rotation_deg=0.0,
             apex_first=False, descriptions=_SIEMENS_UKB, **_SIEMENS_15)
        for centre in ("Cheadle", "Reading", "Newcastle")),
    "clinical": (
        Site("SITE_A", "Northgate University Hospital", model="Avanto_fit", fov_mm=(320, 380),
             matrix=(176, 144), slice_thickness_mm=8.0, slice_gap_mm=2.0, noise=(0.03, 0.06),
             bias=0.3, scale=(250, 500), rotation_deg=0.0, apex_first=False,
             descriptions=_SIEMENS, **_SIEMENS_15),
        Site("SITE_B", "Riverside Heart Centre", model="Prisma", fov_mm=(300, 360),
             matrix=(160, 160), slice_thickness_mm=6.0, slice_gap_mm=4.0, noise=(0.02, 0.05),
             bias=0.4, scale=(400, 800), rotation_deg=90.0, apex_first=True,
             descriptions=_SIEMENS_ALT, **_SIEMENS_3),
        Site("SITE_C", "St Columba General Hospital", vendor="GE MEDICAL SYSTEMS",
             model="SIGNA Artist", field_strength=1.5, fov_mm=(340, 400), matrix=(160, 160),
             slice_thickness_mm=8.0, slice_gap_mm=2.0, noise=(0.04, 0.08), bias=0.3,
             scale=(700, 1500), bits_stored=16, rotation_deg=180.0, apex_first=False,
             descriptions=_GE, repetition_ms=3.8, echo_ms=1.7, flip_deg=50.0),
        Site("SITE_D", "Lakeside Medical Center", vendor="Philips Medical Systems",
             model="Ingenia", field_strength=3.0, fov_mm=(320, 360), matrix=(144, 144),
             slice_thickness_mm=8.0, slice_gap_mm=0.0, noise=(0.03, 0.06), bias=0.45,
             scale=(300, 700), bits_stored=12, rotation_deg=-90.0, apex_first=True,
             descriptions=_PHILIPS, repetition_ms=2.8, echo_ms=1.4, flip_deg=40.0),
    ),
}
