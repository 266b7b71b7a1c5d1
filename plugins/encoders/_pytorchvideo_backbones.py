"""pytorchvideo backbones (MViT-B 16x4, Slow R50), full size and tiny, without classifiers.

Only ``pytorchvideo.models`` is imported: ``pytorchvideo.transforms`` fails under current
torchvision and is not needed here. MViT-B is built from pytorchvideo's own
``mvit_video_base_config``: its builder called with sizes alone gives a different, 2.2 M-param
model. No builder downloads anything; pytorchvideo checkpoints (``{'model_state': ...}``) load
by path through ``cmrbench.weights`` with ``exclude=(encoder.classifier,)``: 'head' (MViT) or
'blocks.5' (Slow R50).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from cmrbench.plugins.encoders._projection import Headless, ProjectedEncoder
from torch import nn

TINY_FRAMES, TINY_SIZE = 4, 32

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # torch.jit.script use inside pytorchvideo
    from pytorchvideo.models.hub.vision_transformers import mvit_video_base_config
    from pytorchvideo.models.resnet import create_resnet
    from pytorchvideo.models.vision_transformers import create_multiscale_vision_transformers


def build(name: str) -> ProjectedEncoder:
    """The encoder ``name``: its headless backbone, a 512-d projection, L2 normalisation."""
    return ProjectedEncoder(*BACKBONES[name]())


def headless_mvit(model: nn.Module) -> Headless:
    """Replace the classifier's projection: the head then returns the pooled class token."""
    feature_dim = model.head.proj.in_features
    model.head.proj = nn.Identity()
    return model, feature_dim, "head"


def headless_resnet(model: nn.Module) -> Headless:
    """Replace the classifier's projection (in ``blocks[-1]``): the head returns pooled features."""
    head = model.blocks[-1]
    feature_dim = head.proj.in_features
    head.proj = nn.Identity()
    return model, feature_dim, f"blocks.{len(model.blocks) - 1}"


def mvit_b() -> Headless:
    return headless_mvit(create_multiscale_vision_transformers(**mvit_video_base_config))


# MViT-B's configuration scheme at depth 4, width 16-64, for 4 x 32 x 32 clips.
TINY_MVIT_CONFIG = {
    "spatial_size": TINY_SIZE, "temporal_size": TINY_FRAMES, "depth": 4, "patch_embed_dim": 16,
    "embed_dim_mul": [[1, 2.0], [3, 2.0]], "atten_head_mul": [[1, 2.0], [3, 2.0]],
    "pool_q_stride_size": [[1, 1, 2, 2], [3, 1, 2, 2]], "pool_kv_stride_adaptive": [1, 4, 4],
    "pool_kvq_kernel": [3, 3, 3],
}


def tiny_mvit() -> Headless:
    return headless_mvit(create_multiscale_vision_transformers(**TINY_MVIT_CONFIG))


def slow_r50() -> Headless:
    """pytorchvideo's hub ``slow_r50`` configuration (8 x 224 x 224 clips)."""
    return headless_resnet(create_resnet(model_depth=50, stem_conv_kernel_size=(1, 7, 7),
                                         head_pool_kernel_size=(8, 7, 7)))


def tiny_slow_r50() -> Headless:
    """Slow R50's layout with an 8-channel stem, for 4 x 32 x 32 clips."""
    return headless_resnet(create_resnet(model_depth=50, stem_dim_out=8,
                                         stem_conv_kernel_size=(1, 7, 7),
                                         head_pool_kernel_size=(TINY_FRAMES, 1, 1)))


BACKBONES: dict[str, Callable[[], Headless]] = {
    "pytorchvideo-mvit-b": mvit_b,
    "pytorchvideo-slow-r50": slow_r50,
    "pytorchvideo-mvit-b-tiny": tiny_mvit,
    "pytorchvideo-slow-r50-tiny": tiny_slow_r50,
}
