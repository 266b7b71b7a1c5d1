"""A run's configuration: data, validated at the edge, equal to the `cmrbench run` flags.

``RunConfig.from_mapping`` reads a YAML file's mapping (keys are the flag names with '-' or
'_'), refusing unknown keys and wrong types with the field's name. ``resolve`` fills every
unset hyper-parameter from the task's reference defaults (SPEC §4), so the saved
``config.yaml`` says exactly what ran.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import yaml
from cmrbench.data.views import VIEW_POLICIES
from cmrbench.files import read_yaml_mapping
from cmrbench.task import TrainingDefaults

MODES = ("linear", "finetune", "transfer", "zeroshot")
CONFIG_FILE = "config.yaml"


class ConfigError(ValueError):
    """A run configuration field is missing or invalid; the message names the field."""


class ConfigFields:
    """What every configuration dataclass shares: reading a YAML mapping whose keys are the
    flags' names ('-' or '_'), refusing unknown keys and wrong types with the field's name,
    and writing the resolved configuration back as YAML."""

    KIND = "config"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """A config from a YAML mapping; keys may use '-' (as the flags do) or '_'."""
        values = {str(k).replace("-", "_"): v for k, v in data.items()}
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"unknown field(s) {unknown}; known fields: {sorted(known)}")
        missing = sorted(n for n, f in known.items() if n not in values
                         and f.default is dataclasses.MISSING
                         and f.default_factory is dataclasses.MISSING)
        if missing:
            raise ConfigError(f"missing field(s) {missing}")
        hints = typing.get_type_hints(cls)
        return cls(**{name: _coerce(name, value, hints[name]) for name, value in values.items()})

    @classmethod
    def from_yaml(cls, path: Path) -> Self:
        data = read_yaml_mapping(path, what=cls.KIND, error=ConfigError)
        try:
            return cls.from_mapping(data)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def as_dict(self) -> dict[str, Any]:
        """Plain YAML/JSON-ready values (paths as strings, tuples as lists)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = (str(value) if isinstance(value, Path)
                           else list(value) if isinstance(value, tuple) else value)
        return out

    def save(self, path: Path) -> None:
        from cmrbench.files import atomic_write

        with atomic_write(path) as partial:
            partial.write_text(yaml.safe_dump(self.as_dict(), sort_keys=False))


@dataclass(frozen=True)
class RunConfig(ConfigFields):
    """Everything that decides what a run computes (and a few things that decide how)."""

    KIND = "run config"

    encoder: str
    dataset: str
    store: Path
    task: str
    mode: str
    out: Path
    weights: str | None = None
    exclude: tuple[str, ...] = ()
    initialisation: str | None = None
    task_options: dict[str, Any] = field(default_factory=dict)
    fraction: float = 1.0
    fraction_seed: int = 0
    seed: int = 0
    max_steps: int | None = None
    max_epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    weight_decay: float | None = None
    views: str | None = None
    eval_views: str | None = None
    val_every: int = 1
    augment: bool = True
    feature_cache: bool = True
    cache_dir: Path | None = None
    num_workers: int = 0
    accelerator: str = "auto"
    devices: str = "auto"
    num_nodes: int = 1
    precision: str = "32-true"
    strategy: str = "auto"
    card: Path | None = None
    # the zeroshot mode's text encoder (e.g. one exported by `cmrbench pretrain`)
    text_encoder: str | None = None
    text_weights: str | None = None
    text_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"mode: {self.mode!r} is not one of {list(MODES)}")
        if self.mode == "zeroshot" and self.text_encoder is None:
            raise ConfigError("text_encoder: the zeroshot mode compares videos with text; name "
                              "the text encoder (and its --text-weights from pretraining)")
        if self.mode != "zeroshot" and (self.text_encoder or self.text_weights
                                        or self.text_options):
            raise ConfigError(f"text_encoder: only the zeroshot mode uses a text encoder, not "
                              f"mode {self.mode!r}; leave the text fields out")
        if not 0.0 < self.fraction <= 1.0:
            raise ConfigError(f"fraction: {self.fraction} must lie in (0, 1] (e.g. 0.1 trains on "
                              "10 % of the training patients)")
        for name in ("views", "eval_views"):
            value = getattr(self, name)
            if value is not None and value not in VIEW_POLICIES:
                raise ConfigError(f"{name}: {value!r} is not one of {list(VIEW_POLICIES)}")
        for name in ("max_steps", "max_epochs", "batch_size", "val_every"):
            value = getattr(self, name)
            if value is not None and value < 1 and not (name == "max_steps" and value == -1):
                raise ConfigError(f"{name}: must be a positive integer, got {value}")
        if self.num_workers < 0:
            raise ConfigError(f"num_workers: must be >= 0, got {self.num_workers}")

    def resolve(self, defaults: TrainingDefaults) -> RunConfig:
        """Every unset hyper-parameter taken from the task's defaults."""
        fill = {name: getattr(defaults, name) for name in
                ("lr", "weight_decay", "batch_size", "views", "eval_views")
                if getattr(self, name) is None}
        if self.max_steps is None and self.max_epochs is None:
            fill.update(max_steps=defaults.max_steps, max_epochs=defaults.max_epochs)
        return dataclasses.replace(self, **fill)


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """``value`` as the field's type, or a ConfigError naming the field."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None:
        if type(None) in options:
            return None
        raise ConfigError(f"{name}: must not be empty")
    for option in options:
        origin = typing.get_origin(option) or option
        if origin is Path and isinstance(value, str | Path):
            return Path(value)
        if origin is tuple and isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        if origin is dict and isinstance(value, Mapping):
            return dict(value)
        if origin is bool and isinstance(value, bool):
            return value
        if origin is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if origin is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if origin is str and isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    raise ConfigError(f"{name}: {value!r} is not a valid {hint}")
