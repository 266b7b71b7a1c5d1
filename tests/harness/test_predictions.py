"""The predictions format: what leaderboards accept, written and read back exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cmrbench.predictions import (
    PredictionsError,
    attention_of,
    build_table,
    problems,
    read_predictions,
    write_predictions,
)

HEADER = {"task": "lvef", "dataset": "phantom", "split_sha256": "ab" * 32, "fraction": 0.1}


def table(n: int = 4) -> pd.DataFrame:
    ids = {"study_id": [f"{i:016x}" for i in range(n)], "patient_id": [f"p{i}" for i in range(n)],
           "split": ["test"] * n}
    attention = [{"study": {"4CH/0": 0.25, "SAX/2": 0.75}} for _ in range(n)]
    return build_table(ids, {"lvef": np.linspace(30, 60, n)},
                       {"lvef": np.linspace(31, 59, n) + 1 / 3}, attention)


def test_round_trip_keeps_ids_values_attention_and_header(tmp_path):
    path = tmp_path / "predictions.csv"
    digest = write_predictions(path, table(), HEADER)
    assert len(digest) == 64
    back = read_predictions(path)
    assert back.header == {"cmrbench-predictions": 1, **HEADER}
    assert list(back.table["study_id"]) == [f"{i:016x}" for i in range(4)]
    np.testing.assert_allclose(back.pred("lvef"), np.linspace(31, 59, 4) + 1 / 3, rtol=1e-8)
    assert attention_of(back.table)[2] == {"study": {"4CH/0": 0.25, "SAX/2": 0.75}}
    assert path.read_text().startswith("# cmrbench-predictions: 1\n# task: \"lvef\"\n")


def test_ids_that_look_like_numbers_stay_text(tmp_path):
    t = table()
    t["study_id"] = ["0001", "1e5", "nan1", "0x10"]
    write_predictions(tmp_path / "p.csv", t, HEADER)
    assert list(read_predictions(tmp_path / "p.csv").table["study_id"]) == list(t["study_id"])


@pytest.mark.parametrize(("breakage", "message"), [
    (lambda t: t.drop(columns="patient_id"), "missing column 'patient_id'"),
    (lambda t: t.assign(study_id=["a", "a", "b", "c"]), "1 duplicated study_id"),
    (lambda t: t.assign(**{"pred:lvef": [1.0, np.nan, np.inf, 2.0]}),
     "'pred:lvef' has 2 missing or non-finite"),
    (lambda t: t.drop(columns="pred:lvef"), "no prediction column"),
])
def test_malformed_tables_are_refused_naming_the_problem(tmp_path, breakage, message):
    broken = breakage(table())
    assert any(message in p for p in problems(broken))
    with pytest.raises(PredictionsError, match="refusing to write"):
        write_predictions(tmp_path / "p.csv", broken, HEADER)


def test_a_file_without_the_format_header_is_not_a_predictions_file(tmp_path):
    path = tmp_path / "p.csv"
    table().to_csv(path, index=False)
    with pytest.raises(PredictionsError, match="not a cmrbench predictions file"):
        read_predictions(path)


def test_an_edited_file_with_a_missing_value_is_refused_on_reading(tmp_path):
    path = tmp_path / "p.csv"
    write_predictions(path, table(), HEADER)
    lines = path.read_text().splitlines()
    lines[-1] = ",".join(lines[-1].split(",")[:3] + ["", ""] + lines[-1].split(",")[5:])
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PredictionsError, match="missing or non-finite"):
        read_predictions(path)


def test_a_wide_table_reads_back_as_one_block_per_dtype(tmp_path):
    """A retrieval table carries 1,024 embedding columns; read back one block per column,
    each of the leaderboard bootstrap's thousands of row selections took ~100x longer."""
    ids = {"study_id": [f"{i:016x}" for i in range(6)], "patient_id": [f"p{i}" for i in range(6)],
           "split": ["test"] * 6}
    wide = {f"e{i:04d}": np.arange(6, dtype=float) + i for i in range(300)}
    write_predictions(tmp_path / "wide.csv", build_table(ids, {}, wide), HEADER)
    back = read_predictions(tmp_path / "wide.csv").table
    assert back._mgr.nblocks < 10  # a block per text column, one for the 300 predictions
    np.testing.assert_array_equal(back["pred:e0299"], np.arange(6) + 299.0)
