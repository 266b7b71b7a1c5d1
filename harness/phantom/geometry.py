"""The continuous beating-heart geometry and its exact chamber volumes.

Heart coordinates are millimetres: ``z`` runs along the left-ventricular long axis from the base
plane (``z = 0``) towards the apex, ``theta`` is the angle about that axis (``pi / 2`` points
anterior). Every ventricular boundary is a radius ``r(theta, z)`` at a contraction level ``c``
(0 at end-diastole, 1 at end-systole), and everything above the base plane is cut off. Volumes
are therefore the integrals ``(1/2) ∫∫ r² dθ dz``; the label maps are this same geometry sampled
at pixel centres on planes at slab mid-points, so voxel counting converges to these volumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

RV_WALL_MM = 3.0
ATRIAL_WALL_MM = 2.0
SEPTAL_HALFWIDTH = np.deg2rad(70.0)


@dataclass(frozen=True)
class Akinesia:
    """A regional wall-motion abnormality: a sector that neither moves nor thickens."""

    theta: float  # centre angle (rad)
    halfwidth: float  # angular half-width of the smooth window (rad)
    z_from: float  # long-axis extent of the window (mm from the base plane)
    z_to: float
    wall_mm: float  # thinned wall of the scar


@dataclass(frozen=True)
class HeartShape:
    """End-diastolic geometry: what the heart looks like before it contracts."""

    lv_a: float  # LV cavity semi-axis at the equator along theta = 0 (mm)
    lv_b: float  # ... along theta = pi / 2 (mm)
    lv_length: float  # equator-to-apex distance of the cavity (mm)
    lv_equator: float  # depth of the equator below the base plane (mm)
    wall_mm: float  # LV free-wall thickness (mm)
    septal_extra_mm: float  # additional septal thickness (asymmetric hypertrophy)
    theta_rv: float  # direction of the septum / right ventricle (rad)
    rv_depth: float  # maximal depth of the RV crescent (mm)
    rv_halfwidth: float  # angular half-width of the crescent (rad)
    rv_length: float  # equator-to-apex distance of the RV (mm), shorter than the LV
    akinesia: Akinesia | None
    la_radius: float  # left atrium radius (mm)
    ra_radius: float  # right atrium radius (mm)
    theta_aorta: float  # direction of the outflow tract (rad)
    effusion_mm: float  # pericardial effusion thickness, 0 for none

    @property
    def max_wall_mm(self) -> float:
        """Maximal end-diastolic wall thickness (septal when hypertrophy is asymmetric)."""
        return self.wall_mm + self.septal_extra_mm

    @property
    def apex_depth(self) -> float:
        """Distance from the base plane to the end-diastolic epicardial apex (mm)."""
        return self.lv_equator + self.lv_length + self.wall_mm


@dataclass(frozen=True)
class Motion:
    """How the end-diastolic shape deforms at end-systole; intermediate phases interpolate."""

    long_shortening: float  # fractional shortening of the long axis
    radial_scale: float  # end-systolic / end-diastolic cavity semi-axes
    thickening: float  # fractional wall thickening at end-systole
    rv_scale: float  # end-systolic / end-diastolic RV crescent depth


class Boundaries(NamedTuple):
    """Radii (mm) of the nested boundaries at some points, cavity innermost."""

    cavity: np.ndarray
    epicardium: np.ndarray
    rv_cavity: np.ndarray
    rv_wall: np.ndarray
    effusion: np.ndarray


def angular_window(delta: np.ndarray, halfwidth: float, flat: float = 0.0) -> np.ndarray:
    """Smooth sector weight: 1 within ``flat * halfwidth`` of the centre, 0 beyond ``halfwidth``."""
    d = np.abs((np.asarray(delta) + np.pi) % (2.0 * np.pi) - np.pi)
    t = np.clip((d - flat * halfwidth) / ((1.0 - flat) * halfwidth), 0.0, 1.0)
    return np.cos(0.5 * np.pi * t) ** 2


def axial_profile(z: np.ndarray, equator: float, length: float) -> np.ndarray:
    """Fraction of the equatorial radius at depth z: an ellipsoid cut at the base plane."""
    u = (np.asarray(z) - equator) / length
    return np.sqrt(np.maximum(1.0 - u * u, 0.0)) * (np.asarray(z) >= 0.0)


def ellipse_radius(theta: np.ndarray, a: float, b: float) -> np.ndarray:
    """Distance from the centre to an ellipse with semi-axes a, b in direction theta."""
    return a * b / np.hypot(b * np.cos(theta), a * np.sin(theta))


class HeartField:
    """The heart's boundaries at fixed points, precomputing everything that does not move."""

    def __init__(self, shape: HeartShape, theta: np.ndarray, z: np.ndarray) -> None:
        self.shape = shape
        self.z = np.asarray(z, dtype=float)
        self._rho = ellipse_radius(theta, shape.lv_a, shape.lv_b)
        self._septal = shape.septal_extra_mm * angular_window(
            theta - shape.theta_rv, SEPTAL_HALFWIDTH)
        self._rv = shape.rv_depth * angular_window(theta - shape.theta_rv, shape.rv_halfwidth, 0.4)
        ak = shape.akinesia
        if ak is None:
            self._scar = None
        else:
            t = np.clip((self.z - ak.z_from) / (ak.z_to - ak.z_from), 0.0, 1.0)
            self._scar = angular_window(theta - ak.theta, ak.halfwidth) * np.sin(np.pi * t) ** 2
            self._scar_cavity = self._rho * axial_profile(self.z, shape.lv_equator,
                                                          shape.lv_length)
            self._scar_epicardium = (self._rho + ak.wall_mm) * axial_profile(
                self.z, shape.lv_equator, shape.lv_length + shape.wall_mm)

    def boundaries(self, motion: Motion, c: float | np.ndarray) -> Boundaries:
        """All boundary radii at contraction level c (0 end-diastole, 1 end-systole).

        ``c`` may be an array shaped to broadcast against the points, e.g. (frames, 1), to
        get every frame at once.
        """
        s = self.shape
        scale = 1.0 - c * (1.0 - motion.radial_scale)
        length = s.lv_length * (1.0 - c * motion.long_shortening)
        grow = 1.0 + c * motion.thickening
        wall = s.wall_mm * grow
        rho = self._rho * scale
        cavity = rho * axial_profile(self.z, s.lv_equator, length)
        epicardium = (rho + wall + self._septal * grow) * axial_profile(
            self.z, s.lv_equator, length + wall)
        if self._scar is not None:
            cavity = cavity + self._scar * (self._scar_cavity - cavity)
            epicardium = epicardium + self._scar * (self._scar_epicardium - epicardium)
            epicardium = np.maximum(epicardium, cavity + 1.0 * (cavity > 0))
        rv_scale = 1.0 - c * (1.0 - motion.rv_scale)
        rv_length = s.rv_length * (1.0 - c * motion.long_shortening)
        crescent = self._rv * rv_scale * axial_profile(self.z, s.lv_equator, rv_length)
        rv_cavity = epicardium + crescent
        rv_wall = rv_cavity + crescent * (RV_WALL_MM / np.maximum(s.rv_depth * rv_scale, 1e-6))
        effusion = rv_wall + s.effusion_mm * axial_profile(
            self.z, s.lv_equator, length + wall + s.effusion_mm)
        return Boundaries(cavity, epicardium, rv_cavity, rv_wall, effusion)


class Quadrature:
    """Midpoint-rule integration over (theta, z); converges spectrally in theta."""

    def __init__(self, shape: HeartShape, n_theta: int = 360, n_z: int = 500) -> None:
        z_max = shape.apex_depth + shape.septal_extra_mm + 2.0 * shape.wall_mm
        dz = z_max / n_z
        dtheta = 2.0 * np.pi / n_theta
        theta = (np.arange(n_theta) + 0.5) * dtheta
        z = (np.arange(n_z) + 0.5) * dz
        self.field = HeartField(shape, theta[None, :], z[:, None])
        self._weight = 0.5 * dtheta * dz / 1000.0  # mm³ -> ml

    def volumes(self, motion: Motion, c: float) -> tuple[float, float, float]:
        """(LV cavity, LV myocardium, RV cavity) volumes in ml at contraction level c."""
        b = self.field.boundaries(motion, c)
        lv = float(np.sum(b.cavity ** 2)) * self._weight
        myo = float(np.sum(b.epicardium ** 2)) * self._weight - lv
        rv = float(np.sum(b.rv_cavity ** 2 - b.epicardium ** 2)) * self._weight
        return lv, myo, rv


def calibrate_motion(shape: HeartShape, long_shortening: float, lvef: float,
                     rvef: float) -> Motion:
    """The motion giving the requested LV and RV ejection fractions (fractions, not %).

    The radial scale is solved for the LV EF, the wall thickening so that myocardial volume is
    conserved (the myocardium is incompressible), and the crescent scale for the RV EF.
    """
    quad = Quadrature(shape, n_theta=96, n_z=128)
    base = Motion(long_shortening, 1.0, 0.0, 1.0)
    edv, myo_ed, rv_edv = quad.volumes(base, 0.0)

    def ef_error(scale: float) -> float:
        esv = quad.volumes(Motion(long_shortening, scale, 0.0, 1.0), 1.0)[0]
        return (1.0 - esv / edv) - lvef

    radial = brentq(ef_error, 0.05, 1.0, xtol=1e-5)

    def myo_error(thickening: float) -> float:
        return quad.volumes(Motion(long_shortening, radial, thickening, 1.0), 1.0)[1] - myo_ed

    thickening = brentq(myo_error, -0.5, 4.0, xtol=1e-4)

    def rv_error(scale: float) -> float:
        rv_esv = quad.volumes(Motion(long_shortening, radial, thickening, scale), 1.0)[2]
        return (1.0 - rv_esv / rv_edv) - rvef

    rv_scale = brentq(rv_error, 0.0, 1.5, xtol=1e-5)
    return Motion(long_shortening, radial, thickening, rv_scale)


def atrium_distance(points: np.ndarray, centre_xy: tuple[float, float], radius: np.ndarray,
                    elongation: float) -> np.ndarray:
    """Approximate signed distance (mm, positive inside) to an atrium above the base plane.

    The atrium is an ellipsoid with semi-axes (r, r, elongation * r) whose top touches the
    base plane 1 mm above it; ``radius`` may be an array (e.g. (F, 1)) to get every frame.
    """
    planar = (points[:, 0] - centre_xy[0]) ** 2 + (points[:, 1] - centre_xy[1]) ** 2
    height = elongation * radius
    norm = np.sqrt(planar / radius ** 2 + ((points[:, 2] + height + 1.0) / height) ** 2)
    return (1.0 - norm) * radius


def tube_distance(points: np.ndarray, start: np.ndarray, direction: np.ndarray, length: float,
                  radius: float) -> np.ndarray:
    """Signed distance (mm, positive inside) to a straight tube of given length."""
    rel = points - start
    along = rel @ direction
    radial = np.linalg.norm(rel - along[..., None] * direction, axis=-1)
    inside_span = (along >= 0.0) & (along <= length)
    return np.where(inside_span, radius - radial, -np.inf)


class UpperHeart(NamedTuple):
    """Signed distances (mm) to the structures above the base plane at some points."""

    la_wall: np.ndarray
    la: np.ndarray
    ra_wall: np.ndarray
    ra: np.ndarray
    aorta: np.ndarray


def upper_heart(shape: HeartShape, points: np.ndarray, c: float | np.ndarray) -> UpperHeart:
    """Atria (which fill during systole) and the ascending aorta, in heart coordinates.

    ``points`` is (N, 3); ``c`` a level or an array of F levels, giving (N,) or (F, N) results.
    """
    c = np.asarray(c, dtype=float)[..., None]
    away = shape.theta_aorta + np.pi
    la = atrium_distance(points, (6.0 * np.cos(away), 6.0 * np.sin(away)),
                         shape.la_radius * (1.0 + 0.12 * c), 1.15)
    ra_offset = shape.lv_a + shape.wall_mm + 0.6 * shape.rv_depth
    ra = atrium_distance(points, (ra_offset * np.cos(shape.theta_rv),
                                  ra_offset * np.sin(shape.theta_rv)),
                         shape.ra_radius * (1.0 + 0.1 * c), 1.1)
    tilt = np.deg2rad(25.0)
    direction = np.array([np.cos(shape.theta_aorta) * np.sin(tilt),
                          np.sin(shape.theta_aorta) * np.sin(tilt), -np.cos(tilt)])
    start = 0.55 * shape.lv_a * np.array([np.cos(shape.theta_aorta),
                                          np.sin(shape.theta_aorta), 0.0])
    aorta = np.broadcast_to(tube_distance(points, start, direction, 70.0, 12.5), la.shape)
    return UpperHeart(la + ATRIAL_WALL_MM, la, ra + ATRIAL_WALL_MM, ra, aorta)


def la_volume_ml(shape: HeartShape) -> float:
    """Maximal (end-systolic) left-atrial volume of the ellipsoid model, in ml."""
    r = shape.la_radius * 1.12
    return 4.0 / 3.0 * np.pi * r * r * 1.15 * r / 1000.0
