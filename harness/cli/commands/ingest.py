"""Ingest a raw dataset into a study store: one de-identified HDF5 file per study + index.

Resumable: re-running skips studies already written. Ends with a report of studies written,
skipped and rejected, and every rejected file with its reason (also in STORE/ingest_report.json).
Every free-text value kept (series descriptions, report text, messages) is cleaned of
identifiers by a text cleaner (--cleaner; the built-in one by default).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cmrbench.cli.errors import CommandError, lookup

HELP = "ingest a raw dataset (DICOM/NIfTI/zips) into a de-identified study store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="dataset name, e.g. acdc, kaggle-dsb, ukbb, clinical")
    parser.add_argument("source", type=Path, help="the raw dataset's root directory")
    parser.add_argument("--out", type=Path, required=True, help="the study store to write")
    parser.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                        help="decoding processes (default: up to 4)")
    parser.add_argument("--card", type=Path, help="a dataset card to use instead of the "
                        "built-in one (e.g. with an extended view_map)")
    parser.add_argument("--series-map", type=Path, metavar="CSV",
                        help="cmr_toolkit's series CSV (series_description,cleaned_series_names;"
                        " its build step's format): its rows replace the card's view map, "
                        "matched exactly, first row first")
    parser.add_argument("--cleaner", default="builtin", metavar="NAME",
                        help="the text cleaner for series descriptions, reports and messages "
                        "(`cmrbench ls cleaners`; default: builtin)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from cmrbench.cards import CardError, load_card
    from cmrbench.ingest import ingest
    from cmrbench.ingest.deid import Cleaner
    from cmrbench.ingest.series_map import SeriesMapError, with_series_map
    from cmrbench.provenance import harness_state, plugin_provenance

    spec = lookup("dataset", args.dataset, args.disable).spec
    cleaner = lookup("cleaner", args.cleaner, args.disable)
    if not args.source.is_dir():
        raise CommandError(f"source {args.source} is not a directory; give the dataset's root "
                           "folder")
    if args.workers < 1:
        raise CommandError(f"--workers must be at least 1, got {args.workers}")
    card_file = args.card or spec.card
    if card_file is None:
        raise CommandError(f"dataset {spec.name!r} has no card; pass --card CARD.yaml")
    try:
        card = load_card(card_file)
        if args.series_map:
            card = with_series_map(card, args.series_map)
    except (CardError, SeriesMapError) as exc:
        raise CommandError(str(exc)) from None
    provenance = {"dataset_plugin": plugin_provenance(spec),
                  "text_cleaner": {"name": cleaner.name, **plugin_provenance(cleaner.spec)},
                  **harness_state()}
    report = ingest(spec.discover(args.source), card, args.out, decode=spec.decode,
                    workers=args.workers, progress=not args.no_progress,
                    provenance=provenance, source=args.source,
                    cleaner=Cleaner.from_entry(cleaner))
    if report.source_studies == 0:
        raise CommandError(f"found no {spec.name} study under {args.source}; the card "
                           f"{card_file} expects this layout:\n{card.layout.rstrip()}")
    print(report.summary())
    print(f"store: {args.out} (report: {args.out / 'ingest_report.json'})")
    return 0 if report.written or report.skipped else 1
