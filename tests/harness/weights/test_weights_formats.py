"""Every layout a user brings is recognised and reduced to one flat state dict."""

from __future__ import annotations

import pytest
import torch
from cmrbench.weights import FORMATS, WeightsError, read_checkpoint
from safetensors.torch import save_file

STATE = {"conv.weight": torch.randn(4, 3), "conv.bias": torch.randn(4)}


def test_a_lightning_checkpoint_gives_its_state_dict_and_run_facts(tmp_path):
    path = tmp_path / "epoch=9.ckpt"
    torch.save({"state_dict": {f"model.{k}": v for k, v in STATE.items()}, "epoch": 9,
                "global_step": 90, "pytorch-lightning_version": "2.6.6",
                "optimizer_states": [{"state": {}, "param_groups": []}]}, path)

    checkpoint = read_checkpoint(path)

    assert checkpoint.format == "lightning"
    assert set(checkpoint.tensors) == {"model.conv.weight", "model.conv.bias"}
    assert checkpoint.metadata == {"epoch": "9", "global_step": "90",
                                   "pytorch-lightning_version": "2.6.6"}


def test_a_pytorchvideo_checkpoint_gives_its_model_state(tmp_path):
    path = tmp_path / "MVIT_B_16x4.pyth"
    torch.save({"model_state": STATE, "epoch": 200, "optimizer_state": {}}, path)

    checkpoint = read_checkpoint(path)

    assert checkpoint.format == "pytorchvideo"
    assert set(checkpoint.tensors) == set(STATE)


@pytest.mark.parametrize("classifier", ["head.1.weight", "fc.weight"])
def test_a_state_dict_with_a_400_class_classifier_is_a_kinetics_file(tmp_path, classifier):
    path = tmp_path / "kinetics.pth"
    torch.save({**STATE, classifier: torch.randn(400, 8)}, path)
    assert read_checkpoint(path).format == "torchvision-kinetics400"


def test_any_other_flat_state_dict_is_a_state_dict(tmp_path):
    path = tmp_path / "plain.pt"
    torch.save(STATE, path)
    assert read_checkpoint(path).format == "state-dict"


def test_safetensors_files_are_cmrbench_only_when_cmrbench_wrote_them(tmp_path):
    ours, theirs = tmp_path / "ours.safetensors", tmp_path / "model.safetensors"
    save_file(STATE, str(ours), metadata={"cmrbench_format": "1", "initialisation": "x"})
    save_file(STATE, str(theirs), metadata={"format": "pt"})

    assert read_checkpoint(ours).format == "cmrbench"
    assert read_checkpoint(ours).metadata["initialisation"] == "x"
    assert read_checkpoint(theirs).format == "safetensors"


def test_an_unknown_layout_lists_the_recognised_ones(tmp_path):
    path = tmp_path / "odd.pt"
    torch.save({"weights": STATE, "step": 3}, path)
    with pytest.raises(WeightsError, match="2 entr") as error:
        read_checkpoint(path)
    assert all(name in str(error.value) for name in FORMATS)


def test_a_file_holding_no_mapping_is_refused_with_the_layouts(tmp_path):
    path = tmp_path / "list.pt"
    torch.save([torch.ones(1)], path)
    with pytest.raises(WeightsError, match="holds a list, not a state dict"):
        read_checkpoint(path)
