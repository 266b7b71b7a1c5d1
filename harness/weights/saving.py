"""save_weights: the harness's own format, a safetensors file that names what it holds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from cmrbench.files import atomic_write, sha256_file
from cmrbench.weights.errors import WeightsError
from cmrbench.weights.formats import FORMAT_KEY, FORMAT_VERSION
from safetensors.torch import save_file
from torch import nn


def save_weights(module: nn.Module, path: str | Path, *, encoder: str, initialisation: str,
                 metadata: Mapping[str, str] | None = None) -> str:
    """Write ``module``'s state dict to ``path`` as safetensors and return the file's sha256.

    The header records the encoder's name, the initialisation the weights represent (e.g.
    'contrastive') and any extra string ``metadata``; ``load_weights`` reads them back. The
    file is written to a temporary name and renamed, so a crash never leaves half a file.
    """
    return save_tensors(module.state_dict(), path, encoder=encoder,
                        initialisation=initialisation, metadata=metadata)


def save_tensors(tensors: Mapping[str, torch.Tensor], path: str | Path, *, encoder: str,
                 initialisation: str, metadata: Mapping[str, str] | None = None) -> str:
    """:func:`save_weights` for a state dict already in hand, e.g. one read from another format."""
    extra = dict(metadata or {})
    bad = {key: value for key, value in extra.items()
           if not isinstance(key, str) or not isinstance(value, str)}
    if bad:
        raise WeightsError(f"save_weights: metadata must map strings to strings; convert {bad}")
    header = {**extra, FORMAT_KEY: FORMAT_VERSION, "format": "pt", "encoder": encoder,
              "initialisation": initialisation}
    with atomic_write(path) as partial:
        save_file(_own_storage(tensors), partial, metadata=header)
    return sha256_file(path)


def _own_storage(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Detached, contiguous CPU tensors, each with its own memory (safetensors refuses sharing)."""
    seen: set[int] = set()
    tensors = {}
    for key, tensor in state.items():
        tensor = tensor.detach().cpu().contiguous()
        pointer = tensor.untyped_storage().data_ptr()
        if pointer in seen:
            tensor = tensor.clone()
        seen.add(pointer)
        tensors[key] = tensor
    return tensors
