"""Fixtures for sweeps: a small phantom store, sweep files, and SLURM's commands faked on PATH.

The fake ``sbatch`` keeps a copy of every script it is given and answers as sbatch does
("Submitted batch job N"); ``srun`` only has to exist (submitit looks for it); ``sacct``
answers with the states a test writes into ``sacct.txt``. Everything else, submitit's
executor, its job arrays and the scripts it writes, is the real code.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from cmrbench.cli import main

SBATCH = """\
#!/bin/bash
# a fake sbatch: keep the script and the arguments, answer with a new job ID
dir="{log}"
n=$(( $(ls "$dir" | grep -c '[.]sh$') + 4242 ))
cp "${{@: -1}}" "$dir/call-$n.sh"
printf '%s\\n' "$@" > "$dir/call-$n.args"
echo "Submitted batch job $n"
"""
SACCT = """\
#!/bin/bash
# a fake sacct: the states the test wrote, in sacct's --parsable2 format
echo "JobID|State"
cat "{log}/sacct.txt" 2>/dev/null || true
"""


def write_grid(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def store_bytes(store: Path) -> dict[str, str]:
    """sha256 of every study file, the index and the ingest report of a store."""
    files = sorted(store.glob("studies/*")) + [store / "index.csv", store / "ingest_report.json"]
    return {p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


def sbatch_lines(script: str) -> set[str]:
    return {line for line in script.splitlines() if line.startswith("#SBATCH")}


def slurm_task(script: str, **env: str) -> subprocess.Popen:
    """The script's srun command, started as srun starts the job's task 0 (its environment
    variables as SLURM sets them)."""
    line = next(line for line in script.splitlines() if line.startswith("srun "))
    argv = shlex.split(line)
    command = argv[argv.index("-u") - 1:]  # after srun's own options: python -u -m ...
    slurm = {"SUBMITIT_EXECUTOR": "slurm", "SLURM_PROCID": "0", "SLURM_LOCALID": "0",
             "SLURM_NTASKS": "1", "SLURM_NODEID": "0", "SLURM_JOB_NUM_NODES": "1", **env}
    return subprocess.Popen(command, env={**os.environ, **slurm}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def succeeded(task: subprocess.Popen) -> bool:
    _, stderr = task.communicate(timeout=300)
    assert task.returncode == 0, stderr[-3000:]
    return True


@pytest.fixture(scope="session")
def sweep_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """14 phantom studies (9 train, 2 val, 3 test) at 48 x 48 pixels, 8 frames."""
    root = tmp_path_factory.mktemp("sweep-store")
    source, store = root / "source", root / "store"
    assert main(["phantom", "--layout", "clinical", "--n", "14", "--seed", "2", "--out",
                 str(source), "--matrix", "48", "--frames", "8", "--quiet"]) == 0
    assert main(["ingest", "phantom", str(source), "--out", str(store), "--no-progress",
                 "--workers", "2"]) == 0
    return store


@pytest.fixture
def fake_slurm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """sbatch, srun and sacct on PATH; ``calls()`` lists (script text, arguments) per call."""
    bin_dir, log = tmp_path / "fake-slurm-bin", tmp_path / "fake-slurm-log"
    bin_dir.mkdir()
    log.mkdir()
    for name, text in (("sbatch", SBATCH), ("sacct", SACCT), ("srun", "#!/bin/bash\n")):
        (bin_dir / name).write_text(textwrap.dedent(text).format(log=log))
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def calls() -> list[tuple[str, list[str]]]:
        found = sorted(log.glob("call-*.sh"), key=lambda p: int(p.stem.split("-")[1]))
        return [(p.read_text(), p.with_suffix(".args").read_text().split()) for p in found]

    def states(lines: list[str]) -> None:
        (log / "sacct.txt").write_text("".join(f"{line}\n" for line in lines))

    return SimpleNamespace(calls=calls, states=states)
