"""The class token's self-attention in every layer and head of a torchvision MViT.

What is documented and relied on: torchvision's ``MViT`` (``torchvision.models.video.mvit``)
has ``conv_proj`` (the patch embedding), ``blocks`` whose ``attn`` is a ``MultiscaleAttention``
called as ``attn(x, thw)``, with optional ``pool_q`` / ``pool_k`` modules returning
``(tokens, thw)`` whose ``pool`` is the strided convolution. Inside each attention module the
attention weights are the one ``softmax`` it computes; a ``TorchFunctionMode`` active only
during that module's forward records it, so the numbers are the ones the model used, not a
recomputation. Row 0 (the class token, MViT's output) over the key tokens (the class key
left out) is reshaped onto the key grid, whose shape comes from ``pool_k`` (MViT pools keys,
and each block's grid differs).

An encoder plugin is supported when exactly one torchvision ``MViT`` is among its modules;
anything else (another transformer, a CNN, pytorchvideo's MViT) gets gradient saliency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from cmrbench.explain.tokens import TokenGrid, to_clip
from torch import nn
from torch.overrides import TorchFunctionMode
from torchvision.models.video.mvit import MultiscaleAttention, MViT

_SOFTMAX = (torch.Tensor.softmax, torch.softmax, nn.functional.softmax)


class AttentionUnsupported(ValueError):
    """The encoder exposes no attention cmrbench can read; the message says why."""


def find_mvit(encoder: nn.Module) -> MViT:
    """The one torchvision MViT inside ``encoder``."""
    found = [m for m in encoder.modules() if isinstance(m, MViT)]
    if len(found) != 1:
        raise AttentionUnsupported(
            f"attention maps need exactly one torchvision MViT among the encoder's modules "
            f"({type(encoder).__name__} has {len(found)}); use gradient saliency instead")
    return found[0]


def supports_attention(encoder: nn.Module) -> bool:
    try:
        find_mvit(encoder)
    except AttentionUnsupported:
        return False
    return True


@dataclass(frozen=True)
class LayerAttention:
    """One layer: the class token's attention [clips, heads, t, h, w] on its key grid."""

    weights: torch.Tensor
    grid: TokenGrid

    def on_clip(self, size: tuple[int, int, int]) -> torch.Tensor:
        """[clips, heads, T, H, W]: interpolated onto the clip's frames and pixels."""
        return to_clip(self.weights, self.grid, size)


class _Softmaxes(TorchFunctionMode):
    """Records every softmax computed while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: list[torch.Tensor] = []

    def __torch_function__(self, func: Any, types: Any, args: tuple = (),
                           kwargs: dict | None = None) -> Any:
        out = func(*args, **(kwargs or {}))
        if func in _SOFTMAX:
            self.outputs.append(out)
        return out


class _Block:
    """Hooks on one attention module: the key grid shape and the attention weights."""

    def __init__(self, attention: MultiscaleAttention, keys: TokenGrid) -> None:
        self.attention, self.keys = attention, keys
        self.key_shape: tuple[int, int, int] | None = None
        self.recorded: torch.Tensor | None = None
        self._mode: _Softmaxes | None = None

    def attach(self) -> list[Any]:
        handles = [self.attention.register_forward_pre_hook(self._before),
                   self.attention.register_forward_hook(self._after, always_call=True)]
        if self.attention.pool_k is not None:
            handles.append(self.attention.pool_k.register_forward_hook(self._pooled_keys))
        return handles

    def _before(self, module: nn.Module, args: tuple) -> None:
        self.key_shape = tuple(int(n) for n in args[1])
        self._mode = _Softmaxes()
        self._mode.__enter__()

    def _pooled_keys(self, module: nn.Module, args: tuple, output: tuple) -> None:
        self.key_shape = tuple(int(n) for n in output[1])

    def _after(self, module: nn.Module, args: tuple, output: Any) -> None:
        mode, self._mode = self._mode, None
        if mode is None:
            return
        mode.__exit__(None, None, None)
        if len(mode.outputs) != 1:
            raise AttentionUnsupported(f"expected one softmax in MViT's attention, saw "
                                       f"{len(mode.outputs)}: torchvision's MViT changed")
        self.recorded = mode.outputs[0].detach()

    def layer(self) -> LayerAttention:
        weights, shape = self.recorded, self.key_shape
        if weights is None or shape is None:
            raise AttentionUnsupported("the MViT block did not run; was the encoder called?")
        clips, heads, _, keys = weights.shape
        if keys != 1 + shape[0] * shape[1] * shape[2]:
            raise AttentionUnsupported(f"attention over {keys} keys does not match the key grid "
                                       f"{shape} plus the class token")
        return LayerAttention(weights[:, :, 0, 1:].float().reshape(clips, heads, *shape),
                              self.keys)


def key_grids(mvit: MViT) -> list[TokenGrid]:
    """Each block's key grid in clip coordinates: the patch embedding, then every block's
    query pooling (which sets the next block's tokens) and its own key pooling."""
    tokens = TokenGrid().then(mvit.conv_proj)
    grids = []
    for block in mvit.blocks:
        attention = block.attn
        grids.append(tokens.then(attention.pool_k.pool) if attention.pool_k is not None
                     else tokens)
        if attention.pool_q is not None:
            tokens = tokens.then(attention.pool_q.pool)
    return grids


class ClassTokenAttention:
    """Within ``with``, every forward of the encoder records each layer's class-token attention.

        with ClassTokenAttention(encoder) as capture:
            encoder(video=clips)
        layers = capture.layers()        # one LayerAttention per MViT block
    """

    def __init__(self, encoder: nn.Module) -> None:
        mvit = find_mvit(encoder)
        self._blocks = [_Block(block.attn, grid)
                        for block, grid in zip(mvit.blocks, key_grids(mvit), strict=True)]
        self._handles: list[Any] = []

    def __enter__(self) -> ClassTokenAttention:
        for block in self._blocks:
            self._handles += block.attach()
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def layers(self) -> list[LayerAttention]:
        return [block.layer() for block in self._blocks]
