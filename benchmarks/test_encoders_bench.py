"""Weight loading and encoder wrapping against their raw PyTorch equivalents, as ratios.

- loading: ``cmrbench.weights.load_weights`` of a torchvision R3D-18 Kinetics-format file
  (33 M parameters; safe read, format detection, key alignment, report, sha256) against
  ``torch.load(weights_only=True)`` + ``load_state_dict`` of the same file (the floor);
  and of the same weights saved by ``save_weights`` (safetensors).
- forward: the tiny R3D encoder (backbone -> projection -> L2) against its bare backbone.

Each reports its median over the raw equivalent's (5 timed calls, 20 for the forward) through
the ``timing`` fixture of ``conftest.py``, in ``benchmark.extra_info`` and printed. Run with
``.venv/bin/python -m pytest benchmarks/test_encoders_bench.py --benchmark-only -s``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from cmrbench.plugins.encoders.torchvision_video import build_encoder
from cmrbench.weights import load_weights, save_weights
from torchvision.models import video

RAW_LOAD = "torch.load + load_state_dict"


@pytest.fixture(scope="module")
def kinetics_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench-weights") / "r3d_18-kinetics400.pth"
    torch.save(video.r3d_18(weights=None).state_dict(), path)
    return path


@pytest.fixture(scope="module")
def encoder() -> torch.nn.Module:
    return build_encoder("r3d-18")


def test_load_kinetics_weights(benchmark, kinetics_file, encoder, timing):
    raw_model = video.r3d_18(weights=None)

    def raw() -> None:
        raw_model.load_state_dict(torch.load(kinetics_file, weights_only=True))

    raw_s = timing.seconds(raw)
    result = benchmark(lambda: load_weights(encoder, kinetics_file, exclude=("fc",)))
    assert result.report.ok
    timing.report(benchmark, "load_weights (Kinetics .pth)", raw_s, RAW_LOAD)


def test_load_cmrbench_weights(benchmark, kinetics_file, encoder, tmp_path, timing):
    raw_model = video.r3d_18(weights=None)
    path = tmp_path / "r3d-18.safetensors"
    save_weights(encoder, path, encoder="r3d-18", initialisation="kinetics400")
    raw_s = timing.seconds(lambda: raw_model.load_state_dict(torch.load(kinetics_file,
                                                                        weights_only=True)))
    assert benchmark(lambda: load_weights(encoder, path)).report.ok
    timing.report(benchmark, "load_weights (cmrbench .safetensors)", raw_s, RAW_LOAD)


def test_tiny_encoder_forward(benchmark, timing):
    encoder = build_encoder("r3d-18-tiny").eval()
    clip = torch.randn(8, 3, 4, 32, 32)
    with torch.no_grad():
        encoder(clip)  # the first call in a process pays for kernel set-up
        raw_s = timing.seconds(lambda: encoder.backbone(clip), rounds=20)
        assert benchmark(lambda: encoder(clip)).shape == (8, 512)
    timing.report(benchmark, "tiny R3D encoder forward", raw_s, "its bare backbone")
