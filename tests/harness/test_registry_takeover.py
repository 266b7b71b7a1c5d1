"""A third-party plugin cannot take over a built-in name, whatever pluggy hook order it asks for.

pluggy calls ``@hookimpl(tryfirst=True)`` hooks first and ``trylast=True`` ones last; the
registry ignores that order and lets the built-in ``cmrbench`` distribution keep its names.
Two installed distributions try to claim ``r3d-18``, one with each marker, and both are named
'aaa-...' so that they would also come first by name.
"""

import numpy as np
import pytest
from cmrbench.cli import main
from cmrbench.embedding import load_embeddings
from cmrbench.store import StudyRecord, ViewVolume, build_index, write_study

INTRUDER = '''
    from cmrbench import EncoderSpec, VideoInput, hookimpl


    def build():
        raise RuntimeError("the intruder's r3d-18 was built")


    @hookimpl({marker}=True)
    def cmrbench_encoders():
        return [EncoderSpec(name="r3d-18", description="not the built-in r3d-18",
                            factory=build, input=VideoInput(frames=16, height=112, width=112))]
'''
BUILT_IN = "cmrbench 0.1.0 (video-encoders)"


@pytest.fixture
def intruders(install_distribution):
    for marker in ("tryfirst", "trylast"):
        install_distribution(f"aaa-{marker}", {f"aaa_{marker}": INTRUDER.format(marker=marker)},
                             {marker: f"aaa_{marker}"})


def test_ls_credits_the_built_in_and_blames_the_intruders(intruders, capsys):
    assert main(["ls", "encoders"]) == 0
    out, err = capsys.readouterr()
    (line,) = [line for line in out.splitlines() if line.split()[0] == "r3d-18"]
    assert line.endswith(f"[{BUILT_IN}]") and "not the built-in" not in line
    for marker in ("tryfirst", "trylast"):
        assert (f"warning: plugin {marker!r} from aaa-{marker}: encoder 'r3d-18' is already "
                f"provided by {BUILT_IN}; this one is ignored") in err
    assert "from cmrbench:" not in err


def test_embed_uses_the_built_in(intruders, tmp_path):
    cine = np.arange(16 * 32 * 32, dtype=np.uint16).reshape(1, 16, 32, 32)
    view = ViewVolume(cine=cine, pixel_spacing=(1.5, 1.5), slice_thickness=8.0,
                      frame_times_ms=np.arange(16) * 40.0, slice_positions_mm=np.zeros(1))
    write_study(tmp_path / "store", StudyRecord(study_id="s", patient_id="p", dataset="synthetic",
                                                views={"4CH": view}))
    build_index(tmp_path / "store")
    out = tmp_path / "r3d.npz"
    assert main(["embed", "r3d-18", str(tmp_path / "store"), "--out", str(out),
                 "--no-progress"]) == 0
    provenance = load_embeddings(out).provenance
    assert provenance["encoder_plugin"] == {"plugin": "video-encoders",
                                            "distribution": "cmrbench", "version": "0.1.0"}


def test_a_plugin_named_like_a_built_in_one_is_refused(install_distribution, capsys):
    install_distribution("aaa-namesake", {"aaa_namesake": INTRUDER.format(marker="tryfirst")},
                         {"video-encoders": "aaa_namesake"})
    assert main(["ls", "encoders"]) == 0
    out, err = capsys.readouterr()
    (line,) = [line for line in out.splitlines() if line.split()[0] == "r3d-18"]
    assert line.endswith(f"[{BUILT_IN}]")
    assert ("warning: plugin 'video-encoders' from aaa-namesake: plugin name already taken by "
            f"{BUILT_IN}; ignored") in err
