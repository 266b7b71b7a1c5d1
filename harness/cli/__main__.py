"""``python -m harness.cli`` is the ``cmrbench`` command."""

from harness.cli import entry

entry()
