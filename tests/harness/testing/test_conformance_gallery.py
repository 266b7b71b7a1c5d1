"""check_encoder catches each way an encoder can break the contract, and says so usefully.

Every encoder of the gallery (broken_encoders.py) is installed as the plugin 'gallery' of a
third-party distribution, the way a plugin author's package is, and each failure must name the
encoder, that plugin and distribution, the problem and the fix.
"""

from pathlib import Path

import pytest
from cmrbench.registry import get_registry
from cmrbench.testing import ConformanceError, check_encoder

GALLERY = Path(__file__).with_name("broken_encoders.py")
PROVIDER = "plugin 'gallery' from cmrbench-gallery 0.1.0"


@pytest.fixture
def gallery(install_distribution):
    install_distribution("cmrbench-gallery", {"cmrbench_gallery": GALLERY.read_text()},
                         {"gallery": "cmrbench_gallery"})


CASES = [  # encoder, a part of the problem, a part of the fix
    ("wrong-width", "output shape is [2, 256], expected [batch, embed_dim] = [2, 512]",
     "declare the true width in EncoderSpec(embed_dim=...)"),
    ("dict-output", "forward returned a dict (keys ['embedding']), not a tensor",
     "return the embedding tensor [2, 512] itself"),
    ("dropout-in-eval", "two eval-mode forwards of the same input differ",
     "use randomness only in train mode"),
    ("unused-head", "2 trainable parameter(s) get no gradient in train mode: head.weight, "
     "head.bias", "use them in forward, delete them, or freeze them"),
    ("state-outside-parameters", "save -> load round trip changed the output",
     "a tensor kept as a plain attribute"),
    ("fixed-input-size", "forward(video=[2, 3, 2, 8, 8]) raised RuntimeError: mat1 and mat2",
     "accept the declared input VideoInput(frames=2, height=8, width=8"),
    ("forward-x", "ForwardX.forward(x) has no argument named 'video'",
     "name the argument video: def forward(self, video)"),
    ("ignores-video", "two different inputs give the same embedding",
     "compute the embedding from the input"),
    ("mixes-batch", "a sample's embedding changes with the other samples in its batch",
     "no statistics across the batch dimension"),
    ("factory-raises", "factory() raised FileNotFoundError: no weights at",
     "cmrbench calls factory() with no arguments"),
    ("factory-returns-class", "factory() returned a type, not a torch.nn.Module",
     "return the encoder module itself"),
]


@pytest.mark.parametrize("name, problem, fix", CASES, ids=[case[0] for case in CASES])
def test_each_broken_encoder_is_caught_with_name_plugin_problem_and_fix(gallery, name, problem,
                                                                         fix):
    with pytest.raises(ConformanceError) as info:
        check_encoder(name)
    error = info.value
    assert error.subject == f"encoder {name!r} ({PROVIDER})"
    assert problem in error.problem
    assert fix in error.fix
    assert str(error).startswith(f"encoder {name!r} ({PROVIDER}): {error.problem}. Fix: ")


def test_the_good_encoder_passes_by_name_entry_or_spec(gallery):
    entry = get_registry().entry("encoder", "gallery-good")
    for target in ("gallery-good", entry, entry.spec):
        model = check_encoder(target)
        assert type(model).__name__ == "Good"


def test_a_spec_from_no_registry_is_named_by_its_distribution(gallery):
    """A copy of a registered spec is not the registered object: its factory's module still
    tells which distribution ships it."""
    import dataclasses

    copy = dataclasses.replace(get_registry().encoder("gallery-good"), embed_dim=8)
    with pytest.raises(ConformanceError) as info:
        check_encoder(copy)
    assert info.value.subject == "encoder 'gallery-good' (from cmrbench-gallery 0.1.0)"


def test_an_unknown_name_says_it_is_not_installed(gallery):
    with pytest.raises(ConformanceError) as info:
        check_encoder("gallery-god")
    assert "no installed plugin provides it" in info.value.problem
    assert "Did you mean 'gallery-good'?" in info.value.problem
    assert "pip install -e ." in info.value.fix
