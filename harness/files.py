"""File helpers every reader and writer shares: atomic replacement, streamed hashing and
YAML files that must hold a mapping."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PARTIAL_SUFFIX = ".partial"
CHUNK_BYTES = 1 << 20


@contextmanager
def atomic_write(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` if the block succeeds.

    The rename is atomic on POSIX, so readers only ever see the old file or the complete new
    one; on an error the temporary file is removed. A process killed mid-write leaves a hidden
    ``.<name>.<pid>.partial`` file, which a resumed run may delete.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks so large files stay cheap."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def read_yaml_mapping(path: str | Path, *, what: str, error: type[Exception],
                      label: str | None = None, fields: str = "fields") -> dict[str, Any]:
    """The mapping a YAML file holds (a card, suite, sweep file, run config...).

    A file that cannot be read or parsed, or holds anything but a mapping, raises ``error``
    with a message that names the file (``label``, by default its path) and what it should be.
    """
    import yaml  # here, so that importing this module stays cheap

    label = str(path) if label is None else label
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"{label}: cannot read the {what}: {exc}") from None
    if not isinstance(data, Mapping):
        raise error(f"{label}: a {what} is a YAML mapping of {fields}, got "
                    f"{type(data).__name__}")
    return dict(data)
