"""Checks that a plugin loads cleanly: no import error, no misspelt or unmarked hook, no
malformed spec, and something provided."""

from __future__ import annotations

from collections.abc import Sequence

from cmrbench.registry import (
    KINDS,
    PluginProblem,
    Registry,
    clear_registry_cache,
    get_registry,
    registry_from_plugins,
)
from cmrbench.testing._errors import ConformanceError


def check_plugin(plugin: object, name: str = "plugin-under-test") -> Registry:
    """Register ``plugin`` alone, call every hook, and fail on any problem it causes.

    Returns the registry, whose entries name ``name`` and the distribution that ships the
    plugin's module: pass them to ``check_encoder`` and ``check_dataset``.
    """
    registry = registry_from_plugins({name: plugin})
    _fail_on(name, registry.problems)
    if not any(registry.entries(kind) for kind in KINDS):
        provider = registry.plugins[name]
        raise ConformanceError(f"plugin {name!r} from {provider.distribution}",
                               "its hooks returned no encoder, dataset, task or text cleaner",
                               "return at least one spec from a cmrbench_* hook")
    return registry


def check_installed_plugin(plugin: str) -> Registry:
    """Check the installed entry point ``plugin`` (group 'cmrbench') loads without problems."""
    clear_registry_cache()
    registry = get_registry()
    if plugin not in registry.plugins and not any(p.plugin == plugin for p in registry.problems):
        raise ConformanceError(f"plugin {plugin!r}", "no entry point of that name in group "
                               "'cmrbench'", "install the distribution (pip install -e .) and "
                               "check the name in [project.entry-points.cmrbench]")
    _fail_on(plugin, [p for p in registry.problems if p.plugin == plugin])
    return registry


def _fail_on(plugin: str, problems: Sequence[PluginProblem]) -> None:
    if problems:
        raise ConformanceError(f"plugin {plugin!r} from {problems[0].distribution}",
                               "; ".join(p.message for p in problems),
                               "each problem says what to change; `cmrbench ls --strict` "
                               "lists the same for installed plugins")
