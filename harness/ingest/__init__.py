"""Ingest: discover raw studies, decode and de-identify them, write the study store."""

from cmrbench.ingest.dicom import assemble_views, read_frames
from cmrbench.ingest.runner import IngestReport, decode_dicom, ingest, pseudonyms
from cmrbench.ingest.source import Decoded, FileRef, Rejection, SourceStudy

__all__ = ["Decoded", "FileRef", "IngestReport", "Rejection", "SourceStudy", "assemble_views",
           "decode_dicom", "ingest", "pseudonyms", "read_frames"]
