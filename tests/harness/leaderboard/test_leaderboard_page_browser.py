"""The built page in a real browser (Debian's chromium, driven by playwright, offline):
tables sort on click, every figure renders with content, and a hostile entry name is shown as
text and runs nothing.

The board is README's example plus entries submitted here: one named with markup that would
run script if it were not escaped (on two benchmarks, so the label-efficiency curve has two
lines), so the page has every kind of figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cmrbench.leaderboard.build import assemble
from cmrbench.leaderboard.render import write_board
from cmrbench.leaderboard.submit import submit
from cmrbench.predictions import read_predictions, write_predictions
from cmrbench.suites import load_suite
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
BASELINE = "r3d-18-tiny-random"


def _variant(source: Path, target: Path, *, fraction: float, shift: float) -> Path:
    """The run's predictions moved towards the truth by ``shift`` and claimed for another
    label fraction (what a run of that fraction would write)."""
    predictions = read_predictions(source)
    table = predictions.table.copy()
    truth = table["truth:lvef"].to_numpy()
    table["pred:lvef"] = truth + (table["pred:lvef"].to_numpy() - truth) * shift
    header = {k: v for k, v in predictions.header.items() if k != "cmrbench-predictions"}
    write_predictions(target, table, {**header, "fraction": fraction})
    return target


@pytest.fixture(scope="module")
def page(readme_leaderboard, tmp_path_factory) -> Path:
    folder, _ = readme_leaderboard
    work = tmp_path_factory.mktemp("page")
    board = shutil.copytree(folder / "board", work / "board")
    suite, store = load_suite("phantom-v1"), folder / "lb-store"
    seed0 = folder / "runs" / "seed0" / "predictions.csv"
    submit([_variant(seed0, work / "a.csv", fraction=1.0, shift=0.1)], suite, "lvef-linear",
           HOSTILE, store=store, board=board)
    for name, shift in ((HOSTILE, 0.2), (BASELINE, 1.1)):
        submit([_variant(seed0, work / f"{shift}.csv", fraction=0.5, shift=shift)], suite,
               "lvef-linear-f50", name, store=store, board=board)
    write_board(assemble(suite, board, n_resamples=200), work / "site")
    return work / "site" / "index.html"


def test_the_page_sorts_draws_and_escapes_in_a_real_browser(page, tmp_path):
    assert CHROMIUM.exists(), "install Debian's chromium (scripts/setup.sh does)"
    dialogs, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("request", lambda r: errors.append(r.url) if not r.url.startswith("file:")
               else None)
        tab.goto(page.as_uri())
        table = tab.locator("#lvef-linear table.board")

        def column(index: int) -> list[str]:
            return table.locator(f"tbody tr td:nth-child({index})").all_inner_texts()

        def sort_keys(index: int) -> list[float]:
            cells = table.locator(f"tbody tr td:nth-child({index})")
            return [float(cells.nth(i).get_attribute("data-sort")) for i in range(cells.count())]

        # the hostile name is one table cell's text, and neither tag became an element
        assert HOSTILE in column(3)
        assert tab.locator("img").count() == 0
        assert tab.locator("script").count() == 1

        assert column(3) == [HOSTILE, BASELINE]  # ranked: mean absolute error, lower first
        table.locator("thead th", has_text="mae (primary)").locator("button").click()
        assert sort_keys(4) == sorted(sort_keys(4))
        table.locator("thead th", has_text="mae (primary)").locator("button").click()
        assert sort_keys(4) == sorted(sort_keys(4), reverse=True)
        assert column(3) == [BASELINE, HOSTILE]
        entry = table.locator("thead th", has_text="entry").locator("button")
        entry.click()
        assert column(3) == [HOSTILE, BASELINE]  # "<" sorts before letters
        entry.click()
        assert column(3) == [BASELINE, HOSTILE]
        figures = tab.locator("figure.plot svg")
        captions = tab.locator("figure.plot figcaption").all_inner_texts()
        assert any(c.startswith("ROC curves") for c in captions)
        assert any(c.startswith("Bland-Altman") for c in captions)
        assert any("subgroup" in c for c in captions)
        assert any("fraction of training patients" in c for c in captions)
        for i in range(figures.count()):
            box = figures.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100, captions[i]
            drawn = figures.nth(i).locator("path, use").count()
            assert drawn > 20, f"figure {captions[i]!r} draws {drawn} shapes"
        tab.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        browser.close()
    assert dialogs == []
    assert errors == []
    assert (tmp_path / "page.png").stat().st_size > 10_000
