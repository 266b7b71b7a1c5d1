"""read_yaml_mapping: the one reader of YAML files that must hold a mapping (cards, suites,
sweep files, run and pretraining configs, --config). Every failure is the caller's error type
and names the file and what it should have been."""

from __future__ import annotations

import pytest
from cmrbench.cards import CardError, load_card
from cmrbench.files import read_yaml_mapping
from cmrbench.training.config import ConfigError, RunConfig


class Bad(ValueError):
    pass


def test_a_mapping_comes_back_as_a_dict(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: [2, 3]\n")
    assert read_yaml_mapping(path, what="thing", error=Bad) == {"a": 1, "b": [2, 3]}


@pytest.mark.parametrize(("text", "message"), [
    ("- a\n- b\n", "a thing is a YAML mapping of fields, got list"),
    ("just words\n", "a thing is a YAML mapping of fields, got str"),
    ("", "a thing is a YAML mapping of fields, got NoneType"),
    ("a: [1\n", "cannot read the thing: "),
])
def test_anything_else_raises_the_caller_s_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(Bad) as caught:
        read_yaml_mapping(path, what="thing", error=Bad)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_a_missing_file_and_a_label_in_place_of_the_path(tmp_path):
    with pytest.raises(Bad, match=r"^--config nowhere\.yaml: cannot read the configuration: "):
        read_yaml_mapping(tmp_path / "nowhere.yaml", what="configuration", error=Bad,
                          label="--config nowhere.yaml")


def test_the_loaders_raise_their_own_errors_through_it(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n")
    with pytest.raises(CardError, match="a card is a YAML mapping of fields, got list"):
        load_card(path)
    with pytest.raises(ConfigError, match="a run config is a YAML mapping of fields, got list"):
        RunConfig.from_yaml(path)
