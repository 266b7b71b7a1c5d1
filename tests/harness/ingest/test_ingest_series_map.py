"""``ingest --series-map``: cmr_toolkit's series-renaming CSV as a card's view map.

The format and its meaning come from rohanshad/cmr_toolkit: ``archive/build_dataset.py``
(``utils/build_dataset.py`` until 2025) copies, for each wanted name, the dataset of the first
row of ``series_description,cleaned_series_names`` naming it; ``series_description`` is the
HDF5 key, the SeriesDescription with ' ' and '/' replaced by '_' (``utils/preprocess_mri.py``).
The published maps (``archive/series_descriptions_master.csv``,
``archive/ukbiobank_series_map.csv``) carry a ``counts`` column, blank names and, for the UK
Biobank one, a byte-order mark.
"""

import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.cli import main
from cmrbench.ingest.series_map import SeriesMapError, read_series_map, with_series_map

PUBLISHED_STYLE = ("\ufeffseries_description,counts,cleaned_series_names\n"
                   "CINE_segmented_LAX_4Ch,49577,4CH\n"
                   "CINE_segmented_LVOT,46747,LVOT\n"
                   "CINE_segmented_Ao_dist_InlineVF,90,\n"
                   "SAX_FIESTA_BH,6503,SAX\n"
                   "4CH_FIESTA_BH,5,2CH\n"
                   "4CH_FIESTA_BH,8653,4CH\n")


@pytest.fixture
def card(tmp_path):
    (tmp_path / "map.csv").write_text(PUBLISHED_STYLE)
    return with_series_map(load_card(card_path("clinical")), tmp_path / "map.csv")


def test_rows_become_rules_in_row_order_and_blank_names_are_left_out(card):
    assert [rule.views for rule in card.view_map] == [("4CH",), ("LVOT",), ("SAX",), ("2CH",),
                                                      ("4CH",)]
    assert card.view_for("CINE_segmented_Ao_dist_InlineVF") is None
    assert card.view_for("4CH_FIESTA_BH") == "2CH"  # the first row naming it wins


def test_keys_and_the_dicom_descriptions_they_were_cleaned_from_match(card):
    for description in ("SAX_FIESTA_BH", "SAX FIESTA BH", "SAX/FIESTA BH"):
        assert card.view_for(description) == "SAX"
    for near_miss in ("SAX_FIESTA_BH_Asset", "sax_fiesta_bh", "LOC_SAX_FIESTA_BH", "SAXXFIESTA_BH"):
        assert card.view_for(near_miss) is None
    assert card.view_for("cine_trueFISP_SAX") is None  # the card's own rules are replaced


@pytest.mark.parametrize(("text", "match"), [
    ("series,cleaned_series_names\nSAX,SAX\n", r"no column\(s\) \['series_description'\]"),
    ("series_description,cleaned_series_names\nlocalizer,\n", "no row names a view"),
    ("", "cannot read the series map"),
])
def test_a_bad_series_map_names_the_file_and_the_fix(tmp_path, text, match):
    path = tmp_path / "map.csv"
    path.write_text(text)
    with pytest.raises(SeriesMapError, match=match) as info:
        read_series_map(path)
    assert str(path) in str(info.value)


def test_the_ingest_command_reports_a_bad_series_map(tmp_path, capsys):
    (tmp_path / "map.csv").write_text("description,view\n")
    assert main(["ingest", "clinical-h5", str(tmp_path), "--out", str(tmp_path / "store"),
                 "--series-map", str(tmp_path / "map.csv")]) == 2
    assert "no column(s)" in capsys.readouterr().err
