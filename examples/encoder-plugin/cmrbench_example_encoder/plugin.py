"""The module the entry point names: it returns specs and imports no torch, so that
`cmrbench ls` lists the encoder without building it."""

from functools import partial

from cmrbench import EncoderSpec, VideoInput, hookimpl

# What forward receives: [B, 3, 8, 64, 64], grey repeated to 3 channels, scaled to
# value_range (default (0, 1)) and normalised with mean/std (default 0.45 / 0.225).
CLIP = VideoInput(frames=8, height=64, width=64)


def build_example_net(width: int = 16):
    """The factory. cmrbench calls it with no arguments, so every option has a default; a
    variant is another spec binding other options with functools.partial. The model (and
    torch) is imported here, not at the top: `cmrbench ls` and `ingest` import every plugin."""
    from cmrbench_example_encoder.model import ExampleNet

    return ExampleNet(width=width)


@hookimpl
def cmrbench_encoders():
    # embed_dim is left at its default, 512: forward returns [B, 512]
    return [
        EncoderSpec(name="example-net", description="Example 3D CNN (16 channels)",
                    factory=build_example_net, input=CLIP),
        EncoderSpec(name="example-net-wide", description="Example 3D CNN (32 channels)",
                    factory=partial(build_example_net, width=32), input=CLIP),
    ]
