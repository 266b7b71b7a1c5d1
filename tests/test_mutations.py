"""The mutation catalogue stays applicable: every entry's snippet occurs exactly once in its
file and its tests exist, so `scripts/mutation_check.py` never silently checks nothing.

(Running the mutations themselves takes long; this keeps the catalogue honest on every run.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mutation_check",
                                               ROOT / "scripts" / "mutation_check.py")
mutation_check = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = mutation_check  # dataclasses look their module up there
_spec.loader.exec_module(mutation_check)
MUTATIONS = mutation_check.load_mutations()


def test_the_catalogue_covers_every_area():
    areas = {path.stem for path in (ROOT / "tests" / "mutations").glob("*.yaml")}
    assert {"stats", "training", "ingest", "conformance", "registry", "embed", "data",
            "weights", "leaderboard", "deid", "views", "clinical_h5"} <= areas


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_each_mutation_applies_exactly_once(mutation):
    text = (ROOT / mutation.file).read_text()
    assert text.count(mutation.find) == 1, f"{mutation.id}: stale snippet in {mutation.file}"
    assert mutation.find != mutation.replace
    for test in mutation.tests:
        assert (ROOT / test.split("::")[0]).exists(), f"{mutation.id}: no test {test}"
