"""A 2-D map of study embeddings coloured by a label, for any encoder and dataset.

A study's embedding is the mean of its videos' embeddings (``cmrbench embed`` output, or a
run's encoder over the run's store). The map is UMAP (McInnes et al. 2018, umap-learn) when
it is installed, else the first two principal components (PCA by SVD of the centred
embeddings); the figure says which. A label with few distinct values (or non-numeric) gets
one colour per value; a continuous one a colour scale.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
from cmrbench.embedding import Embeddings
from cmrbench.explain.sheets import save_png
from cmrbench.files import atomic_write
from cmrbench.training.studies import LABEL_PREFIX
from matplotlib.figure import Figure

METHODS = ("auto", "umap", "pca")
MAX_CATEGORIES = 10


class EmbeddingMapError(ValueError):
    """An embedding map that cannot be drawn as asked; the message says why and the fix."""


def study_embeddings(embeddings: Embeddings) -> tuple[list[str], np.ndarray]:
    """(study IDs, [studies, D]): each study's mean video embedding, in ID order."""
    ids = sorted(set(embeddings.study_id.tolist()))
    position = {study: i for i, study in enumerate(ids)}
    rows = np.array([position[s] for s in embeddings.study_id])
    sums = np.zeros((len(ids), embeddings.vectors.shape[1]), np.float64)
    np.add.at(sums, rows, embeddings.vectors)
    return ids, sums / np.bincount(rows, minlength=len(ids))[:, None]


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """The first two principal-component scores (signs fixed: largest loading positive)."""
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:2] * np.sign(components[:2][
        np.arange(min(2, len(components))), np.abs(components[:2]).argmax(axis=1)])[:, None]
    scores = centred @ components.T
    return np.pad(scores, ((0, 0), (0, 2 - scores.shape[1])))


def project(vectors: np.ndarray, method: str = "auto", seed: int = 0) -> tuple[np.ndarray, str]:
    """[studies, 2] coordinates and the method used."""
    if method not in METHODS:
        raise EmbeddingMapError(f"method {method!r} is not one of {list(METHODS)}")
    if len(vectors) < 3:
        raise EmbeddingMapError(f"{len(vectors)} studies: a map needs at least 3")
    has_umap = importlib.util.find_spec("umap") is not None
    if method == "umap" and not has_umap:
        raise EmbeddingMapError("umap-learn is not installed: pip install 'cmrbench[umap]' "
                                "(or pass --method pca)")
    if method == "pca" or not has_umap or len(vectors) < 5:
        return pca_2d(vectors), "PCA"
    import umap

    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, len(vectors) - 1),
                        random_state=seed, n_jobs=1)
    return np.asarray(reducer.fit_transform(vectors), dtype=np.float64), "UMAP"


def labels_for(index: pd.DataFrame, study_ids: list[str], label: str) -> pd.Series:
    """The store index's ``label`` for each study (NaN where it has none)."""
    column = LABEL_PREFIX + label
    if column not in index.columns:
        known = sorted(c[len(LABEL_PREFIX):] for c in index.columns
                       if c.startswith(LABEL_PREFIX))
        raise EmbeddingMapError(f"label {label!r} is not in the store; its labels: {known}")
    values = index.set_index("study_id")[column].replace("", np.nan)
    return values.reindex(study_ids)


def _categorical(values: pd.Series) -> bool:
    numeric = pd.to_numeric(values.dropna(), errors="coerce")
    return bool(numeric.isna().any()) or values.dropna().nunique() <= MAX_CATEGORIES \
        and bool((numeric == numeric.round()).all())


def draw(xy: np.ndarray, values: pd.Series, label: str, title: str) -> Figure:
    figure = Figure(figsize=(6.2, 4.8), layout="constrained")
    ax = figure.subplots()
    missing = values.isna().to_numpy()
    if missing.any():
        ax.scatter(*xy[missing].T, c="lightgrey", s=22, label="(no label)")
    shown = label.replace("$", r"\$")
    if _categorical(values):
        for i, value in enumerate(sorted(values.dropna().astype(str).unique())):
            chosen = (values.astype(str) == value).to_numpy() & ~missing
            ax.scatter(*xy[chosen].T, s=26, color=f"C{i % 10}", label=value.replace("$", r"\$"))
        ax.legend(title=shown, fontsize=8, title_fontsize=8, loc="best", frameon=False)
    else:
        points = ax.scatter(*xy[~missing].T, c=pd.to_numeric(values[~missing]), s=26,
                            cmap="viridis")
        figure.colorbar(points, ax=ax, label=shown)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    return figure


def write_embedding_map(embeddings: Embeddings, index: pd.DataFrame, label: str, out: Path,
                        *, method: str = "auto", title: str = "", seed: int = 0
                        ) -> dict[Path, tuple[str, str, str]]:
    """embedding_map.png and embedding_map.csv (study_id, x, y, label) in ``out``."""
    ids, vectors = study_embeddings(embeddings)
    xy, used = project(vectors, method, seed)
    values = labels_for(index, ids, label)
    heading = f"{title} · {used} of {len(ids)} study embeddings, coloured by {label}"
    save_png(draw(xy, values, label, heading.strip(" ·")), Path(out) / "embedding_map.png")
    table = pd.DataFrame({"study_id": ids, "x": xy[:, 0], "y": xy[:, 1],
                          label: values.to_numpy(), "method": used})
    with atomic_write(Path(out) / "embedding_map.csv") as partial:
        table.to_csv(partial, index=False, float_format="%.6g")
    caption = f"{used} map of {len(ids)} study embeddings coloured by {label}"
    return {Path(out) / "embedding_map.png": ("embedding-map", caption, "per-study"),
            Path(out) / "embedding_map.csv": ("embedding-map-table", caption, "per-study")}
