"""Report sentences: split on sentence ends and lines, k sampled without replacement."""

import numpy as np
import pytest
from cmrbench.data import sample_sentences, split_sentences

REPORT = "LVEF 57.5 %. Normal LV size!  No LGE?\nMild MR\n\nNormal RV. Small effusion."


def test_split_sentences_keeps_decimals_and_splits_lines():
    assert split_sentences(REPORT) == ["LVEF 57.5 %.", "Normal LV size!", "No LGE?", "Mild MR",
                                       "Normal RV.", "Small effusion."]
    assert split_sentences("  ") == []


def test_sample_takes_k_distinct_sentences_in_report_order():
    sentences = split_sentences(REPORT)
    for seed in range(20):
        sample = sample_sentences(REPORT, 3, np.random.default_rng(seed))
        chosen = [s for s in sentences if s in sample]
        assert len(chosen) == 3 and sample == " ".join(chosen)


def test_sample_is_fixed_by_the_seed_and_varies_between_seeds():
    def draw(seed):
        return sample_sentences(REPORT, 3, np.random.default_rng(seed))

    assert draw(3) == draw(3)
    assert len({draw(seed) for seed in range(30)}) > 5


def test_short_report_is_returned_whole():
    assert sample_sentences("One. Two.", 5, np.random.default_rng(0)) == "One. Two."
    assert sample_sentences("", 5, np.random.default_rng(0)) == ""


def test_k_below_one_is_an_error():
    with pytest.raises(ValueError, match="k must be at least 1"):
        sample_sentences(REPORT, 0, np.random.default_rng(0))
