"""Spec objects validate themselves and name the field that is wrong."""

import pytest
from cmrbench.specs import DatasetSpec, EncoderSpec, SpecError, TaskSpec, TextInput, VideoInput


def build() -> None:
    return None


def encoder(**overrides):
    fields = dict(name="net", description="A net.", factory=build,
                  input=VideoInput(frames=4, height=8, width=8))
    return EncoderSpec(**{**fields, **overrides})


def task(**overrides):
    fields = dict(name="lvef", description="LVEF regression.", kind="regression", build=build,
                  datasets=("phantom",), protocols=("linear",), metrics=("mae", "mse"),
                  primary_metric="mae", higher_is_better=False)
    return TaskSpec(**{**fields, **overrides})


def test_valid_specs_construct_and_expose_shape():
    assert encoder().input.shape == (3, 4, 8, 8)
    assert task().primary_metric == "mae"
    spec = DatasetSpec(name="acdc", description="ACDC.", discover=build, views=("SAX",),
                       labels={"group": "categorical"})
    assert spec.labels["group"] == "categorical"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": "MViT B"}, "EncoderSpec.name"),
    ({"description": ""}, "EncoderSpec.description"),
    ({"description": "two\nlines"}, "EncoderSpec.description"),
    ({"factory": "not callable"}, "EncoderSpec.factory"),
    ({"embed_dim": 0}, "EncoderSpec.embed_dim"),
    ({"modality": "audio"}, "EncoderSpec.modality"),
    ({"modality": "text"}, "EncoderSpec.input"),
    ({"weights": ["list"]}, "EncoderSpec.weights"),
])
def test_encoder_spec_errors_name_the_field(overrides, field):
    with pytest.raises(SpecError, match=field.replace(".", r"\.")):
        encoder(**overrides)


def test_text_encoder_needs_text_input():
    spec = encoder(modality="text", input=TextInput())
    assert spec.input.max_tokens == 96


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"frames": 0}, "frames"),
    ({"value_range": (1.0, 0.0)}, "value_range"),
    ({"mean": (0.5,)}, "mean"),
    ({"std": (0.2, 0.0, 0.2)}, "std"),
])
def test_video_input_errors_name_the_field(kwargs, field):
    with pytest.raises(SpecError, match=f"VideoInput.{field}"):
        VideoInput(**{"frames": 4, "height": 8, "width": 8, **kwargs})


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "ranking"}, "kind"),
    ({"protocols": ("linear", "frozen")}, "protocols"),
    ({"datasets": ()}, "datasets"),
    ({"primary_metric": "auroc"}, "primary_metric"),
    ({"higher_is_better": 1}, "higher_is_better"),
])
def test_task_spec_errors_name_the_field(overrides, field):
    with pytest.raises(SpecError, match=f"TaskSpec.{field}"):
        task(**overrides)


def test_dataset_spec_rejects_unknown_label_kind():
    with pytest.raises(SpecError, match="DatasetSpec.labels.*'score'"):
        DatasetSpec(name="x", description="X.", discover=build, views=("SAX",),
                    labels={"ef": "score"})
