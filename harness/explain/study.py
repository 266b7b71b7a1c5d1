"""Explain one study of a finished run: attention and saliency overlays of each of its videos.

The study's bag is rebuilt exactly as the run evaluated it (the evaluation view policy, seed
and position in its role), run through the run's selected model once, and for each video:

- ``attention.mp4`` / ``attention.png`` / ``attention.npz`` (torchvision MViT encoders): the
  class token's attention of every layer (rows) and head (columns, then their mean) over the
  clip, interpolated back to the clip's frames and pixels (:mod:`cmrbench.explain.attention`);
- ``saliency.mp4`` / ``saliency.png`` / ``saliency.npz`` (any encoder): gradient x input of
  one task output (:mod:`cmrbench.explain.saliency`).

``summary.json`` beside them holds the study's outputs, predictions and the multi-view head's
attention per branch and video.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from cmrbench.explain.attention import ClassTokenAttention, supports_attention
from cmrbench.explain.overlay import blend, display_frames, tile_scale, tile_video, unit_range
from cmrbench.explain.saliency import gradient_x_input
from cmrbench.explain.sheets import attention_sheet, frames_sheet, save_png
from cmrbench.explain.video import write_mp4
from cmrbench.files import atomic_write
from cmrbench.task import Task
from cmrbench.training.batches import PixelBags
from cmrbench.training.reload import FinishedRun

METHODS = ("auto", "attention", "saliency", "both")
FigureInfo = tuple[str, str, str]  # kind, caption, scope


class ExplainError(ValueError):
    """A study or option that cannot be explained; the message names it and the fix."""


@dataclass
class Explained:
    """What was written for one study."""

    study_id: str
    role: str
    methods: list[str]
    files: dict[Path, FigureInfo] = field(default_factory=dict)


def output_names(task: Task, count: int) -> list[str]:
    """Names of the raw outputs: the targets when there is one output per target."""
    names = list(task.target_names)
    return names if len(names) == count else [str(i) for i in range(count)]


def locate(run: FinishedRun, study_id: str) -> tuple[str, int]:
    """(role, position) of ``study_id`` among the run's studies."""
    for role, studies in run.plan.studies.items():
        if study_id in studies.study_ids:
            return role, studies.study_ids.index(study_id)
    examples = run.plan.studies["test"].study_ids[:3]
    raise ExplainError(f"study {study_id!r} is not one of the run's studies (with the task's "
                       f"targets, in a train/val/test role); test studies are e.g. {examples}")


def study_clips(run: FinishedRun, role: str, index: int) -> tuple[torch.Tensor, list[str]]:
    """The study's clips [K, C, T, H, W] as the run evaluated them, and their names."""
    config = run.config
    bags = PixelBags(config.store, run.plan.encoder.input, run.plan.studies[role],
                     config.eval_views, config.seed, train=False)
    batch = PixelBags.collate([bags.item(0, index)])
    clips = bags.batch_transform()(batch["frames"], batch["params"])
    return clips[0], list(batch["video_names"][0])


def choose_methods(method: str, attention_ok: bool) -> list[str]:
    if method not in METHODS:
        raise ExplainError(f"method {method!r} is not one of {list(METHODS)}")
    if method in ("attention", "both") and not attention_ok:
        raise ExplainError("this encoder exposes no attention cmrbench can read (a torchvision "
                           "MViT); use --method saliency (or auto)")
    if method == "auto":
        return ["attention"] if attention_ok else ["saliency"]
    return ["attention", "saliency"] if method == "both" else [method]


def explain_study(run: FinishedRun, study_id: str, out: Path, *, method: str = "auto",
                  output: str | None = None, videos: Sequence[str] | None = None,
                  fps: float = 4.0, device: str = "cpu") -> Explained:
    """Write the study's overlays under ``out/<study_id>/`` and return what was written."""
    model = run.model.to(device)
    methods = choose_methods(method, supports_attention(model.encoder))
    role, index = locate(run, study_id)
    clips, names = study_clips(run, role, index)
    clips = clips.to(device)
    chosen = _chosen_videos(names, videos)
    mask = torch.ones((1, len(clips)), dtype=torch.bool, device=device)
    with torch.no_grad():
        if "attention" in methods:
            with ClassTokenAttention(model.encoder) as capture:
                outputs, pooled = model(clips.unsqueeze(0), mask)
            layers = capture.layers()
        else:
            outputs, pooled = model(clips.unsqueeze(0), mask)
    names_out = output_names(run.plan.task, outputs.shape[1])
    target = _output_index(names_out, output)
    saliency = gradient_x_input(model, clips, target) if "saliency" in methods else None
    folder = Path(out) / study_id
    done = Explained(study_id, role, methods)
    contract, size = run.plan.encoder.input, tuple(clips.shape[-3:])
    for k in chosen:
        grey = display_frames(clips[k], contract)
        where = folder / names[k].replace("/", "-")
        label = f"study {study_id[:12]} · {names[k]}"
        if "attention" in methods:
            maps = [layer.on_clip(size)[k].cpu().numpy() for layer in layers]
            done.files.update(_write_attention(where, grey, maps, label, fps))
        if saliency is not None:
            done.files.update(_write_saliency(where, grey, saliency[k].cpu().numpy(),
                                              f"{label} · output {names_out[target]}", fps))
    _write_summary(folder / "summary.json", run, done, names, names_out, outputs, pooled)
    return done


def _chosen_videos(names: list[str], videos: Sequence[str] | None) -> list[int]:
    if not videos:
        return list(range(len(names)))
    unknown = [v for v in videos if v not in names]
    if unknown:
        raise ExplainError(f"video(s) {unknown} are not in the study's evaluation bag; it "
                           f"holds {names}")
    return [names.index(v) for v in videos]


def _output_index(names: list[str], output: str | None) -> int:
    if output is None:
        return 0
    if output in names:
        return names.index(output)
    if output.isdigit() and int(output) < len(names):
        return int(output)
    raise ExplainError(f"output {output!r} is not one of the task's outputs {names} (or an "
                       "index)")


def _write_attention(where: Path, grey: np.ndarray, maps: list[np.ndarray], label: str,
                     fps: float) -> dict[Path, FigureInfo]:
    """Video: rows are layers; columns the clip, each head, the heads' mean."""
    plain = blend(grey, np.zeros_like(grey), alpha=0.0)
    rows = [[plain, *(blend(grey, unit_range(head)) for head in layer),
             *([None] * (max(len(m) for m in maps) - len(layer))),
             blend(grey, unit_range(layer.mean(axis=0)))] for layer in maps]
    width = max(len(m) for m in maps)
    stacked = np.full((len(maps), width, *grey.shape), np.nan, np.float32)
    for i, layer in enumerate(maps):
        stacked[i, :len(layer)] = layer
    write_mp4(where / "attention.mp4", tile_video(rows, tile_scale(grey.shape[1])), fps)
    save_png(attention_sheet(grey, maps, f"{label}: class-token attention "
                                         "(mean over frames, each map scaled to its range)"),
             where / "attention.png")
    _save_npz(where / "attention.npz", maps=stacked, frames=grey.astype(np.float32),
              heads=np.array([len(m) for m in maps]))
    caption = f"class-token attention of every layer and head, {label}"
    return {where / "attention.mp4": ("attention-video", caption, "per-study"),
            where / "attention.png": ("attention-sheet", caption, "per-study")}


def _write_saliency(where: Path, grey: np.ndarray, heat: np.ndarray, label: str,
                    fps: float) -> dict[Path, FigureInfo]:
    magnitude = np.abs(heat)
    frames = tile_video([[blend(grey, np.zeros_like(grey), alpha=0.0),
                          blend(grey, unit_range(magnitude))]], tile_scale(grey.shape[1]))
    write_mp4(where / "saliency.mp4", frames, fps)
    save_png(frames_sheet(grey, magnitude, f"{label}: |gradient x input|"),
             where / "saliency.png")
    _save_npz(where / "saliency.npz", saliency=heat.astype(np.float32),
              frames=grey.astype(np.float32))
    caption = f"gradient x input saliency, {label}"
    return {where / "saliency.mp4": ("saliency-video", caption, "per-study"),
            where / "saliency.png": ("saliency-sheet", caption, "per-study")}


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    with atomic_write(path) as partial, open(partial, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def _write_summary(path: Path, run: FinishedRun, done: Explained, names: list[str],
                   output_names_: list[str], outputs: torch.Tensor,
                   pooled: torch.Tensor) -> None:
    raw = outputs.detach().float().cpu().numpy()
    predictions = run.plan.task.predictions(raw)
    weights = pooled[0].detach().float().cpu().numpy()
    summary: dict[str, Any] = {
        "study_id": done.study_id, "role": done.role, "run": str(run.path),
        "checkpoint": run.checkpoint.name, "encoder": run.config.encoder,
        "methods": done.methods, "videos": names,
        "outputs": dict(zip(output_names_, raw[0].tolist(), strict=True)),
        "predictions": {k: float(v[0]) for k, v in predictions.items()},
        "attention": {branch: dict(zip(names, weights[a].tolist(), strict=True))
                      for a, branch in enumerate(run.plan.task.attention)},
        "files": sorted(str(p.relative_to(path.parent)) for p in done.files)}
    with atomic_write(path) as partial:
        partial.write_text(json.dumps(summary, indent=1))
