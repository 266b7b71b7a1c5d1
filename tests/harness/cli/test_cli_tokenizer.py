"""`cmrbench tokenizer build`: a vocabulary from the training role's reports alone, and the
compression it prints."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from cmrbench.cli import main
from cmrbench.store import StudyRecord, ViewVolume, build_index, write_study
from cmrbench.tokenizer import read_vocabulary, split_template

HELD_OUT_SENTENCE = "Incidental hiatus hernia of 31 mm, planted in held-out reports only."
TRAINING_SENTENCE = "Incidental renal cyst of 12 mm, planted in training reports only."
SPLITS = ["train"] * 30 + ["val"] * 10 + ["test"] * 10


def tiny_view() -> ViewVolume:
    return ViewVolume(cine=np.zeros((1, 2, 8, 8), np.uint16), pixel_spacing=(1.0, 1.0),
                      slice_thickness=8.0, frame_times_ms=np.arange(2) * 30.0,
                      slice_positions_mm=np.zeros(1))


@pytest.fixture(scope="module")
def store(tmp_path_factory, phantom_reports):
    """50 phantom-report studies of the phantom dataset (the card's roles: train, val, test);
    one sentence planted in three validation and three test reports, another in three
    training reports."""
    root = tmp_path_factory.mktemp("tokenizer-store")
    for number, split in enumerate(SPLITS):
        report = phantom_reports[number]
        if split != "train" and number % 10 < 3:
            report += " " + HELD_OUT_SENTENCE
        if split == "train" and number < 3:
            report += " " + TRAINING_SENTENCE
        write_study(root, StudyRecord(study_id=f"s{number:03d}", patient_id=f"p{number:03d}",
                                      dataset="phantom", views={"4CH": tiny_view()}, labels={},
                                      report=report, meta={"split": split}))
    build_index(root)
    return root


def test_the_vocabulary_comes_from_training_reports_only(store, tmp_path, capsys):
    out = tmp_path / "vocab.json"
    assert main(["tokenizer", "build", str(store), "--out", str(out)]) == 0
    vocabulary = read_vocabulary(out)
    assert split_template(TRAINING_SENTENCE)[0] in vocabulary.templates  # the control
    planted = split_template(HELD_OUT_SENTENCE)[0]
    assert planted not in vocabulary.templates
    assert not any("hiatus" in piece for t in vocabulary.templates for piece in t)
    assert vocabulary.built_from["reports"] == 30
    assert vocabulary.built_from["splits"] == ["train"]
    printed = capsys.readouterr().out
    assert f"sha256 {vocabulary.sha256}" in printed
    assert json.loads(out.read_text())["format_version"] == 1


def test_the_template_tokenizer_needs_at_most_a_fifth_of_the_word_pieces(store, tmp_path,
                                                                         capsys):
    assert main(["tokenizer", "build", str(store), "--out", str(tmp_path / "v.json")]) == 0
    printed = capsys.readouterr().out
    means = dict(re.findall(r"^(template tokens|word pieces)\s+([\d.]+)", printed, re.M))
    assert float(means["template tokens"]) <= float(means["word pieces"]) / 5
    ratio = float(re.search(r"template / word pieces: ([\d.]+)", printed).group(1))
    assert ratio == pytest.approx(float(means["template tokens"])
                                  / float(means["word pieces"]), abs=2e-3)


def test_a_card_whose_training_split_is_absent_is_refused(store, tmp_path, capsys):
    card = tmp_path / "card.yaml"
    from cmrbench.cards import card_path

    text = card_path("phantom").read_text() + (
        "roles: {train: t1, val: val, test: test, pretrain: t2, pretrain_val: v2}\n")
    card.write_text(text)
    code = main(["tokenizer", "build", str(store), "--out", str(tmp_path / "v.json"),
                 "--card", str(card)])
    assert code == 2
    assert "plays a training role" in capsys.readouterr().err
    assert not (tmp_path / "v.json").exists()
