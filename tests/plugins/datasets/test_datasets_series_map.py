"""``--series-map`` reaches a DICOM dataset through its card alone, with no option of its own:
the toolkit's CSV (rohanshad/cmr_toolkit ``archive/build_dataset.py``; keys are
SeriesDescriptions with ' ' and '/' replaced by '_', ``utils/preprocess_mri.py``) maps the
clinical layout's vendor descriptions, and what it leaves unnamed is reported."""

from cmrbench.ingest import decode_dicom
from cmrbench.ingest.series_map import with_series_map
from cmrbench.phantom.appearance import SITES
from cmrbench.phantom.writers._phi import named
from cmrbench.phantom.writers.clinical import NAMED_VIEWS
from cmrbench.registry import get_registry


def test_the_clinical_dicom_dataset_takes_the_toolkit_csv(clinical, tmp_path):
    study = next(iter(get_registry().dataset("clinical").discover(clinical.source)))
    site = {s.name: s for s in SITES["clinical"]}[clinical.truth_row(study.key)["site"]]
    identity = next(s.identity for s in clinical.studies if s.study_id == study.key)
    typed = {view: named(name, identity, plain=True) if view in NAMED_VIEWS else name  # as typed
             for view, name in site.descriptions.items()}
    cleaned = {view: name.replace(" ", "_").replace("/", "_") for view, name in typed.items()}
    rows = [f"{cleaned[view]},1,{'' if view == '2CH' else view}" for view in cleaned]
    (tmp_path / "map.csv").write_text("series_description,counts,cleaned_series_names\n"
                                      + "\n".join(rows) + "\n")
    decoded = decode_dicom(study, with_series_map(clinical.card, tmp_path / "map.csv"))
    assert set(decoded.views) == {"4CH", "3CH", "SAX"}
    unmapped = {r.detail.split(":")[0] for r in decoded.rejected
                if r.reason == "unmapped series description"}
    assert repr(site.descriptions["2CH"]) in unmapped
    assert decoded.views["SAX"].cine.shape[0] > 5
