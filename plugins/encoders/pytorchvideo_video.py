"""Video encoders built from pytorchvideo, listed only where ``import pytorchvideo`` works.

pytorchvideo (last release 2022) is an optional extra: without it this plugin provides
nothing, silently. With it: MViT-B 16x4 and Slow R50 in pytorchvideo's own layout, so
pytorchvideo / SlowFast checkpoints load without a key map, plus a tiny twin of each.

The full-size encoders declare pytorchvideo's Kinetics-400 files as their ``kinetics400`` tags:
URLs as pytorchvideo 0.1.5's hub builders name them (``checkpoint_paths``), accuracy from its
model zoo table (none is published for MViT-B 16x4). pytorchvideo publishes no hash for these
files, so ``cmrbench weights fetch`` cannot verify them against their publisher and asks for
``--trust-unverified``; the sha256 of what was fetched is recorded either way.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from cmrbench import EncoderSpec, PretrainedWeights, VideoInput, hookimpl

if TYPE_CHECKING:
    from cmrbench.plugins.encoders._projection import ProjectedEncoder

MEAN, STD = (0.45, 0.45, 0.45), (0.225, 0.225, 0.225)
WEIGHTS = ("pytorchvideo", "lightning", "cmrbench", "safetensors", "state-dict")
TINY_WEIGHTS = ("lightning", "cmrbench", "safetensors", "state-dict")
TINY_INPUT = VideoInput(frames=4, height=32, width=32, mean=MEAN, std=STD)

MODEL_ZOO = "https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/"
MODEL_ZOO_TABLE = "the Kinetics-400 table of pytorchvideo's docs/source/model_zoo.md"
LICENCE = "not stated; pytorchvideo is Apache-2.0; Kinetics-400's terms may apply"


def kinetics400(hub_name: str, filename: str, classifier: str,
                accuracy: dict[str, float]) -> PretrainedWeights:
    """pytorchvideo's Kinetics-400 checkpoint for one hub model (no published hash)."""
    where = f"pytorchvideo 0.1.5 hub checkpoint_paths[{hub_name!r}]"
    return PretrainedWeights(
        name="kinetics400", description=f"Kinetics-400 classifier weights (pytorchvideo hub "
                                        f"{hub_name})",
        url=MODEL_ZOO + filename, filename=filename, sha256=None, licence=LICENCE,
        format="pytorchvideo", exclude=(classifier,), accuracy=accuracy,
        source=f"{where}; accuracy: {MODEL_ZOO_TABLE}" if accuracy else where)


MVIT_B_KINETICS400 = kinetics400("mvit_base_16x4", "MVIT_B_16x4.pyth", "head", {})
SLOW_R50_KINETICS400 = kinetics400("slow_r50", "SLOW_8x8_R50.pyth", "blocks.5",
                                   {"Kinetics-400 acc@1": 74.58, "Kinetics-400 acc@5": 91.63})


def build_encoder(name: str) -> ProjectedEncoder:
    """Build the encoder ``name`` (pytorchvideo and torch are imported here, not at listing)."""
    from cmrbench.plugins.encoders._pytorchvideo_backbones import build

    return build(name)


def pytorchvideo_available() -> bool:
    try:
        import pytorchvideo  # noqa: F401 - the top-level package is tiny: no torch import
    except ImportError:
        return False
    return True


def _spec(name: str, description: str, contract: VideoInput, weights: tuple[str, ...],
          tags: tuple[str, ...] = (), pretrained: tuple[PretrainedWeights, ...] = ()
          ) -> EncoderSpec:
    return EncoderSpec(name=name, description=description, factory=partial(build_encoder, name),
                       input=contract, weights=weights, tags=("pytorchvideo", *tags),
                       pretrained=pretrained)


@hookimpl
def cmrbench_encoders() -> list[EncoderSpec]:
    if not pytorchvideo_available():
        return []
    return [
        _spec("pytorchvideo-mvit-b", "MViT-B 16x4 in pytorchvideo's layout",
              VideoInput(frames=16, height=224, width=224, mean=MEAN, std=STD), WEIGHTS,
              pretrained=(MVIT_B_KINETICS400,)),
        _spec("pytorchvideo-slow-r50", "Slow R50 (8x8) in pytorchvideo's layout",
              VideoInput(frames=8, height=224, width=224, mean=MEAN, std=STD), WEIGHTS,
              pretrained=(SLOW_R50_KINETICS400,)),
        _spec("pytorchvideo-mvit-b-tiny", "tiny pytorchvideo MViT (depth 4) for tests",
              TINY_INPUT, TINY_WEIGHTS, ("tiny",)),
        _spec("pytorchvideo-slow-r50-tiny", "tiny pytorchvideo Slow R50 (8-channel stem) for "
              "tests", TINY_INPUT, TINY_WEIGHTS, ("tiny",)),
    ]
