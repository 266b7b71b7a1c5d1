"""The registry: loads plugins from the ``cmrbench`` entry-point group and resolves names.

A broken plugin never takes the others down: import errors, hook errors, malformed specs,
misspelt hooks and duplicate names become :class:`PluginProblem` records, named by plugin and
distribution, while everything else stays usable.
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy
from cmrbench import hookspecs
from cmrbench.specs import DatasetSpec, EncoderSpec, Spec, TaskSpec

GROUP = "cmrbench"
DISABLE_ENV = "CMRBENCH_DISABLE"
BUILTIN_DISTRIBUTION = "cmrbench"
KINDS = tuple(hookspecs.HOOKS_BY_KIND)


@dataclass(frozen=True)
class Provider:
    """Who contributed a spec: the entry-point (plugin) name and its distribution."""

    plugin: str
    distribution: str
    version: str

    def __str__(self) -> str:
        return f"{self.distribution} {self.version} ({self.plugin})"


@dataclass(frozen=True)
class Entry:
    """A registered spec together with the plugin that provided it."""

    spec: Spec
    provider: Provider

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class PluginProblem:
    """Why a plugin, or part of what it returned, was left out."""

    plugin: str
    distribution: str
    message: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} from {self.distribution}: {self.message}"


class UnknownNameError(LookupError):
    """An encoder, dataset or task name that no loaded plugin provides."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind, self.name, self.known = kind, name, sorted(known)
        close = difflib.get_close_matches(name, self.known, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        listing = ", ".join(self.known) or "none"
        super().__init__(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}. "
                         "Run `cmrbench ls` to see every plugin and any that failed to load.")
        self.suggestion = close[0] if close else None


def disabled_from_env(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """Plugin names listed in ``CMRBENCH_DISABLE`` (comma- or space-separated)."""
    raw = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return frozenset(part for part in raw.replace(",", " ").split() if part)


class Registry:
    """Every encoder, dataset and task the installed plugins provide, by name."""

    def __init__(self, plugins: Mapping[str, tuple[object, Provider]],
                 problems: Iterable[PluginProblem] = ()) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._providers: dict[str, Provider] = {}
        self._problems = list(problems)
        self._entries: dict[str, dict[str, Entry]] = {}
        for name, (plugin, provider) in plugins.items():
            self._register(name, plugin, provider)

    @classmethod
    def from_entry_points(cls, disabled: Iterable[str] = (), group: str = GROUP) -> Registry:
        """Load every plugin in ``group`` except those named in ``disabled``."""
        skip = set(disabled)
        plugins: dict[str, tuple[object, Provider]] = {}
        problems: list[PluginProblem] = []
        for ep in sorted(metadata.entry_points(group=group), key=_load_order):
            provider = _provider(ep)
            if ep.name in skip:
                continue
            if ep.name in plugins:
                problems.append(PluginProblem(ep.name, provider.distribution,
                                              f"plugin name already taken by "
                                              f"{plugins[ep.name][1]}; ignored"))
                continue
            try:
                plugins[ep.name] = (ep.load(), provider)
            except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's
                problems.append(PluginProblem(ep.name, provider.distribution,
                                              f"failed to import {ep.value!r}: "
                                              f"{type(exc).__name__}: {exc}"))
        return cls(plugins, problems)

    def _register(self, name: str, plugin: object, provider: Provider) -> None:
        try:
            self._pm.register(plugin, name=name)
        except Exception as exc:  # noqa: BLE001 - pluggy validation errors vary by version
            self._problems.append(PluginProblem(name, provider.distribution,
                                                f"rejected by the plugin manager: {exc}"))
            return
        unknown = _misspelt_hooks(plugin)
        if unknown:
            self._pm.unregister(plugin)
            known = ", ".join(hookspecs.HOOKS_BY_KIND.values())
            self._problems.append(PluginProblem(
                name, provider.distribution,
                f"defines {unknown} which match no cmrbench hook (known hooks: {known}); "
                "fix the name(s); the plugin is not loaded"))
            return
        self._providers[name] = provider

    @property
    def problems(self) -> tuple[PluginProblem, ...]:
        """Every problem found so far (hooks run lazily, so list a kind first to see all)."""
        for kind in KINDS:
            self._collect(kind)
        return tuple(self._problems)

    @property
    def plugins(self) -> dict[str, Provider]:
        """The plugins that loaded, by entry-point name."""
        return dict(self._providers)

    def entries(self, kind: str) -> list[Entry]:
        """All entries of one kind ('encoder', 'dataset' or 'task'), sorted by name."""
        return sorted(self._collect(kind).values(), key=lambda e: e.name)

    def names(self, kind: str) -> list[str]:
        return [e.name for e in self.entries(kind)]

    def entry(self, kind: str, name: str) -> Entry:
        """The entry for ``name``; an unknown name raises with the closest known one."""
        entries = self._collect(kind)
        if name not in entries:
            raise UnknownNameError(kind, name, entries)
        return entries[name]

    def encoder(self, name: str) -> EncoderSpec:
        return self.entry("encoder", name).spec  # type: ignore[return-value]

    def dataset(self, name: str) -> DatasetSpec:
        return self.entry("dataset", name).spec  # type: ignore[return-value]

    def task(self, name: str) -> TaskSpec:
        return self.entry("task", name).spec  # type: ignore[return-value]

    def _collect(self, kind: str) -> dict[str, Entry]:
        if kind not in hookspecs.HOOKS_BY_KIND:
            raise ValueError(f"unknown kind {kind!r}; expected one of {list(KINDS)}")
        if kind not in self._entries:
            self._entries[kind] = self._call_hook(kind)
        return self._entries[kind]

    def _call_hook(self, kind: str) -> dict[str, Entry]:
        hook = hookspecs.HOOKS_BY_KIND[kind]
        caller = getattr(self._pm.hook, hook)
        spec_type = hookspecs.SPEC_BY_KIND[kind]
        found: dict[str, Entry] = {}
        # get_hookimpls() is in registration order, so the first registered provider wins.
        for impl in caller.get_hookimpls():
            provider = self._providers[impl.plugin_name]
            for spec in self._specs_from(impl.function, hook, provider, spec_type):
                if spec.name in found:
                    self._problems.append(PluginProblem(
                        provider.plugin, provider.distribution,
                        f"{kind} {spec.name!r} is already provided by "
                        f"{found[spec.name].provider}; this one is ignored"))
                    continue
                found[spec.name] = Entry(spec, provider)
        return found

    def _specs_from(self, function: Callable[[], Any], hook: str, provider: Provider,
                    spec_type: type) -> list[Spec]:
        try:
            returned = function()
            items = list(returned) if returned is not None else []
        except Exception as exc:  # noqa: BLE001 - a failing hook is the plugin's problem
            self._problems.append(PluginProblem(provider.plugin, provider.distribution,
                                                f"{hook}() raised {type(exc).__name__}: {exc}"))
            return []
        good = []
        for index, item in enumerate(items):
            if isinstance(item, spec_type):
                good.append(item)
            else:
                self._problems.append(PluginProblem(
                    provider.plugin, provider.distribution,
                    f"{hook}() item {index} is a {type(item).__name__}, not a "
                    f"{spec_type.__name__}; it is ignored"))
        return good


def _misspelt_hooks(plugin: object) -> list[str]:
    known = set(hookspecs.HOOKS_BY_KIND.values())
    return sorted(name for name in dir(plugin)
                  if name.startswith("cmrbench_") and name not in known
                  and callable(getattr(plugin, name, None)))


def _provider(ep: metadata.EntryPoint) -> Provider:
    dist = ep.dist
    if dist is None:
        return Provider(ep.name, "unknown distribution", "?")
    return Provider(ep.name, dist.metadata["Name"], dist.version)


def _load_order(ep: metadata.EntryPoint) -> tuple[bool, str, str]:
    dist = ep.dist.metadata["Name"] if ep.dist is not None else ""
    return (dist != BUILTIN_DISTRIBUTION, dist, ep.name)


_cache: dict[frozenset[str], Registry] = {}


def get_registry(disabled: Iterable[str] = ()) -> Registry:
    """The process-wide registry; ``CMRBENCH_DISABLE`` is added to ``disabled``."""
    key = frozenset(disabled) | disabled_from_env()
    if key not in _cache:
        _cache[key] = Registry.from_entry_points(disabled=key)
    return _cache[key]


def registry_from_plugins(plugins: Mapping[str, ModuleType | object]) -> Registry:
    """A registry over in-process plugin objects (for tests and notebooks); no entry points."""
    local = Provider("local", "local", "0")
    return Registry({name: (plugin, Provider(name, local.distribution, local.version))
                     for name, plugin in plugins.items()})


def clear_registry_cache() -> None:
    """Forget loaded registries, e.g. after installing a plugin in a running process."""
    _cache.clear()
    importlib.invalidate_caches()
