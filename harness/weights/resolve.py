"""One answer to "which file does --weights mean?", for every command that takes weights.

``--weights`` is a path or a pretrained tag of the encoder (``mvit-b-16x4.kinetics400`` or just
``kinetics400``). :func:`resolve_weights` turns either into the local file to load, the name of
the initialisation, the key prefixes to leave out and the tag's facts for provenance. It reads
the cache and never downloads: a tag not fetched yet is an error that says how to fetch it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cmrbench.specs import EncoderSpec
from cmrbench.tags import Tag, tag_for, tags_of
from cmrbench.weights.cache import SOURCE_SHA256, by_hand, check_record, weights_file
from cmrbench.weights.errors import WeightsError, WeightsNotCachedError


@dataclass(frozen=True)
class ResolvedWeights:
    """What to load: ``load_weights(module, path, exclude=exclude,
    initialisation=initialisation)``, then add ``provenance`` to the result's provenance.

    For a path, ``initialisation`` is None (the file names itself) and ``tag`` is None.
    """

    path: Path
    initialisation: str | None = None
    exclude: tuple[str, ...] = ()
    tag: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def resolve_weights(encoder: EncoderSpec, weights: str | os.PathLike[str], *,
                    cache: Path | None = None) -> ResolvedWeights:
    """The local weights ``weights`` names for ``encoder``: a path, or one of its tags.

    A string that is both an existing file and a tag of the encoder is refused as ambiguous
    (write ``./NAME`` for the file); a ``Path`` is always a path. A tag resolves to its file in
    the cache (``cache``, default :func:`cmrbench.weights.cache.cache_dir`); an uncached tag
    raises :class:`WeightsNotCachedError` naming the command to fetch it and the file to place
    by hand. Raises :class:`WeightsError` for a value that is neither a file nor a tag.
    """
    text = os.fspath(weights)
    tag = None if isinstance(weights, os.PathLike) else tag_for(encoder, text)
    if tag is None:
        return _path(encoder, Path(text))
    if Path(text).is_file():
        raise WeightsError(f"--weights {text}: both a file here and the tag {tag.name}; write "
                           f"./{text} for the file or {tag.name} for the tag")
    return _cached(tag, cache)


def _path(encoder: EncoderSpec, path: Path) -> ResolvedWeights:
    if path.exists():
        return ResolvedWeights(path)
    known = ", ".join(tag.name for tag in tags_of(encoder))
    tags = f"its tags: {known}" if known else "it declares no pretrained tags"
    raise WeightsError(f"--weights {path}: no such file, and not a pretrained tag of "
                       f"{encoder.name} ({tags}; `cmrbench ls encoders` lists every tag)")


def _cached(tag: Tag, cache: Path | None) -> ResolvedWeights:
    path = weights_file(tag, cache)
    if not path.is_file():
        raise WeightsNotCachedError(
            f"{tag.name} is not in the weights cache ({path}) and nothing is downloaded "
            f"implicitly: run `cmrbench weights fetch {tag.name}` once. "
            f"{by_hand(tag, cache)}")
    record = check_record(tag, path)
    provenance = {"weights_tag": tag.name, "weights_source_url": tag.weights.url,
                  "weights_source_sha256": record[SOURCE_SHA256]}
    return ResolvedWeights(path, tag.weights.name, tag.weights.exclude, tag.name, provenance)
