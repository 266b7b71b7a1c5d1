"""Shared fixtures: installing throwaway plugin distributions the way pip would."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.registry import clear_registry_cache


def write_distribution(site: Path, name: str, modules: dict[str, str],
                       entry_points: dict[str, str]) -> None:
    """Write modules plus a ``.dist-info`` (METADATA, entry_points.txt, RECORD) into ``site``.

    This is what ``pip install`` leaves behind, so importlib.metadata discovers it exactly as it
    would a real third-party plugin.
    """
    for module, source in modules.items():
        path = site / Path(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    lines = "\n".join(f"{ep} = {target}" for ep, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[cmrbench]\n{lines}\n")
    (info / "RECORD").write_text("")


@pytest.fixture
def install_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Install throwaway distributions into a fresh directory on sys.path and PYTHONPATH.

    Call it as ``install_distribution(name, modules, entry_points)``; returns the directory.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", str(site))
    clear_registry_cache()

    def install(name: str, modules: dict[str, str], entry_points: dict[str, str]) -> Path:
        write_distribution(site, name, modules, entry_points)
        clear_registry_cache()
        return site

    yield install
    clear_registry_cache()
