"""`cmrbench weights fetch|import|ls` and `--weights TAG`, with a third-party encoder that
declares its own tag (served on the loopback interface), exactly as an installed lab plugin
would."""

import dataclasses
import hashlib
import json
import uuid

import numpy as np
import pytest
import torch
from cmrbench.cli import main
from cmrbench.embedding import load_embeddings
from cmrbench.registry import get_registry
from cmrbench.tags import Tag
from cmrbench.weights import sha256_file
from cmrbench.weights.cache import weights_file

ENCODER = "lab-r3d-tiny"
TAG = f"{ENCODER}.kinetics400"
PLUGIN = '''
from functools import partial

from cmrbench import EncoderSpec, PretrainedWeights, hookimpl
from cmrbench.plugins.encoders.torchvision_video import TINY_RESNET_INPUT, build_encoder

KINETICS = PretrainedWeights({fields})


@hookimpl
def cmrbench_encoders():
    return [EncoderSpec(name="{encoder}", description="A lab's tiny R3D.",
                        factory=partial(build_encoder, "r3d-18-tiny"), input=TINY_RESNET_INPUT,
                        pretrained=(KINETICS,))]
'''


def kinetics_state() -> dict[str, torch.Tensor]:
    """r3d-18-tiny's backbone as torchvision publishes a Kinetics file: with a 400-way fc."""
    torch.manual_seed(1)
    state = dict(get_registry().encoder("r3d-18-tiny").factory().backbone.state_dict())
    state["fc.weight"] = torch.randn(400, 64)
    state["fc.bias"] = torch.zeros(400)
    return state


@pytest.fixture
def lab_tag(publish, install_distribution, monkeypatch, tmp_path) -> Tag:
    """The lab plugin installed, declaring its tag for a served Kinetics file; an empty cache."""
    monkeypatch.setenv("CMRBENCH_CACHE", str(tmp_path / "cache"))
    tag = publish(kinetics_state(), encoder=ENCODER)
    fields = ", ".join(f"{f.name}={getattr(tag.weights, f.name)!r}"
                       for f in dataclasses.fields(tag.weights))
    module = f"lab_encoders_{uuid.uuid4().hex}"  # each test's server has its own port
    install_distribution("lab-encoders", {module: PLUGIN.format(fields=fields, encoder=ENCODER)},
                         {"lab": module})
    return tag


def test_ls_lists_the_tag_and_weights_ls_follows_fetch_and_import(lab_tag, weights_server,
                                                                  tmp_path, capsys):
    assert main(["ls", "encoders"]) == 0
    listed = capsys.readouterr().out
    assert f"tag {TAG}  Kinetics-400 acc@1 12.5" in listed and "licence: CC0-1.0" in listed
    assert main(["weights", "ls", "--json"]) == 0
    rows = {row["tag"]: row for row in json.loads(capsys.readouterr().out)["tags"]}
    assert rows[TAG]["cached"] is False and "mvit-b-16x4.kinetics400" in rows

    assert main(["weights", "fetch", "lab-r3d-tiny.kinetics-400", "--no-progress"]) == 2
    assert f"Did you mean '{TAG}'" in capsys.readouterr().err
    assert main(["weights", "fetch", TAG, "--no-progress"]) == 0
    assert "downloaded from" in capsys.readouterr().out
    assert main(["weights", "fetch", TAG, "--no-progress"]) == 0
    assert "already cached, nothing downloaded" in capsys.readouterr().out
    assert len(weights_server.requests) == 1
    assert main(["weights", "ls"]) == 0
    cached = weights_file(lab_tag, tmp_path / "cache")
    assert any(line.split()[:2] == [TAG, "cached"] and str(cached) in line
               for line in capsys.readouterr().out.splitlines())

    cached.unlink()
    hand = tmp_path / lab_tag.weights.filename
    hand.write_bytes(weights_server.files[lab_tag.weights.filename])
    assert main(["weights", "import", TAG, str(hand)]) == 0
    assert f"imported from {hand}" in capsys.readouterr().out and cached.is_file()
    assert len(weights_server.requests) == 1


def test_embed_with_a_tag_loads_the_published_file_and_names_it_in_provenance(
        lab_tag, weights_server, store_path, tmp_path, capsys):
    by_tag = tmp_path / "by_tag.npz"
    embed = ["embed", ENCODER, str(store_path), "--out", str(by_tag), "--no-progress",
             "--weights", "kinetics400"]
    assert main(embed) == 2
    assert f"run `cmrbench weights fetch {TAG}`" in capsys.readouterr().err
    assert weights_server.requests == [] and not by_tag.exists()

    assert main(["weights", "fetch", TAG, "--no-progress"]) == 0
    assert main(embed) == 0
    published = tmp_path / lab_tag.weights.filename
    published.write_bytes(weights_server.files[lab_tag.weights.filename])
    by_path = tmp_path / "by_path.npz"
    assert main(["embed", "r3d-18-tiny", str(store_path), "--out", str(by_path), "--no-progress",
                 "--weights", str(published), "--exclude", "fc"]) == 0

    tagged, direct = load_embeddings(by_tag), load_embeddings(by_path)
    np.testing.assert_array_equal(tagged.vectors, direct.vectors)
    provenance = tagged.provenance
    assert provenance["initialisation"] == "kinetics400"
    assert provenance["weights_tag"] == TAG
    assert provenance["weights_source_url"] == lab_tag.weights.url
    assert provenance["weights_source_sha256"] == hashlib.sha256(
        published.read_bytes()).hexdigest()
    cached = weights_file(lab_tag, tmp_path / "cache")
    assert provenance["weights_path"] == str(cached)
    assert provenance["weights_sha256"] == sha256_file(cached)
    assert provenance["weights_format"] == "cmrbench"
    assert len(weights_server.requests) == 1
