"""The registry: loads plugins from the ``cmrbench`` entry-point group and resolves names.

A broken plugin never takes the others down: import errors, hook errors, malformed specs,
misspelt or unmarked hooks, plugins that provide nothing and duplicate names become
:class:`PluginProblem` records, named by plugin and distribution, while everything else stays
usable. When two plugins offer the same name, :func:`precedence` decides (the built-in
``cmrbench`` distribution first, then distribution name, then entry-point name), never the
order in which pluggy would call the hooks, so ``@hookimpl(tryfirst=True)`` or
``trylast=True`` cannot take over a built-in name.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy
from cmrbench import hookspecs
from cmrbench.plugin_hooks import silent_hooks_problem
from cmrbench.specs import DatasetSpec, EncoderSpec, Spec, TaskSpec, TextCleanerSpec

GROUP = "cmrbench"
DISABLE_ENV = "CMRBENCH_DISABLE"
BUILTIN_DISTRIBUTION = "cmrbench"
LOCAL = "local"  # the distribution of a plugin object that no installed distribution ships
KINDS = tuple(hookspecs.HOOKS_BY_KIND)


@dataclass(frozen=True)
class Provider:
    """Who contributed a spec: the entry-point (plugin) name and its distribution."""

    plugin: str
    distribution: str
    version: str

    def __str__(self) -> str:
        plugin = f" ({self.plugin})" if self.plugin else ""
        return f"{self.distribution} {self.version}{plugin}"


def credit(provider: Provider | None) -> str:
    """Who provides something, for messages: "plugin 'P' from DIST VERSION" as far as known."""
    if provider is None:
        return "not from an installed distribution"
    where = f"{provider.distribution} {provider.version}"
    return f"plugin {provider.plugin!r} from {where}" if provider.plugin else f"from {where}"


def precedence(provider: Provider) -> tuple[bool, str, str]:
    """Sort key deciding which provider keeps a name that two offer: built-ins first, then
    distribution name, then entry-point name. Registration and hook call order play no part."""
    return (provider.distribution != BUILTIN_DISTRIBUTION, provider.distribution.lower(),
            provider.plugin)


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


class PluginFailure(RuntimeError):
    """A plugin's own code failed while the harness ran it: a bug to report to that plugin's
    authors, not a mistake in the user's input. The message names the plugin."""


class UnknownNameError(LookupError):
    """An encoder, dataset or task name that no loaded plugin provides."""

    def __init__(self, kind: str, name: str, known: Iterable[str],
                 failed: Iterable[PluginProblem] = ()) -> None:
        self.kind, self.name, self.known = kind, name, sorted(known)
        self.failed = tuple(failed)
        close = difflib.get_close_matches(name, self.known, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        listing = ", ".join(self.known) or "none"
        failures = ""
        if self.failed:
            failures = (f" {len(self.failed)} plugin failure(s) may hide it: "
                        + "; ".join(str(p) for p in self.failed) + ".")
        super().__init__(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.{failures} "
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
        # what kept a whole plugin out, and which hook calls raised, for UnknownNameError
        self._load_failures = list(problems)
        self._hook_failures: dict[str, list[PluginProblem]] = {kind: [] for kind in KINDS}
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
            self._load_failed(provider, f"rejected by the plugin manager: {exc}")
            return
        problem = silent_hooks_problem(plugin, self._pm.get_hookcallers(plugin) or [])
        if problem:
            self._pm.unregister(plugin)
            self._load_failed(provider, f"{problem}; the plugin is not loaded")
            return
        self._providers[name] = provider

    def _load_failed(self, provider: Provider, message: str) -> None:
        problem = PluginProblem(provider.plugin, provider.distribution, message)
        self._problems.append(problem)
        self._load_failures.append(problem)

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
            raise UnknownNameError(kind, name, entries,
                                   [*self._load_failures, *self._hook_failures[kind]])
        return entries[name]

    def provider_of(self, spec: Spec) -> Provider | None:
        """The provider of this very spec object, if this registry has listed it."""
        for entries in self._entries.values():
            for entry in entries.values():
                if entry.spec is spec:
                    return entry.provider
        return None

    def encoder(self, name: str) -> EncoderSpec:
        return self.entry("encoder", name).spec  # type: ignore[return-value]

    def dataset(self, name: str) -> DatasetSpec:
        return self.entry("dataset", name).spec  # type: ignore[return-value]

    def task(self, name: str) -> TaskSpec:
        return self.entry("task", name).spec  # type: ignore[return-value]

    def cleaner(self, name: str) -> TextCleanerSpec:
        return self.entry("cleaner", name).spec  # type: ignore[return-value]

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
        # Not get_hookimpls() order: tryfirst/trylast would let any plugin claim a taken name.
        providers = [(self._providers[impl.plugin_name], impl) for impl in caller.get_hookimpls()]
        for provider, impl in sorted(providers, key=lambda pair: precedence(pair[0])):
            for spec in self._specs_from(impl.function, kind, provider, spec_type):
                if spec.name in found:
                    self._problems.append(PluginProblem(
                        provider.plugin, provider.distribution,
                        f"{kind} {spec.name!r} is already provided by "
                        f"{found[spec.name].provider}; this one is ignored"))
                    continue
                found[spec.name] = Entry(spec, provider)
        return found

    def _specs_from(self, function: Callable[[], Any], kind: str, provider: Provider,
                    spec_type: type) -> list[Spec]:
        hook = hookspecs.HOOKS_BY_KIND[kind]
        try:
            returned = function()
            items = list(returned) if returned is not None else []
        except Exception as exc:  # noqa: BLE001 - a failing hook is the plugin's problem
            problem = PluginProblem(provider.plugin, provider.distribution,
                                    f"{hook}() raised {type(exc).__name__}: {exc}")
            self._problems.append(problem)
            self._hook_failures[kind].append(problem)
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


def _provider(ep: metadata.EntryPoint) -> Provider:
    dist = ep.dist
    if dist is None:
        return Provider(ep.name, "unknown distribution", "?")
    return Provider(ep.name, dist.metadata["Name"], dist.version)


def _load_order(ep: metadata.EntryPoint) -> tuple[bool, str, str]:
    return precedence(_provider(ep))


_cache: dict[frozenset[str], Registry] = {}


def get_registry(disabled: Iterable[str] = ()) -> Registry:
    """The process-wide registry; ``CMRBENCH_DISABLE`` is added to ``disabled``."""
    key = frozenset(disabled) | disabled_from_env()
    if key not in _cache:
        _cache[key] = Registry.from_entry_points(disabled=key)
    return _cache[key]


def registry_from_plugins(plugins: Mapping[str, ModuleType | object]) -> Registry:
    """A registry over in-process plugin objects (for tests and notebooks); no entry points.

    Each plugin is credited to the installed distribution that ships its module, or to
    'local' when none does (an object made in a test).
    """
    return Registry({name: (plugin, _module_provider(name, getattr(plugin, "__name__", "")))
                     for name, plugin in plugins.items()})


def find_provider(spec: Spec) -> Provider | None:
    """Who provides ``spec``: the plugin that registered this very object in a loaded registry,
    else the installed distribution that ships its factory's module (plugin name unknown, "").

    None for a spec whose code comes from no installed distribution.
    """
    for registry in _cache.values():
        provider = registry.provider_of(spec)
        if provider is not None:
            return provider
    provider = _module_provider("", _factory_module(spec))
    return None if provider.distribution == LOCAL else provider


def _factory_module(spec: Spec) -> str:
    build = next(getattr(spec, f) for f in ("factory", "discover", "build") if hasattr(spec, f))
    build = getattr(build, "func", build)  # functools.partial
    return getattr(build, "__module__", "") or ""


def _module_provider(plugin: str, module: str) -> Provider:
    names = _packages_distributions().get(module.split(".")[0], [])
    if not names:
        return Provider(plugin, LOCAL, "0")
    dist = metadata.distribution(names[0])
    return Provider(plugin, dist.metadata["Name"], dist.version)


@functools.cache
def _packages_distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def clear_registry_cache() -> None:
    """Forget loaded registries, e.g. after installing a plugin in a running process."""
    _cache.clear()
    _packages_distributions.cache_clear()
    importlib.invalidate_caches()
