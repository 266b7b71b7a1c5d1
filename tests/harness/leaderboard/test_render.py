"""What the board writes: one self-contained page, and tables in which a submitted string
stays text (HTML, Markdown) and never becomes a spreadsheet formula (CSV)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re

import pytest
from cmrbench.leaderboard.build import assemble
from cmrbench.leaderboard.figures import label, to_svg
from cmrbench.leaderboard.render import markdown, page, table_csv
from cmrbench.leaderboard.submit import submit
from cmrbench.suites import load_suite
from matplotlib.figure import Figure

HOSTILE = '=HYPERLINK("http://x")|<b>bold</b> & $\\frac{1}{0}$'


@pytest.fixture
def assembled(store, board, predict):
    suite = load_suite("phantom-v1")
    submit([predict()], suite, "lvef-linear", HOSTILE, store=store, board=board)
    return assemble(suite, board, n_resamples=50)


def test_the_page_is_self_contained_and_runs_only_its_own_script(assembled):
    html = page(assembled)
    assert not re.search(r"""(src|href|action)\s*=\s*["']?(https?:|//)""", html)
    assert "<link" not in html and "@import" not in html
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html and "default-src 'none'" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert html.count("<svg") >= 3 and "<!--" not in html.split("<svg", 1)[1]


def test_markdown_and_csv_keep_a_hostile_name_inert(assembled):
    text = markdown(assembled)
    assert "<b>" not in text and "\\|&lt;b&gt;bold&lt;/b&gt;" in text
    rows = list(csv.DictReader(io.StringIO(table_csv(assembled))))
    (row,) = [r for r in rows if r["benchmark"] == "lvef-linear"]
    assert row["name"] == "'" + HOSTILE  # a leading quote: text, not a formula


def test_figure_text_is_never_markup_or_mathtext():
    assert label("cost $5 and $10") == r"cost \$5 and \$10"
    figure = Figure()
    ax = figure.subplots()
    ax.plot([0, 1], [0, 1], label=label("<script>alert(1)</script> $x$"))
    ax.legend()
    svg = to_svg(figure, "salt")
    assert svg.startswith("<svg") and "<script" not in svg and "<!--" not in svg
    assert "alert" not in svg  # text is drawn as glyph outlines
