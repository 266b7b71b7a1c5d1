"""Mutation check: break the code on purpose, one way at a time, and see a test go red.

Each mutation in ``tests/mutations/*.yaml`` replaces one exact snippet of one source file and
names the tests that must notice::

    - id: conformance-no-shape-check
      file: harness/testing/_encoder.py
      find: "    _check_output(spec, first, batch_size)\\n"
      replace: ""
      tests: [tests/harness/testing/test_conformance_gallery.py]
      why: check_encoder must reject an encoder whose output is not [B, embed_dim]

For every mutation the tracked tree is copied to a temporary folder, the snippet is replaced
there (it must occur exactly once, so a mutation cannot silently go stale), and the named tests
run against the copy (``PYTHONPATH`` puts the copied ``cmrbench`` package before the installed
one). The checkout itself is never modified. The same tests first run unmutated and must pass,
so a mutation counts as caught only because of what it changed.

    .venv/bin/python scripts/mutation_check.py              # every mutation
    .venv/bin/python scripts/mutation_check.py --only ID    # one (repeatable)

Exit status 0 when every mutation is caught, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MUTATIONS = ROOT / "tests" / "mutations"
FIELDS = {"id", "file", "find", "replace", "tests", "why"}


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]
    why: str


def load_mutations(folder: Path = MUTATIONS) -> list[Mutation]:
    """Every mutation defined under ``folder``; a malformed entry names its file and field."""
    found: list[Mutation] = []
    for path in sorted(folder.glob("*.yaml")):
        for index, entry in enumerate(yaml.safe_load(path.read_text()) or []):
            if not isinstance(entry, dict) or set(entry) != FIELDS:
                raise SystemExit(f"{path}: entry {index} must have exactly the fields "
                                 f"{sorted(FIELDS)}, got {entry!r}")
            found.append(Mutation(**{**entry, "tests": tuple(entry["tests"])}))
    ids = [m.id for m in found]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise SystemExit(f"mutation ids must be unique; repeated: {duplicated}")
    return found


def copy_tree(target: Path) -> None:
    """The tracked (and staged) files of the checkout, plus the package layout of the install:
    ``target/pkg/cmrbench`` is harness/ with plugins/ inside it, as the wheel has it."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, text=True,
                            check=True).stdout.split("\n")
    for name in filter(None, listed):
        source = ROOT / name
        if not os.path.lexists(source):
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination, follow_symlinks=False)
    package = target / "pkg" / "cmrbench"
    package.parent.mkdir(parents=True)
    package.symlink_to(target / "harness")
    (target / "harness" / "plugins").symlink_to(target / "plugins")


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "pkg")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                             *tests], cwd=tree, env=env, capture_output=True, text=True)
    return result.returncode, result.stdout[-2000:] + result.stderr[-2000:]


def check(mutation: Mutation) -> tuple[str, float, str]:
    """'caught', 'MISSED', 'STALE' (snippet not found once) or 'BASELINE RED'."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cmrbench-mutation-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        code, output = run_tests(tree, mutation.tests)
        if code != 0:
            return "BASELINE RED", time.perf_counter() - start, output
        path = tree / mutation.file
        text = path.read_text()
        if text.count(mutation.find) != 1:
            return "STALE", time.perf_counter() - start, (
                f"{mutation.file}: the snippet occurs {text.count(mutation.find)} times")
        path.write_text(text.replace(mutation.find, mutation.replace))
        code, output = run_tests(tree, mutation.tests)
    outcome = "caught" if code == 1 else ("MISSED" if code == 0 else f"ERROR (pytest exit {code})")
    return outcome, time.perf_counter() - start, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="ID")
    parser.add_argument("--verbose", action="store_true", help="print pytest's output")
    args = parser.parse_args(argv)
    mutations = load_mutations()
    if args.only:
        unknown = sorted(set(args.only) - {m.id for m in mutations})
        if unknown:
            raise SystemExit(f"unknown mutation id(s) {unknown}")
        mutations = [m for m in mutations if m.id in args.only]
    failures = 0
    for mutation in mutations:
        outcome, seconds, output = check(mutation)
        failures += outcome != "caught"
        print(f"{outcome:<13} {seconds:6.1f}s  {mutation.id}: {mutation.why}", flush=True)
        if args.verbose or outcome != "caught":
            print("    " + output.strip().replace("\n", "\n    "))
    print(f"{len(mutations) - failures} of {len(mutations)} mutations caught")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
