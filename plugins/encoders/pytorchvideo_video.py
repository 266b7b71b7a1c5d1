"""Video encoders built from pytorchvideo, listed only where ``import pytorchvideo`` works.

pytorchvideo (last release 2022) is an optional extra: without it this plugin provides
nothing, silently. With it: MViT-B 16x4 and Slow R50 in pytorchvideo's own layout, so
pytorchvideo / SlowFast checkpoints load without a key map, plus a tiny twin of each.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from cmrbench import EncoderSpec, VideoInput, hookimpl

if TYPE_CHECKING:
    from cmrbench.plugins.encoders._projection import ProjectedEncoder

MEAN, STD = (0.45, 0.45, 0.45), (0.225, 0.225, 0.225)
WEIGHTS = ("pytorchvideo", "lightning", "cmrbench", "safetensors", "state-dict")
TINY_WEIGHTS = ("lightning", "cmrbench", "safetensors", "state-dict")
TINY_INPUT = VideoInput(frames=4, height=32, width=32, mean=MEAN, std=STD)


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
          tags: tuple[str, ...] = ()) -> EncoderSpec:
    return EncoderSpec(name=name, description=description, factory=partial(build_encoder, name),
                       input=contract, weights=weights, tags=("pytorchvideo", *tags))


@hookimpl
def cmrbench_encoders() -> list[EncoderSpec]:
    if not pytorchvideo_available():
        return []
    return [
        _spec("pytorchvideo-mvit-b", "MViT-B 16x4 in pytorchvideo's layout",
              VideoInput(frames=16, height=224, width=224, mean=MEAN, std=STD), WEIGHTS),
        _spec("pytorchvideo-slow-r50", "Slow R50 (8x8) in pytorchvideo's layout",
              VideoInput(frames=8, height=224, width=224, mean=MEAN, std=STD), WEIGHTS),
        _spec("pytorchvideo-mvit-b-tiny", "tiny pytorchvideo MViT (depth 4) for tests",
              TINY_INPUT, TINY_WEIGHTS, ("tiny",)),
        _spec("pytorchvideo-slow-r50-tiny", "tiny pytorchvideo Slow R50 (8-channel stem) for "
              "tests", TINY_INPUT, TINY_WEIGHTS, ("tiny",)),
    ]
