"""A BERT-family text encoder from a local model directory: tokenizer, BERT, pooling, projection.

Loaded with transformers' AutoModel / AutoTokenizer from a directory only
(``local_files_only=True``; a name that is not an existing directory is refused, so a Hub model
id never triggers a download or a cache lookup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F
from transformers import AutoModel, AutoTokenizer

Pooling = Literal["mean", "cls"]


class TextEncoder(nn.Module):
    """Sentences -> [B, embed_dim], L2-normalised.

    ``backbone`` is the BERT model without its pooler (its output would go unused, and its
    weights would get no gradient); sentences are pooled from the last hidden states, by a
    mean over real tokens (``pooling="mean"``, the default: what sentence-embedding models such
    as all-MiniLM were trained with) or by the [CLS] token (``pooling="cls"``). ``projection``
    maps the pooled vector to ``embed_dim``.

    ``freeze_layers=N`` freezes the embeddings and the first N transformer layers (the
    reference freezes 6 of BERT-base's 12, as ConVIRT did); their parameters have
    ``requires_grad=False``, so every trainable parameter still receives a gradient.
    """

    def __init__(self, model_path: str | Path, *, freeze_layers: int = 0, max_tokens: int = 96,
                 pooling: Pooling = "mean", embed_dim: int = 512) -> None:
        super().__init__()
        path = _model_directory(model_path)
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', got {pooling!r}")
        self.model_path, self.max_tokens, self.pooling = path, max_tokens, pooling
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.backbone = AutoModel.from_pretrained(path, local_files_only=True)
        if not hasattr(getattr(self.backbone, "encoder", None), "layer"):
            raise ValueError(f"{path} holds a {type(self.backbone).__name__}, which lacks BERT's "
                             "layout (.embeddings, .encoder.layer); use a BERT-family model "
                             "(BERT, PubMedBERT, RoBERTa, ELECTRA, MiniLM)")
        if getattr(self.backbone, "pooler", None) is not None:
            self.backbone.pooler = None  # unused: pooling is done on the hidden states below
        self.projection = nn.Linear(self.backbone.config.hidden_size, embed_dim)
        self._freeze(freeze_layers)

    def _freeze(self, layers: int) -> None:
        available = len(self.backbone.encoder.layer)
        if not 0 <= layers <= available:
            raise ValueError(f"freeze_layers={layers}, but {self.model_path} has {available} "
                             f"transformer layers; pass 0..{available}")
        frozen = [self.backbone.embeddings, *self.backbone.encoder.layer[:layers]] if layers else []
        for module in frozen:
            module.requires_grad_(False)

    def tokenize(self, sentences: list[str]) -> dict[str, torch.Tensor]:
        """Token ids and masks for ``sentences``: padded to the longest, cut at max_tokens."""
        return dict(self.tokenizer(list(sentences), padding=True, truncation=True,
                                   max_length=self.max_tokens, return_tensors="pt"))

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                 token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The pooled sentence vector before the projection, [B, hidden_size]."""
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        pooled = self.features(input_ids, attention_mask, token_type_ids)
        return F.normalize(self.projection(pooled), dim=-1)


def _model_directory(model_path: str | Path) -> Path:
    path = Path(model_path).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"text model directory {str(model_path)!r} does not exist; pass "
                                "the local folder of a BERT-family model (config.json, weights, "
                                "tokenizer files): models are never downloaded")
    return path
