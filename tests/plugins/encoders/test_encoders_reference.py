"""Full-size encoders: the reference parameter count, and Kinetics weights loaded by path.

Full-size models are counted and compared on the meta device (no memory, no initialisation
cost), and each passes the full conformance check once with a batch of one (about 60 s on two
CPU cores in all); the tiny twins carry the rest of the forward-pass testing.
"""

from __future__ import annotations

import pytest
import torch
from cmrbench.plugins.encoders import torchvision_video
from cmrbench.registry import BUILTIN_DISTRIBUTION, get_registry
from cmrbench.testing import check_encoder
from cmrbench.weights import WeightsError, load_weights
from torch import nn
from torchvision.models import video

REFERENCE_PARAMS, TOLERANCE = 36.3e6, 0.5e6  # MViT-B 16x4 "with a small head"
PROJECTION_PARAMS = 768 * 512 + 512


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def test_torchvision_mvit_b_with_a_one_output_head_matches_the_reference():
    with torch.device("meta"):
        model = video.mvit_v1_b(weights=None, num_classes=1)
    assert abs(count(model) - REFERENCE_PARAMS) <= TOLERANCE


def test_the_cmrbench_mvit_b_backbone_with_a_one_output_head_matches_the_reference():
    with torch.device("meta"):
        encoder = torchvision_video.build_encoder("mvit-b-16x4")
        head = nn.Linear(encoder.projection.in_features, 1)
    assert abs(count(encoder.backbone) + count(head) - REFERENCE_PARAMS) <= TOLERANCE
    assert count(encoder.projection) == PROJECTION_PARAMS


@pytest.mark.parametrize("name, builder, classifier", [
    ("mvit-v2-s", video.mvit_v2_s, "head"),
    ("r3d-18", video.r3d_18, "fc"),
    ("r2plus1d-18", video.r2plus1d_18, "fc"),
])
def test_full_size_backbones_are_torchvision_models_without_their_classifier(name, builder,
                                                                             classifier):
    with torch.device("meta"):
        reference = builder(weights=None)
        encoder = torchvision_video.build_encoder(name)
    kept = {k for k in reference.state_dict() if not k.startswith(classifier + ".")}
    assert set(encoder.backbone.state_dict()) == kept


# The built-ins only: a third-party encoder installed alongside is its authors' to test.
FULL_SIZE = [entry.spec for entry in get_registry().entries("encoder")
             if entry.provider.distribution == BUILTIN_DISTRIBUTION
             and entry.spec.modality == "video" and "tiny" not in entry.spec.tags]


def test_every_full_size_video_encoder_is_checked():
    names = {spec.name for spec in FULL_SIZE}
    assert {"mvit-b-16x4", "mvit-v2-s", "r3d-18", "r2plus1d-18"} <= names


@pytest.mark.parametrize("spec", FULL_SIZE, ids=lambda spec: spec.name)
def test_full_size_encoders_conform_on_their_declared_input(spec):
    encoder = check_encoder(spec, batch_size=1)
    with torch.no_grad():
        embedding = encoder(torch.randn(1, *spec.input.shape))
    assert torch.allclose(embedding.norm(dim=-1), torch.ones(1))


def test_a_torchvision_kinetics_file_loads_through_the_public_path(tmp_path):
    torch.manual_seed(0)
    kinetics = video.r3d_18(weights=None)  # stands in for the downloaded r3d_18-b3b3357e.pth
    path = tmp_path / "r3d_18-kinetics400.pth"
    torch.save(kinetics.state_dict(), path)
    encoder = torchvision_video.build_encoder("r3d-18")

    with pytest.raises(WeightsError, match=r"exclude=\('fc',\)"):
        load_weights(encoder, path)
    result = load_weights(encoder, path, exclude=(encoder.classifier,))

    assert (result.format, result.initialisation) == ("torchvision-kinetics400", "kinetics400")
    assert result.report.target == "backbone" and result.report.excluded == ("fc.weight",
                                                                             "fc.bias")
    kinetics.fc = nn.Identity()
    clip = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        assert torch.equal(encoder.eval().features(clip), kinetics.eval()(clip))


def test_kinetics_mvit_weights_load_into_the_reference_encoder(tmp_path):
    torch.manual_seed(1)
    kinetics = video.mvit_v1_b(weights=None)
    path = tmp_path / "mvit_v1_b-kinetics400.pth"
    torch.save(kinetics.state_dict(), path)
    mvit_b = torchvision_video.build_encoder("mvit-b-16x4")

    assert mvit_b.classifier == "head"
    result = load_weights(mvit_b, path, exclude=(mvit_b.classifier,))

    assert result.report.ok and len(result.report.loaded) == len(kinetics.state_dict()) - 2
    loaded = mvit_b.backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in kinetics.state_dict().items()
               if not k.startswith("head."))
