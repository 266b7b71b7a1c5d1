"""The embedding map: study embeddings are their videos' means, PCA agrees with scikit-learn's
(an independent implementation, up to each component's sign), UMAP falls back to PCA when
umap-learn is missing, and `cmrbench embedding-map` on a run writes the map of every study with
the store's labels."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest
from cmrbench.cli import main
from cmrbench.embedding import Embeddings, save_embeddings
from cmrbench.explain import embedding_map
from cmrbench.explain.embedding_map import EmbeddingMapError, pca_2d, project, study_embeddings
from cmrbench.store import StudyStore
from sklearn.decomposition import PCA


def test_a_study_is_the_mean_of_its_videos():
    found = Embeddings(vectors=np.array([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0]]),
                       study_id=np.array(["b", "b", "a"]), view=np.array(["4CH", "SAX", "4CH"]),
                       slice=np.array([0, 0, 0]), provenance={})
    ids, vectors = study_embeddings(found)
    assert ids == ["a", "b"]
    np.testing.assert_allclose(vectors, [[5.0, 5.0], [2.0, 1.0]])


def test_pca_agrees_with_scikit_learn():
    vectors = np.random.default_rng(0).normal(size=(30, 6)) * [5, 3, 1, 1, 1, 1]
    ours = pca_2d(vectors)
    reference = PCA(n_components=2, svd_solver="full").fit_transform(vectors)
    signs = np.sign((ours * reference).sum(axis=0))
    np.testing.assert_allclose(ours, reference * signs, atol=1e-9)


def test_without_umap_learn_auto_is_pca_and_umap_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(embedding_map.importlib.util, "find_spec",
                        lambda name, *a: None if name == "umap" else real(name, *a))
    vectors = np.random.default_rng(1).normal(size=(8, 4))
    xy, used = project(vectors, "auto")
    assert used == "PCA" and np.allclose(xy, pca_2d(vectors))
    with pytest.raises(EmbeddingMapError, match=r"pip install 'cmrbench\[umap\]'"):
        project(vectors, "umap")


def test_the_command_maps_every_study_of_a_run_with_its_label(mvit_run, tmp_path):
    assert main(["embedding-map", str(mvit_run), "--label", "group", "--method", "pca",
                 "--no-progress"]) == 0
    table = pd.read_csv(mvit_run / "figures" / "embedding_map.csv")
    index = StudyStore(mvit_run.parent / "store").index.set_index("study_id")
    assert sorted(table["study_id"]) == sorted(index.index)
    assert (table.set_index("study_id")["group"] == index.loc[table["study_id"],
                                                              "label:group"].values).all()
    assert table["x"].std() > 0 and table["y"].std() > 0 and set(table["method"]) == {"PCA"}
    assert (mvit_run / "figures" / "embedding_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    recorded = json.loads((mvit_run / "figures.json").read_text())["figures"]
    assert {"figures/embedding_map.png", "figures/embedding_map.csv"} <= {
        f["file"] for f in recorded}


def test_an_unknown_label_names_the_stores_labels(mvit_run, capsys):
    assert main(["embedding-map", str(mvit_run), "--label", "nope", "--method", "pca",
                 "--no-progress"]) == 2
    assert "'nope' is not in the store; its labels: [" in capsys.readouterr().err


def test_embed_output_of_any_encoder_maps_with_the_stores_labels(mvit_run, tmp_path):
    """`cmrbench embed` output (here written with its own writer): two studies whose videos
    average to known points land where PCA of those points puts them."""
    store = mvit_run.parent / "store"
    index = StudyStore(store).index
    ids = sorted(index["study_id"])[:4]
    means = np.array([[4.0, 0.0, 1.0], [0.0, 2.0, 1.0], [-4.0, 0.0, 1.0], [0.0, -2.0, 1.0]])
    offsets = np.array([[1.0, 1.0, 0.0], [-1.0, -1.0, 0.0]])  # two videos per study
    save_embeddings(tmp_path / "e.npz", Embeddings(
        vectors=(means[:, None] + offsets[None]).reshape(-1, 3),
        study_id=np.repeat(ids, 2), view=np.tile(["4CH", "SAX"], 4), slice=np.zeros(8, int),
        provenance={"encoder": "hand-made"}))
    assert main(["embedding-map", str(tmp_path / "e.npz"), "--store", str(store), "--label",
                 "lvef", "--out", str(tmp_path / "map")]) == 0
    table = pd.read_csv(tmp_path / "map" / "embedding_map.csv").set_index("study_id")
    np.testing.assert_allclose(table.loc[ids, ["x", "y"]].abs(), np.abs(means[:, :2]),
                               atol=1e-9)
    np.testing.assert_allclose(table.loc[ids, "lvef"],
                               index.set_index("study_id").loc[ids, "label:lvef"].astype(float),
                               rtol=1e-5)  # the CSV keeps 6 significant digits
    assert (tmp_path / "map" / "embedding_map.png").stat().st_size > 5_000
