"""The phantom cohort: procedural beating hearts with exact truth, in every real layout.

    studies = generate_cohort(20, seed=0, layout="acdc")
    truth = write_layout("acdc", studies, "data/acdc")

Each study has SAX/4CH/3CH/2CH cines with ACDC label maps, a report, and exact volumes:
counting label voxels converges to ``edv_ml``/``esv_ml``. Diagnosis groups follow ACDC (NOR,
DCM, HCM, MINF, RV), with extra binary findings for multi-label tasks. The same seed gives the
same bytes. Use :func:`iter_cohort` to stream large cohorts to disk.
"""

from cmrbench.phantom.anatomy import FINDINGS, GROUPS
from cmrbench.phantom.cohort import LAYOUTS, generate_cohort, iter_cohort, truth_table
from cmrbench.phantom.scanner import VIEWS
from cmrbench.phantom.study import PhantomStudy, PhantomView
from cmrbench.phantom.writers import TRUTH_FILE, write_layout

__all__ = [
    "FINDINGS",
    "GROUPS",
    "LAYOUTS",
    "TRUTH_FILE",
    "VIEWS",
    "PhantomStudy",
    "PhantomView",
    "generate_cohort",
    "iter_cohort",
    "truth_table",
    "write_layout",
]
