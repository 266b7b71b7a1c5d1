"""The distribution: one `cmrbench` import package, its data inside it, working from a wheel.

A wheel install is what a researcher's environment holds: it must carry every module and every
file the program reads at run time (cards, suites), and run from a working directory whose own
folders are called ``harness/`` and ``plugins/`` (names research repositories use) without
importing them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import cmrbench
from cmrbench.cards import card_path, load_card
from cmrbench.resources import resource_dir

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FOLDERS = {"cmrbench": ROOT / "harness", "cmrbench.plugins": ROOT / "plugins"}
CARDS = sorted(p.parent.name for p in (ROOT / "datasets").glob("*/card.yaml"))
SUITES = sorted(p.parent.name for p in (ROOT / "leaderboards").glob("*/suite.yaml"))


def _packages_in_tree() -> set[str]:
    found = set()
    for name, folder in FOLDERS.items():
        for init in folder.rglob("__init__.py"):
            relative = init.parent.relative_to(folder).parts
            found.add(".".join((name, *relative)))
    return found


def test_every_package_in_the_tree_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert _packages_in_tree() - listed == set(), \
        "add these packages to [tool.setuptools] packages in pyproject.toml"
    assert listed - _packages_in_tree() == set()


def test_cards_are_found_through_the_installed_package_not_the_working_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resource_dir("datasets").samefile(ROOT / "datasets")
    assert {p.parent.name for p in resource_dir("datasets").glob("*/card.yaml")} == set(CARDS)
    assert load_card(card_path("acdc")).name == "acdc"


def test_the_version_has_one_source():
    assert cmrbench.__version__ == PYPROJECT["project"]["version"]
    out = subprocess.run([sys.executable, "-m", "cmrbench.cli", "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"cmrbench {PYPROJECT['project']['version']}"
    assert f"## {PYPROJECT['project']['version']}" in (ROOT / "CHANGELOG.md").read_text()


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the tracked files, so the checkout gains no build/ or egg-info."""
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
    for name in tracked:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                            "--no-build-isolation", "--no-index", "-q", "-w",
                            str(tmp_path / "dist")], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / "dist").glob("cmrbench-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new venv holding the wheel, borrowing this environment's dependencies (torch, ...)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    # Paths named in a .pth file are searched after the venv's own site-packages, and .pth files
    # inside them are not run: this environment's editable cmrbench stays invisible.
    (purelib / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True,
                   capture_output=True)
    return venv


def _user_project(tmp_path: Path) -> Path:
    """A research project whose own harness/ and plugins/ packages blow up when imported."""
    project = tmp_path / "project"
    for name in ("harness", "plugins"):
        (project / name).mkdir(parents=True)
        (project / name / "__init__.py").write_text(
            f"raise ImportError('the user project\\'s {name}/ was imported instead of cmrbench')\n")
    return project


def test_the_wheel_runs_from_a_project_with_its_own_harness_and_plugins(tmp_path):
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"cmrbench/resources/datasets/{c}/card.yaml" for c in CARDS} <= names
    assert {f"cmrbench/resources/leaderboards/{s}/suite.yaml" for s in SUITES} <= names
    assert "cmrbench/leaderboard/templates/page.html" in names
    assert not any(n.startswith(("harness/", "plugins/")) for n in names)

    venv = _fresh_venv(tmp_path, wheel)
    project = _user_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = str(project)  # as a notebook started in the project would have it

    def cmrbench_cli(*args: str) -> str:
        result = subprocess.run([str(venv / "bin" / "cmrbench"), *args], cwd=project, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout

    listing = cmrbench_cli("ls", "--strict")
    assert "acdc" in listing and "mvit-b-16x4" in listing
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import cmrbench; print(cmrbench.__file__)"], cwd=project, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(venv)
    cmrbench_cli("phantom", "--layout", "clinical", "--n", "2", "--seed", "0", "--out", "cohort")
    cmrbench_cli("ingest", "phantom", "cohort", "--out", "store", "--no-progress")
    assert len(list((project / "store" / "studies").glob("*.h5"))) == 2
    cmrbench_cli("embed", "mvit-b-16x4-tiny", "store", "--out", "tiny.npz", "--no-progress")
    assert (project / "tiny.npz").stat().st_size > 0
