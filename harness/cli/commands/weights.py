"""Fetch, import and list pretrained weights by tag (``mvit-b-16x4.kinetics400``).

`fetch` downloads a tag's published file once into the cache ($CMRBENCH_CACHE, default the
user's cache folder + cmrbench), verifies its published hash and converts it to safetensors;
`import` does the same with a file you downloaded elsewhere (clusters without internet); `ls`
shows every declared tag and whether it is cached. No other command ever downloads: `--weights
TAG` reads the cache and says how to fill it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from cmrbench.cli.errors import CommandError

if TYPE_CHECKING:
    from cmrbench.registry import Registry
    from cmrbench.tags import Tag

HELP = "fetch, import and list pretrained weights by tag (e.g. mvit-b-16x4.kinetics400)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="download a tag's file once, verify, cache it")
    fetch.add_argument("tag", help="a tag, e.g. mvit-b-16x4.kinetics400")
    fetch.add_argument("--no-progress", action="store_true")
    imported = actions.add_parser("import", help="verify and cache a tag's file you downloaded")
    imported.add_argument("tag", help="a tag, e.g. mvit-b-16x4.kinetics400")
    imported.add_argument("file", type=Path, help="the tag's published file, e.g. "
                                                  "mvit_v1_b-dbeb1030.pth")
    for sub in (fetch, imported):
        sub.add_argument("--trust-unverified", action="store_true",
                         help="accept a file whose publisher publishes no hash")
    listing = actions.add_parser("ls", help="every declared tag and whether it is cached")
    listing.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from cmrbench.registry import get_registry
    from cmrbench.tags import UnknownTagError, find_tag

    registry = get_registry(disabled=args.disable)
    if args.action == "ls":
        return _list(registry, args.json)
    try:
        return _store(find_tag(registry, args.tag), args)
    except UnknownTagError as exc:
        raise CommandError(str(exc)) from None


def _store(tag: Tag, args: argparse.Namespace) -> int:
    from cmrbench.weights import WeightsError, fetch_weights, import_weights

    try:
        if args.action == "fetch":
            done = fetch_weights(tag, trust_unverified=args.trust_unverified,
                                 progress=not args.no_progress)
        else:
            done = import_weights(tag, args.file, trust_unverified=args.trust_unverified)
    except WeightsError as exc:
        raise CommandError(str(exc)) from None
    published = tag.weights.sha256 or "none published"
    print(f"{done.tag}: {_how(done.origin, tag, args)}; source sha256 {done.source_sha256} "
          f"(published: {published})\n  -> {done.path}")
    return 0


def _how(origin: str, tag: Tag, args: argparse.Namespace) -> str:
    if origin == "import":
        return f"imported from {args.file}"
    return {"cache": "already cached, nothing downloaded",
            "download": f"downloaded from {tag.weights.url}",
            "placed": "verified from the file placed in the cache's downloads folder"}[origin]


def _list(registry: Registry, as_json: bool) -> int:
    from cmrbench.tags import all_tags
    from cmrbench.weights.cache import cache_dir, cached_files, read_record, weights_file

    cache = cache_dir()
    rows = []
    for tag in all_tags(registry):
        path = weights_file(tag, cache)
        record = read_record(path) if path.is_file() else {}
        rows.append({"tag": tag.name, "cached": path.is_file(), "path": str(path),
                     "source_url": tag.weights.url,
                     "source_sha256": record.get("source_sha256")})
    declared = {row["path"] for row in rows}
    orphans = [str(path) for path in cached_files(cache) if str(path) not in declared]
    if as_json:
        print(json.dumps({"cache": str(cache), "tags": rows, "undeclared": orphans}, indent=2))
        return 0
    print(f"weights cache: {cache} (set CMRBENCH_CACHE to move it)")
    width = max((len(row["tag"]) for row in rows), default=0)
    for row in rows:
        state = (f"cached      {row['path']}" if row["cached"] else
                 f"not cached  (cmrbench weights fetch {row['tag']})")
        print(f"  {row['tag']:<{width}}  {state}")
    for path in orphans:
        print(f"  cached, but no installed encoder declares its tag: {path}")
    return 0
