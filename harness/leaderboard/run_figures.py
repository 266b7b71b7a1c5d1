"""Figures a run produced (``cmrbench explain``, ``view-attention``, ``embedding-map``),
carried onto a board with the entry and linked from its page.

At submission the figures a run directory records in ``figures.json`` are copied to
``BOARD/figures/<entry stem>--seed<S>--<n>.<ext>`` (PNG, CSV and MP4 only, at most 32 MiB
each; a PNG must be one) and listed in the run's ``figures``: ``{file, sha256, kind, caption,
scope}``. A restricted benchmark takes only 'aggregate' figures (never a study's images).
Verification requires every listed file to be on the board unchanged; the page copies them
beside itself and links them (no network request; captions are escaped like everything else).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from cmrbench.explain.manifest import inside, read_figures
from cmrbench.files import atomic_write, sha256_file

FOLDER = "figures"
SUFFIXES = (".png", ".csv", ".mp4")
MAX_BYTES = 32 << 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SAFE_FILE = re.compile(rf"^{FOLDER}/[A-Za-z0-9_.-]+\.(png|csv|mp4)$")


def carry(run_dir: Path | None, root: Path, stem: str, public: bool) -> list[dict[str, Any]]:
    """Copy the run's recorded figures onto the board at ``root``; their entry records."""
    if run_dir is None:
        return []
    carried = []
    for number, figure in enumerate(read_figures(run_dir), start=1):
        source = Path(run_dir) / figure.file
        suffix = source.suffix.lower()
        if (not public and figure.scope != "aggregate") or suffix not in SUFFIXES \
                or inside(run_dir, source) is None or not _acceptable(source, suffix):
            continue
        name = f"{FOLDER}/{stem}--{number}{suffix}"
        with atomic_write(root / name) as partial:
            shutil.copyfile(source, partial)
        carried.append({"file": name, "sha256": sha256_file(root / name), "kind": figure.kind,
                        "caption": figure.caption, "scope": figure.scope})
    return carried


def _acceptable(path: Path, suffix: str) -> bool:
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        return False
    if suffix == ".png":
        with open(path, "rb") as handle:
            return handle.read(len(PNG_MAGIC)) == PNG_MAGIC
    return True


def problems(run: dict[str, Any], root: Path) -> list[str]:
    """What is wrong with a run's listed figures on the board (empty when all hold)."""
    found = []
    for figure in run.get("figures") or []:
        file = str((figure or {}).get("file", ""))
        if not SAFE_FILE.match(file) or not (root / file).is_file():
            found.append(f"seed {run.get('seed')}: figure {file!r} is not on the board")
        elif sha256_file(root / file) != figure.get("sha256"):
            found.append(f"seed {run.get('seed')}: figure {file} changed since it was accepted")
    return found


def publish(runs: list[dict[str, Any]], root: Path, out: Path) -> list[dict[str, str]]:
    """Copy the runs' (verified) figures next to the page; links for it."""
    links = []
    for run in runs:
        for figure in run.get("figures") or []:
            file = str(figure.get("file", ""))
            if not SAFE_FILE.match(file) or not (root / file).is_file():
                continue
            with atomic_write(out / file) as partial:
                shutil.copyfile(root / file, partial)
            links.append({"href": file, "seed": str(run.get("seed")),
                          "kind": str(figure.get("kind", "")),
                          "caption": str(figure.get("caption", ""))})
    return links
