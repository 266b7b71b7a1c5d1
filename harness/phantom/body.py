"""The static thorax around the heart: body outline, fat, muscle, lungs, liver, spine, aorta.

Intensities are relative steady-state free-precession signal (blood = 1). The thorax is defined
in patient coordinates, so every view cuts the same body consistently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AIR = 0.0
FAT = 0.85
MUSCLE = 0.28
LUNG = 0.04
LIVER = 0.38
BONE_MARROW = 0.45
CSF = 0.9
BLOOD = 1.0
MYOCARDIUM = 0.24
FLUID = 1.1


@dataclass(frozen=True)
class Thorax:
    """One patient's chest: an elliptic cylinder along the patient's head-foot axis."""

    half_width: float  # left-right semi-axis (mm)
    half_depth: float  # anterior-posterior semi-axis (mm)
    centre_y: float  # posterior offset of the centre (mm)
    fat_mm: float  # subcutaneous fat thickness
    diaphragm_z: float  # height of the diaphragm dome under the heart (mm)


def sample_thorax(rng: np.random.Generator, weight_kg: float, height_cm: float) -> Thorax:
    """Chest size follows body-mass index; fat thickness too."""
    bmi = weight_kg / (height_cm / 100.0) ** 2
    return Thorax(half_width=rng.uniform(140.0, 155.0) + 2.0 * (bmi - 25.0),
                  half_depth=rng.uniform(100.0, 112.0) + 1.5 * (bmi - 25.0),
                  centre_y=rng.uniform(10.0, 20.0),
                  fat_mm=float(np.clip(8.0 + 1.2 * (bmi - 22.0) + rng.normal(0, 2), 4, 35)),
                  diaphragm_z=rng.uniform(-95.0, -75.0))


def _fraction(distance: np.ndarray, pixel_mm: float) -> np.ndarray:
    """Partial-volume fraction of a pixel whose centre lies ``distance`` mm inside an edge."""
    return np.clip(distance / pixel_mm + 0.5, 0.0, 1.0)


def _ellipse_depth(x: np.ndarray, y: np.ndarray, a: float, b: float) -> np.ndarray:
    """Approximate signed distance (mm, positive inside) to an ellipse."""
    return (1.0 - np.sqrt((x / a) ** 2 + (y / b) ** 2)) * min(a, b)


def body_image(thorax: Thorax, points: np.ndarray, pixel_mm: float) -> np.ndarray:
    """Relative signal of the thorax at patient points (..., 3), heart excluded."""
    x, y, z = points[..., 0], points[..., 1] - thorax.centre_y, points[..., 2]
    a, b = thorax.half_width, thorax.half_depth
    image = np.full(x.shape, AIR, dtype=np.float32)
    layers = [
        (FAT, _ellipse_depth(x, y, a, b)),
        (MUSCLE, _ellipse_depth(x, y, a - thorax.fat_mm, b - thorax.fat_mm)),
    ]
    dome = thorax.diaphragm_z - 0.15 * x - 0.0015 * x * x  # the right dome sits higher
    lung_z = (z - 40.0) / 150.0
    for side in (-1.0, 1.0):
        cx = side * 0.55 * a
        lung = (1.0 - np.sqrt(((x - cx) / (0.4 * a)) ** 2 + ((y + 5.0) / (0.78 * b)) ** 2
                              + lung_z ** 2)) * 0.4 * a
        layers.append((LUNG, np.minimum(lung, (z - dome))))
    layers.append((LIVER, np.minimum(_ellipse_depth(x, y, 0.85 * a, 0.85 * b), dome - z)))
    spine_y = b - 45.0
    layers.append((BONE_MARROW, 17.0 - np.hypot(x, y - spine_y)))
    layers.append((CSF, 6.0 - np.hypot(x, y - spine_y - 23.0)))
    layers.append((BLOOD, 11.0 - np.hypot(x - 22.0, y - spine_y + 28.0)))
    for value, depth in layers:
        f = _fraction(depth, pixel_mm).astype(np.float32)
        image += f * (np.float32(value) - image)
    return image
