"""The built-in pretrained tags say what their publishers publish, as installed here, and each
published file's layout fits its encoder with exactly the declared classifier left out.

Truth: torchvision's weight enums (``MViT_V1_B_Weights.KINETICS400_V1.url`` / ``.meta``),
torch.hub's file-name hash convention (``torch.hub.HASH_REGEX``: the hex after the last '-'
is a sha256 prefix), pytorchvideo's hub ``checkpoint_paths``, and the architectures themselves
(built on the meta device: shapes only, nothing allocated, nothing downloaded)."""

import importlib
import warnings
from pathlib import Path

import pytest
import torch
from cmrbench.plugins.encoders import pytorchvideo_video, torchvision_video
from cmrbench.registry import registry_from_plugins
from cmrbench.tags import tag_for
from cmrbench.weights.align import align, match
from cmrbench.weights.formats import detect
from cmrbench.weights.report import under
from cmrbench.weights.safe_load import RawWeights
from torchvision.models import video

TORCHVISION = {
    "mvit-b-16x4": (video.MViT_V1_B_Weights.KINETICS400_V1, video.mvit_v1_b),
    "mvit-v2-s": (video.MViT_V2_S_Weights.KINETICS400_V1, video.mvit_v2_s),
    "r3d-18": (video.R3D_18_Weights.KINETICS400_V1, video.r3d_18),
    "r2plus1d-18": (video.R2Plus1D_18_Weights.KINETICS400_V1, video.r2plus1d_18),
}
# scripts/setup.sh installs the pytorchvideo extra, so these run in CI
PYTORCHVIDEO = {"pytorchvideo-mvit-b": ("vision_transformers", "mvit_base_16x4", "head"),
                "pytorchvideo-slow-r50": ("resnet", "slow_r50", "blocks.5")}


@pytest.fixture(scope="module")
def registry():
    return registry_from_plugins({"tv": torchvision_video, "ptv": pytorchvideo_video})


def kinetics(registry, encoder):
    return tag_for(registry.encoder(encoder), "kinetics400").weights


def fits(registry, encoder, published_state, exclude):
    """The load report of the published layout on the encoder (meta tensors: shapes only)."""
    with torch.device("meta"):
        module = registry.encoder(encoder).factory()
    checkpoint = detect(RawWeights(Path("published"), "torch", published_state))
    return checkpoint.format, module, match(checkpoint, module, align(checkpoint, module),
                                            exclude).report


@pytest.mark.parametrize("encoder", sorted(TORCHVISION))
def test_torchvision_tags_copy_the_installed_weight_enums(registry, encoder):
    enum, _ = TORCHVISION[encoder]
    weights = kinetics(registry, encoder)
    assert weights.url == enum.url
    assert weights.filename == enum.url.rsplit("/", 1)[1]
    assert weights.sha256 == torch.hub.HASH_REGEX.search(weights.filename).group(1)
    published = enum.meta["_metrics"]["Kinetics-400"]
    assert weights.accuracy == {f"Kinetics-400 {k}": v for k, v in published.items()}
    assert weights.size_mb == enum.meta["_file_size"]
    assert weights.format == "torchvision-kinetics400"


@pytest.mark.parametrize("encoder", sorted(TORCHVISION))
def test_torchvision_published_layout_fits_with_only_the_classifier_left_out(registry, encoder):
    _, architecture = TORCHVISION[encoder]
    weights = kinetics(registry, encoder)
    with torch.device("meta"):
        published = architecture(weights=None).state_dict()  # the published file's keys
    kind, module, report = fits(registry, encoder, published, weights.exclude)
    assert kind == weights.format
    assert report.ok and report.target == "backbone", report.render()
    classifier = {key for key in published if under(key, module.classifier)}
    assert classifier and set(report.excluded) == classifier


@pytest.mark.parametrize("encoder", sorted(PYTORCHVIDEO))
def test_pytorchvideo_tags_use_the_installed_hub_urls_and_publish_no_hash(registry, encoder):
    hub_module, hub_name, classifier = PYTORCHVIDEO[encoder]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        hub = importlib.import_module(f"pytorchvideo.models.hub.{hub_module}")
    weights = kinetics(registry, encoder)
    assert weights.url == hub.checkpoint_paths[hub_name]
    assert weights.filename == weights.url.rsplit("/", 1)[1]
    assert weights.sha256 is None and weights.format == "pytorchvideo"
    assert weights.exclude == (classifier,)


def test_pytorchvideo_slow_r50_published_layout_fits_with_only_the_classifier_left_out(registry):
    from pytorchvideo.models.hub import slow_r50

    weights = kinetics(registry, "pytorchvideo-slow-r50")
    with torch.device("meta"):
        published = {"model_state": slow_r50(pretrained=False).state_dict()}
    kind, module, report = fits(registry, "pytorchvideo-slow-r50", published, weights.exclude)
    assert kind == weights.format
    assert report.ok and report.target == "backbone", report.render()
    assert set(report.excluded) == {"blocks.5.proj.weight", "blocks.5.proj.bias"}
    assert module.classifier == weights.exclude[0]


def test_only_the_full_size_encoders_declare_tags(registry):
    tagged = {entry.name for entry in registry.entries("encoder") if entry.spec.pretrained}
    assert tagged == set(TORCHVISION) | set(PYTORCHVIDEO)
