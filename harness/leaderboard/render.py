"""Write an assembled board as Markdown, CSV and one self-contained, offline HTML page.

The page inlines its style, its one script (sortable tables) and its figures (SVG): no network
request, and a Content-Security-Policy that lets nothing else run. Every submitted string goes
through the template engine's escaping; only the harness's own script, style and figures are
inserted as markup. Markdown cells are HTML-escaped and CSV cells cannot start a spreadsheet
formula.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import math
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from cmrbench import __version__
from cmrbench.files import atomic_write
from cmrbench.leaderboard.build import Assembled
from cmrbench.leaderboard.ranking import Ranked, Row
from cmrbench.leaderboard.run_figures import publish
from markupsafe import Markup

TEMPLATES = files("cmrbench.leaderboard") / "templates"
PAGE, MARKDOWN, TABLE, METRICS = "index.html", "leaderboard.md", "leaderboard.csv", "metrics.csv"
CSV_COLUMNS = ("suite", "suite_version", "benchmark", "rank", "group", "name", "status",
               "primary_metric", "direction", "mean", "sd", "lower", "upper", "seeds",
               "p_vs_baseline", "p_vs_baseline_holm", "device", "device_hours",
               "peak_memory_bytes", "clips_per_second", "predictions_sha256", "reasons", "rerun")


def write_board(assembled: Assembled, out: Path) -> list[Path]:
    """Write index.html, leaderboard.md, leaderboard.csv and metrics.csv into ``out``."""
    out = Path(out)
    links = {id(row.checked): publish(row.checked.runs, row.checked.path.parent, out)
             for ranked in assembled.ranked.values() for row in ranked.rows}
    written = []
    for name, text in ((PAGE, page(assembled, links)), (MARKDOWN, markdown(assembled)),
                       (TABLE, table_csv(assembled)), (METRICS, metrics_csv(assembled))):
        with atomic_write(out / name) as partial:
            partial.write_text(text, encoding="utf-8")
        written.append(out / name)
    return written


def number(value: Any, digits: int = 4) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}"


def primary_text(row: Row) -> str:
    if len(row.values) > 1:
        return f"{number(row.mean)} ± {number(row.spread, 2)}"
    interval = (f" [{number(row.lower)}, {number(row.upper)}]"
                if row.lower is not None and row.upper is not None else "")
    return f"{number(row.mean)}{interval}"


def cost_texts(row: Row) -> dict[str, str]:
    cost = row.cost()
    unit = f"{cost['device'].upper()}-h" if cost["device"] else "h"
    peak = cost["peak_memory_bytes"]
    return {"cost": f"{number(cost['device_hours'], 3)} {unit}" if cost["device_hours"]
            is not None else "—",
            "memory": f"{peak / 2**30:.2f} GiB" if peak else "—",
            "clips": number(cost["clips_per_second"], 3)}


def _numeric(text: Any, value: Any) -> dict[str, Any]:
    """A cell sorted by ``value`` (an empty sort key when undefined: sorted last)."""
    defined = isinstance(value, int | float) and math.isfinite(value)
    return {"text": text, "sort": repr(float(value)) if defined else "", "css": ""}


def _text(text: Any, css: str = "") -> dict[str, Any]:
    """A cell sorted by its text."""
    return {"text": text, "sort": None, "css": css}


def _section(assembled: Assembled, ranked: Ranked,
             links: dict[int, list[dict[str, str]]]) -> dict[str, Any]:
    bench = ranked.benchmark
    stated = {m for row in ranked.rows for m in row.metrics}
    metrics = [m for m in ranked.metrics if m in stated and m != bench.primary_metric]
    columns = ["group", "rank", "entry", f"{bench.primary_metric} (primary)", *metrics,
               "p vs baseline", "p (Holm)", "seeds", "device-hours", "peak memory", "clips/s",
               "status"]
    rows = []
    for row in ranked.rows:
        costs = row.cost()
        text = cost_texts(row)
        cells = [_numeric(row.group or "—", row.group), _numeric(row.rank, row.rank),
                 _text(row.name, "name"),
                 _numeric(primary_text(row), row.mean),
                 *(_numeric(number(row.metrics.get(m)), row.metrics.get(m)) for m in metrics),
                 _numeric(number(row.p_baseline, 3), row.p_baseline),
                 _numeric(number(row.p_baseline_holm, 3), row.p_baseline_holm),
                 _numeric(len(row.values), len(row.values)),
                 _numeric(text["cost"], costs["device_hours"]),
                 _numeric(text["memory"], costs["peak_memory_bytes"]),
                 _numeric(text["clips"], costs["clips_per_second"]),
                 _text(row.checked.status, row.checked.status)]
        rows.append({"cells": cells, "name": row.name, "rerun": row.rerun(),
                     "group_class": row.group or "none",
                     "figures": links.get(id(row.checked), [])})
    figures = assembled.figures.get(bench.name, [])
    return {"anchor": bench.name, "name": bench.name, "description": bench.description,
            "dataset": bench.dataset, "task": bench.task,
            "options": bench.task_options or "", "mode": bench.mode,
            "fraction": bench.fraction, "primary": bench.primary_metric,
            "direction": "higher" if bench.higher_is_better else "lower",
            "baseline": bench.baseline, "publication": bench.publication,
            "pending": bench.pending, "columns": columns, "rows": rows, "notes": ranked.notes,
            "flagged": [{"name": c.name, "reasons": "; ".join(c.reasons)}
                        for c in ranked.flagged],
            "figures": [{"svg": Markup(f.svg), "caption": f.caption} for f in figures]}


def page(assembled: Assembled, links: dict[int, list[dict[str, str]]] | None = None) -> str:
    """The self-contained HTML page; ``links`` (by ``id`` of an entry's check) lists the
    figure files copied beside it."""
    script = (TEMPLATES / "sort.js").read_text()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    template = environment.from_string((TEMPLATES / "page.html").read_text())
    return template.render(
        suite=assembled.suite, version=__version__, resamples=assembled.resamples,
        css=Markup((TEMPLATES / "page.css").read_text()), script=Markup(script),
        script_hash=f"sha256-{digest}",
        sections=[_section(assembled, r, links or {}) for r in assembled.ranked.values()],
        curves=[{"svg": Markup(f.svg), "caption": f.caption} for f in assembled.curves],
        stray=[{"name": c.name, "reasons": "; ".join(c.reasons)} for c in assembled.stray])


def _md(text: Any) -> str:
    return html.escape(str(text)).replace("|", "\\|").replace("\n", " ")


def markdown(assembled: Assembled) -> str:
    suite = assembled.suite
    lines = [f"# {_md(suite.title)}", "",
             f"Suite `{suite.name}` version {suite.version} (sha256 `{suite.sha256}`); every "
             "number recomputed from per-study predictions by cmrbench "
             f"{__version__}.", ""]
    for ranked in assembled.ranked.values():
        bench = ranked.benchmark
        lines += [f"## {bench.name}", "",
                  f"{_md(bench.dataset)}, task `{bench.task}`, mode {bench.mode}, fraction "
                  f"{bench.fraction}; primary metric **{bench.primary_metric}** "
                  f"({'higher' if bench.higher_is_better else 'lower'} is better); baseline "
                  f"{_md(bench.baseline)}.", ""]
        if bench.pending:
            lines += [f"Pending: {_md(bench.pending)}", ""]
        if ranked.rows:
            lines += ["| group | entry | " + bench.primary_metric + " | p vs baseline (Holm) "
                      "| seeds | device-hours | peak memory | clips/s | status |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for row in ranked.rows:
                text = cost_texts(row)
                lines.append(f"| {row.group or '—'} | {_md(row.name)} | {primary_text(row)} | "
                             f"{number(row.p_baseline, 3)} ({number(row.p_baseline_holm, 3)}) | "
                             f"{len(row.values)} | {text['cost']} | {text['memory']} | "
                             f"{text['clips']} | {row.checked.status} |")
            lines.append("")
        lines += [f"- {_md(note)}" for note in ranked.notes]
        lines += [f"- **flagged** {_md(c.name)}: {_md('; '.join(c.reasons))}"
                  for c in ranked.flagged]
        lines.append("")
    return "\n".join(lines)


def _csv_cell(value: Any) -> Any:
    """A cell no spreadsheet runs as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _write_csv(rows: list[list[Any]], header: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def table_csv(assembled: Assembled) -> str:
    """One row per entry (flagged ones too, with their reasons)."""
    suite = assembled.suite
    rows = []
    for ranked in assembled.ranked.values():
        bench = ranked.benchmark
        direction = "higher" if bench.higher_is_better else "lower"
        for row in ranked.rows:
            cost = row.cost()
            first = row.checked.runs[0] if row.checked.runs else {}
            rows.append([suite.name, suite.version, bench.name, row.rank, row.group, row.name,
                         row.checked.status, bench.primary_metric, direction, row.mean,
                         row.spread, row.lower, row.upper, len(row.values), row.p_baseline,
                         row.p_baseline_holm, cost["device"], cost["device_hours"],
                         cost["peak_memory_bytes"], cost["clips_per_second"],
                         (first.get("submitted") or {}).get("sha256"), "", row.rerun()])
        for item in ranked.flagged:
            rows.append([suite.name, suite.version, bench.name, None, None, item.name,
                         item.status, bench.primary_metric, direction, *[None] * 11,
                         "; ".join(item.reasons), None])
    return _write_csv(rows, CSV_COLUMNS)


def metrics_csv(assembled: Assembled) -> str:
    """Every stored metric of every ranked entry's runs, one per line."""
    rows = []
    for ranked in assembled.ranked.values():
        for row in ranked.rows:
            for run in row.checked.runs:
                for metric, value in (run.get("metrics") or {}).items():
                    rows.append([ranked.benchmark.name, row.name, run.get("seed"), metric,
                                 value.get("value"), value.get("lower"), value.get("upper"),
                                 value.get("method"), value.get("n")])
    return _write_csv(rows, ("benchmark", "name", "seed", "metric", "value", "lower", "upper",
                             "method", "n"))
