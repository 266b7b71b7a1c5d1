"""The built-in text cleaner, registered like any other plugin's (``--cleaner builtin``)."""

from __future__ import annotations

from cmrbench import TextCleanerSpec, hookimpl
from cmrbench.ingest.deid import builtin_factory

NAME = "builtin"


@hookimpl
def cmrbench_text_cleaners() -> list[TextCleanerSpec]:
    return [TextCleanerSpec(name=NAME, description="The study's own names, IDs and dates, "
                                                   "e-mail, phones, dates, titled and labelled "
                                                   "identifiers (cmrbench.deid)",
                            factory=builtin_factory)]
