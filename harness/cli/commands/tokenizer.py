"""Build a report-template vocabulary from a store's training reports.

    cmrbench tokenizer build STORE --out VOCAB.json [--card CARD.yaml] [--min-reports N]

Only the reports of the studies in the card's training roles are read (``train`` and
``pretrain``; the card of the store's dataset, or ``--card``). Every sentence template
written in at least N of them (default 2) becomes a phrase token. Prints the vocabulary's
sha256 and the compression it gives on those reports: tokens per report, template tokenizer
vs the word pieces alone. The file is what ``template-text`` reads: ``--text-option
vocabulary=VOCAB.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError, lookup

HELP = "build a report-template vocabulary from a store's training reports (template-text)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="mine the template vocabulary of a store's "
                                             "training reports")
    build.add_argument("store", type=Path, help="a study store written by `cmrbench ingest`")
    build.add_argument("--out", type=Path, required=True, help="the vocabulary file (.json)")
    build.add_argument("--card", type=Path, help="dataset card whose roles say which split "
                                                 "trains (default: the store's dataset's card)")
    build.add_argument("--min-reports", type=int, default=2,
                       help="reports a sentence template must appear in (default 2)")
    build.add_argument("--wordpieces", type=Path, help="BERT-family model directory whose "
                       "vocab.txt is the fallback (default: the bundled MiniLM's, as "
                       "bert-minilm-l6)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.cards import CardError, load_card
    from cmrbench.tokenizer import TemplateTokenizer, WordPieces, mine_vocabulary
    from cmrbench.tokenizer.corpus import CorpusError, compression, training_reports

    try:
        card = load_card(args.card or _dataset_card(args.store, args.disable))
        corpus = training_reports(args.store, card)
        wordpieces = WordPieces.from_directory(args.wordpieces)
        vocabulary = mine_vocabulary(corpus.reports, wordpieces.identity(),
                                     min_reports=args.min_reports, built_from=corpus.built_from)
        written = vocabulary.write(args.out)
    except (CardError, CorpusError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    measured = compression(TemplateTokenizer(written, wordpieces), corpus.reports)
    print(f"{len(written.templates)} templates from {len(corpus.reports)} training reports "
          f"({card.name}, splits {corpus.built_from['splits']}, at least "
          f"{args.min_reports} reports each) -> {args.out}\nsha256 {written.sha256}\n"
          f"{measured.render()}")
    return 0


def _dataset_card(store: Path, disabled: list[str]) -> Path:
    from cmrbench.store.index import read_index

    datasets = sorted(set(read_index(store)["dataset"]))
    if len(datasets) != 1:
        raise CommandError(f"{store} holds studies of datasets {datasets}; pass --card to say "
                           "whose roles choose the training reports")
    card = lookup("dataset", datasets[0], disabled).spec.card
    if card is None:
        raise CommandError(f"dataset {datasets[0]!r} has no card; pass --card CARD.yaml")
    return card
