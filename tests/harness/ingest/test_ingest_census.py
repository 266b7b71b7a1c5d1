"""The default clinical view map against the reference pipeline's census of real protocol names.

The census is rohanshad/cmr_toolkit's ``archive/series_descriptions_master.csv`` (commit
736cd90f6ca6f77912c0382bc2702d8c5b820807; a copy in tests/data/cmr_toolkit with its README):
1,706 cleaned SeriesDescriptions from five institutions' GE, Philips and Siemens exports, the
number of series that carried each (396,653 in all) and the view the reference kept each as
(105 names, 72,319 series; blank = left out: localizers, late enhancement, TI scouts, maps,
black blood, flow, perfusion, RV and outflow views...). Every figure is weighted by the counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from cmrbench.cards import DatasetCard, card_path, load_card
from cmrbench.phantom.appearance import SITES
from cmrbench.phantom.writers._confusers import NAMES

CENSUS = Path(__file__).parents[2] / "data" / "cmr_toolkit" / "series_descriptions_master.csv"
MIN_AGREEMENT, MAX_SENT = 0.99, 0.01
# the rules this project shipped before the census was held against them (issue 21)
BEFORE = [(r"sax|short.?axis|_sa$", "SAX"),
          (r"4.?ch|4.?chamber|four.?chamber", "4CH"),
          (r"3.?ch|3.?chamber|three.?chamber|lvot", "3CH"),
          (r"2.?ch|2.?chamber|two.?chamber|vla", "2CH")]


@pytest.fixture(scope="module")
def census() -> pd.DataFrame:
    table = pd.read_csv(CENSUS, dtype=str, keep_default_na=False)
    table["counts"] = table["counts"].astype(int)
    return table


def figures(census: pd.DataFrame, view_of, spaced: bool = False) -> tuple[float, float]:
    """(share of the kept series given the reference's view, share of the left-out series
    given any view), both weighted by counts; ``spaced`` reads each name with spaces for
    underscores, as a raw DICOM SeriesDescription often has them."""
    names = census["series_description"].str.replace("_", " ") if spaced \
        else census["series_description"]
    mapped = names.map(lambda name: view_of(name) or "")
    kept = census["cleaned_series_names"] != ""
    weight = census["counts"]
    agree = weight[kept & (mapped == census["cleaned_series_names"])].sum() / weight[kept].sum()
    sent = weight[~kept & (mapped != "")].sum() / weight[~kept].sum()
    return float(agree), float(sent)


def card_views(card: DatasetCard):
    return lambda name: card.view_for(name)


def test_the_census_is_the_published_one(census):
    """The numbers the issue quotes: 1,706 names, 396,653 series, 105 kept names, 72,319."""
    kept = census[census["cleaned_series_names"] != ""]
    assert (len(census), census["counts"].sum()) == (1706, 396653)
    assert (len(kept), kept["counts"].sum()) == (105, 72319)
    assert set(kept["cleaned_series_names"]) == {"4CH", "3CH", "2CH", "SAX"}


@pytest.mark.parametrize(("card", "spaced"), [("clinical", False), ("clinical", True),
                                              ("clinical-h5", False)])
def test_the_clinical_map_agrees_with_the_census(census, card, spaced):
    """DICOM descriptions may have spaces where the toolkit's cleaned keys have underscores;
    clinical-h5 reads the cleaned keys themselves."""
    agree, sent = figures(census, card_views(load_card(card_path(card))), spaced)
    print(f"{card} view map ({'spaced' if spaced else 'cleaned'} names): {agree:.2%} of the "
          f"reference's cine series to its view, {sent:.2%} of the others to a view")
    assert agree >= MIN_AGREEMENT
    assert sent <= MAX_SENT


def test_the_rules_before_the_census_failed_it(census):
    """What the figures guard against: the previous rules sent 38 % of the non-cine series
    (localizers, late enhancement, black blood...) to a view and missed 5.6 % of the cines."""
    rules = [(re.compile(p, re.IGNORECASE), v) for p, v in BEFORE]
    agree, sent = figures(census, lambda name: next(
        (view for pattern, view in rules if pattern.search(name)), None))
    print(f"previous view map: {agree:.2%} agreement, {sent:.2%} of the others to a view")
    assert agree == pytest.approx(0.9435, abs=1e-4) and sent == pytest.approx(0.3797, abs=1e-4)


def test_the_phantom_and_clinical_h5_cards_share_the_clinical_map():
    """clinical-h5 first takes the toolkit's build-step names (SAX, 4CH, 3CH, 2CH)."""
    clinical, phantom, h5 = ([(r.pattern.pattern, r.views, r.skip)
                              for r in load_card(card_path(name)).view_map]
                             for name in ("clinical", "phantom", "clinical-h5"))
    assert phantom == clinical
    assert h5[4:] == clinical and [rule[0] for rule in h5[:4]] == [
        "^SAX$", "^4CH$", "^3CH$", "^2CH$"]


def test_the_phantom_cines_map_and_its_confusers_are_skipped_by_name():
    card = load_card(card_path("clinical"))
    for site in SITES["clinical"]:
        for view, name in site.descriptions.items():
            assert card.views_for(name.format(n=3)) == (view,), name
    for names in NAMES.values():
        for name, _ in names.values():
            assert card.views_for(name) == () and "leaves it out" in card.why_unmapped(name)
