"""MP4 files through imageio-ffmpeg (which ships its own ffmpeg binary): written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from cmrbench.files import atomic_write


def write_mp4(path: Path, frames: np.ndarray, fps: float) -> None:
    """H.264 (yuv420p) video of uint8 RGB ``frames`` [T, H, W, 3] with even H and W."""
    import imageio_ffmpeg

    count, height, width, _ = frames.shape
    if height % 2 or width % 2:
        raise ValueError(f"H.264 video needs even sizes, got {width}x{height}")
    with atomic_write(path) as partial:
        writer = imageio_ffmpeg.write_frames(
            str(partial), (width, height), fps=fps, codec="libx264", pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p", macro_block_size=1, quality=8, ffmpeg_log_level="error",
            output_params=["-f", "mp4"])
        writer.send(None)
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
        writer.close()


def read_mp4(path: Path) -> np.ndarray:
    """Decoded frames [T, H, W, 3] (uint8 RGB) of an MP4 file."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(raw, np.uint8).reshape(height, width, 3) for raw in reader]
    return np.stack(frames) if frames else np.zeros((0, height, width, 3), np.uint8)
