"""What a load did, key by key, and how to read it.

A :class:`LoadReport` lists every key that was loaded, missing from the file, unexpected in it,
of the wrong shape, excluded on request, or ignored because it lies outside the part of the file
that fits the module. ``render()`` is what a strict load raises with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SHOWN_KEYS = 6


@dataclass(frozen=True)
class Mismatch:
    """A key present in both, with different shapes."""

    key: str
    in_file: tuple[int, ...]
    in_module: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.key}: file {list(self.in_file)} vs module {list(self.in_module)}"


@dataclass(frozen=True)
class LoadReport:
    """The key-by-key outcome of fitting a checkpoint to a module.

    Keys are named as in the loaded part (``target``), after stripping ``prefix`` from the
    file's names. ``kept`` lists the module's keys outside ``target``: they keep their values.
    """

    path: Path
    format: str
    target: str
    prefix: str
    loaded: tuple[str, ...]
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    mismatched: tuple[Mismatch, ...] = ()
    excluded: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every key fits: nothing missing, unexpected or mis-shaped."""
        return not (self.missing or self.unexpected or self.mismatched)

    def render(self) -> str:
        """A readable summary: what went where, every problem, and how to fix it."""
        where = f"'{self.target}'" if self.target else "the whole module"
        stripped = f"prefix '{self.prefix}' stripped" if self.prefix else "no prefix stripped"
        lines = [f"weights {self.path} (format {self.format}) -> {where}, {stripped}",
                 f"  loaded: {len(self.loaded)} tensors"]
        sections = [
            ("missing from the file", self.missing),
            ("unexpected in the file", self.unexpected),
            ("shape mismatch", [str(m) for m in self.mismatched]),
            ("excluded on request", self.excluded),
        ]
        lines += [_section(title, keys) for title, keys in sections if keys]
        if self.ignored:
            lines.append(f"  ignored, outside prefix '{self.prefix}': {len(self.ignored)} "
                         f"tensors ({_groups(self.ignored)})")
        if self.kept:
            lines.append(f"  not in the loaded part, keep their current values: "
                         f"{_groups(self.kept)}")
        lines += [f"  hint: {hint}" for hint in self.hints()]
        return "\n".join(lines)

    def hints(self) -> list[str]:
        """What to do about each kind of problem in this report."""
        hints = []
        if self.unexpected:
            skip = suggest_exclusions(self.unexpected, self.loaded + self.missing)
            hints.append(f"to leave out parts of the file on purpose (e.g. a classifier head), "
                         f"pass exclude={skip!r}")
        if self.missing:
            hints.append("the file lacks some of the module's weights: check the encoder and "
                         "its configuration match the file, or pass strict=False to keep the "
                         "module's current values for them")
        if self.mismatched:
            hints.append("shapes differ: the file was saved from another configuration (number "
                         "of classes, frames or input size?); exclude those keys to skip them")
        return hints


def suggest_exclusions(unexpected: Iterable[str], wanted: Iterable[str]) -> tuple[str, ...]:
    """The shortest key prefixes covering ``unexpected`` without covering any ``wanted`` key."""
    wanted_prefixes = {prefix for key in wanted for prefix in _prefixes(key)}
    chosen: list[str] = []
    for key in unexpected:
        if any(under(key, done) for done in chosen):
            continue
        chosen.append(next((p for p in _prefixes(key) if p not in wanted_prefixes), key))
    return tuple(chosen)


def _prefixes(key: str) -> list[str]:
    parts = key.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def under(key: str, prefix: str) -> bool:
    """True when ``key`` is ``prefix`` or a key inside it ('head' covers 'head.1.weight')."""
    return key == prefix or key.startswith(prefix + ".")


def _section(title: str, keys: Iterable[str]) -> str:
    keys = list(keys)
    shown = ", ".join(keys[:SHOWN_KEYS])
    more = f" ... and {len(keys) - SHOWN_KEYS} more" if len(keys) > SHOWN_KEYS else ""
    return f"  {title} ({len(keys)}): {shown}{more}"


def _groups(keys: Iterable[str]) -> str:
    counts = Counter(key.split(".")[0] for key in keys)
    return ", ".join(f"{name}.* ({count})" for name, count in sorted(counts.items()))
