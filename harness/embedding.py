"""Embed every selected video of a store with one encoder and one named initialisation.

The output is the feature cache frozen-encoder protocols start from, and it carries its
provenance: encoder, weights file hash and initialisation, store index hash, split, view
policy, input contract and seed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from cmrbench.data import ClipDataset, make_loader, to_device
from cmrbench.encoder_guard import build_module, embed_batch, embed_text_batch
from cmrbench.files import sha256_file
from cmrbench.provenance import environment, module_provenance, plugin_provenance
from cmrbench.specs import EncoderSpec, TextInput, VideoInput
from cmrbench.store.index import INDEX_FILE
from cmrbench.weights import ResolvedWeights, load_weights, resolve_weights
from tqdm import tqdm


@dataclass(frozen=True)
class Embeddings:
    """One row per video: its study, view and slice, and the encoder's embedding."""

    vectors: np.ndarray
    study_id: np.ndarray
    view: np.ndarray
    slice: np.ndarray
    provenance: dict[str, Any]


def build_encoder(spec: EncoderSpec, weights: Path | ResolvedWeights | None = None, *,
                  exclude: Iterable[str] = (), initialisation: str | None = None, seed: int = 0,
                  options: Mapping[str, Any] | None = None
                  ) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The encoder in eval mode, with its weights loaded strictly, and their provenance.

    ``weights`` is a file, or what :func:`cmrbench.weights.resolve_weights` made of a path or
    tag: its exclusions and initialisation name apply, and its tag facts join the provenance.
    Without ``weights`` the encoder keeps its seeded random initialisation, named 'random'
    (or ``initialisation``). ``options`` are keyword arguments of the encoder's factory
    (a text encoder's ``model_path``, ``freeze_layers``); they join the provenance.
    """
    torch.manual_seed(seed)
    module = build_module(spec, **dict(options or {}))
    if weights is None:
        provenance = {"initialisation": initialisation or "random", "init_seed": seed}
    else:
        resolved = weights if isinstance(weights, ResolvedWeights) else ResolvedWeights(weights)
        loaded = load_weights(module, resolved.path, exclude=(*resolved.exclude, *exclude),
                              initialisation=initialisation or resolved.initialisation)
        provenance = {**loaded.provenance, **resolved.provenance}
    if options:
        provenance["encoder_options"] = {k: str(v) for k, v in options.items()}
    files = module_provenance(module)
    return module.eval(), {"encoder": spec.name, "encoder_plugin": plugin_provenance(spec),
                           **provenance, **({"encoder_files": files} if files else {})}


def build_text_encoder(spec: EncoderSpec, weights: str | None = None, *,
                       options: Mapping[str, Any] | None = None, seed: int = 0
                       ) -> tuple[torch.nn.Module, dict[str, Any]]:
    """A text encoder built with its factory ``options`` (e.g. ``model_path``), with
    ``weights`` (a path or tag, e.g. the text encoder a pretraining run exported) loaded
    strictly. Without weights its initialisation is named 'language-model': the model files
    the factory read, with a seeded random projection."""
    if not isinstance(spec.input, TextInput):
        raise ValueError(f"{spec.name} is a {spec.modality} encoder, not a text encoder")
    resolved = resolve_weights(spec, weights) if weights else None
    module, provenance = build_encoder(spec, resolved, seed=seed, options=options,
                                       initialisation=None if resolved else "language-model")
    if getattr(module, "model_path", None) is not None:  # the model files it was built on
        provenance["model_path"] = str(module.model_path)
    return module, provenance


@torch.no_grad()
def embed_store(spec: EncoderSpec, module: torch.nn.Module, store: Path, *,
                split: str | None = None, views: str = "reference", batch_size: int = 8,
                device: str = "cpu", workers: int | None = None,
                weights_provenance: dict[str, Any] | None = None,
                progress: bool = True, features: bool = False,
                studies: Sequence[str] | None = None) -> Embeddings:
    """Embed every video the ``views`` policy selects in ``split`` of the store (of exactly
    ``studies``, in order, when given).

    ``workers`` DataLoader processes read and hand over clips (default: `make_loader`'s)
    while the device transforms and encodes the previous batch. With ``features`` the rows
    are the encoder's ``features(video)`` before its projection (the feature cache's input).
    """
    if not isinstance(spec.input, VideoInput):
        raise ValueError(f"{spec.name} is a {spec.modality} encoder; embed needs a video encoder")
    dataset = ClipDataset(store, spec.input, split=split, views=views, train=False,
                          studies=studies)
    loader = make_loader(dataset, batch_size, workers=workers, device=device)
    transform = dataset.batch_transform()
    module = module.to(device)
    vectors, ids, view_names, slices = [], [], [], []
    for batch in tqdm(loader, desc=f"embed {spec.name}", unit="batch",
                      disable=not progress or None):
        batch = to_device(batch, device)
        video = transform(batch["frames"], batch["params"])
        vectors.append(embed_batch(spec, module, video, features=features))
        ids += batch["study_id"]
        view_names += batch["view"]
        slices += batch["slice"]
    provenance = {**(weights_provenance or {}), "store": str(store),
                  "store_index_sha256": sha256_file(Path(store) / INDEX_FILE),
                  "split": split, "views": views, "input": asdict(spec.input),
                  "n_videos": len(ids), **environment()}
    empty = np.zeros((0, 0 if features else spec.embed_dim), np.float32)
    return Embeddings(vectors=np.concatenate(vectors) if vectors else empty,
                      study_id=np.array(ids, dtype=str), view=np.array(view_names, dtype=str),
                      slice=np.array(slices, dtype=np.int64), provenance=provenance)


@torch.no_grad()
def embed_texts(spec: EncoderSpec, module: torch.nn.Module, texts: Sequence[str], *,
                device: str = "cpu", batch_size: int = 64) -> np.ndarray:
    """A text encoder's embeddings of ``texts``, float32 [len(texts), embed_dim], in order."""
    if not isinstance(spec.input, TextInput):
        raise ValueError(f"{spec.name} is a {spec.modality} encoder; embed_texts needs a text "
                         "encoder")
    module = module.to(device).eval()
    rows = [embed_text_batch(spec, module, list(texts[start:start + batch_size]), device)
            for start in range(0, len(texts), batch_size)]
    return np.concatenate(rows) if rows else np.zeros((0, spec.embed_dim), np.float32)


def save_embeddings(path: Path, embeddings: Embeddings) -> None:
    """Write an .npz (no pickled objects) with the provenance as JSON text."""
    np.savez(path, vectors=embeddings.vectors, study_id=embeddings.study_id,
             view=embeddings.view, slice=embeddings.slice,
             provenance=np.array(json.dumps(embeddings.provenance, sort_keys=True)))


def load_embeddings(path: Path) -> Embeddings:
    """Read what :func:`save_embeddings` wrote; never unpickles."""
    with np.load(path, allow_pickle=False) as data:
        return Embeddings(vectors=data["vectors"], study_id=data["study_id"], view=data["view"],
                          slice=data["slice"], provenance=json.loads(str(data["provenance"])))
