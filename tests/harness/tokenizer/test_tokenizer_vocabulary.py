"""Mining the template vocabulary, and its versioned file."""

from __future__ import annotations

import json

import pytest
from cmrbench.tokenizer import VocabularyError, mine_vocabulary, read_vocabulary
from cmrbench.tokenizer.vocabulary import FORMAT_VERSION

WORDPIECE = {"vocab_sha256": "0" * 64, "size": 30522}


def test_a_template_counts_the_reports_that_write_it_whatever_the_numbers():
    reports = ["LVEF is 57%. LVEF is 58%. Normal RV.",   # twice in one report: counted once
               "LVEF is 31%. Dilated LV.",
               "Dilated LV. Normal RV. Seen once only."]
    vocabulary = mine_vocabulary(reports, WORDPIECE, min_reports=2)
    assert dict(zip(vocabulary.templates, vocabulary.reports, strict=True)) == {
        ("Dilated LV.",): 2, ("LVEF is ", "%."): 2, ("Normal RV.",): 2}
    assert vocabulary.templates[0] == ("Dilated LV.",)  # ties ordered by text
    assert mine_vocabulary(reports, WORDPIECE, min_reports=3).templates == ()


def test_a_sentence_whose_numbers_tokens_cannot_spell_is_not_a_template():
    reports = ["Heart rate 1200 bpm."] * 3
    assert mine_vocabulary(reports, WORDPIECE).templates == ()


def test_the_file_is_versioned_and_its_bytes_depend_only_on_the_corpus(tmp_path,
                                                                        phantom_reports):
    corpus = phantom_reports[:60]
    first = mine_vocabulary(corpus, WORDPIECE, built_from={"reports": 60}).write(tmp_path / "a")
    again = mine_vocabulary(list(reversed(corpus)), WORDPIECE,
                            built_from={"reports": 60}).write(tmp_path / "b")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert first.sha256 == again.sha256 and len(first.sha256) == 64
    data = json.loads((tmp_path / "a").read_text())
    assert data["format_version"] == FORMAT_VERSION
    assert data["built_from"] == {"reports": 60, "min_reports": 2}
    assert read_vocabulary(tmp_path / "a").templates == first.templates
    other = mine_vocabulary(phantom_reports[60:120], WORDPIECE).write(tmp_path / "c")
    assert other.sha256 != first.sha256


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(format_version=99), "format_version 99 is not 1"),
    (lambda d: d.update(format="other"), "format is not"),
    (lambda d: d["wordpiece"].pop("vocab_sha256"), "wordpiece.vocab_sha256"),
    (lambda d: d["templates"].append({"pieces": 3}), r"templates\[1\].pieces"),
])
def test_a_malformed_file_is_refused_naming_the_field(tmp_path, edit, message):
    path = tmp_path / "vocab.json"
    mine_vocabulary(["LVEF is 5%.", "LVEF is 6%."], WORDPIECE).write(path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(VocabularyError, match=message):
        read_vocabulary(path)


def test_a_missing_file_says_how_to_build_one(tmp_path):
    with pytest.raises(VocabularyError, match="cmrbench tokenizer build"):
        read_vocabulary(tmp_path / "nowhere.json")
