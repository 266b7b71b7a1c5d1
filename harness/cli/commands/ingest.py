"""Ingest a raw dataset into a study store: one de-identified HDF5 file per study + index.

Resumable: re-running skips studies already written. Ends with a report of studies written,
skipped and rejected, and every rejected file with its reason (also in STORE/ingest_report.json).
Every free-text value kept (series descriptions, report text, messages) is cleaned of
identifiers by a text cleaner (--cleaner; the built-in one by default).

Sharded: ``--shard I/N`` ingests shard I (0..N-1) of N into a shared store, the studies chosen
by a hash of their key; the last shard to finish writes the index and the report, and
``--merge-shards N`` writes them from the N shard reports at any later time.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

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
    shards = parser.add_mutually_exclusive_group()
    shards.add_argument("--shard", metavar="I/N",
                        help="ingest only shard I of N (0-based, e.g. $SLURM_ARRAY_TASK_ID/24) "
                        "into the shared store; the last shard to finish merges")
    shards.add_argument("--merge-shards", type=int, metavar="N",
                        help="write the index and report of a store ingested as N shards")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from cmrbench.cards import CardError, load_card
    from cmrbench.ingest import ingest, pseudonyms
    from cmrbench.ingest.deid import Cleaner
    from cmrbench.ingest.runner import merge_shards
    from cmrbench.ingest.series_map import SeriesMapError, with_series_map
    from cmrbench.ingest.shards import Shard, ShardError, missing_shards
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
    studies = list(spec.discover(args.source))
    if not studies:
        raise CommandError(f"found no {spec.name} study under {args.source}; the card "
                           f"{card_file} expects this layout:\n{card.layout.rstrip()}")
    try:
        shard = Shard.parse(args.shard) if args.shard else None
        if args.merge_shards is not None:
            if args.merge_shards < 1:
                raise CommandError(f"--merge-shards must be at least 1, got {args.merge_shards}")
            order = [pseudonyms(card, study)[0] for study in studies]
            return _done(merge_shards(args.out, args.merge_shards, order), args.out)
    except ShardError as exc:
        raise CommandError(str(exc)) from None
    provenance = {"dataset_plugin": plugin_provenance(spec),
                  "text_cleaner": {"name": cleaner.name, **plugin_provenance(cleaner.spec)},
                  **harness_state()}
    report = ingest(studies, card, args.out, decode=spec.decode, workers=args.workers,
                    progress=not args.no_progress, provenance=provenance, source=args.source,
                    cleaner=Cleaner.from_entry(cleaner), shard=shard)
    if shard is not None and missing_shards(args.out, shard.count):
        print(report.summary())
        print(f"shard {shard.index}/{shard.count} done; the store's index and report are "
              f"written when the last shard finishes (waiting for shard(s) "
              f"{missing_shards(args.out, shard.count)}), or by --merge-shards {shard.count}")
        return 0 if report.written or report.skipped or not report.source_studies else 1
    return _done(report, args.out)


def _done(report: Any, out: Path) -> int:
    print(report.summary())
    print(f"store: {out} (report: {out / 'ingest_report.json'})")
    return 0 if report.written or report.skipped else 1
