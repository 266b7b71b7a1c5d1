"""Contact sheets (PNG): the overlay videos' content laid out as labelled still images."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from cmrbench.explain.overlay import blend, unit_range
from cmrbench.files import atomic_write
from matplotlib.figure import Figure

CELL = 1.35  # inches per image
MAX_FRAMES = 8


def save_png(figure: Figure, path: Path, dpi: int = 110) -> None:
    with atomic_write(path) as partial:
        figure.savefig(partial, format="png", dpi=dpi, bbox_inches="tight",
                       metadata={"Software": None})


def attention_sheet(grey: np.ndarray, maps: Sequence[np.ndarray], title: str) -> Figure:
    """Rows: layers; columns: heads, then their mean. Each cell: the attention averaged over
    the clip's frames, over the middle frame. ``maps[l]`` is [heads, T, H, W]."""
    columns = max(len(m) for m in maps) + 1
    figure = Figure(figsize=(CELL * columns, CELL * len(maps) + 0.6), layout="constrained")
    axes = figure.subplots(len(maps), columns, squeeze=False)
    middle = grey[len(grey) // 2]
    for layer, layer_maps in enumerate(maps):
        cells = [*layer_maps, layer_maps.mean(axis=0)]
        for column, ax in enumerate(axes[layer]):
            ax.set_axis_off()
            if column >= len(layer_maps) and column != columns - 1:
                continue
            heat = cells[min(column, len(cells) - 1)].mean(axis=0)
            ax.imshow(blend(middle, unit_range(heat)), interpolation="nearest")
            name = "mean" if column == columns - 1 else f"head {column + 1}"
            ax.set_title(f"layer {layer + 1} · {name}", fontsize=7)
    figure.suptitle(title, fontsize=9)
    return figure


def frames_sheet(grey: np.ndarray, heat: np.ndarray, title: str) -> Figure:
    """Two rows over (up to ``MAX_FRAMES``) frames: the clip, and the map over it."""
    shown = np.unique(np.linspace(0, len(grey) - 1, min(len(grey), MAX_FRAMES)).round()
                      ).astype(int)
    scaled = unit_range(heat)
    figure = Figure(figsize=(CELL * len(shown), CELL * 2 + 0.6), layout="constrained")
    axes = figure.subplots(2, len(shown), squeeze=False)
    for column, frame in enumerate(shown):
        for row, image in enumerate((np.repeat(grey[frame][..., None], 3, axis=-1),
                                     blend(grey[frame], scaled[frame]))):
            ax = axes[row, column]
            ax.set_axis_off()
            ax.imshow(image, interpolation="nearest", vmin=0, vmax=1)
        axes[0, column].set_title(f"frame {frame + 1}", fontsize=7)
    figure.suptitle(title, fontsize=9)
    return figure
