"""Provenance: the facts every result carries so that a number can be traced and reproduced."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path
from typing import Any

import cmrbench
from cmrbench.registry import find_provider
from cmrbench.specs import Spec


def source_checkout() -> Path | None:
    """The git checkout cmrbench runs from (an editable install), or None (a wheel install).

    Only a checkout of cmrbench itself counts: a wheel installed into a virtual environment
    inside someone else's repository must not report that repository's commit.
    """
    root = Path(cmrbench.__file__).resolve().parents[1]
    if (root / "harness" / "__init__.py").is_file() and (root / ".git").exists():
        return root
    return None


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                             timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def git_state(root: Path | None = None) -> dict[str, Any]:
    """The source tree's commit and whether tracked files differ from it.

    ``{"git_commit": "unknown", "git_dirty": None}`` outside a cmrbench checkout (a wheel
    install reports its version instead).
    """
    root = root or source_checkout()
    commit = _git(root, "rev-parse", "HEAD") if root is not None else None
    if not commit or not commit.strip():
        return {"git_commit": "unknown", "git_dirty": None}
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit.strip(), "git_dirty": None if status is None else bool(status)}


def git_commit(root: Path | None = None) -> str:
    """The harness source tree's commit, or 'unknown' outside a cmrbench checkout."""
    return git_state(root)["git_commit"]


def harness_state() -> dict[str, Any]:
    """Harness version and git commit (and whether the tree was dirty); imports no torch."""
    return {"harness_version": cmrbench.__version__, **git_state()}


def environment() -> dict[str, Any]:
    """Harness version, git commit (and whether the tree was dirty) and hardware."""
    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    return {**harness_state(), "python": platform.python_version(), "torch": torch.__version__,
            "machine": platform.machine(), "device": device}


def plugin_provenance(spec: Spec) -> dict[str, str | None]:
    """The plugin (entry-point name), distribution and version that provide ``spec``; None
    for what is unknown (a spec built in a notebook comes from no distribution)."""
    provider = find_provider(spec)
    if provider is None:
        return {"plugin": None, "distribution": None, "version": None}
    return {"plugin": provider.plugin or None, "distribution": provider.distribution,
            "version": provider.version}


def module_provenance(module: Any) -> dict[str, Any]:
    """What an encoder says about the files it was built from, through its optional
    ``provenance()`` method (a template vocabulary's sha256, say); {} when it has none."""
    describe = getattr(module, "provenance", None)
    return dict(describe()) if callable(describe) else {}
