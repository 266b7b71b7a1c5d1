"""A run's figures travel with its entry: copied onto the board, verified by sha256, linked
from the page beside it; a restricted benchmark takes aggregate figures only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cmrbench.explain.manifest import record_figures
from cmrbench.leaderboard.build import assemble
from cmrbench.leaderboard.render import write_board
from cmrbench.leaderboard.submit import submit
from cmrbench.leaderboard.verify import FLAGGED, VERIFIED, verify_board
from cmrbench.suites import load_suite

SUITE = "phantom-v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def run_with_figures(predictions: Path, folder: Path) -> Path:
    """A run directory: its predictions, a result record and three recorded figures (one
    per-study, whose caption carries markup that the page must escape)."""
    folder.mkdir()
    shutil.copyfile(predictions, folder / "predictions.csv")
    (folder / "result.json").write_text(json.dumps({"metrics": {}}))
    (folder / "figures").mkdir()
    (folder / "figures" / "view_attention.png").write_bytes(PNG)
    (folder / "figures" / "view_attention.csv").write_text("branch,4CH\nlvef,1\n")
    (folder / "figures" / "study.png").write_bytes(PNG)
    record_figures(folder, {
        folder / "figures" / "view_attention.png": ("view-attention", "views", "aggregate"),
        folder / "figures" / "view_attention.csv": ("view-attention-table", "t", "aggregate"),
        folder / "figures" / "study.png": ("attention-sheet", "<script>x</script>",
                                           "per-study")})
    return folder


def test_figures_are_carried_verified_and_linked(store, board, predict, tmp_path):
    run = run_with_figures(predict(), tmp_path / "run")
    suite = load_suite(SUITE)
    entry = submit([run], suite, "lvef-linear", "tiny", store=store, board=board).entry
    figures = entry["runs"][0]["figures"]
    assert [f["kind"] for f in figures] == ["view-attention", "view-attention-table",
                                            "attention-sheet"]
    for figure in figures:
        assert (board / figure["file"]).read_bytes() == (
            run / "figures" / {"view-attention": "view_attention.png",
                               "view-attention-table": "view_attention.csv",
                               "attention-sheet": "study.png"}[figure["kind"]]).read_bytes()
    assert [c.status for c in verify_board(suite, board)] == [VERIFIED]
    site = tmp_path / "site"
    write_board(assemble(suite, board, n_resamples=50, figures=False), site)
    html = (site / "index.html").read_text()
    for figure in figures:
        assert f'href="{figure["file"]}"' in html and (site / figure["file"]).is_file()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html

    (board / figures[0]["file"]).write_bytes(PNG + b"changed")
    checked = verify_board(suite, board)[0]
    assert checked.status == FLAGGED and "changed since it was accepted" in checked.reasons[0]


def test_a_figure_that_is_not_what_it_claims_is_left_behind(store, board, predict, tmp_path):
    run = run_with_figures(predict(), tmp_path / "run")
    (run / "figures" / "view_attention.png").write_text("<svg onload=alert(1)>")
    entry = submit([run], load_suite(SUITE), "lvef-linear", "tiny", store=store,
                   board=board).entry
    assert [f["kind"] for f in entry["runs"][0]["figures"]] == ["view-attention-table",
                                                                "attention-sheet"]


def test_a_restricted_benchmark_takes_aggregate_figures_only(predict, tmp_path):
    from cmrbench.leaderboard.run_figures import carry

    run = run_with_figures(predict(), tmp_path / "run")
    carried = carry(run, tmp_path / "board", "b--x--seed0", public=False)
    assert [f["scope"] for f in carried] == ["aggregate", "aggregate"]


def test_a_figure_path_leaving_the_figures_folder_is_flagged_and_never_copied(tmp_path):
    """Entries are data from submitters: a listed file outside BOARD/figures (or a name that
    would break out of the link's attribute) must not be verified, copied or linked, even
    where such a file exists."""
    from cmrbench.files import sha256_file
    from cmrbench.leaderboard.run_figures import problems, publish

    root = tmp_path / "board"
    (root / "figures").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes(PNG)
    (root / "figures" / 'a.png" onmouseover="x').write_bytes(PNG)
    hostile = ["figures/../../secret.png", 'figures/a.png" onmouseover="x']
    run = {"seed": 0, "figures": [{"file": f, "sha256": sha256_file(root / f), "kind": "k",
                                   "caption": "c"} for f in hostile]}
    assert problems(run, root) == [f"seed 0: figure {f!r} is not on the board" for f in hostile]
    assert publish([run], root, tmp_path / "site") == []
    assert not (tmp_path / "site").exists()
