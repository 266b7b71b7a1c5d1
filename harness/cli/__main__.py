"""``python -m cmrbench.cli`` is the ``cmrbench`` command."""

from cmrbench.cli import entry

entry()
