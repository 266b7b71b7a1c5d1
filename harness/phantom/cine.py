"""Rendering: cut the beating heart and the thorax with image planes over the cardiac cycle.

Each pixel is classified at its centre (the label maps: exact geometry) and blended with
partial-volume fractions (the image); then coil bias, intensity scale and Rician noise are
applied. Everything that does not move is computed once per plane, all frames at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from cmrbench.phantom import body
from cmrbench.phantom.anatomy import Anatomy
from cmrbench.phantom.appearance import Look, NoiseBank
from cmrbench.phantom.body import Thorax, body_image
from cmrbench.phantom.cycle import Timing
from cmrbench.phantom.geometry import RV_WALL_MM, HeartField, HeartShape, Motion, upper_heart
from cmrbench.phantom.scanner import Imaging, Plane, Pose, lax_plane, sax_planes
from cmrbench.phantom.study import PhantomView

_AORTA_WALL_MM = 2.0


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything needed to image one study."""

    anatomy: Anatomy
    pose: Pose
    thorax: Thorax
    look: Look
    bits_stored: int


def render_view(view: str, scene: Scene, imaging: Imaging, timing: Timing,
                rng: np.random.Generator) -> PhantomView:
    """Render one view (SAX stack or a long-axis plane) over the whole cardiac cycle."""
    if view == "SAX":
        planes = sax_planes(scene.pose, imaging)
        spacing = imaging.slice_spacing_mm
    else:
        planes = [lax_plane(scene.pose, scene.anatomy.shape, view, imaging)]
        spacing = imaging.slice_thickness_mm
    levels = timing.contraction()
    rows, cols = imaging.matrix
    cine = np.empty((len(planes), len(levels), rows, cols), dtype=np.uint16)
    labels = np.empty(cine.shape, dtype=np.uint8)
    for s, plane in enumerate(planes):
        renderer = _PlaneRenderer(scene, plane)
        clean, labels[s] = renderer.render(levels)
        noise = NoiseBank(rng, plane.shape, len(levels)).frames()
        cine[s] = scene.look.acquire(clean, renderer.bias, noise, scene.bits_stored)
    return PhantomView(
        name=view, cine=cine, labels=labels, pixel_spacing=planes[0].spacing,
        slice_thickness=imaging.slice_thickness_mm, slice_spacing=spacing,
        positions=tuple(tuple(float(v) for v in p.position) for p in planes),
        orientation=planes[0].orientation, trigger_times=timing.trigger_times_ms)


def _fraction(distance: np.ndarray, pixel_mm: float) -> np.ndarray:
    """Partial-volume fraction of pixels whose centres lie ``distance`` mm inside an edge."""
    weight = (distance * (1.0 / pixel_mm) + 0.5).astype(np.float32)
    return np.minimum(np.maximum(weight, np.float32(0.0)), np.float32(1.0))


def _blend(image: np.ndarray, value: float, weight: np.ndarray) -> None:
    image += weight * (np.float32(value) - image)


class _PlaneRenderer:
    """One plane's static thorax and heart sampling points, rendered at any contraction."""

    def __init__(self, scene: Scene, plane: Plane) -> None:
        self.scene = scene
        self.pixel = plane.spacing[0]
        self.shape = plane.shape
        points = plane.points()
        self.body = body_image(scene.thorax, points, self.pixel).ravel()
        self.bias = scene.look.bias_field(points, scene.pose.origin)
        heart = scene.pose.to_heart(points).reshape(-1, 3)
        s = scene.anatomy.shape
        self.roi = np.flatnonzero(_near_heart(s, heart))
        self.points = heart[self.roi]
        self.radius = np.hypot(self.points[:, 0], self.points[:, 1])
        theta = np.arctan2(self.points[:, 1], self.points[:, 0])
        z = self.points[:, 2]
        # a short-axis plane has one depth: a scalar z keeps the axial profiles scalar
        flat = z.size > 0 and np.ptp(z) < 1e-6
        self.field = HeartField(s, theta, float(z.mean()) if flat else z)
        self.upper = np.flatnonzero(z < 0.0)
        extent = s.lv_equator + s.lv_length
        self.papillary = np.flatnonzero((z > 0.3 * extent) & (z < 0.75 * extent)
                                        & (self.radius < max(s.lv_a, s.lv_b)))
        lateral = s.theta_rv - np.pi
        self.papillary_theta = np.array([lateral + np.deg2rad(50.0), lateral - np.deg2rad(70.0)])
        # the muscles follow the cavity, which varies with depth only: sample each depth once
        depths, self.papillary_depth = np.unique(np.round(z[self.papillary], 2),
                                                 return_inverse=True)
        self.papillary_field = HeartField(s, self.papillary_theta[:, None], depths[None, :])

    def render(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Clean relative-signal images and label maps, (frames, rows, columns) each."""
        s = self.scene.anatomy.shape
        motion = self.scene.anatomy.motion
        frames = len(levels)
        image = np.tile(self.body[self.roi], (frames, 1))
        if self.upper.size:
            image[:, self.upper] = self._upper(image[:, self.upper], levels)
        b = self.field.boundaries(motion, levels[:, None])
        layers = [(body.MYOCARDIUM, b.rv_wall), (body.BLOOD, b.rv_cavity),
                  (body.MYOCARDIUM, b.epicardium), (body.BLOOD, b.cavity)]
        if s.effusion_mm > 0.0:
            layers.insert(0, (body.FLUID, b.effusion))
        for value, edge in layers:
            _blend(image, value, _fraction(edge - self.radius, self.pixel) * (edge > 0.0))
        if self.papillary.size:
            image[:, self.papillary] = self._papillary(image[:, self.papillary], motion, levels)
        label = np.zeros(image.shape, dtype=np.uint8)
        label[self.radius < b.rv_cavity] = 1
        label[self.radius < b.epicardium] = 2
        label[self.radius < b.cavity] = 3
        full = np.tile(self.body, (frames, 1))
        full[:, self.roi] = image
        labels = np.zeros(full.shape, dtype=np.uint8)
        labels[:, self.roi] = label
        return full.reshape(frames, *self.shape), labels.reshape(frames, *self.shape)

    def _upper(self, image: np.ndarray, levels: np.ndarray) -> np.ndarray:
        u = upper_heart(self.scene.anatomy.shape, self.points[self.upper], levels)
        for value, distance in ((body.MYOCARDIUM, u.la_wall), (body.BLOOD, u.la),
                                (body.MYOCARDIUM, u.ra_wall), (body.BLOOD, u.ra),
                                (body.MYOCARDIUM, u.aorta + _AORTA_WALL_MM),
                                (body.BLOOD, u.aorta)):
            _blend(image, value, _fraction(distance, self.pixel))
        return image

    def _papillary(self, image: np.ndarray, motion: Motion, levels: np.ndarray) -> np.ndarray:
        """Papillary muscles: dark rods inside the cavity, labelled cavity as in ACDC."""
        field = self.papillary_field.boundaries(motion, levels[:, None, None])
        cavity = field.cavity[:, :, self.papillary_depth]  # (frames, muscle, pixel)
        x, y = self.points[self.papillary, :2].T
        for k, theta in enumerate(self.papillary_theta):
            reach = cavity[:, k]
            offset = np.hypot(x - 0.55 * reach * np.cos(theta), y - 0.55 * reach * np.sin(theta))
            size = 0.15 * reach * (1.0 + 0.3 * levels[:, None])
            _blend(image, body.MYOCARDIUM, _fraction(size - offset, self.pixel) * (reach > 0.0))
        return image


def _near_heart(s: HeartShape, heart: np.ndarray) -> np.ndarray:
    """Which points (heart coordinates) may hold any heart structure: the rest is thorax."""
    reach = max(s.lv_a, s.lv_b) + s.max_wall_mm + s.rv_depth + RV_WALL_MM + s.effusion_mm
    ra_reach = s.lv_a + s.wall_mm + 0.6 * s.rv_depth + 1.2 * s.ra_radius
    aorta_reach = 0.55 * s.lv_a + 45.0
    r_max = max(reach, ra_reach, aorta_reach) + 8.0
    top = max(2.6 * s.la_radius, 2.45 * s.ra_radius, 65.0) + 8.0
    bottom = s.apex_depth + s.septal_extra_mm + s.effusion_mm + 8.0
    z = heart[:, 2]
    return (np.hypot(heart[:, 0], heart[:, 1]) < r_max) & (z > -top) & (z < bottom)
