"""Embed every selected video of a study store with one encoder and one weights file.

The weights file is the initialisation: a Kinetics-400 file and a contrastively pretrained one
are two files for the same encoder, named in the output's provenance with their sha256.
``--weights`` takes a path or one of the encoder's pretrained tags (``kinetics400``), once
``cmrbench weights fetch`` has cached it; nothing is downloaded here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError, lookup

HELP = "embed a store's videos with an encoder (--weights PATH|TAG names the initialisation)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("encoder", help="video encoder name, e.g. mvit-b-16x4")
    parser.add_argument("store", type=Path, help="a study store written by `cmrbench ingest`")
    parser.add_argument("--out", type=Path, required=True, help="output .npz file")
    parser.add_argument("--weights", help="weights file (any supported format) or a pretrained "
                        "tag of the encoder, e.g. kinetics400 (fetched beforehand with `cmrbench "
                        "weights fetch`); default: the encoder's seeded random initialisation")
    parser.add_argument("--initialisation", help="name the weights in results, e.g. "
                        "kinetics400 or contrastive (default: from the file)")
    parser.add_argument("--exclude", action="append", default=[], metavar="PREFIX",
                        help="weight key prefix not to load, e.g. head (repeatable; a tag "
                             "already excludes its classifier)")
    parser.add_argument("--split", help="only this split (default: every study)")
    parser.add_argument("--views", default="reference",
                        help="view policy: reference, random-half-sax or all")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    parser.add_argument("--workers", type=int, help="DataLoader worker processes "
                        "(default: one per CPU less one, at most 8; 0 loads in this process)")
    parser.add_argument("--seed", type=int, default=0, help="seed of a random initialisation")
    parser.add_argument("--no-progress", action="store_true")


def run(args: argparse.Namespace) -> int:
    from cmrbench.embedding import build_encoder, embed_store, save_embeddings
    from cmrbench.weights import WeightsError, resolve_weights

    spec = lookup("encoder", args.encoder, args.disable).spec
    try:
        weights = resolve_weights(spec, args.weights) if args.weights else None
        module, provenance = build_encoder(spec, weights, exclude=args.exclude,
                                           initialisation=args.initialisation, seed=args.seed)
        embeddings = embed_store(spec, module, args.store, split=args.split, views=args.views,
                                 batch_size=args.batch_size, device=args.device,
                                 workers=args.workers,
                                 weights_provenance=provenance, progress=not args.no_progress)
    except (WeightsError, ValueError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_embeddings(args.out, embeddings)
    print(f"embedded {len(embeddings.study_id)} videos of "
          f"{len(set(embeddings.study_id))} studies with {spec.name} "
          f"({provenance['initialisation']}) -> {args.out}")
    return 0
