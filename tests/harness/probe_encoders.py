"""Encoders for testing `cmrbench embed` itself, installed by tests/harness/test_encoder_guard.py
as the plugin 'probe' of the distribution 'cmrbench-probe'.

``frame-probe`` writes its input into its output: component t of the embedding is the mean of
frame t, so a test can tell from each vector which video it was computed from.
"""

import torch
from cmrbench import EncoderSpec, VideoInput, hookimpl
from torch import nn

FRAMES = 8
INPUT = VideoInput(frames=FRAMES, height=8, width=8)


class FrameProbe(nn.Module):
    def __init__(self, width: int = 512) -> None:
        super().__init__()
        self.width = width

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        per_frame = video.mean(dim=(1, 3, 4))
        return torch.cat([per_frame, per_frame.new_zeros(len(video), self.width - FRAMES)], 1)


class Crashes(nn.Module):
    def forward(self, video: torch.Tensor) -> torch.Tensor:
        raise ValueError("expected 16 frames")


@hookimpl
def cmrbench_encoders():
    return [
        EncoderSpec(name="frame-probe", description="per-frame means", factory=FrameProbe,
                    input=INPUT),
        EncoderSpec(name="narrow-probe", description="256 wide, declares 512",
                    factory=lambda: FrameProbe(width=256), input=INPUT),
        EncoderSpec(name="crashing-probe", description="forward raises", factory=Crashes,
                    input=INPUT),
    ]
