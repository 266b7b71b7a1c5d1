"""The one command that reruns an entry's run from the resolved configuration it kept.

Paths that were the submitter's own (the store, the run directory, the weights file, the
feature cache and a dataset card) become placeholders to fill in; every other field is given
as the flag ``cmrbench run`` reads, so nothing falls back to a default that may have changed.
Switches are on by default and turned off by ``--no-<name>`` (``--no-feature-cache``), so a
false one is written that way and a true one left out.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

PLACEHOLDERS = {"store": "STORE", "out": "RUN_DIR", "weights": "WEIGHTS", "cache_dir": None,
                "card": None, "text_weights": "TEXT_WEIGHTS"}
REPEATED = {"exclude": "--exclude"}  # list fields: one flag per item
OPTIONS = {"task_options": "--option", "text_options": "--text-option"}  # KEY=VALUE flags


def rerun_command(config: Mapping[str, Any] | None) -> str | None:
    """``cmrbench run ...`` for a resolved run config; None when there is none."""
    if not config:
        return None
    words = ["cmrbench", "run"]
    for key, value in config.items():
        if value is None or value is True or key in REPEATED or key in OPTIONS:
            continue
        if value is False:
            words.append(f"--no-{key.replace('_', '-')}")
            continue
        if key in PLACEHOLDERS:
            value = PLACEHOLDERS[key]
            if value is None:
                continue
        words += [f"--{key.replace('_', '-')}", str(value)]
    for key, flag in REPEATED.items():
        for item in config.get(key) or []:
            words += [flag, str(item)]
    for key, flag in OPTIONS.items():
        for name, value in sorted((config.get(key) or {}).items()):
            words += [flag, f"{name}={json.dumps(value)}"]  # JSON is YAML, as the flags read
    return shlex.join(words)
