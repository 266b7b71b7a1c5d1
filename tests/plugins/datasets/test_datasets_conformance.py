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
    with pytest.raises(ConformanceError) as info:
        check_dataset(spec, clinical.source)
    # a modified copy is no registered object: its distribution comes from its code's module
    assert info.value.subject == "dataset 'clinical' (from cmrbench 0.1.0)"
    assert info.value.problem.startswith("label 'group' is declared continuous but a study has")
    assert "declare the label's kind in DatasetSpec.labels" in info.value.fix


def test_an_empty_source_is_caught(tmp_path):
    (tmp_path / "dicom").mkdir()
    with pytest.raises(ConformanceError) as info:
        check_dataset("clinical", tmp_path)
    assert info.value.subject == "dataset 'clinical' (plugin 'clinical' from cmrbench 0.1.0)"
    assert "found no study" in info.value.problem
