"""The conformance checks every cmrbench built-in dataset passes."""

from cmrbench.testing import check_dataset, check_installed_plugin
from make_cohort import write_cohort


def test_the_plugin_loads_cleanly():
    check_installed_plugin("example-dataset")


def test_the_dataset_conforms(tmp_path):
    write_cohort(tmp_path, studies=3)
    check_dataset("example-cine", tmp_path, limit=3)
