"""A gallery of encoders that each break one rule of the encoder contract, and one that keeps
them all. The conformance tests install this file as the module of a third-party plugin
('gallery', distribution 'cmrbench-gallery'), so failures name a real plugin."""

import torch
from cmrbench import EncoderSpec, VideoInput, hookimpl
from torch import nn
from torch.nn import functional as F

INPUT = VideoInput(frames=2, height=8, width=8)


class Good(nn.Module):
    """Conv -> pool over time and space -> projection: meets every rule."""

    def __init__(self, width: int = 512) -> None:
        super().__init__()
        self.backbone = nn.Conv3d(3, 4, kernel_size=3, padding=1)
        self.projection = nn.Linear(4, width)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        return self.projection(self.backbone(video).mean(dim=(2, 3, 4)))


class DictOutput(Good):
    def forward(self, video):
        return {"embedding": super().forward(video)}


class DropoutInEval(Good):
    def forward(self, video):
        return F.dropout(super().forward(video), p=0.5, training=True)


class UnusedHead(Good):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(512, 1)


class StateOutsideParameters(Good):
    def __init__(self):
        super().__init__()
        self.scale = torch.rand(1) + 0.5  # a plain attribute: never saved, differs per build

    def forward(self, video):
        return super().forward(video) * self.scale


class FixedInputSize(Good):
    """Built for 16-frame clips whatever VideoInput says."""

    def __init__(self):
        super().__init__()
        self.projection = nn.Linear(4 * 16 * 8 * 8, 512)

    def forward(self, video):
        return self.projection(self.backbone(video).flatten(1))


class ForwardX(Good):
    def forward(self, x):
        return super().forward(x)


class IgnoresVideo(Good):
    def forward(self, video):
        return self.projection(self.backbone.bias).expand(len(video), -1)


class MixesBatch(Good):
    def forward(self, video):
        out = super().forward(video)
        return out - out.mean(dim=0)


def needs_weights() -> nn.Module:
    raise FileNotFoundError("no weights at ~/.cache/gallery/backbone.pt")


def _spec(name: str, factory, **fields) -> EncoderSpec:
    return EncoderSpec(name=name, description=f"gallery: {name}", factory=factory,
                       input=INPUT, **fields)


@hookimpl
def cmrbench_encoders():
    return [
        _spec("gallery-good", Good),
        _spec("wrong-width", lambda: Good(width=256)),
        _spec("dict-output", DictOutput),
        _spec("dropout-in-eval", DropoutInEval),
        _spec("unused-head", UnusedHead),
        _spec("state-outside-parameters", StateOutsideParameters),
        _spec("fixed-input-size", FixedInputSize),
        _spec("forward-x", ForwardX),
        _spec("ignores-video", IgnoresVideo),
        _spec("mixes-batch", MixesBatch),
        _spec("factory-raises", needs_weights),
        _spec("factory-returns-class", lambda: Good),
    ]
