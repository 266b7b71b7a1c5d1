"""load_weights fits any recognised file to an encoder, strictly, and says what it did."""

from __future__ import annotations

import hashlib

import pytest
import torch
from cmrbench.weights import WeightsError, load_weights, save_weights
from torch import nn


class Backbone(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv1d(3, 8, 3)
        self.norm = nn.BatchNorm1d(8)
        self.head = nn.Identity()  # the classifier is dropped in the encoder


class Encoder(nn.Module):
    """The shape of every cmrbench encoder: ``backbone`` then ``projection``."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = Backbone()
        self.projection = nn.Linear(8, 4)


def classifier_state() -> dict[str, torch.Tensor]:
    """A backbone-only state dict as torchvision writes it, classifier included."""
    state = {k: torch.randn_like(v) if v.is_floating_point() else v
             for k, v in Backbone().state_dict().items()}
    return {**state, "head.1.weight": torch.randn(400, 8), "head.1.bias": torch.randn(400)}


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_save_then_load_reproduces_every_tensor_and_names_the_initialisation(tmp_path):
    source, target = Encoder(), Encoder()
    path = tmp_path / "contrastive.safetensors"
    digest = save_weights(source, path, encoder="toy", initialisation="contrastive",
                          metadata={"epochs": "600"})

    result = load_weights(target, path)

    assert same_weights(source, target)
    assert result.format == "cmrbench"
    assert result.initialisation == "contrastive"
    assert result.sha256 == digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.report.ok and result.report.target == ""
    assert result.provenance == {"weights_path": str(path), "weights_sha256": digest,
                                 "weights_format": "cmrbench", "initialisation": "contrastive"}


def test_a_lightning_checkpoint_loads_with_its_prefix_stripped(tmp_path):
    source, target = Encoder(), Encoder()
    text_keys = {"model.text_encoder.projection.weight": torch.randn(4, 6)}
    path = tmp_path / "last.ckpt"
    torch.save({"state_dict": {**{f"model.video_encoder.{k}": v
                                  for k, v in source.state_dict().items()}, **text_keys},
                "epoch": 599}, path)

    result = load_weights(target, path, initialisation="contrastive")

    assert same_weights(source, target)
    assert result.format == "lightning"
    assert result.report.prefix == "model.video_encoder."
    assert result.report.ignored == tuple(text_keys)
    assert "ignored, outside prefix 'model.video_encoder.'" in result.report.render()


def test_a_data_parallel_prefix_is_stripped_too(tmp_path):
    source, target = Encoder(), Encoder()
    path = tmp_path / "ddp.pt"
    torch.save({f"module.{k}": v for k, v in source.state_dict().items()}, path)

    assert load_weights(target, path).report.prefix == "module."
    assert same_weights(source, target)


def test_a_kinetics_file_needs_its_classifier_excluded_explicitly(tmp_path):
    path = tmp_path / "kinetics.pth"
    torch.save(classifier_state(), path)
    encoder = Encoder()
    before = {k: v.clone() for k, v in encoder.state_dict().items()}

    with pytest.raises(WeightsError) as error:
        load_weights(encoder, path)

    message = str(error.value)
    assert "unexpected in the file (2): head.1.weight, head.1.bias" in message
    assert "exclude=('head',)" in message
    assert "the module is unchanged" in message
    assert error.value.report.unexpected == ("head.1.weight", "head.1.bias")
    assert all(torch.equal(before[k], v) for k, v in encoder.state_dict().items())


def test_a_kinetics_file_loads_into_the_backbone_and_leaves_the_projection(tmp_path):
    state = classifier_state()
    path = tmp_path / "kinetics.pth"
    torch.save(state, path)
    encoder = Encoder()
    projection = encoder.projection.weight.clone()

    result = load_weights(encoder, path, exclude=("head",))

    assert result.format == "torchvision-kinetics400"
    assert result.initialisation == "kinetics400"
    assert result.report.target == "backbone"
    assert result.report.excluded == ("head.1.weight", "head.1.bias")
    assert result.report.kept == ("projection.weight", "projection.bias")
    assert torch.equal(encoder.backbone.stem.weight, state["stem.weight"])
    assert torch.equal(encoder.projection.weight, projection)


def test_a_mis_shaped_key_is_reported_with_both_shapes(tmp_path):
    state = Encoder().state_dict()
    state["projection.weight"] = torch.randn(5, 8)
    path = tmp_path / "other-config.pt"
    torch.save(state, path)

    with pytest.raises(WeightsError, match=r"projection.weight: file \[5, 8\] vs module \[4, 8\]"):
        load_weights(Encoder(), path)


def test_excluding_a_part_means_it_is_neither_loaded_nor_required(tmp_path):
    state = Encoder().state_dict()
    state["projection.weight"] = torch.randn(5, 8)
    path = tmp_path / "other-projection.pt"
    torch.save(state, path)
    encoder = Encoder()

    result = load_weights(encoder, path, exclude=("projection",))

    assert result.report.ok
    assert torch.equal(encoder.backbone.stem.weight, state["backbone.stem.weight"])


def test_non_strict_loads_what_fits_and_reports_the_rest(tmp_path):
    state = Encoder().state_dict()
    del state["projection.bias"]
    path = tmp_path / "partial.pt"
    torch.save(state, path)
    encoder = Encoder()

    result = load_weights(encoder, path, strict=False)

    assert result.report.missing == ("projection.bias",)
    assert not result.report.ok
    assert torch.equal(encoder.projection.weight, state["projection.weight"])


def test_a_file_for_another_model_is_named_as_such(tmp_path):
    path = tmp_path / "unrelated.pt"
    torch.save({"encoder.layer.0.attention.weight": torch.ones(2)}, path)
    with pytest.raises(WeightsError, match="is this the weights file for this encoder"):
        load_weights(Encoder(), path, strict=False)


def test_the_initialisation_defaults_to_the_file_name(tmp_path):
    path = tmp_path / "my-own-init.pt"
    torch.save(Encoder().state_dict(), path)
    assert load_weights(Encoder(), path).initialisation == "my-own-init"
    assert load_weights(Encoder(), path, initialisation="random").initialisation == "random"


def test_save_weights_refuses_non_string_metadata(tmp_path):
    with pytest.raises(WeightsError, match="strings to strings"):
        save_weights(Encoder(), tmp_path / "x.safetensors", encoder="toy",
                     initialisation="random", metadata={"epochs": 600})
    assert list(tmp_path.iterdir()) == []
