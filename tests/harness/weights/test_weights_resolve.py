"""`resolve_weights`: the one reading of `--weights` (a path or a tag) every command shares.

It reads the cache and never downloads: each test's tag is served on the loopback interface,
so an implicit download would succeed there, and the server's request log must stay empty."""

import hashlib
import shutil

import pytest
import torch
from cmrbench.specs import EncoderSpec, VideoInput
from cmrbench.tags import Tag
from cmrbench.weights import (
    VerificationError,
    WeightsError,
    WeightsNotCachedError,
    fetch_weights,
    resolve_weights,
)
from cmrbench.weights.cache import placed_file, weights_file


def encoder_with(*tags: Tag) -> EncoderSpec:
    return EncoderSpec(name=tags[0].encoder, description="A tiny net.", factory=dict,
                       input=VideoInput(frames=4, height=8, width=8),
                       pretrained=tuple(tag.weights for tag in tags))


def test_a_path_resolves_to_itself_with_nothing_added(tiny_tag, tmp_path):
    file = tmp_path / "contrastive.safetensors"
    file.write_bytes(b"x")
    resolved = resolve_weights(encoder_with(tiny_tag), str(file), cache=tmp_path)
    assert (resolved.path, resolved.tag, resolved.initialisation) == (file, None, None)
    assert resolved.exclude == () and resolved.provenance == {}


@pytest.mark.parametrize("value", ["kinetics400", "tiny-net.kinetics400"])
def test_an_uncached_tag_says_how_to_fetch_it_and_downloads_nothing(tiny_tag, weights_server,
                                                                   tmp_path, value):
    with pytest.raises(WeightsNotCachedError) as caught:
        resolve_weights(encoder_with(tiny_tag), value, cache=tmp_path)
    text = str(caught.value)
    assert "run `cmrbench weights fetch tiny-net.kinetics400`" in text
    assert str(placed_file(tiny_tag, tmp_path)) in text and tiny_tag.weights.url in text
    assert weights_server.requests == [] and not weights_file(tiny_tag, tmp_path).exists()


@pytest.mark.parametrize("value", ["kinetics400", "tiny-net.kinetics400"])
def test_a_cached_tag_resolves_to_its_file_exclusions_and_provenance(tiny_tag, weights_server,
                                                                     tmp_path, value):
    fetch_weights(tiny_tag, cache=tmp_path, progress=False)
    resolved = resolve_weights(encoder_with(tiny_tag), value, cache=tmp_path)
    assert resolved.path == weights_file(tiny_tag, tmp_path)
    assert (resolved.tag, resolved.initialisation) == ("tiny-net.kinetics400", "kinetics400")
    assert resolved.exclude == ("fc",)
    served = weights_server.files[tiny_tag.weights.filename]
    assert resolved.provenance == {"weights_tag": "tiny-net.kinetics400",
                                   "weights_source_url": tiny_tag.weights.url,
                                   "weights_source_sha256": hashlib.sha256(served).hexdigest()}


def test_a_name_that_is_both_a_file_and_a_tag_is_refused(tiny_tag, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kinetics400").write_bytes(b"x")
    with pytest.raises(WeightsError, match=r"both a file here and the tag .*\./kinetics400"):
        resolve_weights(encoder_with(tiny_tag), "kinetics400", cache=tmp_path)
    assert resolve_weights(encoder_with(tiny_tag), "./kinetics400").tag is None


def test_neither_a_file_nor_a_tag_lists_the_encoders_tags(tiny_tag, tmp_path):
    with pytest.raises(WeightsError, match=r"not a pretrained tag of tiny-net \(its tags: "
                                           r"tiny-net\.kinetics400"):
        resolve_weights(encoder_with(tiny_tag), "kinetics-400", cache=tmp_path)


def test_a_cached_file_of_another_tag_is_refused(tiny_tag, publish, tmp_path):
    other = publish({"fc.weight": torch.ones(400, 2), "fc.bias": torch.ones(400)},
                    encoder="other-net")
    fetched = fetch_weights(other, cache=tmp_path, progress=False)
    target = weights_file(tiny_tag, tmp_path)
    target.parent.mkdir(parents=True)
    shutil.copy(fetched.path, target)
    with pytest.raises(VerificationError, match="its header names other-net.kinetics400"):
        resolve_weights(encoder_with(tiny_tag), "kinetics400", cache=tmp_path)
