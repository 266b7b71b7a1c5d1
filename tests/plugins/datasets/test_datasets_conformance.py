"""Every built-in dataset passes the conformance check a third-party author would run."""

import dataclasses

import pytest
from cmrbench.registry import get_registry
from cmrbench.testing import ConformanceError, check_dataset, check_installed_plugin

FIXTURE = {"acdc": "acdc", "kaggle-dsb": "kaggle", "ukbb": "ukbb", "clinical": "clinical",
           "clinical-h5": "clinical_h5", "phantom": "clinical"}


@pytest.mark.parametrize("name", sorted(FIXTURE))
def test_built_in_dataset_conforms(name, request):
    check_installed_plugin(name)
    source = request.getfixturevalue(FIXTURE[name]).source
    decoded = check_dataset(get_registry().dataset(name), source)
    assert decoded and all(d.views for d in decoded)


def test_a_wrongly_typed_label_is_caught(clinical):
    spec = dataclasses.replace(get_registry().dataset("clinical"),
                               labels={"group": "continuous"})
    with pytest.raises(ConformanceError, match="label 'group' is declared continuous"):
        check_dataset(spec, clinical.source)


def test_an_empty_source_is_caught(tmp_path):
    (tmp_path / "dicom").mkdir()
    with pytest.raises(ConformanceError, match="found no study"):
        check_dataset(get_registry().dataset("clinical"), tmp_path)
