"""The cardiac cycle: how far the heart is contracted at each frame, and when each frame is.

End-diastole is frame 0 and end-systole falls exactly on a frame, so the label maps of those two
frames show the exact end-diastolic and end-systolic geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Diastole after end-systole: rapid filling, slow filling (diastasis), atrial contraction.
_RAPID_FILLING_END = 0.35  # fraction of diastole
_DIASTASIS_END = 0.8
_AFTER_RAPID = 0.3  # contraction level left after rapid filling
_AFTER_DIASTASIS = 0.18


@dataclass(frozen=True)
class Timing:
    """Frame timing of one study's cine acquisitions."""

    frames: int
    rr_ms: float
    es_frame: int  # 0-based; end-diastole is frame 0
    trigger_times_ms: tuple[float, ...]

    @property
    def heart_rate_bpm(self) -> float:
        return 60000.0 / self.rr_ms

    def contraction(self) -> np.ndarray:
        """Contraction level of every frame: 0 at end-diastole, 1 at end-systole."""
        return contraction(np.arange(self.frames) / self.frames, self.es_frame / self.frames)


def contraction(phase: np.ndarray, es_phase: float) -> np.ndarray:
    """Contraction level at cycle phases in [0, 1): a smooth curve through physiological knots."""
    diastole = 1.0 - es_phase
    knots = np.array([0.0, es_phase, es_phase + _RAPID_FILLING_END * diastole,
                      es_phase + _DIASTASIS_END * diastole, 1.0])
    levels = np.array([0.0, 1.0, _AFTER_RAPID, _AFTER_DIASTASIS, 0.0])
    phase = np.asarray(phase, dtype=float) % 1.0
    i = np.clip(np.searchsorted(knots, phase, side="right") - 1, 0, len(knots) - 2)
    t = (phase - knots[i]) / (knots[i + 1] - knots[i])
    return levels[i] + (levels[i + 1] - levels[i]) * 0.5 * (1.0 - np.cos(np.pi * t))


def sample_timing(rng: np.random.Generator, frames: int, systole_ms: tuple[float, float],
                  ) -> Timing:
    """Heart rate, end-systolic frame and slightly irregular trigger times for one study."""
    if frames < 8:
        raise ValueError(f"frames={frames}: a cine needs at least 8 frames to resolve systole; "
                         "use 25, 30 or 50")
    rr = 60000.0 / rng.uniform(55.0, 85.0)
    es_frame = int(np.clip(round(frames * rng.uniform(*systole_ms) / rr), 2, frames // 2))
    offset = rng.uniform(0.0, 8.0)
    jitter = rng.uniform(-0.15, 0.15, frames) * rr / frames
    jitter[0] = 0.0
    times = offset + np.arange(frames) * rr / frames + jitter
    return Timing(frames, round(rr, 1), es_frame, tuple(round(float(t), 2) for t in times))
