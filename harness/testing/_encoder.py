"""Encoder conformance: the declared input contract in, [B, embed_dim] out, and well behaved."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import torch
from cmrbench.specs import EncoderSpec, VideoInput
from cmrbench.testing._errors import ConformanceError
from cmrbench.weights import WeightsError, load_weights, save_weights


def check_encoder(spec: EncoderSpec, *, batch_size: int = 2, seed: int = 0,
                  **factory_kwargs: Any) -> torch.nn.Module:
    """Build ``spec``'s encoder and check the contract every encoder must meet.

    - the output is a finite float tensor [batch_size, spec.embed_dim] for the declared input;
    - eval mode is deterministic (two forwards give identical output);
    - in train mode every trainable parameter receives a gradient;
    - saving with ``cmrbench.weights.save_weights`` and loading into a fresh instance with
      ``load_weights`` (strict) reproduces the output exactly.

    Returns the built module so a test can make further checks.
    """
    torch.manual_seed(seed)
    model = spec.factory(**factory_kwargs)
    if not isinstance(model, torch.nn.Module):
        raise ConformanceError(f"{spec.name}: factory returned {type(model).__name__}, "
                               "not a torch.nn.Module")
    inputs = example_inputs(spec, model, batch_size, seed)
    model.eval()
    with torch.no_grad():
        first, second = model(**inputs), model(**inputs)
    _check_output(spec, first, batch_size)
    if not torch.equal(first, second):
        raise ConformanceError(f"{spec.name}: two eval-mode forwards differ; disable dropout "
                               "and other randomness in eval mode")
    _check_gradients(spec, model, inputs)
    _check_round_trip(spec, model, inputs, factory_kwargs)
    return model


def example_inputs(spec: EncoderSpec, model: torch.nn.Module, batch_size: int,
                   seed: int = 0) -> dict[str, torch.Tensor]:
    """Keyword inputs matching the declared contract: a normalised clip or tokenised text."""
    if isinstance(spec.input, VideoInput):
        contract = spec.input
        generator = torch.Generator().manual_seed(seed)
        low, high = contract.value_range
        clip = low + (high - low) * torch.rand(batch_size, *contract.shape, generator=generator)
        mean = torch.tensor(contract.mean).view(1, -1, 1, 1, 1)
        std = torch.tensor(contract.std).view(1, -1, 1, 1, 1)
        return {"video": (clip - mean) / std}
    tokenize = getattr(model, "tokenize", None)
    if tokenize is None:
        raise ConformanceError(f"{spec.name}: a text encoder must have a tokenize(list[str]) "
                               "method returning the keyword inputs of its forward")
    sentences = [f"The left ventricular ejection fraction is {40 + i}%." for i in range(batch_size)]
    return dict(tokenize(sentences))


def _check_output(spec: EncoderSpec, output: object, batch_size: int) -> None:
    expected = (batch_size, spec.embed_dim)
    if not isinstance(output, torch.Tensor) or tuple(output.shape) != expected:
        shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
        raise ConformanceError(f"{spec.name}: output is {shape}, expected a tensor {expected} "
                               "for the declared input contract")
    if not torch.isfinite(output).all():
        raise ConformanceError(f"{spec.name}: output contains NaN or infinite values")


def _check_gradients(spec: EncoderSpec, model: torch.nn.Module,
                     inputs: dict[str, torch.Tensor]) -> None:
    model.train()
    model.zero_grad(set_to_none=True)
    model(**inputs).square().sum().backward()
    missing = [name for name, p in model.named_parameters() if p.requires_grad and p.grad is None]
    model.zero_grad(set_to_none=True)
    model.eval()
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ConformanceError(f"{spec.name}: {len(missing)} trainable parameter(s) get no "
                               f"gradient in train mode: {shown}; freeze them or use them")


def _check_round_trip(spec: EncoderSpec, model: torch.nn.Module, inputs: dict[str, torch.Tensor],
                      factory_kwargs: dict[str, Any]) -> None:
    # The gradient check ran in train mode and moved BatchNorm statistics: take the reference
    # output from the weights as they are saved now.
    with torch.no_grad():
        expected = model(**inputs)
    torch.manual_seed(12345)  # a different init, so only the loaded weights can match
    fresh = spec.factory(**factory_kwargs)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{spec.name}.safetensors"
        save_weights(model, path, encoder=spec.name, initialisation="conformance-check")
        try:
            load_weights(fresh, path, strict=True)
        except WeightsError as exc:
            raise ConformanceError(f"{spec.name}: its saved weights do not load back into a "
                                   f"fresh instance: {exc}") from None
    fresh.eval()
    with torch.no_grad():
        again = fresh(**inputs)
    if not torch.equal(again, expected):
        raise ConformanceError(f"{spec.name}: save -> load round trip changed the output; "
                               "is some state kept outside parameters and buffers?")
