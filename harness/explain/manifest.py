"""``RUN_DIR/figures.json``: the figures a run directory holds, for a leaderboard to link.

    {"format": "cmrbench-figures", "version": 1,
     "figures": [{"file": "figures/view_attention.png", "kind": "view-attention",
                  "caption": "...", "scope": "aggregate"}]}

``file`` is relative to the run directory (figures written elsewhere are not recorded);
``scope`` says whether a figure shows single studies ('per-study': overlays, embedding maps)
or only aggregates over the test set ('aggregate'), which is all a restricted benchmark may
publish. Recording a file again replaces its entry.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cmrbench.files import atomic_write

FILE = "figures.json"
FORMAT, VERSION = "cmrbench-figures", 1
SCOPES = ("aggregate", "per-study")


@dataclass(frozen=True)
class FigureRecord:
    file: str
    kind: str
    caption: str
    scope: str

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope {self.scope!r} is not one of {list(SCOPES)}")


def inside(run_dir: Path, path: Path) -> str | None:
    """``path`` relative to ``run_dir`` (POSIX), or None when it lies outside."""
    try:
        return Path(path).resolve().relative_to(Path(run_dir).resolve()).as_posix()
    except ValueError:
        return None


def read_figures(run_dir: Path) -> list[FigureRecord]:
    """The recorded figures of a run directory (none when it has no manifest)."""
    path = Path(run_dir) / FILE
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a cmrbench figures manifest ({FORMAT!r})")
    return [FigureRecord(**item) for item in data.get("figures", [])]


def record_figures(run_dir: Path, paths: dict[Path, tuple[str, str, str]]) -> list[str]:
    """Record ``{path: (kind, caption, scope)}`` for the paths inside ``run_dir``; returns the
    relative names recorded."""
    records = {r.file: r for r in read_figures(run_dir)}
    added = []
    for path, (kind, caption, scope) in paths.items():
        relative = inside(run_dir, path)
        if relative is not None:
            records[relative] = FigureRecord(relative, kind, caption, scope)
            added.append(relative)
    if added:
        payload: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                                   "figures": [asdict(r) for r in records.values()]}
        with atomic_write(Path(run_dir) / FILE) as partial:
            partial.write_text(json.dumps(payload, indent=1) + "\n")
    return added
