"""Why a file, series or study is left out of the store: the ingest report's vocabulary.

A reason is a short fixed phrase, so reports can be grouped and tested by it; the detail beside
it names the value that was wrong. :data:`ADVICE` says, per reason, what a user can do about it;
the report summary prints it. Adding a way to refuse input is adding a phrase and its advice.
"""

from __future__ import annotations

NOT_DICOM = "corrupt: not a DICOM file"
CORRUPT = "corrupt"
TRUNCATED = "truncated"
NO_PIXEL_DATA = "no pixel data"
UNSUPPORTED_SYNTAX = "unsupported transfer syntax"
UNDECODABLE = "undecodable pixel data"
TRUNCATED_PIXELS = "truncated pixel data"
UNSUPPORTED_IMAGE = "unsupported image"
OVERSIZED_FILE = "oversized file"
OVERSIZED_IMAGE = "oversized image"
EXCESS_PIXEL_DATA = "pixel data larger than its header declares"
OUTSIDE_SOURCE = "symlink leads out of the source tree"
UNMAPPED = "unmapped series description"
VIEW_NOT_IN_DATASET = "view not in this dataset"
MULTI_PLANE = "series holds several planes"
OTHER_ORIENTATION = "orientation differs from the stack"
REPEATED_SERIES = "repeated series"
REPEATED_FRAME = "repeated frame"
INCONSISTENT_GEOMETRY = "inconsistent geometry"
MISSING = "missing"
NOT_CINE = "not a cine"
LOCALIZER = "localizer"
INVERSION_RECOVERY = "inversion recovery (late enhancement or TI scout)"
SPIN_ECHO = "spin echo (black blood)"
PARAMETRIC_MAP = "parametric map"
FLOW = "phase contrast (flow)"
PARALLEL_TO_STACK = "long-axis plane parallel to the SAX stack"
NOT_CHOSEN = "another series kept for the view"

ADVICE: dict[str, str] = {
    NOT_DICOM: "not a DICOM Part 10 file (no 'DICM' at byte 128); nothing to do if it is not "
               "an image",
    CORRUPT: "the file could not be parsed; re-export it from the source",
    TRUNCATED: "the file ends early; re-download or re-export it",
    NO_PIXEL_DATA: "a non-image object (report, structured report, plan); nothing to do",
    UNSUPPORTED_SYNTAX: "no installed pydicom plugin decodes this transfer syntax; export "
                        "uncompressed or install a decoder that supports it",
    UNDECODABLE: "a decoder is installed but failed on this file; re-export it uncompressed",
    TRUNCATED_PIXELS: "the pixel data is shorter than the header declares; re-export the file",
    UNSUPPORTED_IMAGE: "only single-frame greyscale images are read; export one frame per file",
    OVERSIZED_FILE: "larger than any cine image; raise cmrbench.ingest.limits.LIMITS if the "
                    "file is genuine",
    OVERSIZED_IMAGE: "rows x columns x frames declared larger than any cine image; raise "
                     "cmrbench.ingest.limits.LIMITS if the file is genuine",
    EXCESS_PIXEL_DATA: "more pixel bytes than rows x columns x frames x samples; the file is "
                       "malformed or hostile",
    OUTSIDE_SOURCE: "copy the file into the source folder instead of linking to it",
    UNMAPPED: "add a view_map rule to the card (cmrbench ingest --card) if it is a cine view",
    VIEW_NOT_IN_DATASET: "the card maps it to a view the dataset does not list",
    MULTI_PLANE: "give the card a rule with `views: [...]` naming its planes in acquisition "
                 "order",
    OTHER_ORIENTATION: "an extra slice planned at another angle; the consistent stack is kept",
    REPEATED_SERIES: "the same slice was acquired again; the most complete cardiac cycle, then "
                     "the last acquisition, is kept",
    REPEATED_FRAME: "the same time point was acquired again; the last acquisition is kept",
    INCONSISTENT_GEOMETRY: "frame count or image size differs from the rest of the view",
    MISSING: "a file the layout requires is absent",
    NOT_CINE: "too few distinct trigger times, or not one cardiac cycle: a still image, "
              "localizer or dynamic series named like a cine; nothing to do if so",
    LOCALIZER: "ImageType says it plans other images; nothing to do",
    INVERSION_RECOVERY: "its header says inversion recovery (ScanningSequence IR, "
                        "InversionTime, MAG prepared): late enhancement, a TI scout or a T1 "
                        "map's source images, not a cine; nothing to do",
    SPIN_ECHO: "ScanningSequence SE: a black-blood or other spin-echo series, not a gradient-"
               "echo cine; nothing to do",
    PARAMETRIC_MAP: "ImageType says it is a computed map; nothing to do",
    FLOW: "its header marks phase-contrast flow; nothing to do",
    PARALLEL_TO_STACK: "named as a long-axis view but planned like a short-axis slice; check "
                       "the series description, or the card's view map",
    NOT_CHOSEN: "several series passed the checks for this view; the most complete cardiac "
                "cycle, then the most recent acquisition, is kept (`kept` in "
                "ingest_report.json names it)",
}
