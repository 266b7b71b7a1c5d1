"""Sharded ingest: N shards written separately into one store, then merged, give exactly the
store one process writes (studies, index and report, byte for byte)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
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


@pytest.fixture(scope="module")
def sharded(kaggle: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, str]:
    """The same source ingested as shards 2, 0, then 1 of 3 into one store (shard 1 finds
    the set complete and merges); also what the shards printed."""
    store = tmp_path_factory.mktemp("sharded") / "store"
    printed = []
    for index in (2, 0, 1):
        if index == 1:
            assert not (store / "index.csv").exists()  # not before every shard has finished
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert ingest(kaggle[0], store, "--shard", f"{index}/3") == 0
        printed.append(out.getvalue())
    return store, "".join(printed)


def test_three_shards_merged_by_the_last_equal_a_single_process_ingest(kaggle, sharded):
    source, single = kaggle
    report = json.loads((single / "ingest_report.json").read_text())
    assert report["rejected_files"] and report["rejected_studies"]  # their order is kept too
    assert len(report["written"]) == 6
    assert "waiting for shard(s) [1]" in sharded[1]
    assert store_bytes(sharded[0]) == store_bytes(single)


def test_shards_partition_the_studies_by_a_hash_of_the_study_key(kaggle, sharded):
    """Independent truth: the pseudonym is sha256(salt:study:KEY)[:16] (cmrbench.splits), and
    a study's shard is that number modulo N, whatever the order the source lists studies in."""
    card = load_card(get_registry().dataset("kaggle-dsb").card)
    keys = [study.key for study in get_registry().dataset("kaggle-dsb").discover(kaggle[0])]
    by_hash: dict[int, set[str]] = {}
    for key in keys:
        study_id = hashlib.sha256(f"{card.id_salt}:study:{key}".encode()).hexdigest()[:16]
        by_hash.setdefault(int(study_id, 16) % 3, set()).add(study_id)
    assert all(by_hash.get(i) for i in range(3)), "every shard holds a study in this cohort"
    for index in range(3):
        shard = json.loads((sharded[0] / SHARDS_DIR / f"shard-{index}-of-3.json").read_text())
        assert set(shard["written"]) | {s["study"] for s in shard["rejected_studies"]} == (
            by_hash[index])


def test_merge_shards_rewrites_index_and_report_and_refuses_a_missing_shard(kaggle, sharded,
                                                                             tmp_path, capsys):
    source, single = kaggle
    store = Path(shutil.copytree(sharded[0], tmp_path / "store"))
    (store / "index.csv").unlink()
    (store / "ingest_report.json").unlink()
    assert ingest(source, store, "--merge-shards", "3") == 0
    assert store_bytes(store) == store_bytes(single)

    (store / SHARDS_DIR / "shard-1-of-3.json").unlink()
    assert ingest(source, store, "--merge-shards", "3") == 2
    assert "shard(s) [1] have not finished" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["3/3", "-1/3", "1", "a/b", "0/0"])
def test_a_bad_shard_is_refused_by_name(text):
    with pytest.raises(ShardError, match="--shard"):
        Shard.parse(text)
