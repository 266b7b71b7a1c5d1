"""Run a plugin's encoder and vouch for what it returns, so a bug in it is reported as one.

The harness trusts no encoder's output blindly: a batch of clips must come back as one finite
row of ``embed_dim`` floats per clip, in order. When an encoder raises or returns something
else, :class:`EncoderFailure` names the encoder and the plugin that provides it and says how
to reproduce the problem with the conformance kit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from cmrbench.registry import PluginFailure, credit, find_provider
from cmrbench.specs import EncoderSpec


class EncoderFailure(PluginFailure):
    """An encoder's factory or forward raised, or its output breaks the contract."""

    def __init__(self, spec: EncoderSpec, problem: str) -> None:
        self.spec, self.problem = spec, problem
        super().__init__(
            f"encoder {spec.name!r} ({credit(find_provider(spec))}) {problem}. This is a bug "
            f"in that plugin, not in your data or command: reproduce it with "
            f"`cmrbench.testing.check_encoder({spec.name!r})` and report it to its authors")


def build_module(spec: EncoderSpec, **options: Any) -> torch.nn.Module:
    """``spec.factory()``, the way the harness always calls it: with no arguments, or with
    the keyword ``options`` a user named (a text encoder's ``model_path``)."""
    try:
        module = spec.factory(**options)
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is its failure
        raise EncoderFailure(spec, f"failed to build: factory() raised "
                                   f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(module, torch.nn.Module):
        raise EncoderFailure(spec, f"factory() returned a {type(module).__name__}, not a "
                                   "torch.nn.Module")
    return module


def embed_batch(spec: EncoderSpec, module: torch.nn.Module, video: torch.Tensor, *,
                features: bool = False) -> np.ndarray:
    """The encoder's embeddings of a batch of clips [B, C, T, H, W] as float32 [B, embed_dim]
    or, with ``features``, its ``features(video)`` before the projection [B, any width]."""
    try:
        output = module.features(video) if features else module(video=video)
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is its failure
        raise EncoderFailure(spec, f"failed on a batch of shape {list(video.shape)}: forward "
                                   f"raised {type(exc).__name__}: {exc}") from exc
    return checked_output(spec, output, len(video), width=None if features else spec.embed_dim)


def embed_text_batch(spec: EncoderSpec, module: torch.nn.Module, texts: list[str],
                     device: torch.device | str = "cpu") -> np.ndarray:
    """A text encoder's embeddings of ``texts`` as float32 [len(texts), embed_dim], through
    its own ``tokenize`` and forward."""
    try:
        tokens = {key: value.to(device) for key, value in module.tokenize(texts).items()}
        output = module(**tokens)
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is its failure
        raise EncoderFailure(spec, f"failed on a batch of {len(texts)} texts: tokenize or "
                                   f"forward raised {type(exc).__name__}: {exc}") from exc
    return checked_output(spec, output, len(texts), width=spec.embed_dim)


def checked_output(spec: EncoderSpec, output: Any, batch_size: int,
                   width: int | None) -> np.ndarray:
    """``output`` as float32 [batch_size, width] (any width when ``width`` is None);
    anything else is an EncoderFailure."""
    expected = [batch_size, width if width is not None else "any width"]
    items = "clips" if spec.modality == "video" else "texts"
    if not isinstance(output, torch.Tensor) or not output.is_floating_point():
        kind = output.dtype if isinstance(output, torch.Tensor) else type(output).__name__
        raise EncoderFailure(spec, f"returned a {kind} for a batch of {batch_size} {items}, "
                                   f"not a float tensor {expected}")
    if output.ndim != 2 or output.shape[0] != batch_size or (
            width is not None and output.shape[1] != width):
        raise EncoderFailure(spec, f"returned shape {list(output.shape)} for a batch of "
                                   f"{batch_size} {items}; its spec declares embed_dim="
                                   f"{spec.embed_dim}, so {expected} was expected")
    vectors = output.detach().float().cpu().numpy()
    if not np.isfinite(vectors).all():
        raise EncoderFailure(spec, "returned NaN or infinite values")
    return vectors
