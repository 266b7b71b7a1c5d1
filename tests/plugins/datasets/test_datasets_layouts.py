"""Every layout `cmrbench phantom` writes ingests with the right studies, views, frames, labels."""

import pytest
from cmrbench.ingest import reasons

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


def test_kaggle_studies_labels_and_all_black_rejection(kaggle):
    """Labels for every split: train.csv, validate.csv and the long-format solution.csv."""
    quirks = dict(zip(kaggle.truth["study_id"], kaggle.truth["quirks"], strict=True))
    black = [raw for raw, q in quirks.items() if q == "all_black"]
    assert len(black) == 1
    rejected = {item["study"]: item["reason"] for item in kaggle.report.rejected_studies}
    assert rejected == {kaggle.store_id(black[0]): "all-black: every pixel of every view is 0"}
    assert len(kaggle.store) == len(kaggle.truth) - 1
    splits = dict(zip(kaggle.store.index["study_id"], kaggle.store.index["split"], strict=True))
    for raw, quirk in quirks.items():
        if quirk == "all_black":
            continue
        study = kaggle.store_id(raw)
        views = kaggle.store.views(study)
        assert ("4CH" in views) == ("missing_4ch" not in quirk)
        assert kaggle.store.read_cine(study, "SAX").shape[0] == 30
        labels = kaggle.store.labels(study)
        assert labels["diastole_ml"] == pytest.approx(kaggle.truth_row(raw)["edv_ml"], abs=0.06)
        assert labels["systole_ml"] == pytest.approx(kaggle.truth_row(raw)["esv_ml"], abs=0.06)
        assert splits[study] == {"1": "train", "501": "val", "702": "test"}[raw]


def test_kaggle_repeats_keep_the_last_acquisition_and_oblique_slices_are_left_out(kaggle):
    """Within a folder the 4-part repeat -0002 wins; across folders the later series at a
    repeated slice location wins (Kaggle DSB FAQ); an oblique extra sax folder is left out."""
    by_quirk = {q: kaggle.store_id(raw) for raw, q in zip(kaggle.truth["study_id"],
                                                           kaggle.truth["quirks"], strict=True)}
    repeated = by_quirk["repeated_series;moved_repeat"]
    files = [item for item in kaggle.report.rejected_files if item["study"] == repeated]
    in_folder = [i for i in files if i["detail"] == "superseded by a later repeat of the same "
                                                   "frame"]
    assert len(in_folder) == 30 and all(i["file"].endswith("-0001.dcm") for i in in_folder)
    moved = [i for i in files if i not in in_folder]
    assert len(moved) == 30 and {i["reason"] for i in moved} == {reasons.REPEATED_SERIES}
    assert all("2.5 mm away" in i["detail"] for i in moved)
    assert len({i["file"].split("/")[0] for i in moved}) == 1
    oblique = by_quirk["missing_4ch;oblique_slice"]
    files = [item for item in kaggle.report.rejected_files if item["study"] == oblique]
    assert len(files) == 30 and {i["reason"] for i in files} == {reasons.OTHER_ORIENTATION}


def test_ukbb_zips_give_four_views_of_50_frames_and_lvef_in_every_export_style(ukbb):
    """Field 22420 as "22420-2.0", "p22420_i2" and "participant.p22420_i2" (UK Biobank RAP
    docs): every participant gets its LVEF, whichever style its table uses."""
    assert len(ukbb.store) == len(ukbb.truth) == 3
    styles = set()
    for raw, quirks in zip(ukbb.truth["study_id"], ukbb.truth["quirks"], strict=True):
        study = ukbb.store_id(f"{raw}_2")
        views = ukbb.store.views(study)
        assert set(views) == LAX | {"SAX"} and views["SAX"] >= 6
        assert all(ukbb.store.read_cine(study, v).shape[0] == 50 for v in views)
        # field 22420 is a whole percentage, as in the real showcase
        assert ukbb.store.labels(study)["lvef"] == pytest.approx(ukbb.truth_row(raw)["lvef"],
                                                                 abs=0.5)
        styles |= {q for q in quirks.split(";") if q.startswith("lvef_")}
    assert styles == {"lvef_rap", "lvef_dx"}


def test_ukbb_left_out_files_are_reported_with_their_reasons(ukbb):
    by_quirk = {q.split(";")[0]: ukbb.store_id(f"{raw}_2") for raw, q in zip(
        ukbb.truth["study_id"], ukbb.truth["quirks"], strict=True)}
    files = ukbb.report.rejected_files
    derived = [i for i in files if "CINE_segmented_SAX_InlineVF" in i["detail"]]
    assert {i["reason"] for i in derived} == {reasons.UNMAPPED}
    assert {i["study"] for i in derived} == set(by_quirk.values())
    rest = [i for i in files if i not in derived]
    assert {(i["study"], i["reason"]) for i in rest} == {
        (by_quirk["moved_repeat"], reasons.REPEATED_SERIES),
        (by_quirk["oblique_slice"], reasons.OTHER_ORIENTATION)}
    assert all("slice 3 acquired again" in i["detail"] for i in rest
               if i["reason"] == reasons.REPEATED_SERIES)


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
    # the planted confusers, by name; the planted repeats, by the choice among candidates
    assert reasons == {"unmapped series description", "another series kept for the view"}


def test_phantom_dataset_carries_the_exact_truth(phantom):
    for raw in phantom.truth["study_id"]:
        labels = phantom.store.labels(phantom.store_id(raw))
        truth = phantom.truth_row(raw)
        assert labels["lvef"] == truth["lvef"] and labels["edv_ml"] == truth["edv_ml"]
        assert "patient_id" not in labels and "quirks" not in labels
    assert set(phantom.store.index["split"]) <= {"train", "val", "test"}
