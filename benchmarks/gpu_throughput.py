"""Training and embedding throughput on one GPU, through the harness and through a bare loop.

    .venv/bin/python benchmarks/gpu_throughput.py --out gpu_throughput.json

On a CUDA machine this measures, within a time budget (``--minutes``, default 9), in order of
importance:

1. MViT-B 16x4 and R3D-18 clips/s for a training step (AdamW, a linear head, MSE) and for
   embedding, at fp32 and bf16-mixed, eager and ``torch.compile``d, with and without
   channels-last-3d; each through the harness path (pinned uint8 hand-over batch ->
   ``to_device`` -> ``BatchTransform`` with AugMix -> model) and through a bare loop fed the
   same batch already transformed on the GPU; the harness/bare ratio; peak GPU memory; GPU
   utilisation while the harness runs (``torch.cuda.utilization`` or ``nvidia-smi``).
2. The pipeline's supply rate per DataLoader worker from a real store: a phantom cohort
   written in the clinical layout and ingested (``make_loader`` over ``ClipDataset``).
3. End to end: the loader over that store feeding the MViT-B bf16 training step, with the
   share of time the step waited for data.

It prints a summary and writes everything as JSON (``--out``), with the three checks of
issue 11: MViT-B bf16 training >= 1,000 clips/s, the harness within 5 % of the bare loop, and
the loader never the bottleneck. Without CUDA (or with ``--tiny``) it runs the same code on
the CPU with the tiny encoders and small sizes, in about a minute; ``--compile`` adds the
compiled variants there too.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

FULL = {"mvit-b-16x4": "mvit-b-16x4", "r3d-18": "r3d-18"}
TINY = {"mvit-b-16x4": "mvit-b-16x4-tiny", "r3d-18": "r3d-18-tiny"}
NATIVE = 192  # frame size of the synthetic clips: a typical CMR matrix
TARGET_CLIPS_PER_S = 1000.0
HARNESS_OVERHEAD = 1.05
FED = 0.95  # end to end at >= 95 % of the synthetic-batch rate: the loader keeps up


@dataclass(frozen=True)
class Config:
    model: str
    mode: str  # "train" or "embed"
    precision: str  # "fp32" or "bf16-mixed"
    compiled: bool
    channels_last: bool

    @property
    def label(self) -> str:
        return (f"{self.model} {self.mode} {self.precision}"
                f"{' compile' if self.compiled else ''}{' cl3d' if self.channels_last else ''}")


@dataclass
class Options:
    device: torch.device
    tiny: bool
    batch: dict[str, int]
    steps: int
    warmup: int
    workers: list[int]
    studies: int
    compile: bool
    only: list[str] | None
    deadline: float


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument("--tiny", action="store_true",
                        help="tiny encoders and sizes (the default without CUDA)")
    parser.add_argument("--minutes", type=float, default=9.0,
                        help="time budget; what does not fit is reported as skipped")
    parser.add_argument("--train-batch", type=int, help="clips per training step (default 32)")
    parser.add_argument("--embed-batch", type=int, help="clips per embedding step (default 64)")
    parser.add_argument("--steps", type=int, help="timed steps per configuration (default 20)")
    parser.add_argument("--workers", type=int, nargs="+",
                        help="DataLoader workers to measure supply with (default 1 2 4 8)")
    parser.add_argument("--studies", type=int, help="phantom studies in the store (default 40)")
    parser.add_argument("--compile", action="store_true",
                        help="also compile on the CPU (always on with CUDA)")
    parser.add_argument("--only", nargs="+", metavar="TEXT",
                        help="only configurations whose label contains one of these, e.g. "
                             "'r3d-18 embed' (the reference MViT-B one always runs)")
    return parser.parse_args(argv)


def options(args: argparse.Namespace) -> Options:
    cuda = torch.cuda.is_available() and not args.tiny
    cpus = len(os.sched_getaffinity(0))
    workers = args.workers or ([w for w in (1, 2, 4, 8) if w < cpus] or [1] if cuda else [1])
    return Options(device=torch.device("cuda" if cuda else "cpu"), tiny=not cuda,
                   batch={"train": args.train_batch or (32 if cuda else 2),
                          "embed": args.embed_batch or (64 if cuda else 2)},
                   steps=args.steps or (20 if cuda else 2), warmup=3 if cuda else 1,
                   workers=workers, studies=args.studies or (40 if cuda else 2),
                   compile=cuda or args.compile, only=args.only,
                   deadline=time.monotonic() + 60 * args.minutes)


def environment(device: torch.device) -> dict[str, Any]:
    import torchvision
    from cmrbench.provenance import environment as harness_environment

    found = {**harness_environment(), "torchvision": torchvision.__version__,
             "cpus": len(os.sched_getaffinity(0)), "platform": platform.platform(),
             "bench_device": str(device)}
    if device.type == "cuda":
        found.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                     capability=".".join(map(str, torch.cuda.get_device_capability(device))),
                     gpu_memory_gib=torch.cuda.get_device_properties(device).total_memory / 2**30,
                     driver=_nvidia_smi("driver_version"))
    return found


def _nvidia_smi(query: str) -> str | None:
    if shutil.which("nvidia-smi") is None:
        return None
    index = os.environ.get("CUDA_VISIBLE_DEVICES", "0").split(",")[0] or "0"
    result = subprocess.run(["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader,nounits",
                             "-i", index], capture_output=True, text=True, timeout=10)
    return result.stdout.strip() or None if result.returncode == 0 else None


class Utilisation:
    """Mean GPU utilisation (%) sampled every 0.2 s while the block runs; None if unreadable."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.samples: list[float] = []
        self._stop = threading.Event()

    def _read(self) -> float | None:
        try:
            return float(torch.cuda.utilization(self.device))
        except Exception:  # noqa: BLE001 - pynvml missing or unsupported: try nvidia-smi
            value = _nvidia_smi("utilization.gpu")
            return float(value) if value else None

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            value = self._read()
            if value is None:
                return
            self.samples.append(value)

    @contextmanager
    def measuring(self) -> Iterator[None]:
        if self.device.type != "cuda":
            yield
            return
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()

    @property
    def mean(self) -> float | None:
        return float(np.mean(self.samples)) if self.samples else None


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def autocast(config: Config, device: torch.device):
    if config.precision == "bf16-mixed":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def synthetic_batch(contract, batch: int, train: bool, device: torch.device) -> dict[str, Any]:
    """A collated batch as a loader hands it over: NATIVE px uint16 noise clips, pinned."""
    from cmrbench.data import Handover, collate_clips
    from cmrbench.data.geometry import handover_size

    rng = np.random.default_rng(0)
    size = handover_size([(NATIVE, NATIVE)], (contract.height, contract.width))
    handover = Handover(contract, size, train=train)
    items = []
    for index in range(batch):
        cine = rng.integers(0, 4000, (contract.frames, NATIVE, NATIVE), dtype=np.uint16)
        frames, params = handover(cine, np.random.default_rng(index))
        items.append({"frames": frames, "params": params})
    collated = collate_clips(items)
    if device.type == "cuda":
        collated["frames"] = collated["frames"].pin_memory()
    return collated


class Workload:
    """One configuration's model, head, optimiser, transform and both step functions."""

    def __init__(self, config: Config, opts: Options, batch: int) -> None:
        from cmrbench.data import BatchTransform
        from cmrbench.registry import get_registry

        self.config, self.device = config, opts.device
        names = TINY if opts.tiny else FULL
        spec = get_registry().encoder(names[config.model])
        self.contract = spec.input
        train = config.mode == "train"
        self.batch_size = batch
        self.memory_format = torch.channels_last_3d if config.channels_last else None
        torch.manual_seed(0)
        model = spec.factory().to(self.device)
        if self.memory_format is not None:
            model = model.to(memory_format=self.memory_format)
        self.model = model.train(train)
        self.head = torch.nn.Linear(spec.embed_dim, 1).to(self.device)
        self.optimizer = (torch.optim.AdamW([*model.parameters(), *self.head.parameters()],
                                            lr=1e-4, fused=self.device.type == "cuda")
                          if train else None)
        if config.compiled:
            # a fresh cache per configuration: Dynamo's is per code object, so models built
            # earlier would count against its recompile limit and leave this one eager;
            # static shapes, so the harness's and the bare loop's inputs get a graph each
            torch.compiler.reset()
            self.forward = torch.compile(model, dynamic=False)
        else:
            self.forward = model
        self.transform = BatchTransform(self.contract, train=train,
                                        memory_format=self.memory_format)
        self.batch = synthetic_batch(self.contract, self.batch_size, train, self.device)
        self.target = torch.randn(self.batch_size, 1, device=self.device)
        # the bare loop gets what a plain PyTorch loop would hold: a materialised float tensor
        self.video = self.prepared(self.batch).detach().contiguous(
            memory_format=self.memory_format or torch.contiguous_format)

    def prepared(self, batch: dict[str, Any]) -> torch.Tensor:
        from cmrbench.data import to_device

        moved = to_device(batch, self.device)
        return self.transform(moved["frames"], moved["params"])

    def step(self, video: torch.Tensor) -> None:
        if self.optimizer is None:
            with torch.inference_mode(), autocast(self.config, self.device):
                self.forward(video=video)
            return
        with autocast(self.config, self.device):
            loss = torch.nn.functional.mse_loss(self.head(self.forward(video=video)).float(),
                                                self.target)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)

    def harness_step(self) -> None:
        self.step(self.prepared(self.batch))

    def bare_step(self) -> None:
        self.step(self.video)


def config_of(row: dict[str, Any]) -> Config:
    """The configuration a result row was measured with."""
    return Config(**{field.name: row[field.name] for field in fields(Config)})


def timed(step: Callable[[], None], steps: int, device: torch.device) -> float:
    synchronize(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    return (time.perf_counter() - start) / steps


def measure(config: Config, opts: Options) -> dict[str, Any]:
    """Both paths of one configuration, halving the batch on out-of-memory."""
    batch = opts.batch[config.mode]
    while True:
        try:
            return _measure(config, opts, batch)
        except torch.OutOfMemoryError:
            if batch == 1:
                raise
        batch //= 2  # out here the failed attempt's tensors are garbage, so the cache can go
        gc.collect()
        torch.cuda.empty_cache()


def _measure(config: Config, opts: Options, batch: int) -> dict[str, Any]:
    work = Workload(config, opts, batch)
    start = time.perf_counter()
    for _ in range(opts.warmup):  # the first calls compile, autotune and fill caches
        work.harness_step()
        work.bare_step()
    synchronize(opts.device)
    warmup_s = time.perf_counter() - start
    utilisation = Utilisation(opts.device)
    with peak_memory(opts.device) as harness_peak, utilisation.measuring():
        harness_s = timed(work.harness_step, opts.steps, opts.device)
    with peak_memory(opts.device) as bare_peak:
        bare_s = timed(work.bare_step, opts.steps, opts.device)
    return {**asdict(config), "batch": batch, "warmup_s": warmup_s,
            "harness_clips_per_s": batch / harness_s, "bare_clips_per_s": batch / bare_s,
            "harness_over_bare": harness_s / bare_s, "harness_peak_memory_gib": harness_peak[0],
            "bare_peak_memory_gib": bare_peak[0], "gpu_utilisation_pct": utilisation.mean}


@contextmanager
def peak_memory(device: torch.device) -> Iterator[list[float | None]]:
    """Yields a one-item list that holds the block's peak GPU memory (GiB) once it ends."""
    peak: list[float | None] = [None]
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    yield peak
    if device.type == "cuda":
        peak[0] = torch.cuda.max_memory_allocated(device) / 2**30


def phantom_store(root: Path, studies: int, workers: int) -> Path:
    """A phantom cohort in the clinical layout, ingested: a real store."""
    from cmrbench.cli import main

    source, store = root / "phantom", root / "store"
    assert main(["phantom", "--layout", "clinical", "--n", str(studies), "--seed", "0",
                 "--out", str(source)]) == 0
    assert main(["ingest", "phantom", str(source), "--out", str(store),
                 "--workers", str(workers)]) == 0
    return store


def supply(store: Path, contract, workers: int, opts: Options, seconds: float = 3.0
           ) -> dict[str, Any]:
    """Training clips/s one loader with ``workers`` processes delivers, nothing consuming."""
    from cmrbench.data import ClipDataset, make_loader

    loader = make_loader(ClipDataset(store, contract, train=True), opts.batch["train"],
                         shuffle=True, workers=workers, device=opts.device)
    clips, epoch, start = 0, 0, None
    while start is None or time.perf_counter() - start < seconds:
        loader.sampler.set_epoch(epoch)
        for batch in loader:
            if start is None:  # the first batch pays for starting the workers
                start = time.perf_counter()
                continue
            clips += len(batch["frames"])
        epoch += 1
    rate = clips / (time.perf_counter() - start)
    return {"workers": workers, "clips_per_s": rate, "clips_per_s_per_worker": rate / workers}


def end_to_end(store: Path, config: Config, opts: Options, workers: int, batch: int
               ) -> dict[str, Any]:
    """The loader over ``store`` feeding the harness step: clips/s and time waiting for data."""
    from cmrbench.data import ClipDataset, make_loader, to_device

    work = Workload(config, opts, batch)
    loader = make_loader(ClipDataset(store, work.contract, train=True), work.batch_size,
                         shuffle=True, workers=workers, device=opts.device, drop_last=True)
    steps, waited, epoch = opts.warmup + opts.steps, 0.0, 0
    utilisation = Utilisation(opts.device)
    done = 0
    start = None
    with utilisation.measuring():
        while done < steps:
            loader.sampler.set_epoch(epoch)
            batches = iter(loader)
            while done < steps:
                before = time.perf_counter()
                batch = next(batches, None)
                if batch is None:
                    break
                if done == opts.warmup:
                    synchronize(opts.device)
                    start, waited = time.perf_counter(), 0.0
                waited += time.perf_counter() - before
                moved = to_device(batch, opts.device)
                work.step(work.transform(moved["frames"], moved["params"]))
                done += 1
            epoch += 1
    synchronize(opts.device)
    elapsed = time.perf_counter() - start
    return {**asdict(config), "workers": workers, "batch": work.batch_size,
            "clips_per_s": opts.steps * work.batch_size / elapsed,
            "data_wait_fraction": waited / elapsed, "gpu_utilisation_pct": utilisation.mean}


def configs(opts: Options) -> list[Config]:
    """Every configuration, most important first (the first is the reference: MViT-B bf16
    training, eager): bf16 eager, bf16 compiled, fp32 eager, then channels-last-3d, then
    fp32 compiled. What the time budget cannot fit is skipped from the end."""
    groups = [("bf16-mixed", False, False), ("bf16-mixed", True, False),
              ("fp32", False, False), ("bf16-mixed", False, True), ("bf16-mixed", True, True),
              ("fp32", False, True), ("fp32", True, False), ("fp32", True, True)]
    every = [Config(model, mode, precision, compiled, channels_last)
             for precision, compiled, channels_last in groups
             if opts.compile or not compiled
             for model in FULL for mode in ("train", "embed")]
    return every[:1] + [config for config in every[1:]
                        if opts.only is None or any(text in config.label for text in opts.only)]


def run(opts: Options) -> dict[str, Any]:
    from cmrbench.registry import get_registry

    results: dict[str, Any] = {"environment": environment(opts.device), "throughput": [],
                               "supply": [], "end_to_end": None, "skipped": []}
    plan = configs(opts)
    first, rest = plan[0], plan[1:]
    with tempfile.TemporaryDirectory() as tmp:
        store = phantom_store(Path(tmp), opts.studies, max(opts.workers))
        _attempt(results, first.label, opts, 120, lambda: results["throughput"].append(
            measure(first, opts)))
        contract = get_registry().encoder((TINY if opts.tiny else FULL)[first.model]).input
        for workers in opts.workers:
            _attempt(results, f"supply {workers} workers", opts, 30,
                     lambda w=workers: results["supply"].append(supply(store, contract, w,
                                                                       opts)))
        batch = (results["throughput"] or [{"batch": opts.batch[first.mode]}])[0]["batch"]
        _attempt(results, f"end to end {first.label}", opts, 90,
                 lambda: results.__setitem__("end_to_end", end_to_end(
                     store, first, opts, max(opts.workers), batch)))
    for config in rest:
        _attempt(results, config.label, opts, 150 if config.compiled else 45,
                 lambda c=config: results["throughput"].append(measure(c, opts)))
    results["checks"] = checks(results, first)
    return results


def _attempt(results: dict[str, Any], label: str, opts: Options, needs_s: float,
             job: Callable[[], None]) -> None:
    """Run ``job`` if about ``needs_s`` seconds are left; record why not, or how it failed."""
    left = opts.deadline - time.monotonic()
    if left < needs_s:
        results["skipped"].append({"what": label, "why": f"time budget ({left:.0f} s left)"})
        return
    print(f"[{time.strftime('%H:%M:%S')}] {label}", flush=True)
    try:
        job()
    except Exception as exc:  # noqa: BLE001 - one failing configuration must not end the run
        results["skipped"].append({"what": label, "why": f"{type(exc).__name__}: {exc}"})


def checks(results: dict[str, Any], first: Config) -> dict[str, Any]:
    """Issue 11's three GPU checks, from the reference configuration (MViT-B bf16 training),
    and how many loader workers the fastest configuration of that task would need."""
    reference = next((row for row in results["throughput"] if config_of(row) == first), None)
    e2e = results["end_to_end"]
    found = {"configuration": first.label}
    if reference is not None:
        found.update(clips_per_s=reference["harness_clips_per_s"],
                     at_least_1000_clips_per_s=reference["harness_clips_per_s"]
                     >= TARGET_CLIPS_PER_S,
                     harness_over_bare=reference["harness_over_bare"],
                     harness_within_5_percent=reference["harness_over_bare"] <= HARNESS_OVERHEAD)
    if reference is not None and e2e is not None:
        found.update(end_to_end_over_synthetic=e2e["clips_per_s"]
                     / reference["harness_clips_per_s"],
                     loader_not_the_bottleneck=e2e["clips_per_s"]
                     >= FED * reference["harness_clips_per_s"])
    same_task = [row["harness_clips_per_s"] for row in results["throughput"]
                 if (row["model"], row["mode"]) == (first.model, first.mode)]
    if same_task and results["supply"]:
        widest = max(results["supply"], key=lambda row: row["workers"])
        found.update(fastest_clips_per_s=max(same_task),
                     supply_per_worker=widest["clips_per_s_per_worker"],
                     workers_to_feed_the_fastest=math.ceil(
                         max(same_task) / widest["clips_per_s_per_worker"]))
    return found


def summary(results: dict[str, Any]) -> str:
    env = results["environment"]
    lines = [f"{env['device']} | torch {env['torch']} | {env['cpus']} CPUs",
             f"{'configuration':<42} {'batch':>5} {'harness':>9} {'bare':>9} {'ratio':>6} "
             f"{'peak GiB':>8} {'util %':>6}"]
    for row in results["throughput"]:
        lines.append(f"{config_of(row).label:<42} {row['batch']:>5} "
                     f"{row['harness_clips_per_s']:>9.1f} {row['bare_clips_per_s']:>9.1f} "
                     f"{row['harness_over_bare']:>6.3f} "
                     f"{_fmt(row['harness_peak_memory_gib']):>8} "
                     f"{_fmt(row['gpu_utilisation_pct']):>6}")
    for row in results["supply"]:
        lines.append(f"supply, {row['workers']} worker(s): {row['clips_per_s']:.0f} clips/s, "
                     f"{row['clips_per_s_per_worker']:.0f} per worker")
    if results["end_to_end"]:
        e2e = results["end_to_end"]
        lines.append(f"end to end, {e2e['workers']} workers: {e2e['clips_per_s']:.1f} clips/s, "
                     f"waiting for data {100 * e2e['data_wait_fraction']:.1f} % of the time, "
                     f"GPU {_fmt(e2e['gpu_utilisation_pct'])} %")
    lines += [f"skipped {row['what']}: {row['why']}" for row in results["skipped"]]
    lines.append("checks: " + json.dumps(results["checks"]))
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    results = run(options(args))
    print(summary(results))
    if args.out is not None:
        from cmrbench.files import atomic_write

        with atomic_write(args.out) as partial:
            partial.write_text(json.dumps(results, indent=2, default=str))
        print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
