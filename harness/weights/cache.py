"""Where fetched weights live, and what each cached file says about where it came from.

    $CMRBENCH_CACHE/                       default: the user's cache folder + cmrbench
      weights/<encoder>/<tag>.safetensors  verified and converted; its header records the source
      downloads/<published file name>      a file placed here by hand, which `weights fetch`
                                           verifies and converts instead of downloading

Only ``cmrbench weights fetch`` and ``cmrbench weights import`` write here; everything else
reads, and a tag that is not here is an error saying how to get it, never a download.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from cmrbench.tags import Tag
from cmrbench.weights.errors import VerificationError
from safetensors import SafetensorError, safe_open

CACHE_ENV = "CMRBENCH_CACHE"
TAG_KEY = "cmrbench_tag"
SOURCE_SHA256 = "source_sha256"


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$CMRBENCH_CACHE``, else the platform's user cache folder: ``~/.cache/cmrbench`` on
    Linux (``$XDG_CACHE_HOME/cmrbench`` when set), ``~/Library/Caches/cmrbench`` on macOS,
    ``%LOCALAPPDATA%\\cmrbench\\Cache`` on Windows (the folders platformdirs would choose)."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_ENV):
        return Path(environ[CACHE_ENV]).expanduser().absolute()
    if sys.platform == "win32":
        return Path(environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local",
                    "cmrbench", "Cache")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "cmrbench"
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cmrbench"


def weights_file(tag: Tag, cache: Path | None = None) -> Path:
    """Where ``tag``'s verified, converted file lives (whether or not it is there yet)."""
    return (cache or cache_dir()) / "weights" / tag.encoder / f"{tag.weights.name}.safetensors"


def placed_file(tag: Tag, cache: Path | None = None) -> Path:
    """Where to put ``tag``'s published file by hand, for ``weights fetch`` to verify."""
    return (cache or cache_dir()) / "downloads" / tag.weights.filename


def cached_files(cache: Path | None = None) -> list[Path]:
    """Every converted file in the cache, whichever plugin declared its tag."""
    return sorted(((cache or cache_dir()) / "weights").glob("*/*.safetensors"))


def read_record(path: Path) -> dict[str, str]:
    """The header of a cached file: its tag, source URL, source sha256 and size, ..."""
    try:
        with safe_open(str(path), framework="numpy") as handle:
            return dict(handle.metadata() or {})
    except (SafetensorError, OSError) as exc:
        raise VerificationError(f"{path}: unreadable as a cached weights file ({exc}); delete "
                                "it and run `cmrbench weights fetch` again") from None


def check_record(tag: Tag, path: Path) -> dict[str, str]:
    """The header of ``tag``'s cached file, refused unless it names ``tag`` and a source whose
    sha256 agrees with the published one (a file copied into the cache by hand is neither)."""
    record = read_record(path)
    published = tag.weights.sha256 or ""
    if record.get(TAG_KEY) != tag.name or not record.get(SOURCE_SHA256, "").startswith(published):
        raise VerificationError(
            f"{path}: not {tag.name} as `cmrbench weights fetch` writes it (its header names "
            f"{record.get(TAG_KEY) or 'no tag'}, source sha256 "
            f"{record.get(SOURCE_SHA256) or 'none'}; published: {published or 'none'}). Delete "
            f"it and run `cmrbench weights fetch {tag.name}` or `cmrbench weights import "
            f"{tag.name} FILE`")
    return record


def by_hand(tag: Tag, cache: Path | None = None) -> str:
    """How to get ``tag`` onto a machine without internet: the file to fetch and where it goes."""
    name = tag.weights.filename
    return (f"Without internet here: download {name} from {tag.weights.url} on another "
            f"machine, then either place it at {placed_file(tag, cache)} and run "
            f"`cmrbench weights fetch {tag.name}` (it is verified and converted, nothing is "
            f"downloaded), or run `cmrbench weights import {tag.name} PATH/TO/{name}`")
