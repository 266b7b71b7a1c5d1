"""Every built-in encoder passes the conformance checks any plugin author runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from cmrbench.plugins.encoders import text, torchvision_video
from cmrbench.testing import check_encoder, check_plugin

VIDEO = check_plugin(torchvision_video, "torchvision-video")
TEXT = check_plugin(text, "text-encoders")
TINY_VIDEO = [e.spec for e in VIDEO.entries("encoder") if "tiny" in e.spec.tags]


def test_the_torchvision_plugin_lists_full_and_tiny_encoders():
    assert VIDEO.names("encoder") == [
        "mvit-b-16x4", "mvit-b-16x4-tiny", "mvit-v2-s", "mvit-v2-s-tiny",
        "r2plus1d-18", "r2plus1d-18-tiny", "r3d-18", "r3d-18-tiny"]
    assert VIDEO.encoder("mvit-b-16x4").tags == ("torchvision", "reference")
    assert "torchvision-kinetics400" in VIDEO.encoder("r3d-18").weights


def test_the_text_plugin_lists_a_path_encoder_and_the_bundled_one():
    assert TEXT.names("encoder") == ["bert", "bert-minilm-l6"]
    assert all(e.spec.modality == "text" for e in TEXT.entries("encoder"))


@pytest.mark.parametrize("spec", TINY_VIDEO, ids=lambda spec: spec.name)
def test_tiny_video_encoders_conform(spec):
    model = check_encoder(spec)

    video = torch.randn(2, *spec.input.shape)
    assert model.features(video).shape == (2, model.projection.in_features)
    assert model.projection.out_features == spec.embed_dim
    assert model.classifier == ("head" if spec.name.startswith("mvit") else "fc")


def test_the_bundled_text_encoder_conforms():
    check_encoder(TEXT.encoder("bert-minilm-l6"))


def test_the_path_text_encoder_conforms_with_cls_pooling_and_nothing_frozen():
    model = check_encoder(TEXT.encoder("bert"), model_path=text.minilm_path(), pooling="cls",
                          freeze_layers=0)
    assert all(p.requires_grad for p in model.parameters())


def test_listing_encoders_imports_no_torch():
    code = ("import sys\n"
            "from cmrbench.plugins.encoders import pytorchvideo_video, text, torchvision_video\n"
            "for plugin in (pytorchvideo_video, text, torchvision_video):\n"
            "    plugin.cmrbench_encoders()\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
