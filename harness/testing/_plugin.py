"""Checks that a plugin loads cleanly: no import error, no misspelt hook, no malformed spec."""

from __future__ import annotations

from cmrbench.registry import Registry, clear_registry_cache, get_registry, registry_from_plugins
from cmrbench.testing._errors import ConformanceError


def check_plugin(plugin: object, name: str = "plugin-under-test") -> Registry:
    """Register ``plugin`` alone, call every hook, and fail on any problem it causes."""
    registry = registry_from_plugins({name: plugin})
    problems = registry.problems
    if problems:
        raise ConformanceError("; ".join(str(p) for p in problems))
    if not any(registry.entries(kind) for kind in ("encoder", "dataset", "task")):
        raise ConformanceError(f"{name} provides no encoder, dataset or task: does it implement "
                               "a hook from cmrbench.hookspecs, marked with @cmrbench.hookimpl?")
    return registry


def check_installed_plugin(plugin: str) -> Registry:
    """Check the installed entry point ``plugin`` (group 'cmrbench') loads without problems."""
    clear_registry_cache()
    registry = get_registry()
    if plugin not in registry.plugins and not any(p.plugin == plugin for p in registry.problems):
        raise ConformanceError(f"no entry point named {plugin!r} in group 'cmrbench'; is the "
                               "distribution installed (pip install -e .) and the name right?")
    mine = [str(p) for p in registry.problems if p.plugin == plugin]
    if mine:
        raise ConformanceError("; ".join(mine))
    return registry
