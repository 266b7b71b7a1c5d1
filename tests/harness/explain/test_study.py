"""`cmrbench explain` on a phantom run: the model reloaded from the run directory reproduces
its predictions, the captured attention is MViT's own (checked against scaled dot-product
attention computed from the block's weights, Vaswani et al. 2017), maps come back at the
clip's size, and the videos have the clip's frame count and the documented layout."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from cmrbench.cli import main
from cmrbench.embedding import build_encoder
from cmrbench.explain.attention import ClassTokenAttention, find_mvit
from cmrbench.explain.video import read_mp4
from cmrbench.predictions import attention_of, read_predictions
from cmrbench.registry import get_registry


def test_the_reloaded_run_reproduces_its_predictions(mvit_run, tmp_path):
    table = read_predictions(mvit_run / "predictions.csv").table
    study = table["study_id"].iloc[0]
    assert main(["explain", str(mvit_run), "--study", study, "--out", str(tmp_path),
                 "--method", "both", "--video", "4CH/0"]) == 0
    summary = json.loads((tmp_path / study / "summary.json").read_text())
    stored = attention_of(table)[0]
    for branch, weights in stored.items():
        assert summary["attention"][branch] == pytest.approx(weights, abs=1e-6)
        assert summary["predictions"][branch] == pytest.approx(table[f"pred:{branch}"].iloc[0],
                                                               abs=1e-6)


def test_class_token_attention_is_the_models_own():
    encoder, _ = build_encoder(get_registry().entry("encoder", "mvit-b-16x4-tiny").spec)
    mvit = find_mvit(encoder)
    clips = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad(), ClassTokenAttention(encoder) as capture:
        encoder(video=clips)
        tokens = mvit.pos_encoding(mvit.conv_proj(clips).flatten(2).transpose(1, 2))
        block = mvit.blocks[0].attn
        x = mvit.blocks[0].norm1(tokens)
        q, k, _ = block.qkv(x).reshape(2, x.shape[1], 3, block.num_heads, -1).transpose(
            1, 3).unbind(2)
        k, key_shape = block.pool_k(k, (2, 8, 8))
        expected = torch.softmax(block.scaler * q @ k.transpose(2, 3), dim=-1)[:, :, 0, 1:]
    first = capture.layers()[0]
    assert first.weights.shape == (2, block.num_heads, *key_shape)
    torch.testing.assert_close(first.weights.flatten(2), expected)
    assert [layer.on_clip((4, 32, 32)).shape[-3:] for layer in capture.layers()] == [
        (4, 32, 32)] * len(mvit.blocks)


def test_overlays_have_the_clips_frames_and_size_and_show_a_map(mvit_run, tmp_path):
    study = read_predictions(mvit_run / "predictions.csv").table["study_id"].iloc[-1]
    manifest = mvit_run / "figures.json"
    before = manifest.read_text() if manifest.exists() else None
    assert main(["explain", str(mvit_run), "--study", study, "--out", str(tmp_path),
                 "--method", "both", "--video", "SAX/1"]) == 0
    folder = tmp_path / study / "SAX-1"
    attention = np.load(folder / "attention.npz")
    maps, frames, heads = attention["maps"], attention["frames"], attention["heads"]
    assert frames.shape == (4, 32, 32) and maps.shape == (4, 4, 4, 32, 32)  # layers, heads
    assert heads.tolist() == [1, 2, 2, 4]
    deepest = maps[3, :4]
    assert (deepest.std(axis=(-2, -1)) > 0.05 * deepest.mean(axis=(-2, -1))).all()
    video = read_mp4(folder / "attention.mp4")
    tile = 32 * 3  # 32-pixel clips enlarged to at least 96 pixels
    assert video.shape == (4, 4 * tile, (1 + 4 + 1) * tile, 3)  # clip | heads | mean
    head = video[:, 3 * tile:, tile:2 * tile].astype(float)
    plain = video[:, 3 * tile:, :tile].astype(float)
    assert np.abs(head - plain).std() > 10  # the overlay varies over the image
    saliency = read_mp4(folder / "saliency.mp4")
    assert saliency.shape == (4, tile, 2 * tile, 3)
    assert np.load(folder / "saliency.npz")["saliency"].shape == (4, 32, 32)
    for sheet in ("attention.png", "saliency.png"):
        assert (folder / sheet).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # --out outside the run: nothing recorded (other tests may record into the shared run)
    assert (manifest.read_text() if manifest.exists() else None) == before


def test_a_study_outside_the_run_is_refused_with_the_fix(mvit_run, capsys):
    assert main(["explain", str(mvit_run), "--study", "nope"]) == 2
    assert "not one of the run's studies" in capsys.readouterr().err
