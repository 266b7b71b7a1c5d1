"""The one command that reruns an entry's run from the resolved configuration it kept.

Paths that were the submitter's own (the store, the run directory, the weights file, the
feature cache and a dataset card) become placeholders to fill in; every other field is given
as the flag ``cmrbench run`` reads, so nothing falls back to a default that may have changed.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

import yaml

PLACEHOLDERS = {"store": "STORE", "out": "RUN_DIR", "weights": "WEIGHTS", "cache_dir": None,
                "card": None}


def rerun_command(config: Mapping[str, Any] | None) -> str | None:
    """``cmrbench run ...`` for a resolved run config; None when there is none."""
    if not config:
        return None
    words = ["cmrbench", "run"]
    for key, value in config.items():
        if value is None or key in ("task_options", "exclude", "feature_cache"):
            continue
        if key in PLACEHOLDERS:
            value = PLACEHOLDERS[key]
            if value is None:
                continue
        words += [f"--{key.replace('_', '-')}", str(value)]
    for prefix in config.get("exclude") or []:
        words += ["--exclude", str(prefix)]
    for key, value in sorted((config.get("task_options") or {}).items()):
        words += ["--option", f"{key}={yaml.safe_dump(value, default_flow_style=True).strip()}"]
    if config.get("feature_cache") is False:
        words.append("--no-feature-cache")
    return shlex.join(words)
