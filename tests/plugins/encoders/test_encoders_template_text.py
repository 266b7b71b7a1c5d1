"""The template text encoder: conformance, projection and L2 norm, its vocabulary in its
weights and in provenance."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from functools import partial

import pytest
import torch
from cmrbench.embedding import build_encoder
from cmrbench.files import sha256_file
from cmrbench.plugins.encoders import template_text
from cmrbench.testing import check_encoder, check_plugin
from cmrbench.tokenizer import VocabularyError, mine_vocabulary
from cmrbench.tokenizer.tokenizer import BOS, TEMPLATE_BASE, VALUE_BASE
from cmrbench.weights import load_weights, save_weights
from torch.nn import functional as F

PLUGIN = check_plugin(template_text, "template-text")
SPEC = PLUGIN.encoder("template-text")
REPORTS = ["The left ventricular ejection fraction is 55%. Normal right ventricle.",
           "The left ventricular ejection fraction is 31%. Dilated left ventricle."]


@pytest.fixture(scope="module")
def vocabulary_path(tmp_path_factory, wordpieces):
    path = tmp_path_factory.mktemp("vocab") / "vocab.json"
    mine_vocabulary(REPORTS, wordpieces.identity()).write(path)
    return path


@pytest.fixture(scope="module")
def encoder(vocabulary_path):
    torch.manual_seed(0)
    return template_text.build_template_text(vocabulary_path, max_tokens=8).eval()


def test_the_encoder_conforms(vocabulary_path):
    check_encoder(SPEC, vocabulary=vocabulary_path)


def test_the_output_is_the_512_d_projection_l2_normalised(encoder):
    batch = encoder.tokenize(["The left ventricular ejection fraction is 40%.",
                              "Some words the templates never saw, 12 of them."])
    output = encoder(**batch)
    assert encoder.projection.out_features == SPEC.embed_dim == 512
    assert torch.allclose(output.norm(dim=-1), torch.ones(2), atol=1e-6)
    expected = F.normalize(encoder.projection(encoder.features(**batch)), dim=-1)
    assert torch.allclose(output, expected, atol=1e-6)


def test_tokenize_starts_with_bos_and_cuts_at_max_tokens(encoder):
    phrase = TEMPLATE_BASE + encoder.tokenizer.vocabulary.templates.index(
        ("The left ventricular ejection fraction is ", "%."))
    batch = encoder.tokenize(["The left ventricular ejection fraction is 40%.", "word " * 50])
    assert batch["input_ids"][0, :3].tolist() == [BOS, phrase, VALUE_BASE + 40]
    assert batch["attention_mask"][0].tolist() == [1, 1, 1] + [0] * 5
    assert batch["input_ids"].shape == (2, 8) and batch["attention_mask"][1].all()


def test_the_value_in_a_slot_changes_the_embedding(encoder):
    low, high = encoder(**encoder.tokenize(["The left ventricular ejection fraction is 20%.",
                                            "The left ventricular ejection fraction is 70%."]))
    assert not torch.allclose(low, high, atol=1e-4)


def test_a_value_reaches_the_embedding_through_its_number_not_only_its_token(encoder):
    """With every value token's own embedding zeroed, the numeric embedding alone still
    tells 20% from 70%: what lets a value never seen in training mean something."""
    numeric_only = copy.deepcopy(encoder)
    with torch.no_grad():
        numeric_only.backbone.tokens.weight[VALUE_BASE:TEMPLATE_BASE] = 0.0
    low, high = numeric_only(**numeric_only.tokenize([
        "The left ventricular ejection fraction is 20%.",
        "The left ventricular ejection fraction is 70%."]))
    assert not torch.allclose(low, high, atol=1e-4)


def test_the_vocabulary_is_required_and_the_error_says_how_to_build_one():
    with pytest.raises(ValueError, match="cmrbench tokenizer build"):
        template_text.build_template_text()


def test_weights_refuse_an_encoder_reading_another_vocabulary(encoder, tmp_path, wordpieces):
    other = tmp_path / "other.json"
    mine_vocabulary([r.replace("left ventricular", "LV") for r in REPORTS],
                    wordpieces.identity()).write(other)
    weights = tmp_path / "w.safetensors"
    save_weights(encoder, weights, encoder="template-text", initialisation="test")
    stranger = template_text.build_template_text(other, max_tokens=8)
    assert len(stranger.tokenizer.vocabulary.templates) == len(
        encoder.tokenizer.vocabulary.templates)
    with pytest.raises(VocabularyError, match="trained with the template vocabulary sha256"):
        load_weights(stranger, weights)


def test_the_vocabulary_sha256_is_in_the_provenance(vocabulary_path):
    spec = dataclasses.replace(SPEC, factory=partial(template_text.build_template_text,
                                                     vocabulary=vocabulary_path))
    _, provenance = build_encoder(spec)
    assert provenance["encoder_files"]["vocabulary_sha256"] == sha256_file(vocabulary_path)
    assert provenance["encoder"] == "template-text"


def test_listing_the_encoder_imports_no_torch():
    code = ("import sys\n"
            "from cmrbench.plugins.encoders import template_text\n"
            "template_text.cmrbench_encoders()\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
