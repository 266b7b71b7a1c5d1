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
"""

from cmrbench.files import sha256_file
from cmrbench.weights.errors import WeightsError
from cmrbench.weights.formats import FORMATS, Checkpoint, read_checkpoint
from cmrbench.weights.loading import LoadResult, load_weights
from cmrbench.weights.report import LoadReport, Mismatch
from cmrbench.weights.saving import save_weights

__all__ = [
    "FORMATS",
    "Checkpoint",
    "LoadReport",
    "LoadResult",
    "Mismatch",
    "WeightsError",
    "load_weights",
    "read_checkpoint",
    "save_weights",
    "sha256_file",
]

