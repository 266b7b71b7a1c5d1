"""`fetch_weights` / `import_weights`: a tag's file is downloaded once, verified against its
published hash before anything is cached, and cached as safetensors; an offline machine is told
which file to place where. Every download here comes from a server on the loopback interface."""

import dataclasses
import hashlib
import io
import sys
from pathlib import Path

import pytest
import torch
from cmrbench.tags import Tag
from cmrbench.weights import (
    DownloadError,
    VerificationError,
    WeightsError,
    cache_dir,
    fetch_weights,
    import_weights,
)
from cmrbench.weights.cache import placed_file, read_record, weights_file
from cmrbench.weights.safe_load import read_file


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def served(server, tag: Tag) -> bytes:
    return server.files[tag.weights.filename]


def with_weights(tag: Tag, **changes) -> Tag:
    return Tag(tag.encoder, dataclasses.replace(tag.weights, **changes))


def test_fetch_verifies_converts_to_safetensors_and_second_fetch_makes_no_request(
        tiny_tag, weights_server, tmp_path):
    data = served(weights_server, tiny_tag)
    done = fetch_weights(tiny_tag, cache=tmp_path, progress=False)
    assert done.origin == "download"
    assert weights_server.requests == [f"/{tiny_tag.weights.filename}"]
    assert done.source_sha256 == hashlib.sha256(data).hexdigest()
    expected = tmp_path / "weights" / "tiny-net" / "kinetics400.safetensors"
    assert done.path == weights_file(tiny_tag, tmp_path) == expected
    assert files_under(tmp_path) == [done.path], "only the converted file stays; no partial"
    cached = read_file(done.path)
    assert cached.container == "safetensors", "later loads must never unpickle"
    original = torch.load(io.BytesIO(data), weights_only=True)
    assert set(cached.content) == set(original)
    assert all(torch.equal(cached.content[key], original[key]) for key in original)
    record = read_record(done.path)
    assert record["cmrbench_tag"] == "tiny-net.kinetics400"
    assert record["source_sha256"] == done.source_sha256
    assert record["source_url"] == tiny_tag.weights.url
    assert record["source_bytes"] == str(len(data))
    assert record["initialisation"] == "kinetics400" and record["encoder"] == "tiny-net"

    again = fetch_weights(tiny_tag, cache=tmp_path, progress=False)
    assert (again.origin, again.path, again.source_sha256) == ("cache", done.path,
                                                               done.source_sha256)
    assert len(weights_server.requests) == 1


@pytest.mark.parametrize(("mode", "error", "message"), [
    ("corrupt", VerificationError, "does not match the published prefix"),
    ("truncate", DownloadError, "truncated"),
])
def test_corrupt_or_truncated_download_is_rejected_and_not_cached(
        tiny_tag, weights_server, tmp_path, mode, error, message):
    weights_server.mode = mode
    with pytest.raises(error, match=message):
        fetch_weights(tiny_tag, cache=tmp_path, progress=False)
    assert files_under(tmp_path) == []
    weights_server.mode = "ok"
    assert fetch_weights(tiny_tag, cache=tmp_path, progress=False).origin == "download"


def test_unreachable_server_names_the_file_to_place_by_hand(tiny_tag, closed_port_url,
                                                             tmp_path):
    offline = with_weights(tiny_tag, url=closed_port_url)
    with pytest.raises(DownloadError) as caught:
        fetch_weights(offline, cache=tmp_path, progress=False)
    text = str(caught.value)
    assert closed_port_url in text and "offline" in text
    assert str(placed_file(offline, tmp_path)) in text
    name = offline.weights.filename
    assert f"cmrbench weights import tiny-net.kinetics400 PATH/TO/{name}" in text
    assert files_under(tmp_path) == []


def test_a_missing_file_on_the_server_is_reported_with_its_status(tiny_tag, weights_server,
                                                                  tmp_path):
    gone = with_weights(tiny_tag, url=weights_server.url("moved.pth"))
    with pytest.raises(DownloadError, match="404"):
        fetch_weights(gone, cache=tmp_path, progress=False)
    assert files_under(tmp_path) == []


def test_file_placed_in_the_cache_by_hand_is_verified_without_a_request(
        tiny_tag, weights_server, tmp_path):
    placed = placed_file(tiny_tag, tmp_path)
    placed.parent.mkdir(parents=True)
    placed.write_bytes(served(weights_server, tiny_tag))
    done = fetch_weights(tiny_tag, cache=tmp_path, progress=False)
    assert done.origin == "placed" and weights_server.requests == []
    assert read_record(done.path)["cmrbench_tag"] == tiny_tag.name


def test_import_verifies_a_hand_downloaded_file_and_refuses_another(tiny_tag, weights_server,
                                                                    tmp_path):
    wrong = tmp_path / "elsewhere" / "wrong.pth"
    wrong.parent.mkdir()
    torch.save({"fc.weight": torch.ones(400, 4)}, wrong)
    cache = tmp_path / "cache"
    with pytest.raises(VerificationError, match="does not match the published"):
        import_weights(tiny_tag, wrong, cache=cache)
    assert not cache.exists() or files_under(cache) == []
    right = tmp_path / "elsewhere" / tiny_tag.weights.filename
    right.write_bytes(served(weights_server, tiny_tag))
    done = import_weights(tiny_tag, right, cache=cache)
    assert done.origin == "import" and done.path == weights_file(tiny_tag, cache)
    assert done.source_sha256 == hashlib.sha256(right.read_bytes()).hexdigest()
    assert weights_server.requests == []
    with pytest.raises(WeightsError, match="no such file"):
        import_weights(tiny_tag, tmp_path / "absent.pth", cache=cache)


def test_without_a_published_hash_fetch_asks_for_trust_before_downloading(
        tiny_tag, weights_server, tmp_path):
    unpublished = with_weights(tiny_tag, sha256=None)
    with pytest.raises(VerificationError, match="--trust-unverified"):
        fetch_weights(unpublished, cache=tmp_path, progress=False)
    assert weights_server.requests == [] and files_under(tmp_path) == []
    done = fetch_weights(unpublished, cache=tmp_path, progress=False, trust_unverified=True)
    record = read_record(done.path)
    assert record["published_sha256"] == ""
    assert record["source_sha256"] == hashlib.sha256(served(weights_server, tiny_tag)).hexdigest()


def test_a_file_in_another_layout_than_declared_is_not_cached(tiny_tag, tmp_path):
    declared_pytorchvideo = with_weights(tiny_tag, format="pytorchvideo")
    with pytest.raises(VerificationError, match="holds a torchvision-kinetics400 checkpoint"):
        fetch_weights(declared_pytorchvideo, cache=tmp_path, progress=False)
    assert files_under(tmp_path) == []


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the Linux (XDG) locations")
def test_cache_folder_follows_cmrbench_cache_then_xdg_then_home(monkeypatch, tmp_path):
    """Locations as the XDG Base Directory specification and platformdirs place a user cache."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir({"CMRBENCH_CACHE": "/data/cache"}) == Path("/data/cache")
    assert cache_dir({"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/cmrbench")
    assert cache_dir({}) == tmp_path / ".cache" / "cmrbench"
