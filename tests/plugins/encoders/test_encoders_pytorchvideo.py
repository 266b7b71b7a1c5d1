"""pytorchvideo encoders: absent without the library, conforming with it."""

from __future__ import annotations

import sys

import pytest
import torch
from cmrbench.plugins.encoders import pytorchvideo_video
from cmrbench.registry import registry_from_plugins
from cmrbench.weights import load_weights


def test_without_pytorchvideo_the_plugin_lists_nothing_and_reports_no_problem(monkeypatch):
    monkeypatch.setitem(sys.modules, "pytorchvideo", None)  # import now fails, as if absent
    registry = registry_from_plugins({"pytorchvideo-video": pytorchvideo_video})
    assert registry.names("encoder") == []
    assert registry.problems == ()


@pytest.fixture(scope="module")
def registry():
    # scripts/setup.sh installs the pytorchvideo extra, so these run in CI, never skip
    from cmrbench.testing import check_plugin

    return check_plugin(pytorchvideo_video, "pytorchvideo-video")


@pytest.mark.parametrize("name, classifier", [("pytorchvideo-mvit-b-tiny", "head"),
                                              ("pytorchvideo-slow-r50-tiny", "blocks.5")])
def test_tiny_pytorchvideo_encoders_conform(registry, name, classifier):
    from cmrbench.testing import check_encoder

    assert check_encoder(registry.encoder(name)).classifier == classifier


def test_the_pytorchvideo_mvit_b_backbone_has_the_reference_size(registry):
    encoder = registry.encoder("pytorchvideo-mvit-b").factory()  # its init needs real tensors
    backbone = sum(p.numel() for p in encoder.backbone.parameters())
    assert abs(backbone + encoder.projection.in_features + 1 - 36.3e6) <= 0.5e6


def test_a_pytorchvideo_checkpoint_loads_with_its_head_excluded(registry, tmp_path):
    from cmrbench.plugins.encoders._pytorchvideo_backbones import (
        TINY_MVIT_CONFIG,
        create_multiscale_vision_transformers,
    )

    torch.manual_seed(0)
    source = create_multiscale_vision_transformers(**TINY_MVIT_CONFIG)  # 400-class head
    path = tmp_path / "MVIT_B_tiny.pyth"
    torch.save({"model_state": source.state_dict(), "epoch": 1}, path)
    encoder = registry.encoder("pytorchvideo-mvit-b-tiny").factory()

    result = load_weights(encoder, path, exclude=(encoder.classifier,))

    assert result.format == "pytorchvideo" and result.report.target == "backbone"
    assert result.report.excluded == ("head.proj.weight", "head.proj.bias")
    source.head.proj = torch.nn.Identity()
    clip = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        assert torch.equal(encoder.eval().features(clip), source.eval()(clip))
