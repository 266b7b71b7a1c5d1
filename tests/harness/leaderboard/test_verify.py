"""`cmrbench leaderboard verify`: every entry re-scored; one whose files or numbers disagree is
flagged with the reason, never shown as valid; restricted entries keep no predictions on the
board and are re-scored only by the data holder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cmrbench.cli import main
from cmrbench.leaderboard.submit import submit
from cmrbench.leaderboard.verify import AGGREGATE, FLAGGED, VERIFIED, verify_board
from cmrbench.predictions import read_predictions
from cmrbench.resources import resource_dir
from cmrbench.suites import load_suite

SUITE = "phantom-v1"


@pytest.fixture
def entry(store, board, predict) -> Path:
    return submit([predict()], load_suite(SUITE), "lvef-linear", "tiny", store=store,
                  board=board).path


def _status(board: Path, suite=None, **options) -> tuple[str, list[str]]:
    (checked,) = verify_board(suite or load_suite(SUITE), board, **options)
    return checked.status, checked.reasons


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_an_untouched_board_verifies(entry, board, store):
    assert _status(board) == (VERIFIED, [])
    assert _status(board, stores={"phantom": store}) == (VERIFIED, [])


def test_a_stored_number_that_was_edited_is_flagged(entry, board):
    _edit_json(entry, lambda e: e["runs"][0]["metrics"]["mae"].update(value=0.01))
    status, reasons = _status(board)
    assert status == FLAGGED and "['metrics.mae.value']" in reasons[0]


def test_predictions_changed_after_acceptance_are_flagged(entry, board):
    file = board / json.loads(entry.read_text())["runs"][0]["predictions"]["file"]
    file.write_text(file.read_text() + "\n")  # same rows, other bytes
    status, reasons = _status(board)
    assert status == FLAGGED and "changed since it was accepted" in reasons[0]


def test_predictions_and_their_hash_changed_together_are_caught_by_rescoring(entry, board):
    from cmrbench.files import sha256_file
    from cmrbench.predictions import write_predictions

    run = json.loads(entry.read_text())["runs"][0]
    file = board / run["predictions"]["file"]
    predictions = read_predictions(file)
    table = predictions.table.assign(**{"pred:lvef": predictions.table["truth:lvef"]})
    write_predictions(file, table, {k: v for k, v in predictions.header.items()
                                    if k != "cmrbench-predictions"})
    _edit_json(entry, lambda e: e["runs"][0]["predictions"].update(sha256=sha256_file(file)))
    status, reasons = _status(board)
    assert status == FLAGGED and "stored numbers differ" in reasons[0]


def test_truth_edited_on_the_board_is_caught_against_the_store(entry, board, store):
    studies = board / "lvef-linear.studies.csv"
    lines = studies.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("truth:lvef")] = "99.0"
    studies.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    status, reasons = _status(board, stores={"phantom": store})
    assert status == FLAGGED
    assert any("differ from the store's" in r for r in reasons)
    assert any("does not hold the board's test studies and truth" in r for r in reasons)


def test_an_entry_of_another_benchmark_definition_is_flagged(entry, board, tmp_path):
    data = yaml.safe_load((resource_dir("leaderboards") / SUITE / "suite.yaml").read_text())
    data["version"] = 2
    data["benchmarks"]["lvef-linear"]["protocol"]["fraction"] = 0.9
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "suite.yaml").write_text(yaml.safe_dump(data))
    status, reasons = _status(board, suite=load_suite(tmp_path / "v2"))
    assert status == FLAGGED and "another definition of 'lvef-linear'" in reasons[0]


def test_verify_exits_1_when_an_entry_is_flagged(entry, board, capsys):
    assert main(["leaderboard", "verify", SUITE, "--board", str(board)]) == 0
    _edit_json(entry, lambda e: e["runs"][0]["metrics"]["rmse"].update(lower=0.0))
    assert main(["leaderboard", "verify", SUITE, "--board", str(board)]) == 1
    assert "1 entries, 1 flagged" in capsys.readouterr().out


@pytest.fixture
def restricted(tmp_path) -> Path:
    """phantom-v1 with lvef-linear publishing aggregates only (as cmr-v1's UK Biobank does)."""
    data = yaml.safe_load((resource_dir("leaderboards") / SUITE / "suite.yaml").read_text())
    data["benchmarks"]["lvef-linear"]["publication"] = "aggregate"
    folder = tmp_path / "restricted"
    folder.mkdir()
    (folder / "suite.yaml").write_text(yaml.safe_dump(data))
    return folder


def test_restricted_predictions_never_reach_the_board(restricted, store, board, predict,
                                                      tmp_path):
    suite = load_suite(restricted)
    (tmp_path / "holder").mkdir()
    path = predict("holder/predictions.csv")
    entry = submit([path], suite, "lvef-linear", "tiny", store=store, board=board).entry
    assert [p.suffix for p in board.iterdir()] == [".json"]  # no predictions, no studies
    run = entry["runs"][0]
    assert run["predictions"] is None and run["metrics"]["mae"]["value"] > 0
    # aggregates only: subgroups of under 10 studies (6 per group here) are not stated
    assert all(cell["value"] is None and cell["method"].startswith("suppressed")
               for cell in run["subgroups"]["group"].values())
    assert all(cell["n"] == 10 and cell["value"] > 0 for cell in run["subgroups"]["site"].values())
    assert _status(board, suite) == (AGGREGATE, [])
    # the data holder re-scores it from their own copy of the predictions and the store
    assert _status(board, suite, stores={"phantom": store}, private=tmp_path / "holder") == (
        VERIFIED, [])
    # a per-study file of the entry appearing on the board is flagged
    (board / (next(board.glob("*.json")).stem + "--seed0.csv")).write_text(path.read_text())
    status, reasons = _status(board, suite)
    assert status == FLAGGED and "publishes aggregates only" in reasons[0]


@pytest.mark.parametrize("change", [
    lambda e: e["runs"][0].update(metrics="fast"),
    lambda e: e["runs"][0].update(cost=[1, 2]),
    lambda e: e.update(runs=[]),
])
def test_a_malformed_entry_is_flagged_not_fatal(entry, board, change):
    _edit_json(entry, change)
    status, reasons = _status(board)
    assert status == FLAGGED and "entry" in reasons[0]
