"""Frozen suites: the shipped ones load, are pinned by hash, and any malformed field is named
with its file; benchmarks whose task is not registered yet wait, and are checked once it is.

The waiting is exercised with a stand-in task installed as a real plugin distribution.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from cmrbench.cards import card_path, load_card
from cmrbench.resources import resource_dir
from cmrbench.suites import SuiteError, load_suite

# A shipped suite is frozen: changing its content needs a new version (and this pin updated).
FROZEN = {
    ("cmr-v1", 1): "f05237546b1c53252676196db437c0121dbe7a12600bcc86d14eca4ec15c7bef",
    ("phantom-v1", 1): "4fc99f5e4ceabcb1b302d7431d057029d140902cd069514b22f235bd7061422f",
}


def test_the_shipped_suites_are_frozen_and_found_through_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = {p.parent.name for p in resource_dir("leaderboards").glob("*/suite.yaml")}
    assert shipped == {name for name, _ in FROZEN}
    for (name, version), sha256 in FROZEN.items():
        suite = load_suite(name)
        assert (suite.name, suite.version, suite.sha256) == (name, version, sha256), \
            f"{name} changed: publish it as a new version and update FROZEN"
        assert suite.path.parent.name == name


def test_cmr_v1_declares_the_reference_protocols_and_their_publication():
    suite = load_suite("cmr-v1")
    tasks = {(b.dataset, b.task) for b in suite.benchmarks.values()}
    assert {("ukbb", "lvef"), ("clinical", "diseases"), ("acdc", "acdc-diagnosis"),
            ("kaggle-dsb", "kaggle-volumes"), ("clinical", "retrieval"),
            ("ukbb", "zeroshot")} <= tasks
    for bench in suite.benchmarks.values():
        restricted = bench.dataset in ("ukbb", "clinical")
        assert bench.public is not restricted, bench.name
        assert bench.split_sha256 == load_card(card_path(bench.dataset)).split.sha256
    assert suite.benchmark("kaggle-volumes-finetune").primary_metric == "crps"
    assert suite.benchmark("kaggle-volumes-finetune").higher_is_better is False


def test_phantom_v1_mirrors_cmr_v1_and_publishes_every_prediction():
    phantom, cmr = load_suite("phantom-v1"), load_suite("cmr-v1")
    assert {b.task for b in phantom.benchmarks.values()} == {
        b.task for b in cmr.benchmarks.values()}
    assert all(b.public and b.dataset == "phantom" for b in phantom.benchmarks.values())
    fractions = sorted(b.fraction for b in phantom.benchmarks.values()
                       if b.same_but_fraction(phantom.benchmark("lvef-linear")))
    assert fractions == [0.25, 0.5, 1.0]  # a label-efficiency curve


def test_the_retrieval_and_zero_shot_benchmarks_meet_their_registered_tasks():
    """The tasks of issue #13 are registered: their benchmarks are checked, none pending."""
    for name in ("cmr-v1", "phantom-v1"):
        for bench in load_suite(name).benchmarks.values():
            assert bench.pending is None, bench.name
    phantom = load_suite("phantom-v1")
    assert phantom.benchmark("retrieval").primary_metric == "study_to_report_recall_at_5"
    assert phantom.benchmark("zeroshot-lvef").task_options == {"target": "lvef"}


FUTURE_PLUGIN = '''
    from cmrbench import TaskSpec, hookimpl

    @hookimpl
    def cmrbench_tasks():
        return [TaskSpec(name="future-task", description="a task still being written",
                         kind="retrieval", build=lambda card, **options: object(),
                         datasets=("phantom", "clinical"), protocols=("zeroshot",),
                         metrics=METRICS, primary_metric=METRICS[0], higher_is_better=True)]
'''


def _future(data: dict) -> None:
    data["benchmarks"]["retrieval"]["task"] = "future-task"


@pytest.mark.parametrize(("module", "metrics", "error"), [
    (None, None, None),
    ("good_future", ("study_to_report_recall_at_5",), None),
    ("bad_future", ("recall_at_1",), "field 'benchmarks.retrieval.primary_metric'"),
])
def test_a_pending_benchmark_is_checked_once_its_task_is_registered(
        install_distribution, tmp_path, module, metrics, error):
    path = _edited(tmp_path, _future)
    if module is None:
        pending = load_suite(path).benchmark("retrieval").pending
        assert "task 'future-task' is not registered" in pending
        return
    source = f"METRICS = {metrics!r}\n" + textwrap.dedent(FUTURE_PLUGIN)
    install_distribution(module.replace("_", "-"), {module: source}, {module: module})
    if error is None:
        assert load_suite(path).benchmark("retrieval").pending is None
    else:
        with pytest.raises(SuiteError, match=rf"suite.yaml: {error}"):
            load_suite(path)


def _edited(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((resource_dir("leaderboards") / "phantom-v1" / "suite.yaml")
                          .read_text())
    change(data)
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _bench(data: dict) -> dict:
    return data["benchmarks"]["lvef-linear"]


@pytest.mark.parametrize(("change", "field", "problem"), [
    (lambda d: d.pop("version"), "", "missing field(s) ['version']"),
    (lambda d: d.update(version=0), "version", "positive integer"),
    (lambda d: _bench(d).update(split_sha256="ab" * 32), "benchmarks.lvef-linear.split_sha256",
     "the card's split changed"),
    (lambda d: _bench(d).update(direction="higher"), "benchmarks.lvef-linear.direction",
     "'mae' is better lower"),
    (lambda d: _bench(d).update(primary_metric="auroc"),
     "benchmarks.lvef-linear.primary_metric", "not a metric of task 'lvef'"),
    (lambda d: _bench(d).update(publication="public"), "benchmarks.lvef-linear.publication",
     "not one of ['per-study', 'aggregate']"),
    (lambda d: _bench(d)["protocol"].update(fraction=1.5),
     "benchmarks.lvef-linear.protocol.fraction", "must lie in (0, 1]"),
    (lambda d: _bench(d)["protocol"].update(mode="probe"),
     "benchmarks.lvef-linear.protocol.mode", "'probe' is not one of"),
    (lambda d: _bench(d).update(task_options={"labels": "x"}),
     "benchmarks.lvef-linear.task_options", "refuses them"),
    (lambda d: _bench(d).update(dataset="nope"), "benchmarks.lvef-linear.dataset", "nope"),
    (lambda d: _bench(d).update(colour="red"), "benchmarks.lvef-linear",
     "unknown field(s) ['colour']"),
    (lambda d: d.update(data={"acdc": "cmrbench ingest acdc ..."}), "data",
     "how to build the 'phantom' store"),
])
def test_a_malformed_suite_names_its_file_and_field(tmp_path, change, field, problem):
    path = _edited(tmp_path, change)
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert str(caught.value).startswith(f"{path}: field {field!r}: ")
    assert problem in str(caught.value)


def test_an_unknown_suite_lists_the_shipped_ones():
    with pytest.raises(SuiteError, match=r"no suite 'cmr-v9'.*'phantom-v1'"):
        load_suite("cmr-v9")


def test_the_hash_ignores_comments_and_layout_but_not_content(tmp_path):
    original = resource_dir("leaderboards") / "phantom-v1" / "suite.yaml"
    reflowed = tmp_path / "a" / "suite.yaml"
    reflowed.parent.mkdir()
    reflowed.write_text("# another comment\n" + yaml.safe_dump(yaml.safe_load(
        original.read_text()), sort_keys=True, width=60))
    assert load_suite(reflowed).sha256 == load_suite(original).sha256
    changed = _edited(tmp_path, lambda d: _bench(d).update(description="changed"))
    suite = load_suite(changed)
    assert suite.sha256 != load_suite(original).sha256
    assert suite.benchmark("lvef-linear").sha256 != load_suite(original).benchmark(
        "lvef-linear").sha256
    assert suite.benchmark("diseases-linear").sha256 == load_suite(original).benchmark(
        "diseases-linear").sha256
