"""Dataset cards load, and a bad card names its file and field."""

import pytest
from cmrbench.cards import CardError, card_path, load_card

BUILT_IN = ["acdc", "kaggle-dsb", "ukbb", "clinical", "clinical-h5", "phantom"]


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_cards_load(name):
    card = load_card(card_path(name))
    assert card.name == name and card.views and card.labels and card.licence
    assert len(card.split.sha256) == 64


def test_view_map_is_case_insensitive_and_ordered():
    card = load_card(card_path("ukbb"))
    assert card.view_for("CINE_segmented_SAX_b7") == "SAX"
    assert card.view_for("cine_segmented_lax_4ch") == "4CH"
    assert card.view_for("localizer") is None
    assert card.views_for("CINE_segmented_SAX_InlineVF") == ()


def test_a_multi_plane_rule_names_one_view_per_plane_and_view_for_refuses_it():
    """UK Biobank's single-series CINE_segmented_LAX holds 3Ch, 4Ch, 2Ch in that order
    (ukbb_cardiac, data/biobank_utils.py)."""
    card = load_card(card_path("ukbb"))
    assert card.views_for("CINE_segmented_LAX") == ("3CH", "4CH", "2CH")
    assert card.view_for("CINE_segmented_LAX") is None  # never one view for three planes
    assert card.views_for("CINE_segmented_SAX") == ("SAX",)


def test_slice_numbering_reads_the_b_number():
    numbering = load_card(card_path("ukbb")).slice_numbering
    assert numbering.first == "base"
    assert numbering.number("CINE_segmented_SAX_b12") == 12
    assert numbering.number("CINE_segmented_SAX") is None
    assert load_card(card_path("kaggle-dsb")).slice_numbering is None


@pytest.mark.parametrize(("edit", "match"), [
    (lambda t: t.replace("views: [3CH, 4CH, 2CH]", "views: [3CH, SAX]"),
     r"view_map\[1\]\.views.*distinct long-axis views"),
    (lambda t: t.replace("views: [3CH, 4CH, 2CH]", "views: [3CH, 5CH]"),
     r"view_map\[1\]\.views.*not one of"),
    (lambda t: t.replace('pattern: "^CINE_segmented_SAX_b([0-9]+)$"', 'pattern: "_b[0-9]+$"'),
     r"slice_numbering\.pattern.*one group"),
    (lambda t: t.replace("first: base", "first: middle"), r"slice_numbering\.first"),
])
def test_bad_multi_plane_rules_and_numbering_are_named(tmp_path, edit, match):
    bad = tmp_path / "card.yaml"
    bad.write_text(edit(card_path("ukbb").read_text()))
    with pytest.raises(CardError, match=match):
        load_card(bad)


@pytest.mark.parametrize(("edit", "match"), [
    (lambda t: t.replace("licence:", "license:"), "missing field.*licence"),
    (lambda t: t.replace("views: [SAX]", "views: [5CH]"), "field 'views'"),
    (lambda t: t.replace("method: ranges", "method: random"), "field 'split'.*split.method"),
    (lambda t: t + "colour: red\n", "unknown field.*colour"),
    (lambda t: t.replace("group: categorical", "group: fuzzy"), "field 'labels'"),
])
def test_bad_cards_name_file_and_field(tmp_path, edit, match):
    text = card_path("acdc").read_text()
    bad = tmp_path / "card.yaml"
    bad.write_text(edit(text))
    with pytest.raises(CardError, match=match) as info:
        load_card(bad)
    assert str(bad) in str(info.value)


def test_bad_view_map_rule_is_named(tmp_path):
    text = card_path("ukbb").read_text().replace("view: 3CH}", "view: 3CHX}")
    bad = tmp_path / "card.yaml"
    bad.write_text(text)
    with pytest.raises(CardError, match=r"view_map\[3\]\.view"):
        load_card(bad)


def test_a_skip_rule_leaves_a_series_out_and_says_why():
    """The clinical map's first rule skips localizers, though 'LOC_SAX_FIESTA_BH' (GE's
    short-axis localizer, in the reference's census) matches its SAX rule too."""
    card = load_card(card_path("clinical"))
    assert card.views_for("LOC_SAX_FIESTA_BH") == () and card.view_for("LOC_SAX_FIESTA_BH") is None
    assert card.rule_for("LOC_SAX_FIESTA_BH").skip == "a localizer, survey or planning scan"
    assert card.why_unmapped("LOC_SAX_FIESTA_BH") == (
        "the card's view map leaves it out as a localizer, survey or planning scan")
    assert "no view_map rule matches" in card.why_unmapped("Option_1")
    assert card.views_for("SAX_FIESTA_BH") == ("SAX",)


@pytest.mark.parametrize(("rule", "match"), [
    ("{pattern: loc, skip: ''}", r"view_map\[0\]\.skip.*say why"),
    ("{pattern: loc, skip: a localizer, view: SAX}", r"view_map\[0\]': must be"),
    ("{pattern: '(', skip: a localizer}", r"view_map\[0\]\.pattern.*not a valid regex"),
])
def test_bad_skip_rules_are_named(tmp_path, rule, match):
    text = card_path("kaggle-dsb").read_text().replace("view_map:\n", f"view_map:\n  - {rule}\n")
    bad = tmp_path / "card.yaml"
    bad.write_text(text)
    with pytest.raises(CardError, match=match):
        load_card(bad)
