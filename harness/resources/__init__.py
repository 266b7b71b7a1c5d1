"""Files the program reads at run time, shipped inside the distribution.

The repository keeps them at its top level, as data beside the code: ``datasets/`` (dataset
cards) and ``leaderboards/`` (frozen suites and boards). This package links to both, so the same
``importlib.resources`` lookup finds them in a checkout, an editable install and a wheel, never
through the source tree or the working directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = ("datasets", "leaderboards")


def resource_dir(kind: str) -> Path:
    """The installed folder of ``kind`` ('datasets' or 'leaderboards')."""
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {list(KINDS)}")
    folder = Path(str(files(__name__) / kind))
    if not folder.is_dir():
        raise FileNotFoundError(f"cmrbench's {kind}/ folder is missing from this install "
                                f"({folder}); reinstall cmrbench")
    return folder
