"""template-text in pretraining and the zeroshot mode's retrieval, like any text encoder:
named by --text-encoder, its vocabulary a --text-option, its sha256 in every provenance."""

from __future__ import annotations

import json
from pathlib import Path

from cmrbench.cli import main
from cmrbench.files import sha256_file
from cmrbench.pretraining import PretrainConfig, exported_weights, run_pretraining

VIDEO, TEXT = "r3d-18-tiny", "template-text"


def test_a_pretraining_and_its_retrieval_read_the_template_vocabulary(small_store: Path,
                                                                      tmp_path: Path):
    vocabulary = tmp_path / "vocab.json"
    assert main(["tokenizer", "build", str(small_store), "--out", str(vocabulary)]) == 0
    sha = sha256_file(vocabulary)
    result = run_pretraining(PretrainConfig(
        video_encoder=VIDEO, text_encoder=TEXT, text_options={"vocabulary": str(vocabulary)},
        store=small_store, out=tmp_path / "pretrain", max_steps=2, batch_size=8, sentences=32,
        checkpoint_every=1000, val_every=1000), progress=False)
    assert result["provenance"]["text"]["encoder_files"]["vocabulary_sha256"] == sha
    weights = exported_weights(tmp_path / "pretrain")
    assert main(["run", "--encoder", VIDEO, "--dataset", "phantom", "--store", str(small_store),
                 "--task", "retrieval", "--mode", "zeroshot", "--weights", str(weights["video"]),
                 "--text-encoder", TEXT, "--text-option", f"vocabulary={vocabulary}",
                 "--text-weights", str(weights["text"]), "--out", str(tmp_path / "retrieval"),
                 "--no-progress"]) == 0
    retrieval = json.loads((tmp_path / "retrieval" / "result.json").read_text())
    assert 0.0 <= retrieval["metrics"]["study_to_report_recall_at_5"]["value"] <= 1.0
    assert json.dumps(retrieval["provenance"]).count(sha) >= 1
