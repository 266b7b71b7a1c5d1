"""Encoder conformance: the declared input contract in, [B, embed_dim] out, and well behaved."""

from __future__ import annotations

import inspect
import tempfile
from pathlib import Path
from typing import Any

import torch
from cmrbench.registry import Entry
from cmrbench.specs import EncoderSpec, VideoInput
from cmrbench.testing._subject import Subject, resolve
from cmrbench.weights import WeightsError, load_weights, save_weights

Inputs = dict[str, torch.Tensor]
# Batched and single-sample kernels may sum in a different order; anything beyond this
# relative difference means a sample's embedding depends on its batch mates.
BATCH_TOLERANCE = 1e-4


def check_encoder(encoder: str | Entry | EncoderSpec, *, batch_size: int = 2, seed: int = 0,
                  **factory_kwargs: Any) -> torch.nn.Module:
    """Build an encoder and check the contract every encoder must meet.

    ``encoder`` is a name (looked up among the installed plugins, exactly as ``cmrbench
    embed`` would), a registry :class:`~cmrbench.registry.Entry`, or an ``EncoderSpec``.
    ``factory_kwargs`` go to the factory; the harness itself calls ``factory()`` bare.

    - the factory builds a ``torch.nn.Module`` (a video encoder's forward takes ``video``);
    - the output is a finite float tensor [batch_size, spec.embed_dim] for the declared input;
    - eval mode is deterministic (two forwards give identical output);
    - the output depends on the input, and each sample's on that sample alone (batch >= 2);
    - in train mode every trainable parameter receives a gradient;
    - saving with ``cmrbench.weights.save_weights`` and loading into a fresh instance with
      ``load_weights`` (strict) reproduces the output exactly.

    A failure raises :class:`ConformanceError` naming the encoder, the plugin and distribution
    that provide it, the problem and the fix. Returns the built module for further checks.
    """
    subject = resolve("encoder", encoder)
    torch.manual_seed(seed)
    model = _build(subject, factory_kwargs)
    inputs = example_inputs(subject, model, batch_size, seed)
    model.eval()
    first = _forward(subject, model, inputs)
    _check_output(subject, first, batch_size)
    _check_deterministic(subject, first, _forward(subject, model, inputs))
    if batch_size > 1:
        _check_per_sample(subject, model, inputs, first)
    _check_gradients(subject, model, inputs)
    _check_round_trip(subject, model, inputs, factory_kwargs)
    return model


def example_inputs(subject: Subject, model: torch.nn.Module, batch_size: int,
                   seed: int = 0) -> Inputs:
    """Keyword inputs matching the declared contract: a normalised clip or tokenised text."""
    spec: EncoderSpec = subject.spec  # type: ignore[assignment]
    if isinstance(spec.input, VideoInput):
        _check_video_argument(subject, model)
        contract = spec.input
        generator = torch.Generator().manual_seed(seed)
        low, high = contract.value_range
        clip = low + (high - low) * torch.rand(batch_size, *contract.shape, generator=generator)
        mean = torch.tensor(contract.mean).view(1, -1, 1, 1, 1)
        std = torch.tensor(contract.std).view(1, -1, 1, 1, 1)
        return {"video": (clip - mean) / std}
    tokenize = getattr(model, "tokenize", None)
    if tokenize is None:
        subject.fail("a text encoder has no tokenize method",
                     "add tokenize(sentences: list[str]) returning the keyword inputs of forward")
    sentences = [f"The left ventricular ejection fraction is {40 + i}%." for i in range(batch_size)]
    return dict(tokenize(sentences))


def _build(subject: Subject, factory_kwargs: dict[str, Any]) -> torch.nn.Module:
    call = f"factory(**{factory_kwargs})" if factory_kwargs else "factory()"
    try:
        model = subject.spec.factory(**factory_kwargs)  # type: ignore[union-attr]
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is reported
        subject.fail(f"{call} raised {type(exc).__name__}: {exc}",
                     "cmrbench calls factory() with no arguments: give every parameter a "
                     "default (bind options with functools.partial in the spec) and build "
                     "from local files only")
    if not isinstance(model, torch.nn.Module):
        subject.fail(f"{call} returned a {type(model).__name__}, not a torch.nn.Module",
                     "return the encoder module itself")
    return model


def _check_video_argument(subject: Subject, model: torch.nn.Module) -> None:
    parameters = inspect.signature(model.forward).parameters
    if "video" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    subject.fail(f"{type(model).__name__}.forward{inspect.signature(model.forward)} has no "
                 "argument named 'video'; cmrbench calls forward(video=clip)",
                 "name the argument video: def forward(self, video)")


def _forward(subject: Subject, model: torch.nn.Module, inputs: Inputs, grad: bool = False
             ) -> Any:
    try:
        with torch.set_grad_enabled(grad):
            return model(**inputs)
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises is reported
        shapes = ", ".join(f"{key}={list(value.shape)}" for key, value in inputs.items())
        subject.fail(f"forward({shapes}) raised {type(exc).__name__}: {exc}",
                     f"accept the declared input {subject.spec.input} "  # type: ignore[union-attr]
                     "or declare the input the model really takes in EncoderSpec.input")


def _check_output(subject: Subject, output: object, batch_size: int) -> None:
    expected = (batch_size, subject.spec.embed_dim)  # type: ignore[union-attr]
    if isinstance(output, dict):
        subject.fail(f"forward returned a dict (keys {sorted(output)}), not a tensor",
                     f"return the embedding tensor {list(expected)} itself")
    if not isinstance(output, torch.Tensor):
        subject.fail(f"forward returned a {type(output).__name__}, not a tensor",
                     f"return the embedding tensor {list(expected)} itself")
    if tuple(output.shape) != expected:
        subject.fail(f"output shape is {list(output.shape)}, expected [batch, embed_dim] = "
                     f"{list(expected)} for the declared input",
                     "pool to one vector per clip of width embed_dim, or declare the true "
                     "width in EncoderSpec(embed_dim=...)")
    if not output.is_floating_point():
        subject.fail(f"output dtype is {output.dtype}", "return a floating-point tensor")
    if not torch.isfinite(output).all():
        subject.fail("output contains NaN or infinite values",
                     "guard divisions and logarithms (e.g. normalise with an eps)")


def _check_deterministic(subject: Subject, first: torch.Tensor, second: torch.Tensor) -> None:
    if not torch.equal(first, second):
        subject.fail("two eval-mode forwards of the same input differ",
                     "use randomness only in train mode (nn.Dropout, not "
                     "F.dropout(training=True); no torch.rand in forward)")


def _check_per_sample(subject: Subject, model: torch.nn.Module, inputs: Inputs,
                      batched: torch.Tensor) -> None:
    if torch.equal(batched[0], batched[1]):
        subject.fail("two different inputs give the same embedding: the output ignores its "
                     "input", "compute the embedding from the input")
    alone = _forward(subject, model, {key: value[:1] for key, value in inputs.items()})
    if (alone[0] - batched[0]).norm() > BATCH_TOLERANCE * batched[0].norm() + 1e-6:
        subject.fail("a sample's embedding changes with the other samples in its batch",
                     "compute each sample from itself alone: no statistics across the batch "
                     "dimension, and keep it first in every reshape")


def _check_gradients(subject: Subject, model: torch.nn.Module, inputs: Inputs) -> None:
    model.train()
    model.zero_grad(set_to_none=True)
    _forward(subject, model, inputs, grad=True).square().sum().backward()
    missing = [name for name, p in model.named_parameters() if p.requires_grad and p.grad is None]
    model.zero_grad(set_to_none=True)
    model.eval()
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        subject.fail(f"{len(missing)} trainable parameter(s) get no gradient in train mode: "
                     f"{shown}", "use them in forward, delete them, or freeze them "
                     "(requires_grad=False)")


def _check_round_trip(subject: Subject, model: torch.nn.Module, inputs: Inputs,
                      factory_kwargs: dict[str, Any]) -> None:
    # The gradient check ran in train mode and moved BatchNorm statistics: take the reference
    # output from the weights as they are saved now.
    expected = _forward(subject, model, inputs)
    torch.manual_seed(12345)  # a different init, so only the loaded weights can match
    fresh = _build(subject, factory_kwargs)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "conformance.safetensors"
        save_weights(model, path, encoder=subject.spec.name, initialisation="conformance-check")
        try:
            load_weights(fresh, path, strict=True)
        except WeightsError as exc:
            subject.fail(f"its saved weights do not load back into a fresh instance: {exc}",
                         "build the same parameter names and shapes on every factory() call")
    if not torch.equal(_forward(subject, fresh.eval(), inputs), expected):
        subject.fail("save -> load round trip changed the output",
                     "keep all state in parameters and persistent buffers (a tensor kept as a "
                     "plain attribute, or a buffer with persistent=False, is not saved)")
