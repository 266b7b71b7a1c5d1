"""load_weights: read a file safely, recognise its format, fit it to a module, report, load."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.files import sha256_file
from cmrbench.weights.align import align, match
from cmrbench.weights.errors import WeightsError
from cmrbench.weights.formats import Checkpoint, read_checkpoint
from cmrbench.weights.report import LoadReport
from torch import nn

KINETICS_INITIALISATION = "kinetics400"
# Header keys a pretraining run's export writes (cmrbench.pretraining.export).
PRETRAINING_PREFIX = "pretraining_"


@dataclass(frozen=True)
class LoadResult:
    """What was loaded: the key-by-key report and the facts a result's provenance records.

    ``metadata`` is what the file says about itself: a cmrbench file's header (encoder,
    initialisation, ...) or a Lightning checkpoint's epoch and step.
    """

    report: LoadReport
    path: Path
    sha256: str
    format: str
    initialisation: str
    metadata: dict[str, str]

    @property
    def provenance(self) -> dict[str, Any]:
        """The weights' entry in a result's provenance; for weights a pretraining run exported,
        also its ``pretraining`` block (run, config sha256, checkpoint, step, text features...),
        so every result names the run its encoder came from."""
        entry: dict[str, Any] = {"weights_path": str(self.path), "weights_sha256": self.sha256,
                                 "weights_format": self.format,
                                 "initialisation": self.initialisation}
        pretraining = {key[len(PRETRAINING_PREFIX):]: value
                       for key, value in sorted(self.metadata.items())
                       if key.startswith(PRETRAINING_PREFIX)}
        if pretraining:
            entry["pretraining"] = pretraining
        return entry


def load_weights(module: nn.Module, path: str | Path, *, strict: bool = True,
                 exclude: Iterable[str] = (), initialisation: str | None = None) -> LoadResult:
    """Load the weights file at ``path`` into ``module`` and say exactly what happened.

    The file may be any format in :data:`cmrbench.weights.formats.FORMATS`; its keys are fitted
    to the module, or to ``module.backbone`` for backbone-only files such as torchvision's
    Kinetics state dicts. ``exclude`` names key prefixes (e.g. ``("head",)``) that are neither
    loaded nor required. With ``strict`` (the default) any missing, unexpected or mis-shaped key
    raises :class:`WeightsError` carrying the report, and the module is left untouched; without
    it, every key that fits is loaded and the report says what did not.

    ``initialisation`` names the weights in results ('kinetics400', 'contrastive', ...);
    by default it comes from the file's cmrbench metadata, else 'kinetics400' for a Kinetics
    file, else the file's stem.
    """
    checkpoint = read_checkpoint(path)
    plan = match(checkpoint, module, align(checkpoint, module), exclude)
    if strict and not plan.report.ok:
        raise WeightsError(f"weights do not fit {type(module).__name__} (strict load; the module "
                           f"is unchanged):\n{plan.report.render()}", report=plan.report)
    plan.target.load_state_dict(plan.tensors, strict=False)  # match() chose keys that fit
    return LoadResult(report=plan.report, path=Path(path), sha256=sha256_file(path),
                      format=checkpoint.format,
                      initialisation=initialisation or _initialisation(checkpoint),
                      metadata=checkpoint.metadata)


def _initialisation(checkpoint: Checkpoint) -> str:
    named = checkpoint.metadata.get("initialisation")
    if named:
        return named
    if checkpoint.format == "torchvision-kinetics400":
        return KINETICS_INITIALISATION
    return checkpoint.path.stem
