"""`cmrbench embed` vouches for what an encoder returns: every vector is the embedding of the
video its row names, of the declared width, and an encoder's own failure is reported as the
failure of that encoder and its plugin (exit status 1), not as the user's mistake.
"""

from pathlib import Path

import numpy as np
import pytest
from cmrbench.cli import main
from cmrbench.embedding import load_embeddings
from cmrbench.store import StudyRecord, ViewVolume, build_index, write_study

PROBES = Path(__file__).with_name("probe_encoders.py")
FRAMES, SIZE = 8, 8
# Each video gets its own 8-bit code, written into its pixels: frame t is bright when bit t
# is set. Codes have set and unset bits, so per-clip intensity scaling keeps them.
# 3 + 4 + 5 videos: batches of 4 straddle studies.
STUDIES = {"s1": {"4CH": 1, "SAX": 2}, "s2": {"2CH": 1, "3CH": 1, "SAX": 2},
           "s3": {"4CH": 1, "SAX": 4}}
CODES = {(study, view, index): 3 + 7 * n
         for n, (study, view, index) in enumerate(
             (s, v, i) for s, views in STUDIES.items() for v, k in views.items()
             for i in range(k))}


def coded_view(study: str, view: str, slices: int) -> ViewVolume:
    cine = np.zeros((slices, FRAMES, SIZE, SIZE), np.uint16)
    for index in range(slices):
        bits = [(CODES[study, view, index] >> t) & 1 for t in range(FRAMES)]
        cine[index] = 1000 * np.array(bits, np.uint16)[:, None, None]
    return ViewVolume(cine=cine, pixel_spacing=(1.5, 1.5), slice_thickness=8.0,
                      frame_times_ms=np.arange(FRAMES) * 40.0,
                      slice_positions_mm=np.arange(slices) * 10.0)


def decode(vector: np.ndarray) -> int:
    """The code FrameProbe saw: a frame is bright when its normalised mean is positive."""
    return sum(1 << t for t in range(FRAMES) if vector[t] > 0)


@pytest.fixture(scope="module")
def coded_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("coded-store")
    for study, views in STUDIES.items():
        write_study(root, StudyRecord(
            study_id=study, patient_id=f"p-{study}", dataset="synthetic",
            views={view: coded_view(study, view, k) for view, k in views.items()},
            meta={"split": "test"}))
    build_index(root)
    return root


@pytest.fixture
def probes(install_distribution):
    install_distribution("cmrbench-probe", {"cmrbench_probe": PROBES.read_text()},
                         {"probe": "cmrbench_probe"})


def embed(encoder: str, store: Path, out: Path) -> int:
    return main(["embed", encoder, str(store), "--out", str(out), "--views", "all",
                 "--batch-size", "4", "--no-progress"])


def test_every_vector_is_the_embedding_of_the_video_its_row_names(probes, coded_store, tmp_path):
    """A study, view or slice shifted or reversed within a batch names the wrong video."""
    assert embed("frame-probe", coded_store, tmp_path / "probe.npz") == 0
    embedded = load_embeddings(tmp_path / "probe.npz")
    rows = list(zip(embedded.study_id, embedded.view, embedded.slice.tolist(), strict=True))
    assert [decode(v) for v in embedded.vectors] == [CODES.get(row) for row in rows]
    assert sorted(rows) == sorted(CODES)


def test_the_plugin_that_provided_the_encoder_is_in_provenance(probes, coded_store, tmp_path):
    assert embed("frame-probe", coded_store, tmp_path / "probe.npz") == 0
    provenance = load_embeddings(tmp_path / "probe.npz").provenance
    assert provenance["encoder_plugin"] == {"plugin": "probe", "distribution": "cmrbench-probe",
                                            "version": "0.1.0"}


def test_an_output_narrower_than_embed_dim_is_the_encoders_failure(probes, coded_store,
                                                                   tmp_path, capsys):
    assert embed("narrow-probe", coded_store, tmp_path / "narrow.npz") == 1
    err = capsys.readouterr().err
    assert ("encoder 'narrow-probe' (plugin 'probe' from cmrbench-probe 0.1.0) returned shape "
            "[4, 256] for a batch of 4 clips; its spec declares embed_dim=512") in err
    assert "cmrbench.testing.check_encoder('narrow-probe')" in err
    assert not (tmp_path / "narrow.npz").exists()


def test_an_encoder_that_raises_is_named_with_its_plugin(probes, coded_store, tmp_path, capsys):
    assert embed("crashing-probe", coded_store, tmp_path / "crash.npz") == 1
    err = capsys.readouterr().err
    assert ("encoder 'crashing-probe' (plugin 'probe' from cmrbench-probe 0.1.0) failed on a "
            "batch of shape [4, 3, 8, 8, 8]: forward raised ValueError: expected 16 frames") in err
    assert "Traceback" not in err
