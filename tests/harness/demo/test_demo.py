"""`cmrbench demo --quick`, run once for the module, end to end through the real commands.

What a newcomer is promised: a leaderboard with a row per encoder x benchmark, every number
recomputed from predictions and finite; the contrastive initialisation retrieving reports
better than the random one (the reference's claim in miniature); a second run that redoes
nothing it finished.
"""

from __future__ import annotations

import contextlib
import io
import math
from pathlib import Path

import pandas as pd
import pytest
from cmrbench.cli import main
from cmrbench.demo import demo_plan
from cmrbench.demo.plan import SUITE
from cmrbench.registry import get_registry
from cmrbench.suites import load_suite

QUICK = demo_plan(quick=True)


def _demo(out: Path) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["demo", "--quick", "--out", str(out), "--no-progress"]) == 0
    return printed.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    return out, _demo(out)


def board(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "quick" / "leaderboard" / "leaderboard.csv")


def test_the_plan_names_runnable_benchmarks_and_registered_encoders():
    suite, registry = load_suite(SUITE), get_registry()
    for name in QUICK.benchmarks + demo_plan(quick=False).benchmarks:
        assert suite.benchmark(name).pending is None, name
    for entry in QUICK.entries:
        registry.entry("encoder", entry.encoder)
    assert {e.initialisation for e in QUICK.entries} == {"random", "contrastive"}
    assert len({e.encoder for e in QUICK.entries}) >= 2  # a second architecture on the board
    assert set(QUICK.benchmarks) >= {"lvef-linear", "diseases-linear", "acdc-diagnosis-linear",
                                     "zeroshot-lvef", "retrieval"}


def test_the_leaderboard_holds_every_entry_on_every_benchmark_with_finite_metrics(demo):
    out, _ = demo
    page = out / "quick" / "leaderboard"
    for name in ("index.html", "leaderboard.md", "leaderboard.csv", "metrics.csv"):
        assert (page / name).stat().st_size > 0, name
    rows = board(out)
    assert not (rows["status"] == "flagged").any(), rows[["name", "reasons"]]
    for bench in QUICK.benchmarks:
        for entry in QUICK.entries:
            found = rows[(rows["benchmark"] == bench) & (rows["name"] == entry.name)]
            assert len(found) == 1, (bench, entry.name)
            assert math.isfinite(found["mean"].iloc[0]), (bench, entry.name)
    metrics = pd.read_csv(page / "metrics.csv")
    assert len(metrics) > 0 and metrics["value"].dropna().map(math.isfinite).all()


def test_contrastive_pretraining_beats_the_random_initialisation_on_retrieval(demo):
    out, _ = demo
    rows = board(out).set_index(["benchmark", "name"])
    contrastive = rows.loc[("retrieval", "r3d-18-tiny-contrastive"), "mean"]
    random = rows.loc[("retrieval", "r3d-18-tiny-random"), "mean"]
    assert contrastive > random, (contrastive, random)


def test_the_demo_prints_its_commands_a_results_table_and_where_things_are(demo):
    out, printed = demo
    for command in ("$ cmrbench phantom --layout clinical", "$ cmrbench ingest phantom",
                    "$ cmrbench phantom --layout acdc", "$ cmrbench ingest acdc",
                    "$ cmrbench pretrain", "$ cmrbench run", "$ cmrbench submit",
                    "$ cmrbench leaderboard build"):
        assert command in printed, command
    table = printed.split("finished in")[1]
    for bench in QUICK.benchmarks:
        assert f"{bench}: " in table
    for entry in QUICK.entries:
        assert table.count(entry.name) >= len(QUICK.benchmarks)
    assert str(out / "quick" / "leaderboard" / "index.html") in printed
    assert str(out / "quick" / "runs") in printed


def test_a_second_demo_redoes_nothing_it_finished(demo):
    out, _ = demo
    results = sorted((out / "quick" / "runs").glob("*/*/result.json"))
    assert len(results) == len(QUICK.entries) * len(QUICK.benchmarks)
    before = {path: path.stat().st_mtime_ns for path in results}
    cache = sorted(p.name for p in (out / "quick" / "feature-cache").iterdir())
    printed = _demo(out)
    assert {path: path.stat().st_mtime_ns for path in results} == before
    assert sorted(p.name for p in (out / "quick" / "feature-cache").iterdir()) == cache
    assert printed.count("already on the demo's board") == len(results)
    assert "already exported" in printed and printed.count("already in") == 2
    assert "0 written" in printed  # ingest found every study done


def test_a_failing_step_names_its_command(tmp_path, capsys):
    (tmp_path / "quick").mkdir()
    (tmp_path / "quick" / "phantom-clinical.partial").write_text("not a folder")
    assert main(["demo", "--quick", "--out", str(tmp_path), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "cmrbench phantom --layout clinical" in error and "failed" in error
