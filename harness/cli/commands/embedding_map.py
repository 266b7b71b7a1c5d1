"""A 2-D map (UMAP, or PCA without umap-learn) of study embeddings coloured by a label.

    cmrbench embedding-map EMBEDDINGS.npz --store STORE --label group --out DIR
    cmrbench embedding-map RUN --label lvef [--out DIR]

From `cmrbench embed` output (any encoder, any dataset: a study is the mean of its videos'
embeddings) or from a run directory (the run's own encoder, with its trained weights, embeds
every study of the run's store with the run's evaluation view policy). Writes
embedding_map.png and embedding_map.csv. A run's default --out is RUN/figures, recorded in
RUN/figures.json for the leaderboard.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "UMAP/PCA map of study embeddings coloured by a label (from `embed` output or a run)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="embeddings .npz (cmrbench embed) or a run "
                                                  "directory")
    parser.add_argument("--label", required=True, help="store label to colour by, e.g. group")
    parser.add_argument("--store", type=Path, help="the study store (default: the run's)")
    parser.add_argument("--out", type=Path, help="output folder (required for .npz input; "
                                                 "default RUN/figures)")
    parser.add_argument("--method", default="auto", choices=("auto", "umap", "pca"),
                        help="auto: UMAP when umap-learn is installed, else PCA")
    parser.add_argument("--device", default="cpu", help="for a run: cpu, cuda, ...")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")


def run(args: argparse.Namespace) -> int:
    from cmrbench.embedding import embed_store, load_embeddings
    from cmrbench.explain.embedding_map import write_embedding_map
    from cmrbench.explain.manifest import record_figures
    from cmrbench.store import StudyStore

    try:
        if args.source.is_dir():
            from cmrbench.training.reload import load_run

            finished = load_run(args.source, store=args.store)
            config = finished.config
            store = Path(config.store)
            embeddings = embed_store(finished.plan.encoder, finished.model.encoder, store,
                                     views=config.eval_views, device=args.device, workers=0,
                                     progress=not args.no_progress)
            title = f"{config.encoder} ({config.mode}, run {args.source.name})"
            out = args.out or args.source / "figures"
        else:
            if args.store is None or args.out is None:
                raise CommandError("embeddings from a file need --store STORE (for the labels) "
                                   "and --out DIR")
            embeddings, store, out = load_embeddings(args.source), args.store, args.out
            title = f"{embeddings.provenance.get('encoder', args.source.stem)}"
        files = write_embedding_map(embeddings, StudyStore(store).index, args.label, out,
                                    method=args.method, title=title, seed=args.seed)
    except CommandError:
        raise
    except (ValueError, FileNotFoundError, OSError) as exc:
        raise CommandError(str(exc)) from None
    if args.source.is_dir():
        record_figures(args.source, files)
    print(f"embedding map -> {', '.join(str(p) for p in files)}")
    return 0
