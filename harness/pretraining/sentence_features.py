"""Report sentences through a fully frozen text backbone, each encoded once and cached.

With every backbone layer frozen (``freeze_text_layers`` >= its layer count) a sentence's
pooled backbone feature never changes during a run; only the projection on top trains. The
``cached-sentences`` text features of a pretraining run (``text_features``) use that: each
distinct sentence is encoded once (backbone in eval mode, no gradient) and kept, and a sample
of k report sentences is the mean of its sentences' cached features, projected and
L2-normalised. On CPU the backbone pass dominates a step, so this makes steps several times
cheaper. It is a different text representation from ``joint`` (the k sentences encoded as one
text, the reference's), so it is a named option recorded in the run's config.

The cache is shared by the runs of one process (so repeated runs on the same reports encode
nothing twice) and keyed by the sha256 of the backbone's weights, its pooling and token limit,
plus the sentence: it can never answer for another set of weights.
"""

from __future__ import annotations

import hashlib

import torch
from cmrbench.data import split_sentences
from torch import nn
from torch.nn import functional as F

TEXT_FEATURES = ("joint", "cached-sentences")
CHUNK = 64  # sentences per backbone pass when filling the cache
_CACHE: dict[tuple[str, str], torch.Tensor] = {}


class SentenceCacheError(ValueError):
    """Cached sentence features asked of a text backbone that still trains."""


def weights_sha256(module: nn.Module) -> str:
    """Hex sha256 over ``module``'s parameters and buffers (names, shapes and values)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def backbone_frozen(encoder: nn.Module) -> bool:
    """Whether no parameter of ``encoder.backbone`` trains."""
    return not any(p.requires_grad for p in encoder.backbone.parameters())


class SentenceFeatures:
    """Pooled backbone features of sentences, computed once per (weights, sentence).

    ``encoder`` is a text encoder with ``backbone``, ``features``, ``tokenize`` and
    ``projection`` (:class:`~cmrbench.plugins.encoders._bert.TextEncoder`) whose backbone is
    frozen.
    """

    def __init__(self, encoder: nn.Module) -> None:
        if not backbone_frozen(encoder):
            trainable = sum(p.requires_grad for p in encoder.backbone.parameters())
            raise SentenceCacheError(
                f"text_features 'cached-sentences' needs the whole text backbone frozen, but "
                f"{trainable} of its parameter tensors train; set freeze_text_layers "
                f"(--freeze-text-layers) to its layer count, or use text_features 'joint'")
        self.encoder = encoder
        setting = f"{getattr(encoder, 'pooling', '')}:{getattr(encoder, 'max_tokens', '')}"
        self.key = f"{weights_sha256(encoder.backbone)}:{setting}"

    def sentences(self, sentences: list[str]) -> torch.Tensor:
        """Pooled features [n, hidden] of ``sentences``, the missing ones computed now."""
        missing = [s for s in dict.fromkeys(sentences) if (self.key, s) not in _CACHE]
        if missing:
            self._fill(missing)
        return torch.stack([_CACHE[self.key, s] for s in sentences])

    def _fill(self, sentences: list[str]) -> None:
        backbone = self.encoder.backbone
        was_training = backbone.training
        backbone.eval()  # no dropout: a sentence has one feature
        device = next(backbone.parameters()).device
        try:
            with torch.no_grad():
                for start in range(0, len(sentences), CHUNK):
                    chunk = sentences[start:start + CHUNK]
                    tokens = self.encoder.tokenize(chunk)
                    pooled = self.encoder.features(**{k: v.to(device) for k, v in tokens.items()})
                    for sentence, row in zip(chunk, pooled, strict=True):
                        _CACHE[self.key, sentence] = row
        finally:
            backbone.train(was_training)

    def embed(self, texts: list[str]) -> torch.Tensor:
        """Each text as the projected, L2-normalised mean of its sentences' features, [B, D]."""
        pooled = torch.stack([self.sentences(split_sentences(text) or [text]).mean(dim=0)
                              for text in texts])
        return F.normalize(self.encoder.projection(pooled), dim=-1)
