"""Weights by path: load any format a user brings, never run code from a file, save our own.

    from cmrbench.weights import load_weights, save_weights

    result = load_weights(encoder, "r3d_18-kinetics.pth", exclude=("fc",))  # classifier left out
    result.report.render()      # what was loaded, missing, unexpected, mis-shaped, excluded
    result.provenance           # path, sha256, format and initialisation, for result records
    save_weights(encoder, "out/contrastive.safetensors", encoder="r3d-18",
                 initialisation="contrastive")

Reading is safetensors or ``torch.load(weights_only=True)`` only (``safe_load``); the file's
layout is recognised in ``formats`` (Lightning, pytorchvideo, torchvision Kinetics, cmrbench,
plain state dicts); ``align`` fits its keys to the module; ``report`` says what happened.

Published checkpoints are named by tag (``mvit-b-16x4.kinetics400``, see ``cmrbench.tags``):

    resolved = resolve_weights(spec, "kinetics400")   # a path or a tag; never downloads
    result = load_weights(module, resolved.path, exclude=resolved.exclude,
                          initialisation=resolved.initialisation)
    provenance = {**result.provenance, **resolved.provenance}   # + tag, source URL and sha256

``fetch_weights`` / ``import_weights`` (``cmrbench weights fetch`` / ``import``) put a tag's
file into the cache (``cache``), verified against its published hash and converted to
safetensors; nothing else downloads.
"""

from cmrbench.files import sha256_file
from cmrbench.weights.cache import cache_dir
from cmrbench.weights.errors import (
    DownloadError,
    VerificationError,
    WeightsError,
    WeightsNotCachedError,
)
from cmrbench.weights.fetch import Fetched, fetch_weights, import_weights
from cmrbench.weights.formats import FORMATS, Checkpoint, read_checkpoint
from cmrbench.weights.loading import LoadResult, load_weights
from cmrbench.weights.report import LoadReport, Mismatch
from cmrbench.weights.resolve import ResolvedWeights, resolve_weights
from cmrbench.weights.saving import save_tensors, save_weights

__all__ = [
    "FORMATS",
    "Checkpoint",
    "DownloadError",
    "Fetched",
    "LoadReport",
    "LoadResult",
    "Mismatch",
    "ResolvedWeights",
    "VerificationError",
    "WeightsError",
    "WeightsNotCachedError",
    "cache_dir",
    "fetch_weights",
    "import_weights",
    "load_weights",
    "read_checkpoint",
    "resolve_weights",
    "save_tensors",
    "save_weights",
    "sha256_file",
]

