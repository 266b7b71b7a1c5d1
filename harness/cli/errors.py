"""The one way a command reports a user error: raise CommandError, exit status 2."""

from __future__ import annotations

from collections.abc import Iterable

from cmrbench.registry import Entry, UnknownNameError, get_registry


class CommandError(Exception):
    """A mistake in the command line or its inputs; printed as ``cmrbench COMMAND: message``."""


def lookup(kind: str, name: str, disabled: Iterable[str] = ()) -> Entry:
    """The registry entry for ``name``; an unknown name is a CommandError with suggestions."""
    try:
        return get_registry(disabled=disabled).entry(kind, name)
    except UnknownNameError as exc:
        raise CommandError(str(exc)) from None
