"""Video-report contrastive pretraining (SPEC §1): a video and a text encoder, one store.

    from cmrbench.pretraining import PretrainConfig, run_pretraining

    result = run_pretraining(PretrainConfig(video_encoder="mvit-b-16x4",
                                            video_weights="kinetics400", text_encoder="bert",
                                            text_options={"model_path": "PubMedBERT/"},
                                            store=Path("store"), out=Path("runs/pretrain")))
    weights = exported_weights(Path("runs/pretrain"))  # {"video": Path, "text": Path}

Modules, in the order data flows: ``config`` (what to run), ``pairs`` (which studies, and how
their videos and reports become pairs), ``encoders`` (both encoders by name, with weights),
``loss`` (the asymmetric InfoNCE with flooding, global negatives under DDP), ``module`` (the
LightningModule), ``export`` (encoders as cmrbench weight files) and ``runner`` (all of it in
order, leaving a run directory).
"""

from importlib import import_module
from typing import Any

# Loaded on first use, so that `cmrbench.pretraining.loss` (all a DDP worker needs) does not
# import Lightning.
_EXPORTS = {"PretrainConfig": "config", "export_checkpoint": "export",
            "ContrastiveLoss": "loss", "gather_with_grad": "loss", "info_nce": "loss",
            "plan_pretraining": "runner", "run_pretraining": "runner",
            "exported_weights": "export"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
