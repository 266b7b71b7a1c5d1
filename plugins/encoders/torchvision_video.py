"""Video encoders built from torchvision: MViT-B 16x4 (the reference), MViT-v2-S, R3D-18 and
R(2+1)D-18, each as backbone -> 512-d projection -> L2 norm, plus a tiny twin of each for tests
and the demo.

Kinetics-400 weights are one file among others: torchvision's state dict loads into the
encoder's ``backbone`` with its classifier excluded, ``exclude=(encoder.classifier,)`` ('head'
for MViT, 'fc' for the ResNets); contrastive weights are a cmrbench or Lightning file for the
same encoder. Each full-size encoder declares torchvision's published Kinetics-400 file as its
``kinetics400`` tag (``cmrbench weights fetch mvit-b-16x4.kinetics400``); the values below were
copied from torchvision 0.29.1's weight enums (``MViT_V1_B_Weights.KINETICS400_V1.url`` and
``.meta``), and a test checks them against the torchvision installed.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from cmrbench import EncoderSpec, PretrainedWeights, VideoInput, hookimpl

if TYPE_CHECKING:
    from cmrbench.plugins.encoders._projection import ProjectedEncoder

KINETICS_MEAN, KINETICS_STD = (0.45, 0.45, 0.45), (0.225, 0.225, 0.225)
# torchvision trained its video ResNets with these statistics on 112 x 112 crops.
RESNET_MEAN, RESNET_STD = (0.43216, 0.394666, 0.37645), (0.22803, 0.22145, 0.216989)
FULL_WEIGHTS = ("torchvision-kinetics400", "lightning", "cmrbench", "safetensors", "state-dict")
TINY_WEIGHTS = ("lightning", "cmrbench", "safetensors", "state-dict")

MVIT_INPUT = VideoInput(frames=16, height=224, width=224, mean=KINETICS_MEAN, std=KINETICS_STD)
RESNET_INPUT = VideoInput(frames=16, height=112, width=112, mean=RESNET_MEAN, std=RESNET_STD)
TINY_MVIT_INPUT = VideoInput(frames=4, height=32, width=32, mean=KINETICS_MEAN, std=KINETICS_STD)
TINY_RESNET_INPUT = VideoInput(frames=4, height=32, width=32, mean=RESNET_MEAN, std=RESNET_STD)

TORCHVISION_MODELS = "https://download.pytorch.org/models/"
TORCHVISION_LICENCE = ("not stated; torchvision (BSD-3-Clause) says weights may carry their "
                       "training data's terms (Kinetics-400)")


def kinetics400(enum: str, filename: str, sha256: str, classifier: str, size_mb: float,
                acc1: float, acc5: float) -> PretrainedWeights:
    """torchvision's Kinetics-400 file for one model: its URL, hash prefix, size and accuracy."""
    return PretrainedWeights(
        name="kinetics400", description=f"Kinetics-400 classifier weights ({enum})",
        url=TORCHVISION_MODELS + filename, filename=filename, sha256=sha256,
        licence=TORCHVISION_LICENCE, format="torchvision-kinetics400", exclude=(classifier,),
        size_mb=size_mb, accuracy={"Kinetics-400 acc@1": acc1, "Kinetics-400 acc@5": acc5},
        source=f"torchvision 0.29.1 {enum}")


KINETICS400 = {
    "mvit-b-16x4": kinetics400("MViT_V1_B_Weights.KINETICS400_V1", "mvit_v1_b-dbeb1030.pth",
                               "dbeb1030", "head", 139.764, 78.477, 93.582),
    "mvit-v2-s": kinetics400("MViT_V2_S_Weights.KINETICS400_V1", "mvit_v2_s-ae3be167.pth",
                             "ae3be167", "head", 131.884, 80.757, 94.665),
    "r3d-18": kinetics400("R3D_18_Weights.KINETICS400_V1", "r3d_18-b3b3357e.pth", "b3b3357e",
                          "fc", 127.359, 63.2, 83.479),
    "r2plus1d-18": kinetics400("R2Plus1D_18_Weights.KINETICS400_V1", "r2plus1d_18-91a641e6.pth",
                               "91a641e6", "fc", 120.318, 67.463, 86.175),
}


def build_encoder(name: str) -> ProjectedEncoder:
    """Build the encoder ``name`` (torch is imported here, not when specs are listed)."""
    from cmrbench.plugins.encoders._torchvision_backbones import build

    return build(name)


def _spec(name: str, description: str, contract: VideoInput, weights: tuple[str, ...],
          tags: tuple[str, ...]) -> EncoderSpec:
    pretrained = (KINETICS400[name],) if name in KINETICS400 else ()
    return EncoderSpec(name=name, description=description, factory=partial(build_encoder, name),
                       input=contract, weights=weights, tags=("torchvision", *tags),
                       pretrained=pretrained)


@hookimpl
def cmrbench_encoders() -> list[EncoderSpec]:
    return [
        _spec("mvit-b-16x4", "MViT-B 16x4 (torchvision mvit_v1_b), the reference video encoder",
              MVIT_INPUT, FULL_WEIGHTS, ("reference",)),
        _spec("mvit-v2-s", "MViT-v2-S (torchvision mvit_v2_s)", MVIT_INPUT, FULL_WEIGHTS, ()),
        _spec("r3d-18", "3D ResNet-18 (torchvision r3d_18)", RESNET_INPUT, FULL_WEIGHTS, ()),
        _spec("r2plus1d-18", "R(2+1)D-18 (torchvision r2plus1d_18)", RESNET_INPUT, FULL_WEIGHTS,
              ()),
        _spec("mvit-b-16x4-tiny", "tiny MViT (v1 layout, 4 blocks) for tests and the demo",
              TINY_MVIT_INPUT, TINY_WEIGHTS, ("tiny",)),
        _spec("mvit-v2-s-tiny", "tiny MViT (v2 layout, 4 blocks) for tests and the demo",
              TINY_MVIT_INPUT, TINY_WEIGHTS, ("tiny",)),
        _spec("r3d-18-tiny", "tiny 3D ResNet (widths 8-64) for tests and the demo",
              TINY_RESNET_INPUT, TINY_WEIGHTS, ("tiny",)),
        _spec("r2plus1d-18-tiny", "tiny R(2+1)D (widths 8-64) for tests and the demo",
              TINY_RESNET_INPUT, TINY_WEIGHTS, ("tiny",)),
    ]
