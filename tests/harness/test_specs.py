"""Spec objects validate themselves and name the field that is wrong."""

import pytest
from cmrbench.specs import (
    DatasetSpec,
    EncoderSpec,
    PretrainedWeights,
    SpecError,
    TaskSpec,
    TextInput,
    VideoInput,
)


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


def pretrained(**overrides):
    fields = dict(name="kinetics400", description="Kinetics-400 weights.",
                  url="https://example.org/net-0123abcd.pth", filename="net-0123abcd.pth",
                  sha256="0123abcd", licence="CC0-1.0", format="torchvision-kinetics400",
                  exclude=("fc",), size_mb=1.5, accuracy={"Kinetics-400 acc@1": 60.0})
    return PretrainedWeights(**{**fields, **overrides})


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": "Kinetics 400"}, "name"),
    ({"url": "ftp://example.org/x.pth"}, "url"),
    ({"url": "/local/x.pth"}, "url"),
    ({"filename": "models/x.pth"}, "filename"),
    ({"sha256": "0123ABCD"}, "sha256"),
    ({"sha256": "0123"}, "sha256"),
    ({"licence": ""}, "licence"),
    ({"format": ""}, "format"),
    ({"exclude": "fc"}, "exclude"),
    ({"size_mb": 0}, "size_mb"),
    ({"accuracy": {"acc@1": "high"}}, "accuracy"),
])
def test_pretrained_weights_errors_name_the_field(overrides, field):
    with pytest.raises(SpecError, match=rf"PretrainedWeights\.{field}"):
        pretrained(**overrides)


def test_pretrained_weights_need_no_hash_and_join_an_encoder_once_per_name():
    assert pretrained(sha256=None).sha256 is None
    assert encoder(pretrained=(pretrained(),)).pretrained[0].exclude == ("fc",)
    with pytest.raises(SpecError, match=r"EncoderSpec\.pretrained: .*'kinetics400'.* more than"):
        encoder(pretrained=(pretrained(), pretrained()))
    with pytest.raises(SpecError, match=r"EncoderSpec\.pretrained"):
        encoder(pretrained=("kinetics400",))
