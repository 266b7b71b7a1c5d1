"""De-identification of free text: the study's own identifiers and the patterns of any.

Ingest cleans every free-text value it keeps (series descriptions, report text, messages
about rejected files, text labels) with a :class:`TextCleaner` before the value leaves the
worker that decoded the study; :func:`clean_text` is the built-in one, and a plugin can offer
another through the ``cmrbench_text_cleaners`` hook. Best effort: see :mod:`.cleaner`.
"""

from cmrbench.deid.cleaner import FIELDS, TextCleaner, clean_text
from cmrbench.deid.identifiers import StudyIdentifiers, from_dicom, from_keys

__all__ = ["FIELDS", "StudyIdentifiers", "TextCleaner", "clean_text", "from_dicom", "from_keys"]
