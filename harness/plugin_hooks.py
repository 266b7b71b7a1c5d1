"""Why a registered plugin would silently do nothing, though it loads without an error.

pluggy registers only functions marked with ``@hookimpl``, and accepts a marked function whose
name matches no hook (it might be declared later): either way a plugin with a misspelt or
unmarked hook would load and provide nothing, and nobody would be told.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy
from cmrbench import hookspecs


def silent_hooks_problem(plugin: object, callers: Iterable[pluggy.HookCaller]) -> str | None:
    """What keeps a registered ``plugin``'s hooks (``callers``) from working as written, with
    the fix; None when they are sound."""
    known = set(hookspecs.HOOKS_BY_KIND.values())
    listing = ", ".join(hookspecs.HOOKS_BY_KIND.values())
    implemented = {caller.name for caller in callers}
    prefixed = {name for name in dir(plugin) if name.startswith("cmrbench_")
                and callable(getattr(plugin, name, None))}
    misspelt = sorted((implemented | prefixed) - known)
    if misspelt:
        return (f"defines {misspelt} which match no cmrbench hook (known hooks: {listing}); "
                "fix the name(s)")
    unmarked = sorted(name for name in known - implemented if name in prefixed)
    if unmarked:
        return (f"defines {unmarked} without the @hookimpl marker, so pluggy never calls "
                "them; decorate each with `@hookimpl` (`from cmrbench import hookimpl`)")
    wrappers = sorted(caller.name for caller in callers for impl in caller.get_hookimpls()
                      if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper))
    if wrappers:
        return f"wraps {wrappers}; cmrbench hooks cannot be wrapped, return specs instead"
    if not implemented:
        return (f"implements no cmrbench hook, so it provides nothing; define one of "
                f"{listing}, marked with `@hookimpl` (`from cmrbench import hookimpl`)")
    return None
