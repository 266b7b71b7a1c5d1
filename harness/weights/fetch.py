"""Download a tag's published file once, verify it, and cache it in the harness's safe format.

``fetch_weights`` is the only code in cmrbench that downloads anything, and only the commands
``cmrbench weights fetch`` and ``import`` call it or ``import_weights``. Either way the file is
checked against the hash its publisher published before anything is cached, read without
unpickling anything but tensors, checked to have the layout the tag declares, and written as
safetensors (with its source in the header) under a temporary name, then renamed: the cache
only ever holds complete, verified files, and later loads never unpickle.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cmrbench import __version__
from cmrbench.files import CHUNK_BYTES, PARTIAL_SUFFIX, sha256_file
from cmrbench.tags import Tag
from cmrbench.weights.cache import (
    SOURCE_SHA256,
    TAG_KEY,
    by_hand,
    cache_dir,
    check_record,
    placed_file,
    weights_file,
)
from cmrbench.weights.errors import DownloadError, VerificationError, WeightsError
from cmrbench.weights.formats import read_checkpoint
from cmrbench.weights.saving import save_tensors
from tqdm import tqdm

TIMEOUT_S = 60.0
Origin = Literal["cache", "download", "placed", "import"]


@dataclass(frozen=True)
class Fetched:
    """A tag's cached file, where it came from this time, and the source file's sha256."""

    tag: str
    path: Path
    origin: Origin
    source_sha256: str


def fetch_weights(tag: Tag, *, cache: Path | None = None, trust_unverified: bool = False,
                  progress: bool = True, timeout: float = TIMEOUT_S) -> Fetched:
    """``tag``'s cached file: from the cache if there, else from a file placed by hand in the
    cache's downloads folder, else downloaded from the tag's URL; verified before it is cached.

    ``trust_unverified`` accepts a file whose publisher published no hash (its sha256 is still
    recorded). Raises :class:`DownloadError` when the URL cannot be reached (the message says
    which file to place where by hand) and :class:`VerificationError` for a wrong file.
    """
    cache = cache or cache_dir()
    target = weights_file(tag, cache)
    if target.is_file():
        return Fetched(tag.name, target, "cache", check_record(tag, target)[SOURCE_SHA256])
    placed = placed_file(tag, cache)
    if placed.is_file():
        return _store(tag, placed, sha256_file(placed), cache, "placed", trust_unverified)
    _require_published_hash(tag, trust_unverified)
    with _download(tag, cache, progress, timeout) as (partial, sha256):
        return _store(tag, partial, sha256, cache, "download", trust_unverified)


def import_weights(tag: Tag, file: str | Path, *, cache: Path | None = None,
                   trust_unverified: bool = False) -> Fetched:
    """Verify ``file`` as ``tag``'s published file and cache it, exactly as a fetch would."""
    file = Path(file)
    if not file.is_file():
        raise WeightsError(f"{file}: no such file; pass the downloaded {tag.weights.filename} "
                           f"(from {tag.weights.url})")
    return _store(tag, file, sha256_file(file), cache or cache_dir(), "import", trust_unverified)


def _store(tag: Tag, source: Path, sha256: str, cache: Path, origin: Origin,
           trust_unverified: bool) -> Fetched:
    """Verify ``source`` (whose bytes hash to ``sha256``) as ``tag``'s file, then cache it."""
    _require_published_hash(tag, trust_unverified)
    _verify_hash(tag, source, sha256)
    checkpoint = read_checkpoint(source)
    if checkpoint.format != tag.weights.format:
        raise VerificationError(f"{source}: holds a {checkpoint.format} checkpoint, but "
                                f"{tag.name} is published as {tag.weights.format}; it was not "
                                "cached")
    record = {TAG_KEY: tag.name, "source_url": tag.weights.url,
              "source_file": tag.weights.filename, SOURCE_SHA256: sha256,
              "source_bytes": str(source.stat().st_size), "source_format": checkpoint.format,
              "published_sha256": tag.weights.sha256 or ""}
    target = weights_file(tag, cache)
    save_tensors(checkpoint.tensors, target, encoder=tag.encoder,
                 initialisation=tag.weights.name, metadata=record)
    return Fetched(tag.name, target, origin, sha256)


def _require_published_hash(tag: Tag, trust_unverified: bool) -> None:
    if tag.weights.sha256 is None and not trust_unverified:
        raise VerificationError(
            f"{tag.name}: its publisher publishes no hash for {tag.weights.filename}, so the "
            "file cannot be checked against it. Pass --trust-unverified to accept it as served "
            f"from {tag.weights.url} (its sha256 is recorded in the cache and in every result)")


def _verify_hash(tag: Tag, source: Path, sha256: str) -> None:
    published = tag.weights.sha256
    if published is not None and not sha256.startswith(published):
        raise VerificationError(
            f"{source}: sha256 {sha256} does not match the published "
            f"{'prefix ' if len(published) < 64 else ''}{published} of {tag.weights.filename} "
            f"({tag.name}): a corrupt or truncated download, or another file. It was not "
            f"cached; fetch it again, or check the file you placed or imported")


@contextmanager
def _download(tag: Tag, cache: Path, progress: bool, timeout: float) -> Iterator[tuple[Path, str]]:
    """Download ``tag``'s URL to a hidden partial file, yielding it and its sha256; the partial
    file is removed afterwards, whatever happens."""
    folder = placed_file(tag, cache).parent
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{tag.weights.filename}.{os.getpid()}{PARTIAL_SUFFIX}"
    try:
        yield partial, _stream(tag, partial, cache, progress, timeout)
    finally:
        partial.unlink(missing_ok=True)


def _stream(tag: Tag, out: Path, cache: Path, progress: bool, timeout: float) -> str:
    """Copy ``tag``'s URL into ``out`` and return the sha256 of the bytes received."""
    with _open(tag, cache, timeout) as response:
        expected = response.headers.get("Content-Length")
        total = int(expected) if expected and expected.isdigit() else None
        digest, received = hashlib.sha256(), 0
        try:
            with open(out, "wb") as handle, tqdm(total=total, unit="B", unit_scale=True,
                                                 unit_divisor=1024, desc=tag.name,
                                                 disable=not progress or None) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    handle.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        except (http.client.IncompleteRead, TimeoutError, ConnectionError) as exc:
            raise _interrupted(tag, cache, received, total, exc) from None
    if total is not None and received != total:
        raise _interrupted(tag, cache, received, total, "the connection closed early")
    return digest.hexdigest()


def _open(tag: Tag, cache: Path, timeout: float) -> http.client.HTTPResponse:
    url = tag.weights.url
    request = urllib.request.Request(url, headers={"User-Agent": f"cmrbench/{__version__}"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{tag.name}: {url} answered {exc.code} {exc.reason}; nothing was "
                            f"cached. {by_hand(tag, cache)}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{tag.name}: cannot download {url} ({reason}); nothing was "
                            f"cached; is this machine offline? {by_hand(tag, cache)}") from None


def _interrupted(tag: Tag, cache: Path, received: int, total: int | None,
                 why: object) -> DownloadError:
    of = f" of {total}" if total is not None else ""
    return DownloadError(f"{tag.name}: the download of {tag.weights.url} stopped after "
                         f"{received}{of} bytes ({why}): truncated, nothing was cached. Run "
                         f"the command again. {by_hand(tag, cache)}")
