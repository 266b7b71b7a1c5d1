"""Read a weights file without running code from it.

There are two readers and no third: safetensors (a JSON header plus raw tensor bytes; nothing in
it can execute) and ``torch.load(weights_only=True)``, whose unpickler builds tensors and plain
containers and refuses every other Python global before calling it. A file that needs anything
else is refused, naming the globals it asked for; a truncated or corrupt file is reported as such.
"""

from __future__ import annotations

import argparse
import pathlib
import pickle
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch
from cmrbench.weights.errors import WeightsError
from safetensors import SafetensorError, safe_open

# Inert value types that Lightning checkpoints carry in their hyper-parameters: building one
# runs no user code, so allowing them keeps ordinary checkpoints loadable without opening a hole.
SAFE_VALUE_TYPES = (pathlib.PosixPath, pathlib.PurePosixPath, pathlib.PureWindowsPath,
                    argparse.Namespace)

_REFUSED_HELP = ("cmrbench never unpickles arbitrary objects. If this file is yours and you trust "
                 "it, extract its tensors once in a separate Python session (for a Lightning "
                 "checkpoint: `torch.save(torch.load(path, weights_only=False)['state_dict'], "
                 "'clean.pt')`) or convert them to .safetensors, and pass the new file")
_CORRUPT_HELP = ("the file is probably truncated or corrupt (an interrupted download or copy): "
                 "fetch it again and compare its sha256 with the source's")


@dataclass(frozen=True)
class RawWeights:
    """What a weights file holds, read safely; ``formats`` makes sense of ``content``."""

    path: Path
    container: Literal["safetensors", "torch"]
    content: object
    metadata: dict[str, str] = field(default_factory=dict)


def read_file(path: str | Path) -> RawWeights:
    """Read ``path`` as safetensors (by extension or magic bytes) or as a weights-only torch file.

    Raises :class:`WeightsError` for a missing, empty, truncated, corrupt or refused file.
    """
    path = Path(path)
    if not path.exists():
        raise WeightsError(f"{path}: no such file; pass the path of a local weights file "
                           "(.safetensors, .pt, .pth or .ckpt): weights are never downloaded")
    if not path.is_file():
        raise WeightsError(f"{path}: is not a file; pass the weights file itself, not a folder")
    if path.stat().st_size == 0:
        raise WeightsError(f"{path}: is empty (0 bytes); {_CORRUPT_HELP}")
    if path.suffix == ".safetensors" or _has_safetensors_header(path):
        return _read_safetensors(path)
    return _read_torch(path)


def _has_safetensors_header(path: Path) -> bool:
    """A safetensors file starts with a little-endian u64 header length, then the JSON '{'."""
    with open(path, "rb") as handle:
        start = handle.read(9)
    if len(start) < 9:
        return False
    (header_length,) = struct.unpack("<Q", start[:8])
    return start[8:9] == b"{" and 8 + header_length <= path.stat().st_size


def _read_safetensors(path: Path) -> RawWeights:
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = dict(handle.metadata() or {})
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except (SafetensorError, OSError) as exc:
        raise WeightsError(f"{path}: cannot be read as safetensors ({exc}); "
                           f"{_CORRUPT_HELP}") from None
    return RawWeights(path, "safetensors", tensors, metadata)


def _read_torch(path: Path) -> RawWeights:
    try:
        with torch.serialization.safe_globals(list(SAFE_VALUE_TYPES)), warnings.catch_warnings():
            # a plain pickle (refused below anyway) makes torch warn about its protocol first
            warnings.filterwarnings("ignore", "Detected pickle protocol", UserWarning)
            content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise WeightsError(_refusal(path, exc)) from None
    except Exception as exc:  # noqa: BLE001 - torch signals a corrupt file with many types
        raise WeightsError(f"{path}: cannot be read as a PyTorch checkpoint "
                           f"({type(exc).__name__}: {_first_line(exc)}); {_CORRUPT_HELP}") from None
    return RawWeights(path, "torch", content)


def _refusal(path: Path, exc: pickle.UnpicklingError) -> str:
    """Explain why weights-only loading stopped: the globals the file asks for, if listable."""
    globals_ = _unsafe_globals(path)
    if globals_:
        what = (f"it asks to build Python objects {globals_}, which could run code; a weights "
                "file may hold only tensors and plain containers")
    else:
        what = (f"weights-only loading stopped at '{_unpickler_reason(exc)}' (a plain pickle "
                "rather than a torch.save file, or a damaged one)")
    return f"{path}: refused, nothing in it was run: {what}. {_REFUSED_HELP}"


def _unsafe_globals(path: Path) -> list[str]:
    """The globals a torch.save zip file references, listed by reading opcodes, never running."""
    try:
        found = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    except Exception:  # noqa: BLE001 - only zip files can be listed; the caller has a fallback
        return []
    allowed = {f"{t.__module__}.{t.__qualname__}" for t in SAFE_VALUE_TYPES}
    return [name for name in found if name not in allowed]


def _unpickler_reason(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "Unsupported" in line or "GLOBAL" in line:
            return line
    return lines[-1] if lines else type(exc).__name__


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no message"
