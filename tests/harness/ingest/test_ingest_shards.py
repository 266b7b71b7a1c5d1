"""Sharded ingest: N shards written separately into one store, then merged, give exactly the
store one process writes (studies, index and report, byte for byte)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cmrbench.cards import load_card
from cmrbench.cli import main
from cmrbench.ingest.shards import SHARDS_DIR, Shard, ShardError
from cmrbench.registry import get_registry


def store_bytes(store: Path) -> dict[str, str]:
    """sha256 of every study file, the index and the report."""
    files = sorted(store.glob("studies/*")) + [store / "index.csv", store / "ingest_report.json"]
    return {p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


def ingest(source: Path, store: Path, *extra: str) -> int:
    return main(["ingest", "kaggle-dsb", str(source), "--out", str(store), "--workers", "1",
                 "--no-progress", *extra])


@pytest.fixture(scope="module")
def kaggle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A Kaggle-layout phantom (its oblique slices and repeats give rejected files, whose
    order the merged report must keep) and its single-process store."""
    root = tmp_path_factory.mktemp("shards")
    source, single = root / "source", root / "single"
    assert main(["phantom", "--layout", "kaggle", "--n", "7", "--seed", "4", "--out",
                 str(source), "--matrix", "48", "--frames", "10", "--quiet"]) == 0
    assert ingest(source, single) == 0
    return source, single


def test_three_shards_merged_by_the_last_equal_a_single_process_ingest(kaggle, tmp_path,
                                                                        capsys):
    source, single = kaggle
    report = json.loads((single / "ingest_report.json").read_text())
    assert report["rejected_files"] and report["rejected_studies"] and len(report["written"]) == 6
    sharded = tmp_path / "sharded"
    for index in (2, 0):
        assert ingest(source, sharded, "--shard", f"{index}/3") == 0
        assert not (sharded / "index.csv").exists()  # not before every shard has finished
    assert "waiting for shard(s) [1]" in capsys.readouterr().out
    assert ingest(source, sharded, "--shard", "1/3") == 0
    assert store_bytes(sharded) == store_bytes(single)


def test_shards_partition_the_studies_by_a_hash_of_the_study_key(kaggle, tmp_path):
    """Independent truth: the pseudonym is sha256(salt:study:KEY)[:16] (cmrbench.splits), and
    a study's shard is that number modulo N, whatever the order the source lists studies in."""
    source, single = kaggle
    sharded = tmp_path / "sharded"
    for index in range(3):
        assert ingest(source, sharded, "--shard", f"{index}/3") == 0
    card = load_card(get_registry().dataset("kaggle-dsb").card)
    keys = [study.key for study in get_registry().dataset("kaggle-dsb").discover(source)]
    by_hash = {}
    for key in keys:
        study_id = hashlib.sha256(f"{card.id_salt}:study:{key}".encode()).hexdigest()[:16]
        by_hash.setdefault(int(study_id, 16) % 3, set()).add(study_id)
    for index in range(3):
        shard = json.loads((sharded / SHARDS_DIR / f"shard-{index}-of-3.json").read_text())
        assert set(shard["written"]) | {s["study"] for s in shard["rejected_studies"]} == (
            by_hash.get(index, set()))
    assert all(by_hash.get(i) for i in range(3)), "every shard holds a study in this cohort"


def test_merge_shards_rewrites_index_and_report_and_refuses_a_missing_shard(kaggle, tmp_path,
                                                                             capsys):
    source, single = kaggle
    sharded = tmp_path / "sharded"
    for index in range(3):
        assert ingest(source, sharded, "--shard", f"{index}/3") == 0
    (sharded / "index.csv").unlink()
    (sharded / "ingest_report.json").unlink()
    assert ingest(source, sharded, "--merge-shards", "3") == 0
    assert store_bytes(sharded) == store_bytes(single)

    (sharded / SHARDS_DIR / "shard-1-of-3.json").unlink()
    assert ingest(source, sharded, "--merge-shards", "3") == 2
    assert "shard(s) [1] have not finished" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["3/3", "-1/3", "1", "a/b", "0/0"])
def test_a_bad_shard_is_refused_by_name(text):
    with pytest.raises(ShardError, match="--shard"):
        Shard.parse(text)
