"""The zeroshot mode reads a report as its text encoder was pretrained to read it: in windows of
the encoder's own sentences, or one sentence at a time when its weights were pretrained on
cached single-sentence features. What the weights were pretrained on comes from their
provenance (the export's header), and the run records the window it used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cmrbench.cli import main
from cmrbench.pretraining import PretrainConfig, exported_weights, run_pretraining
from cmrbench.registry import get_registry
from cmrbench.training.zeroshot import report_window

VIDEO, TEXT = "r3d-18-tiny", "bert-minilm-l6"


def text_spec():
    return get_registry().entry("encoder", TEXT).spec


@pytest.mark.parametrize(("provenance", "window"), [
    ({"pretraining": {"text_features": "cached-sentences"}}, 1),
    ({"pretraining": {"text_features": "joint"}}, None),
    ({"initialisation": "language-model"}, None),      # no pretraining: the encoder's window
])
def test_the_window_is_one_sentence_only_after_cached_sentence_pretraining(provenance, window):
    spec = text_spec()
    assert spec.input.sentences == 5   # the reference's 5 sentences per step (SPEC §1)
    assert report_window(spec, provenance) == (window or spec.input.sentences)


def test_a_retrieval_run_reads_cached_sentence_weights_one_sentence_at_a_time(small_store: Path,
                                                                              tmp_path: Path):
    run = tmp_path / "pretrain"
    run_pretraining(PretrainConfig(video_encoder=VIDEO, text_encoder=TEXT, store=small_store,
                                   out=run, max_steps=2, batch_size=8, freeze_text_layers=6,
                                   text_features="cached-sentences", augment=False,
                                   checkpoint_every=1000, val_every=1000), progress=False)
    weights = exported_weights(run)
    assert main(["run", "--encoder", VIDEO, "--dataset", "phantom", "--store", str(small_store),
                 "--task", "retrieval", "--mode", "zeroshot", "--weights", str(weights["video"]),
                 "--text-encoder", TEXT, "--text-weights", str(weights["text"]),
                 "--out", str(tmp_path / "retrieval"), "--no-progress"]) == 0
    provenance = json.loads((tmp_path / "retrieval" / "result.json").read_text())["provenance"]
    assert provenance["text"]["report_window_sentences"] == 1
    assert provenance["text"]["pretraining"]["text_features"] == "cached-sentences"
    # both encoders' provenance names the pretraining run they were exported from
    assert provenance["text"]["pretraining"]["run"] == str(run.resolve())
    assert provenance["pretraining"]["run"] == str(run.resolve())
    assert provenance["initialisation"] == "contrastive"
