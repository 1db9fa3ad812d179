"""`attnviz.capture` (defined here, exported by the package): collect every attention
map of a model, by module name.

    with attnviz.capture(model, heads=[0, 3], pool=8, probs_dtype=torch.bfloat16) as maps:
        model(**batch)
    maps["model.layers.0.self_attn"]        # (B, 2, ceil(Lq/8), ceil(Lk/8)), bfloat16
    maps.calls["model.layers.0.self_attn"]  # one map per call, e.g. per step of generate
    with attnviz.capture(model, vectors=True) as maps: ...
    maps.inputs["model.layers.0.self_attn"] # KernelInputs: query, key, scale, visible

Works with Hugging Face models running on attnviz's kernel (`attnviz.hf.register()`, then
attn_implementation=that name) and torch.nn models after `attnviz.nn.swap_attention`.
heads, pool and probs_dtype go to the kernel (issue 6: probs_heads, probs_pool,
probs_dtype) where it offers them, so the full map is never stored; otherwise the kernel's
float32 map is shaped afterwards, with the same result.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from . import _maps
from ._maps import CapturedMaps, CaptureState, KernelInputs, MapOptions

__all__ = ["CapturedMaps", "KernelInputs", "capture"]


@contextmanager
def capture(
    model: nn.Module,
    *,
    heads: Sequence[int] | None = None,
    pool: int | None = None,
    probs_dtype: torch.dtype | None = None,
    vectors: bool = False,
) -> Iterator[CapturedMaps]:
    """Collect the attention maps of every attention layer of `model` run inside the block.

    Yields a dict from module name to the map of that layer's latest call, (B, H, Lq, Lk)
    in float32 by default; `heads` keeps those heads in that order, `pool` averages P x P
    tiles (edge tiles over the cells they have), `probs_dtype` sets the dtype. `.calls`
    holds every call. Under the capture, a Hugging Face model's `output_attentions`
    returns these same maps. `vectors=True` also keeps, in `.inputs[name]`, the query and
    key vectors, scale and mask the kernel received in the latest call (`KernelInputs`:
    every head, whatever `heads` and `pool` keep of the maps); they cost a copy, so only
    when asked.
    """
    options = MapOptions.make(heads, pool, probs_dtype)
    if not isinstance(vectors, bool):
        raise TypeError(f"vectors must be True or False, got {vectors!r}")
    _check_model(model)
    state = CaptureState({id(module): name for name, module in model.named_modules()}, options,
                         vectors=vectors)
    token = _maps.ACTIVE.set((*_maps.ACTIVE.get(), state))
    try:
        yield state.maps
    finally:
        _maps.ACTIVE.reset(token)


def _check_model(model: nn.Module) -> None:
    """Refuse a model whose attention would not run on our kernel, rather than hand back
    an empty or partial set of maps."""
    from .nn import MultiheadAttention

    found = False
    for name, module in model.named_modules():
        if isinstance(module, MultiheadAttention):
            found = True
        elif isinstance(module, nn.MultiheadAttention):
            raise ValueError(
                f"{name or 'the model'} is a torch nn.MultiheadAttention: call "
                "attnviz.nn.swap_attention(model) first"
            )
        elif _is_hf_model(module):
            found = True
            _check_hf(name or type(module).__name__, module)
    if not found:
        raise ValueError(
            f"{type(model).__name__} has no attention layer attnviz can capture: neither a "
            "Hugging Face model nor a torch model with nn.MultiheadAttention"
        )


def _is_hf_model(module: nn.Module) -> bool:
    # A Hugging Face model means transformers is already imported; never import it here.
    transformers = sys.modules.get("transformers")
    return transformers is not None and isinstance(module, transformers.PreTrainedModel)


def _check_hf(name: str, model: Any) -> None:
    """`model` is a transformers.PreTrainedModel (see _is_hf_model)."""
    from .hf import NAME

    implementation = model.config._attn_implementation
    if implementation != NAME:
        raise ValueError(
            f"{name} runs attn_implementation={implementation!r}: load it with "
            f"attn_implementation=attnviz.hf.register() or call "
            f"model.set_attn_implementation(attnviz.hf.register()) first"
        )
    if not type(model)._can_set_attn_implementation():
        raise ValueError(
            f"{type(model).__name__} computes attention in its own code rather than through "
            "transformers' AttentionInterface, so its layers cannot run on attnviz's kernel"
        )
