"""``cmrbench phantom``: writes a layout plus truth.csv, and refuses unsafe output folders."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cmrbench.cli import main
from cmrbench.cli.commands import phantom as command
from cmrbench.phantom import LAYOUTS, generate_cohort, write_layout

FAST = ["--n", "2", "--seed", "4", "--matrix", "48", "--frames", "8", "--quiet"]


def test_writes_the_layout_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "acdc"
    assert main(["phantom", "--layout", "acdc", "--out", str(out), *FAST]) == 0
    truth = pd.read_csv(out / "truth.csv")
    assert {"study_id", "patient_id", "group", "edv_ml", "esv_ml", "lvef"} <= set(truth.columns)
    assert list(truth["study_id"]) == ["patient001", "patient002"]
    assert (out / "database" / "training" / "patient002" / "Info.cfg").is_file()
    assert "wrote 2 acdc studies" in capsys.readouterr().out


def test_refuses_a_non_empty_folder_unless_told_to_overwrite(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "kaggle"
    args = ["phantom", "--layout", "kaggle", "--out", str(out), *FAST]
    assert main(args) == 0
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    (out / "stale.txt").write_text("left over")
    assert main([*args, "--overwrite"]) == 0
    assert not (out / "stale.txt").exists()


def test_overwrite_never_deletes_a_folder_that_is_not_a_cohort(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    keep = tmp_path / "thesis.tex"
    keep.write_text("precious")
    assert main(["phantom", "--layout", "ukbb", "--out", str(tmp_path), "--overwrite",
                 *FAST]) == 2
    assert "not a phantom cohort" in capsys.readouterr().err
    assert keep.read_text() == "precious"


@pytest.mark.parametrize("option, value", [("--n", "0"), ("--matrix", "8"), ("--frames", "3")])
def test_bad_numbers_are_refused_with_the_option_named(
        option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["phantom", "--layout", "clinical", "--out", str(tmp_path / "x"), *FAST]
    assert main([*args, option, value]) == 2
    assert option in capsys.readouterr().err


def test_command_offers_exactly_the_phantom_layouts() -> None:
    assert command.LAYOUT_CHOICES == LAYOUTS


def test_write_layout_refuses_studies_made_for_another_layout(tmp_path: Path) -> None:
    studies = generate_cohort(1, 0, "acdc", matrix=48, frames=8)
    with pytest.raises(ValueError, match="layout='kaggle'"):
        write_layout("kaggle", studies, tmp_path)
