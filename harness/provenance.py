"""Provenance: the facts every result carries so that a number can be traced and reproduced."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path
from typing import Any

import harness


def git_commit(root: Path | None = None) -> str:
    """The harness source tree's commit, or 'unknown' outside a git checkout."""
    root = root or Path(harness.__file__).resolve().parents[1]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def environment() -> dict[str, Any]:
    """Harness version, git commit and hardware, for a result's provenance."""
    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    return {"harness_version": harness.__version__, "git_commit": git_commit(),
            "python": platform.python_version(), "torch": torch.__version__,
            "machine": platform.machine(), "device": device}
