"""`cmrbench embed`: one encoder, two weight files, two named initialisations in provenance."""

import numpy as np
import pytest
import torch
from cmrbench.cli import main
from cmrbench.embedding import build_encoder, embed_store, load_embeddings
from cmrbench.registry import get_registry
from cmrbench.weights import save_weights, sha256_file

ENCODER = "r3d-18-tiny"


def kinetics_file(path):
    """A torchvision-style Kinetics-400 state dict: the bare backbone plus its 400-way fc."""
    torch.manual_seed(1)
    backbone = get_registry().encoder(ENCODER).factory().backbone
    state = dict(backbone.state_dict())
    state["fc.weight"] = torch.randn(400, 64)
    state["fc.bias"] = torch.zeros(400)
    torch.save(state, path)
    return path


def contrastive_file(path):
    torch.manual_seed(2)
    save_weights(get_registry().encoder(ENCODER).factory(), path, encoder=ENCODER,
                 initialisation="contrastive")
    return path


def test_two_initialisations_of_one_encoder_are_named_in_provenance(store_path, tmp_path):
    kinetics = kinetics_file(tmp_path / "r3d_tiny_kinetics.pth")
    contrastive = contrastive_file(tmp_path / "r3d_tiny_contrastive.safetensors")
    outputs = {}
    for name, weights, extra in (("kinetics", kinetics, ["--exclude", "fc"]),
                                 ("contrastive", contrastive, [])):
        out = tmp_path / f"{name}.npz"
        assert main(["embed", ENCODER, str(store_path), "--out", str(out), "--weights",
                     str(weights), "--no-progress", *extra]) == 0
        outputs[name] = load_embeddings(out)
    k, c = outputs["kinetics"], outputs["contrastive"]
    assert k.provenance["initialisation"] == "kinetics400"
    assert k.provenance["weights_format"] == "torchvision-kinetics400"
    assert c.provenance["initialisation"] == "contrastive"
    assert c.provenance["weights_sha256"] == sha256_file(contrastive)
    assert k.provenance["encoder"] == c.provenance["encoder"] == ENCODER
    assert k.provenance["encoder_plugin"] == {"plugin": "video-encoders",
                                              "distribution": "cmrbench", "version": "0.1.0"}
    assert k.provenance["store_index_sha256"] == c.provenance["store_index_sha256"]
    assert list(k.study_id) == list(c.study_id) and len(k.study_id) == k.vectors.shape[0]
    assert k.vectors.shape[1] == 512
    np.testing.assert_allclose(np.linalg.norm(k.vectors, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(k.vectors, c.vectors)


def test_kinetics_file_without_excluding_its_classifier_fails_strictly(store_path, tmp_path,
                                                                       capsys):
    kinetics = kinetics_file(tmp_path / "k.pth")
    assert main(["embed", ENCODER, str(store_path), "--out", str(tmp_path / "o.npz"),
                 "--weights", str(kinetics), "--no-progress"]) == 2
    assert "fc.weight" in capsys.readouterr().err
    assert not (tmp_path / "o.npz").exists()


def test_split_and_random_initialisation(store_path, tmp_path):
    out = tmp_path / "test.npz"
    assert main(["embed", ENCODER, str(store_path), "--out", str(out), "--split", "test",
                 "--no-progress"]) == 0
    embedded = load_embeddings(out)
    assert set(embedded.study_id) == {"c"} and embedded.provenance["initialisation"] == "random"
    assert embedded.provenance["split"] == "test" and embedded.provenance["harness_version"]


@pytest.fixture
def one_thread():
    """Two torch threads on a busy two-core machine wait on each other for seconds."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_worker_processes_give_the_same_embeddings_in_the_same_order(store_path, one_thread):
    spec = get_registry().encoder(ENCODER)
    module, provenance = build_encoder(spec)
    serial, parallel = (embed_store(spec, module, store_path, batch_size=3, workers=workers,
                                    progress=False) for workers in (0, 2))
    assert list(parallel.study_id) == list(serial.study_id)
    assert list(parallel.slice) == list(serial.slice)
    np.testing.assert_array_equal(parallel.vectors, serial.vectors)
