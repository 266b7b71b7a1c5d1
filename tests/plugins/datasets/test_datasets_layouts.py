"""Every layout `cmrbench phantom` writes ingests with the right studies, views, frames, labels."""

import pytest

LAX = {"4CH", "3CH", "2CH"}


def test_acdc_studies_views_frames_and_labels(acdc):
    assert len(acdc.store) == len(acdc.truth) == 5 and acdc.report.rejected_files == []
    for raw in acdc.truth["study_id"]:
        study, truth = acdc.store_id(raw), acdc.truth_row(raw)
        assert acdc.store.views(study) == {"SAX": acdc.store.views(study)["SAX"]}
        assert acdc.store.read_cine(study, "SAX").shape[0] == truth["n_frames"]
        labels = acdc.store.labels(study)
        assert labels["group"] == truth["group"]
        assert labels["edv_ml"] == pytest.approx(truth["edv_ml"], rel=0.05)
        assert labels["esv_ml"] == pytest.approx(truth["esv_ml"], rel=0.05)
        assert labels["lvef"] == pytest.approx(truth["lvef"], abs=3.0)
    splits = set(acdc.store.index["split"])
    assert splits == {"train"}  # phantom IDs 1-5 lie in ACDC's official training range


def test_kaggle_quirks_are_handled(kaggle):
    quirks = dict(zip(kaggle.truth["study_id"], kaggle.truth["quirks"].fillna(""), strict=True))
    black = [raw for raw, q in quirks.items() if q == "all_black"]
    assert len(black) == 1
    rejected = {item["study"]: item["reason"] for item in kaggle.report.rejected_studies}
    assert rejected == {kaggle.store_id(black[0]): "all-black: every pixel of every view is 0"}
    assert len(kaggle.store) == len(kaggle.truth) - 1
    for raw, quirk in quirks.items():
        if quirk == "all_black":
            continue
        study = kaggle.store_id(raw)
        views = kaggle.store.views(study)
        assert ("4CH" in views) == (quirk != "missing_4ch")
        assert views["SAX"] >= 6
        assert kaggle.store.read_cine(study, "SAX").shape[0] == 30
        labels = kaggle.store.labels(study)
        assert labels["diastole_ml"] == pytest.approx(kaggle.truth_row(raw)["edv_ml"], abs=0.06)
        assert labels["systole_ml"] == pytest.approx(kaggle.truth_row(raw)["esv_ml"], abs=0.06)
    repeated = [item for item in kaggle.report.rejected_files
                if item["reason"] == "repeated series"]
    repeated_study = [raw for raw, q in quirks.items() if q == "repeated_series"]
    assert repeated and {item["study"] for item in repeated} == {
        kaggle.store_id(repeated_study[0])}


def test_kaggle_repeated_series_keeps_the_last_acquisition(kaggle):
    (raw,) = [r for r, q in zip(kaggle.truth["study_id"], kaggle.truth["quirks"], strict=True)
              if q == "repeated_series"]
    study = kaggle.store_id(raw)
    positions = kaggle.store.geometry(study, "SAX")["slice_positions_mm"]
    assert len(set(positions)) == len(positions)  # no slice twice
    rejected = [item["file"] for item in kaggle.report.rejected_files if item["study"] == study]
    # IM-SSSS-FFFF-0001 is the failed attempt, -0002 the repeat to keep: one per frame
    assert len(rejected) == 30 and all(name.endswith("-0001.dcm") for name in rejected)


def test_ukbb_zips_give_four_views_of_50_frames_and_lvef(ukbb):
    assert len(ukbb.store) == len(ukbb.truth) == 3
    for raw in ukbb.truth["study_id"]:
        study = ukbb.store_id(f"{raw}_2")
        views = ukbb.store.views(study)
        assert set(views) == LAX | {"SAX"} and views["SAX"] >= 6
        assert all(ukbb.store.read_cine(study, v).shape[0] == 50 for v in views)
        times = ukbb.store.geometry(study, "SAX")["frame_times_ms"]
        assert (times[1:] > times[:-1]).all()
        # field 22420 is a whole percentage, as in the real showcase
        assert ukbb.store.labels(study)["lvef"] == pytest.approx(ukbb.truth_row(raw)["lvef"],
                                                                 abs=0.5)
    assert {item["reason"] for item in ukbb.report.rejected_files} <= {
        "unmapped series description"}


def test_clinical_studies_have_views_reports_and_labels(clinical):
    assert len(clinical.store) == len(clinical.truth) == 4
    for raw in clinical.truth["study_id"]:
        study, truth = clinical.store_id(raw), clinical.truth_row(raw)
        assert set(clinical.store.views(study)) == LAX | {"SAX"}
        assert f"{round(truth['lvef'])}%" in clinical.store.report(study)
        labels = clinical.store.labels(study)
        assert labels["group"] == truth["group"]
        assert labels["lv_hypertrophy"] == int(truth["lv_hypertrophy"])
    reasons = {item["reason"] for item in clinical.report.rejected_files}
    assert reasons <= {"unmapped series description"}  # localisers, never cines


def test_phantom_dataset_carries_the_exact_truth(phantom):
    for raw in phantom.truth["study_id"]:
        labels = phantom.store.labels(phantom.store_id(raw))
        truth = phantom.truth_row(raw)
        assert labels["lvef"] == truth["lvef"] and labels["edv_ml"] == truth["edv_ml"]
        assert "patient_id" not in labels and "quirks" not in labels
    assert set(phantom.store.index["split"]) <= {"train", "val", "test"}
