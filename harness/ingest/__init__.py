"""Ingest: discover raw studies, decode and de-identify them, write the study store."""

from harness.ingest.dicom import assemble_views, read_frames
from harness.ingest.runner import IngestReport, decode_dicom, ingest, pseudonyms
from harness.ingest.source import Decoded, FileRef, Rejection, SourceStudy

__all__ = ["Decoded", "FileRef", "IngestReport", "Rejection", "SourceStudy", "assemble_views",
           "decode_dicom", "ingest", "pseudonyms", "read_frames"]
