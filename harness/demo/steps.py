"""The demo's steps, each a ``cmrbench`` command printed before it runs.

A second demo in the same ``--out`` reuses what the first finished: a cohort is written to a
``.partial`` folder and renamed when complete; ingest skips the studies it already wrote;
pretraining is skipped when its exported encoders exist; a run directory that holds a finished
run of the same configuration is returned as it is (and linear runs share the feature cache);
an entry already on the demo's board is not submitted again.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cmrbench.demo.plan import COHORT_SEED, SUITE, TEXT_ENCODER, DemoPlan, Entry
from cmrbench.demo.summary import results_table
from cmrbench.pretraining.export import EXPORT_DIR, export_paths
from cmrbench.suites import load_suite


class DemoError(RuntimeError):
    """A step failed; the message names the step's command so it can be rerun alone."""


@dataclass(frozen=True)
class Layout:
    """Where one demo (quick or full) keeps each thing under ``--out``."""

    root: Path

    @property
    def phantom(self) -> Path:
        return self.root / "phantom-clinical"

    @property
    def acdc(self) -> Path:
        return self.root / "phantom-acdc"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def acdc_store(self) -> Path:
        return self.root / "acdc-store"

    @property
    def pretrain(self) -> Path:
        return self.root / "pretrain"

    @property
    def encoders(self) -> dict[str, Path]:
        """The pretraining run's exported weight files, {"video": ..., "text": ...}."""
        return export_paths(self.pretrain)

    @property
    def cache(self) -> Path:
        return self.root / "feature-cache"

    @property
    def board(self) -> Path:
        return self.root / "board"

    @property
    def leaderboard(self) -> Path:
        return self.root / "leaderboard"

    def run(self, entry: Entry, benchmark: str) -> Path:
        return self.root / "runs" / entry.name / benchmark


class Demo:
    """Runs the steps in order, numbering them and timing each."""

    def __init__(self, plan: DemoPlan, out: Path, *, progress: bool = True) -> None:
        self.plan, self.layout, self.progress = plan, Layout(Path(out) / plan.name), progress
        self.step, self.total = 0, _count_steps(plan)
        self.suite = load_suite(SUITE)  # read once: every run takes its protocol from it
        self.started = time.perf_counter()

    def say(self, text: str) -> None:
        print(text, flush=True)

    def command(self, what: str, argv: Sequence[str]) -> None:
        """Run ``cmrbench ARGV`` in this process, after printing it."""
        from cmrbench.cli import main

        self.step += 1
        elapsed = time.perf_counter() - self.started
        self.say(f"\n[{self.step}/{self.total} · {elapsed:5.0f} s] {what}\n"
                 f"$ cmrbench {shlex.join(argv)}")
        status = main(list(argv))
        if status != 0:
            raise DemoError(f"step {self.step} ({what}) failed with exit status {status}; "
                            f"rerun it alone to see why: cmrbench {shlex.join(argv)}")

    def skip(self, what: str, why: str) -> None:
        self.step += 1
        self.say(f"\n[{self.step}/{self.total}] {what}: {why}")

    # --- the steps ---
    def cohort(self, layout: str, folder: Path, studies: int) -> None:
        what = f"write the phantom cohort in the {layout} layout"
        if (folder / "truth.csv").is_file():
            return self.skip(what, f"already in {folder}")
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        argv = ["phantom", "--layout", layout, "--n", str(studies), "--seed", str(COHORT_SEED),
                "--out", str(partial)]
        if self.plan.matrix:
            argv += ["--matrix", str(self.plan.matrix)]
        if self.plan.frames:
            argv += ["--frames", str(self.plan.frames)]
        self.command(what, argv + ([] if self.progress else ["--quiet"]))
        partial.rename(folder)

    def ingest(self, dataset: str, source: Path, store: Path) -> None:
        self.command(f"ingest it as the {dataset} dataset (de-identified, resumable)",
                     ["ingest", dataset, str(source), "--out", str(store),
                      *([] if self.progress else ["--no-progress"])])

    def pretrain(self) -> None:
        what = "pretrain the tiny 3D ResNet against the reports (contrastive), export both encoders"
        if all(path.is_file() for path in self.layout.encoders.values()):
            return self.skip(what, f"already exported in {self.layout.pretrain / EXPORT_DIR}")
        encoder = next(e.encoder for e in self.plan.entries if e.initialisation == "contrastive")
        self.command(what, [
            "pretrain", "--video-encoder", encoder, "--text-encoder", TEXT_ENCODER,
            "--store", str(self.layout.store), "--out", str(self.layout.pretrain),
            "--max-steps", str(self.plan.pretrain_steps),
            "--batch-size", str(self.plan.pretrain_batch), "--lr", str(self.plan.pretrain_lr),
            "--freeze-text-layers", "6",  # all of MiniLM's: only the projections learn text
            # each report sentence through the frozen backbone once: ~6x cheaper steps
            "--text-features", "cached-sentences", "--no-augment",
            # no validation pass or checkpoint per (2-step) epoch: only the exported last state
            "--val-every", "1000", "--checkpoint-every", "1000",
            *([] if self.progress else ["--no-progress"])])

    def benchmark(self, entry: Entry, name: str) -> None:
        bench = self.suite.benchmark(name)
        argv = ["run", "--encoder", entry.encoder, "--dataset", bench.dataset,
                "--store", str(self.layout.store), "--task", bench.task, "--mode", bench.mode,
                "--fraction", str(bench.fraction), "--out", str(self.layout.run(entry, name)),
                "--cache-dir", str(self.layout.cache), "--no-progress"]
        for key, value in bench.task_options.items():
            argv += ["--option", f"{key}={value}"]
        if entry.initialisation == "contrastive":
            argv += ["--weights", str(self.layout.encoders["video"])]
        if bench.mode == "zeroshot":
            argv += ["--text-encoder", TEXT_ENCODER]
            if entry.initialisation == "contrastive":
                argv += ["--text-weights", str(self.layout.encoders["text"])]
        else:
            # a 2-step epoch: validating every 15 epochs still selects among 5 checkpoints
            argv += ["--max-steps", str(self.plan.head_steps), "--lr", str(self.plan.head_lr),
                     "--batch-size", "16", "--val-every", "15"]
        self.command(f"benchmark {entry.name} on {name}", argv)

    def submit(self, entry: Entry, name: str) -> None:
        from cmrbench.leaderboard.entries import Board

        what = f"submit {entry.name} to {SUITE}/{name}"
        if Board(self.layout.board).entry_path(name, entry.name).exists():
            return self.skip(what, "already on the demo's board")
        self.command(what, ["submit", str(self.layout.run(entry, name)), "--suite", SUITE,
                            "--benchmark", name, "--name", entry.name,
                            "--board", str(self.layout.board)])

    def build(self) -> None:
        self.command("build the leaderboard page (every number recomputed from predictions)",
                     ["leaderboard", "build", SUITE, "--board", str(self.layout.board),
                      "--store", f"phantom={self.layout.store}",
                      "--out", str(self.layout.leaderboard),
                      "--resamples", str(self.plan.resamples)])


def _count_steps(plan: DemoPlan) -> int:
    # two cohorts, two ingests, pretraining, a run and a submission per entry and benchmark,
    # the page
    return 5 + 2 * len(plan.entries) * len(plan.benchmarks) + 1


def run_demo(plan: DemoPlan, out: Path, *, progress: bool = True) -> Path:
    """Run every step of ``plan`` under ``out``; returns the leaderboard folder."""
    demo = Demo(plan, out, progress=progress)
    layout = demo.layout
    demo.say(f"cmrbench demo ({plan.name}): phantom cohorts -> ingest -> contrastive "
             f"pretraining -> {len(plan.entries)} encoders x {len(plan.benchmarks)} benchmarks "
             f"of {SUITE} -> leaderboard, in {layout.root}")
    demo.cohort("clinical", layout.phantom, plan.studies)
    demo.ingest("phantom", layout.phantom, layout.store)
    demo.cohort("acdc", layout.acdc, plan.acdc_studies)
    demo.ingest("acdc", layout.acdc, layout.acdc_store)
    demo.pretrain()
    for entry in plan.entries:
        for name in plan.benchmarks:
            demo.benchmark(entry, name)
            demo.submit(entry, name)
    demo.build()
    seconds = time.perf_counter() - demo.started
    demo.say(f"\ncmrbench demo ({plan.name}) finished in {seconds:.0f} s\n")
    demo.say(results_table(layout.leaderboard, plan))
    demo.say(f"\nleaderboard: {layout.leaderboard / 'index.html'}\n"
             f"run directories: {layout.root / 'runs'}\n"
             f"pretraining run: {layout.pretrain}\n"
             f"stores: {layout.store} (clinical layout), {layout.acdc_store} (ACDC layout)")
    sys.stdout.flush()
    return layout.leaderboard
