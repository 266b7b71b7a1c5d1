"""A small transformer over template tokens: phrase, value and word-piece tokens -> 512-d, L2.

Every token id has a learnt embedding; a value token adds a numeric embedding of the number it
stands for (sines and cosines of the value at geometric frequencies, then a linear map), so
"LVEF is 34%" and "LVEF is 35%" start close and a value never seen in training still means
something. A learnt position embedding, a pre-norm transformer encoder, a mean over the real
tokens and the ``projection`` to ``embed_dim`` follow, as in every text encoder.

The vocabulary's sha256 is a persistent buffer: weights trained with one vocabulary refuse to
load into an encoder built with another, whose token ids mean different things.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from cmrbench.tokenizer import TemplateTokenizer, VocabularyError
from cmrbench.tokenizer.slots import MAX_INTEGER
from cmrbench.tokenizer.tokenizer import BOS, PAD, TEMPLATE_BASE, VALUE_BASE
from torch import nn
from torch.nn import functional as F

NUMERIC_FREQUENCIES = 16
SHA_BUFFER = "vocabulary_sha256"


class TemplateBackbone(nn.Module):
    """Token ids [B, L] and mask -> pooled features [B, width]."""

    def __init__(self, numbers: list[float], *, width: int, layers: int, heads: int,
                 max_tokens: int, dropout: float) -> None:
        super().__init__()
        self.tokens = nn.Embedding(len(numbers), width, padding_idx=PAD)
        self.positions = nn.Embedding(max_tokens, width)
        self.numeric = nn.Linear(2 * NUMERIC_FREQUENCIES, width)
        ids = torch.arange(len(numbers))
        self.register_buffer("values", torch.tensor(numbers, dtype=torch.float32),
                             persistent=False)
        self.register_buffer("is_value", (ids >= VALUE_BASE) & (ids < TEMPLATE_BASE),
                             persistent=False)
        frequencies = torch.logspace(0, -math.log10(2 * MAX_INTEGER), NUMERIC_FREQUENCIES)
        self.register_buffer("frequencies", frequencies, persistent=False)
        layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=2 * width,
                                           dropout=dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        angles = self.values[input_ids].unsqueeze(-1) * self.frequencies
        numeric = self.numeric(torch.cat([angles.sin(), angles.cos()], dim=-1))
        hidden = (self.tokens(input_ids) + self.positions(positions)
                  + numeric * self.is_value[input_ids].unsqueeze(-1))
        hidden = self.norm(self.encoder(hidden, src_key_padding_mask=~attention_mask.bool()))
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class TemplateTextEncoder(nn.Module):
    """Sentences -> template tokens -> [B, embed_dim], L2-normalised."""

    def __init__(self, tokenizer: TemplateTokenizer, *, width: int = 128, layers: int = 2,
                 heads: int = 4, max_tokens: int = 64, dropout: float = 0.1,
                 embed_dim: int = 512) -> None:
        super().__init__()
        if max_tokens < 2:
            raise ValueError(f"max_tokens={max_tokens}: a sequence holds [BOS] and at least "
                             "one token; pass 2 or more")
        self.tokenizer, self.max_tokens = tokenizer, max_tokens
        self.backbone = TemplateBackbone(tokenizer.numeric_values(), width=width, layers=layers,
                                         heads=heads, max_tokens=max_tokens, dropout=dropout)
        self.projection = nn.Linear(width, embed_dim)
        self.register_buffer(SHA_BUFFER, _sha_tensor(tokenizer.vocabulary.sha256))

    def tokenize(self, sentences: list[str]) -> dict[str, torch.Tensor]:
        """Token ids and masks: [BOS] + each text's tokens, cut at max_tokens, padded."""
        rows = [[BOS, *self.tokenizer.encode(text).ids][:self.max_tokens] for text in sentences]
        length = max((len(row) for row in rows), default=1)
        ids = torch.full((len(rows), length), PAD, dtype=torch.long)
        for number, row in enumerate(rows):
            ids[number, :len(row)] = torch.tensor(row)
        return {"input_ids": ids, "attention_mask": (ids != PAD).long()}

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The pooled text vector before the projection, [B, width]."""
        return self.backbone(input_ids, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.projection(self.features(input_ids, attention_mask)), dim=-1)

    def provenance(self) -> dict[str, Any]:
        """The vocabulary this encoder reads, for every result's provenance."""
        vocabulary = self.tokenizer.vocabulary
        return {"vocabulary_sha256": vocabulary.sha256,
                "vocabulary_templates": len(vocabulary.templates),
                "wordpiece_vocab_sha256": vocabulary.wordpiece.get("vocab_sha256")}

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
        stored = state_dict.get(prefix + SHA_BUFFER)
        own = getattr(self, SHA_BUFFER)
        if stored is not None and not torch.equal(stored.to(own.device), own):
            raise VocabularyError(
                f"these weights were trained with the template vocabulary sha256 "
                f"{bytes(stored.tolist()).hex()}, but this encoder reads "
                f"{self.tokenizer.vocabulary.sha256}; build it with the vocabulary file the "
                "weights were trained with (vocabulary=PATH)")
        super()._load_from_state_dict(state_dict, prefix, *args)


def _sha_tensor(sha256: str | None) -> torch.Tensor:
    if sha256 is None:
        raise VocabularyError("the encoder needs a vocabulary read from its file (its sha256 "
                              "names it in provenance); write it first with Vocabulary.write")
    return torch.tensor(list(bytes.fromhex(sha256)), dtype=torch.uint8)
