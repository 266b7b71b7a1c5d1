"""Video encoders built from torchvision: MViT-B 16x4 (the reference), MViT-v2-S, R3D-18 and
R(2+1)D-18, each as backbone -> 512-d projection -> L2 norm, plus a tiny twin of each for tests
and the demo.

Kinetics-400 weights are one file among others: torchvision's state dict loads into the
encoder's ``backbone`` with its classifier excluded, ``exclude=(encoder.classifier,)`` ('head'
for MViT, 'fc' for the ResNets); contrastive weights are a cmrbench or Lightning file for the
same encoder.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from cmrbench import EncoderSpec, VideoInput, hookimpl

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


def build_encoder(name: str) -> ProjectedEncoder:
    """Build the encoder ``name`` (torch is imported here, not when specs are listed)."""
    from cmrbench.plugins.encoders._torchvision_backbones import build

    return build(name)


def _spec(name: str, description: str, contract: VideoInput, weights: tuple[str, ...],
          tags: tuple[str, ...]) -> EncoderSpec:
    return EncoderSpec(name=name, description=description, factory=partial(build_encoder, name),
                       input=contract, weights=weights, tags=("torchvision", *tags))


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
