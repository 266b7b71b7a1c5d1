"""Reading a weights file never runs code from it, and a damaged file says so."""

from __future__ import annotations

import argparse
import builtins
import os
import pickle
from pathlib import Path

import pytest
import torch
from cmrbench.weights import WeightsError, read_checkpoint
from cmrbench.weights.safe_load import read_file
from safetensors.torch import save_file


class SystemPayload:
    """Unpickling this would run a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class ExecPayload:
    """Unpickling this would execute Python that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (builtins.exec, (f"open({str(self.marker)!r}, 'w').close()",))


def _torch_save(obj: object, path: Path) -> None:
    torch.save(obj, path)


def _torch_save_legacy(obj: object, path: Path) -> None:
    torch.save(obj, path, _use_new_zipfile_serialization=False)


def _plain_pickle(obj: object, path: Path) -> None:
    path.write_bytes(pickle.dumps(obj))


@pytest.mark.parametrize("payload", [SystemPayload, ExecPayload])
@pytest.mark.parametrize("writer", [_torch_save, _torch_save_legacy, _plain_pickle])
def test_a_pickle_with_a_payload_is_refused_and_never_runs(tmp_path, payload, writer):
    marker = tmp_path / "payload-ran"
    path = tmp_path / "evil.pt"
    writer({"weight": torch.ones(3), "extra": payload(marker)}, path)

    with pytest.raises(WeightsError, match="refused, nothing in it was run") as error:
        read_file(path)

    assert not marker.exists()
    assert str(path) in str(error.value)
    assert "never unpickles arbitrary objects" in str(error.value)


def test_the_refusal_names_the_globals_the_file_asks_for(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"extra": SystemPayload(tmp_path / "marker")}, path)
    with pytest.raises(WeightsError, match=r"system"):
        read_file(path)


def test_a_truncated_torch_file_fails_clearly(tmp_path):
    whole = tmp_path / "whole.pt"
    torch.save({"weight": torch.randn(64, 64)}, whole)
    cut = tmp_path / "cut.pt"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(WeightsError, match="truncated or corrupt") as error:
        read_file(cut)
    assert str(cut) in str(error.value)
    assert "fetch it again" in str(error.value)


def test_a_truncated_safetensors_file_fails_clearly(tmp_path):
    whole = tmp_path / "whole.safetensors"
    save_file({"weight": torch.randn(64, 64)}, str(whole))
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(whole.read_bytes()[:-100])

    with pytest.raises(WeightsError, match="cannot be read as safetensors.*truncated or corrupt"):
        read_file(cut)


def test_a_file_that_is_no_checkpoint_fails_clearly(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("these are not weights")
    with pytest.raises(WeightsError, match="notes.pt"):
        read_file(path)


@pytest.mark.parametrize("make, problem", [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "is not a file"),
    (lambda p: p.write_bytes(b""), "is empty"),
])
def test_missing_folder_and_empty_paths_are_named(tmp_path, make, problem):
    path = tmp_path / "weights.pt"
    make(path)
    with pytest.raises(WeightsError, match=problem):
        read_file(path)


def test_safetensors_is_recognised_by_its_header_whatever_the_extension(tmp_path):
    path = tmp_path / "weights.bin"
    save_file({"weight": torch.arange(4.0)}, str(path), metadata={"note": "kept"})

    raw = read_file(path)

    assert raw.container == "safetensors"
    assert raw.metadata == {"note": "kept"}
    assert torch.equal(raw.content["weight"], torch.arange(4.0))


def test_lightning_hyperparameters_with_paths_and_namespaces_still_load(tmp_path):
    path = tmp_path / "run.ckpt"
    torch.save({"state_dict": {"model.weight": torch.ones(2)}, "epoch": 3,
                "hyper_parameters": {"root": Path("/data"), "args": argparse.Namespace(lr=1e-4)}},
               path)

    checkpoint = read_checkpoint(path)

    assert checkpoint.format == "lightning"
    assert list(checkpoint.tensors) == ["model.weight"]
