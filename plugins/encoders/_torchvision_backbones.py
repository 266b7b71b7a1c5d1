"""torchvision video backbones, full size and tiny, each without its classifier.

Tiny configurations use the same classes as the full ones (torchvision's ``MViT`` with a short
``block_setting``; ``VideoResNet``'s blocks and forward with narrow stages), so a tiny model
runs the same code paths in tests and the demo, only smaller. Every builder passes
``weights=None``: weights come from local files through ``cmrbench.weights``, never a download.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cmrbench.plugins.encoders._projection import Headless, ProjectedEncoder
from torch import nn
from torchvision.models import video
from torchvision.models.video.mvit import MSBlockConfig, MViT
from torchvision.models.video.resnet import BasicBlock, Conv2Plus1D, Conv3DSimple, VideoResNet

TINY_FRAMES, TINY_SIZE = 4, 32
TINY_WIDTHS = (8, 16, 32, 64)


def build(name: str) -> ProjectedEncoder:
    """The encoder ``name``: its headless backbone, a 512-d projection, L2 normalisation."""
    return ProjectedEncoder(*BACKBONES[name]())


def headless_mvit(model: MViT) -> Headless:
    """Drop MViT's classifier (dropout + linear 'head'): the backbone returns the class token."""
    feature_dim = model.head[-1].in_features
    model.head = nn.Identity()
    return model, feature_dim, "head"


def headless_resnet(model: VideoResNet) -> Headless:
    """Drop VideoResNet's classifier ('fc'): the backbone returns pooled features."""
    feature_dim = model.fc.in_features
    model.fc = nn.Identity()
    return model, feature_dim, "fc"


def _blocks(heads: Sequence[int], channels: Sequence[int], q_pool: Sequence[bool],
            kv_stride: Sequence[int], kernel_q_everywhere: bool) -> list[MSBlockConfig]:
    """MViT stages in the form torchvision's builders spell out (channels has one more entry)."""
    configs = []
    for i, (num_heads, pool, kv) in enumerate(zip(heads, q_pool, kv_stride, strict=True)):
        configs.append(MSBlockConfig(
            num_heads=num_heads, input_channels=channels[i], output_channels=channels[i + 1],
            kernel_q=[3, 3, 3] if pool or kernel_q_everywhere else [],
            kernel_kv=[3, 3, 3],
            stride_q=[1, 2, 2] if pool else ([1, 1, 1] if kernel_q_everywhere else []),
            stride_kv=[1, kv, kv]))
    return configs


def tiny_mvit_v1() -> Headless:
    """MViT-B's layout (v1 flags) at 4 blocks, widths 16-64, for 4 x 32 x 32 clips."""
    blocks = _blocks(heads=(1, 2, 2, 4), channels=(16, 32, 32, 64, 64),
                     q_pool=(False, True, False, True), kv_stride=(4, 2, 2, 1),
                     kernel_q_everywhere=False)
    return headless_mvit(MViT(
        spatial_size=(TINY_SIZE, TINY_SIZE), temporal_size=TINY_FRAMES, block_setting=blocks,
        residual_pool=False, residual_with_cls_embed=False, rel_pos_embed=False,
        proj_after_attn=False, stochastic_depth_prob=0.2, num_classes=1))


def tiny_mvit_v2() -> Headless:
    """MViT-v2-S's layout (v2 flags: pooled residual, relative positions) at 4 blocks."""
    blocks = _blocks(heads=(1, 2, 2, 4), channels=(16, 16, 32, 32, 64),
                     q_pool=(False, True, False, True), kv_stride=(4, 2, 2, 1),
                     kernel_q_everywhere=True)
    return headless_mvit(MViT(
        spatial_size=(TINY_SIZE, TINY_SIZE), temporal_size=TINY_FRAMES, block_setting=blocks,
        residual_pool=True, residual_with_cls_embed=False, rel_pos_embed=True,
        proj_after_attn=True, stochastic_depth_prob=0.2, num_classes=1))


class NarrowVideoResNet(VideoResNet):
    """torchvision's VideoResNet with configurable stage widths (its are fixed at 64-512).

    Blocks, convolution builders, forward and key names are VideoResNet's own; only the widths
    differ, so the tiny models exercise exactly the full models' code.
    """

    def __init__(self, conv_maker: type[nn.Module], stem: nn.Module,
                 widths: Sequence[int] = TINY_WIDTHS, layers: Sequence[int] = (1, 1, 1, 1)) -> None:
        nn.Module.__init__(self)  # VideoResNet.__init__ hard-codes the full widths
        self.inplanes = widths[0]
        self.stem = stem
        for index, (planes, blocks, stride) in enumerate(zip(widths, layers, (1, 2, 2, 2),
                                                             strict=True), start=1):
            setattr(self, f"layer{index}",
                    self._make_layer(BasicBlock, conv_maker, planes, blocks, stride))
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.fc = nn.Linear(widths[-1], 1)
        _init_like_video_resnet(self)


def _init_like_video_resnet(model: nn.Module) -> None:
    """VideoResNet's own initialisation, which its __init__ applies and ours must repeat."""
    for module in model.modules():
        if isinstance(module, nn.Conv3d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm3d):
            nn.init.constant_(module.weight, 1)
            nn.init.constant_(module.bias, 0)


def _narrow_basic_stem(width: int) -> nn.Sequential:
    """torchvision's BasicStem layout with ``width`` output channels."""
    return nn.Sequential(
        nn.Conv3d(3, width, kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3),
                  bias=False),
        nn.BatchNorm3d(width), nn.ReLU(inplace=True))


def _narrow_r2plus1d_stem(width: int) -> nn.Sequential:
    """torchvision's R2Plus1dStem layout (45 -> 64 channels there) scaled to ``width``."""
    mid = width * 45 // 64
    return nn.Sequential(
        nn.Conv3d(3, mid, kernel_size=(1, 7, 7), stride=(1, 2, 2), padding=(0, 3, 3), bias=False),
        nn.BatchNorm3d(mid), nn.ReLU(inplace=True),
        nn.Conv3d(mid, width, kernel_size=(3, 1, 1), stride=(1, 1, 1), padding=(1, 0, 0),
                  bias=False),
        nn.BatchNorm3d(width), nn.ReLU(inplace=True))


def tiny_r3d() -> Headless:
    return headless_resnet(NarrowVideoResNet(Conv3DSimple, _narrow_basic_stem(TINY_WIDTHS[0])))


def tiny_r2plus1d() -> Headless:
    return headless_resnet(NarrowVideoResNet(Conv2Plus1D,
                                             _narrow_r2plus1d_stem(TINY_WIDTHS[0])))


BACKBONES: dict[str, Callable[[], Headless]] = {
    "mvit-b-16x4": lambda: headless_mvit(video.mvit_v1_b(weights=None)),
    "mvit-v2-s": lambda: headless_mvit(video.mvit_v2_s(weights=None)),
    "r3d-18": lambda: headless_resnet(video.r3d_18(weights=None)),
    "r2plus1d-18": lambda: headless_resnet(video.r2plus1d_18(weights=None)),
    "mvit-b-16x4-tiny": tiny_mvit_v1,
    "mvit-v2-s-tiny": tiny_mvit_v2,
    "r3d-18-tiny": tiny_r3d,
    "r2plus1d-18-tiny": tiny_r2plus1d,
}
