"""The study store: one HDF5 file per de-identified study plus an index table."""

from cmrbench.store.index import build_index, read_index
from cmrbench.store.reader import StudyStore
from cmrbench.store.record import VIEWS, StudyRecord, ViewVolume, as_storage_dtype
from cmrbench.store.writer import study_path, write_study

__all__ = ["VIEWS", "StudyRecord", "StudyStore", "ViewVolume", "as_storage_dtype", "build_index",
           "read_index", "study_path", "write_study"]
