"""The runner against what it wraps, as ratios measured in the same run.

- feature cache: preparing three frozen-encoder tasks (lvef, diseases, acdc-diagnosis; plan,
  encoder, cache, study bags) on one store against a single encoding pass of every video of
  that store (``embed_store``, the work the cache saves): the first task pays the pass, the
  others read it. Goal: at most 1.3x.
- training step: the marginal cost of one optimisation step through Lightning and the generic
  ``BenchmarkModule`` (transfer mode, tiny R3D, 8 studies x 6 videos) against a bare PyTorch
  loop (forward, the task's loss, backward, AdamW step) on the same model and the same
  in-memory batches. Goal: at most 1.05x.

Rounds alternate between the two sides so a busy machine slows both alike; medians are
reported through the ``timing`` fixture. Run with
``.venv/bin/python -m pytest benchmarks/test_training_bench.py --benchmark-only -s``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from cmrbench.cli import main
from cmrbench.embedding import build_encoder, embed_store
from cmrbench.registry import get_registry
from cmrbench.training import runner
from cmrbench.training.config import RunConfig
from cmrbench.training.features import _Features
from cmrbench.training.model import StudyModel, apply_mode
from cmrbench.training.module import BenchmarkModule
from torch.utils.data import DataLoader

ENCODER = "r3d-18-tiny"
TASKS = ("lvef", "diseases", "acdc-diagnosis")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench-store")
    assert main(["phantom", "--layout", "clinical", "--n", "24", "--seed", "0", "--out",
                 str(root / "src"), "--matrix", "64", "--frames", "12", "--quiet"]) == 0
    assert main(["ingest", "phantom", str(root / "src"), "--out", str(root / "store"),
                 "--no-progress", "--workers", "2"]) == 0
    return root / "store"


def _alternate(first, second, rounds: int) -> tuple[float, float]:
    """Median seconds of ``first()`` and ``second()``, timed in alternating rounds."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for fn, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def test_feature_cache_for_three_tasks_costs_about_one_encoding_pass(benchmark, store,
                                                                      tmp_path, timing):
    spec = get_registry().encoder(ENCODER)
    encoder, _ = build_encoder(spec, seed=0)
    rounds = iter(range(10**6))

    def one_pass() -> None:
        embed_store(spec, _Features(encoder).eval(), store, views="all", progress=False)

    def three_tasks() -> None:
        cache = tmp_path / f"cache-{next(rounds)}"  # a cold cache every round
        for task in TASKS:
            config = RunConfig(encoder=ENCODER, dataset="phantom", store=store, task=task,
                               mode="linear", out=tmp_path / task, cache_dir=cache)
            plan = runner.plan_run(config)
            trainer = pl.Trainer(logger=False, enable_progress_bar=False,
                                 enable_checkpointing=False)
            runner._assemble(plan, trainer, progress=False)

    baseline, _ = _alternate(one_pass, three_tasks, rounds=3)
    benchmark.pedantic(three_tasks, rounds=3, iterations=1)
    timing.report(benchmark, "feature cache, 3 frozen-encoder tasks", baseline,
                  "one encoding pass")


def _batches(n: int, seed: int = 0) -> list[dict]:
    generator = torch.Generator().manual_seed(seed)
    contract = get_registry().encoder(ENCODER).input
    return [{"inputs": torch.randn(8, 6, *contract.shape, generator=generator),
             "mask": torch.ones(8, 6, dtype=torch.bool),
             "targets": torch.rand(8, 1, generator=generator) * 60 + 20,
             "video_names": [[f"SAX/{k}" for k in range(6)]] * 8,
             "study_id": [f"s{i}" for i in range(8)]} for _ in range(n)]


def test_training_step_against_a_bare_loop(benchmark, tmp_path):
    torch.set_num_threads(1)
    registry = get_registry()
    task = registry.task("lvef").build(None)
    task.fit(torch.rand(16, 1).numpy() * 60 + 20)
    spec = registry.encoder(ENCODER)
    batches = _batches(6)

    def model() -> StudyModel:
        torch.manual_seed(0)
        m = StudyModel(task, spec.embed_dim, encoder=build_encoder(spec, seed=0)[0].train())
        apply_mode(m, "transfer")
        return m

    def bare(steps: int) -> None:
        m = model()
        optimiser = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0.01)
        for batch in batches[:steps]:
            outputs, _ = m(batch["inputs"], batch["mask"])
            loss = task.loss(outputs, batch["targets"])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()

    def harness(steps: int) -> None:
        module = BenchmarkModule(model(), task, None, lr=1e-4, weight_decay=0.01, seed=0,
                                 primary="mae", higher_is_better=False)
        trainer = pl.Trainer(max_steps=steps, logger=pl.loggers.CSVLogger(tmp_path),
                             enable_progress_bar=False, enable_checkpointing=False,
                             enable_model_summary=False, limit_val_batches=0,
                             log_every_n_steps=1, accelerator="cpu", devices=1)
        trainer.fit(module, DataLoader(batches[:steps], batch_size=None, shuffle=False))

    # the marginal cost of 4 steps: runs of 6 steps minus runs of 2 steps
    long_bare, long_harness = _alternate(lambda: bare(6), lambda: harness(6), rounds=3)
    short_bare, short_harness = _alternate(lambda: bare(2), lambda: harness(2), rounds=3)
    per_step_bare = (long_bare - short_bare) / 4
    per_step_harness = (long_harness - short_harness) / 4
    benchmark.pedantic(lambda: None, rounds=1)
    benchmark.extra_info.update({"bare_step_ms": per_step_bare * 1e3,
                                 "harness_step_ms": per_step_harness * 1e3,
                                 "ratio_to_baseline": per_step_harness / per_step_bare})
    print(f"\ntraining step: harness {per_step_harness * 1e3:.1f} ms, bare loop "
          f"{per_step_bare * 1e3:.1f} ms, {per_step_harness / per_step_bare:.3f}x")
