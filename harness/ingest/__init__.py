"""Ingest: discover raw studies, decode and de-identify them, write the study store."""

from cmrbench.ingest.assemble import assemble_views
from cmrbench.ingest.deid import Cleaner, CleanerFailure
from cmrbench.ingest.dicom import read_frames
from cmrbench.ingest.limits import LIMITS, ReadLimits, StudyTooLarge
from cmrbench.ingest.runner import IngestReport, decode_dicom, ingest, pseudonyms
from cmrbench.ingest.source import Decoded, FileRef, Rejection, SourceStudy

__all__ = ["LIMITS", "Cleaner", "CleanerFailure", "Decoded", "FileRef", "IngestReport",
           "ReadLimits", "Rejection", "SourceStudy", "StudyTooLarge", "assemble_views",
           "decode_dicom", "ingest", "pseudonyms", "read_frames"]
