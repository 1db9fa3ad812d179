"""attnviz's kernel as an attention implementation for Hugging Face transformers.

    import attnviz                                     # attnviz.hf: this module
    name = attnviz.hf.register()                       # "attnviz"
    model = AutoModel.from_pretrained(path, attn_implementation=name)
    out = model(**batch, output_attentions=True)       # out.attentions from our kernel

transformers (v5) computes attention through two registries: `AttentionInterface` (the
function each attention layer calls) and `AttentionMaskInterface` (the mask the model
builds once per forward and hands to every layer; an implementation unknown to it gets no
mask at all). `register()` puts one function in each. Our mask function returns a
`KernelMask` (key padding + causal, the two masks the kernel has) instead of an Lq x Lk
tensor; a mask that does not factor that way raises `UnsupportedAttention`.

Probabilities are computed only when someone wants them: `output_attentions=True` (seen
through transformers' output collector, as some models do not pass the flag down), or an
active `attnviz.capture`. They are float32 (B, H, Lq, Lk), the shape eager attention
returns; inside `attnviz.capture(model, heads=..., pool=..., probs_dtype=...)` they are
shaped as the capture asks, and `output_attentions` returns those same maps.

Where our result can differ from eager attention: a query that may see no key at all (a
left-padding position under a causal mask) gets zeros from our kernel, where eager spreads
it uniformly over all keys; neither is meaningful and no real token depends on it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import torch

from ._gates import gate_output
from ._maps import (
    KernelMask,
    UnsupportedAttention,
    allowed_from_additive,
    capture_for,
    causal_plan,
    padding_plan,
    plan_from_allowed,
    run_attention,
)

NAME = "attnviz"

__all__ = ["NAME", "KernelMask", "UnsupportedAttention", "attention_forward", "kernel_mask",
           "register"]


def register() -> str:
    """Register attnviz's kernel with transformers' attention and mask registries; returns
    the name to pass as `attn_implementation`. Calling it again changes nothing."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(NAME, attention_forward)
    AttentionMaskInterface.register(NAME, kernel_mask)
    _accept_output_attentions()
    return NAME


def _accept_output_attentions() -> None:
    """Let `config.output_attentions = True` stand with our implementation.

    transformers' config refuses that flag for every implementation but eager (setting it
    raises, and the strict-dataclass validator checks it again), because only eager used to
    return probabilities. Ours does, so both checks are widened to accept NAME and left as
    they are for every other implementation.
    """
    from transformers import PreTrainedConfig

    prop = PreTrainedConfig.__dict__["output_attentions"]
    if getattr(prop.fset, "_attnviz", False):
        return
    original_set = prop.fset
    original_validate = PreTrainedConfig.validate_output_attentions

    def set_output_attentions(self, value: bool) -> None:
        if value and self._attn_implementation == NAME:
            self._output_attentions = value
        else:
            original_set(self, value)

    def validate_output_attentions(self) -> None:
        if self._attn_implementation != NAME:
            original_validate(self)

    set_output_attentions._attnviz = True  # type: ignore[attr-defined]
    # (patched on the class on purpose: see the docstring)
    PreTrainedConfig.output_attentions = property(  # type: ignore[method-assign,assignment]
        prop.fget, set_output_attentions, doc=prop.__doc__)
    PreTrainedConfig.validate_output_attentions = (  # type: ignore[method-assign]
        validate_output_attentions)
    # The strict-dataclass decorator copies each class's validators into a list when the
    # class is defined; config classes defined later pick up the new method by themselves.
    pending = [PreTrainedConfig]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        validators = cls.__dict__.get("__class_validators__")
        if validators is not None:
            validators[:] = [validate_output_attentions if v is original_validate else v
                             for v in validators]


# ----------------------------------------------------------------------------------------
# The mask function (AttentionMaskInterface)
# ----------------------------------------------------------------------------------------
def kernel_mask(
    batch_size: int,
    q_length: int,
    kv_length: int,
    q_offset: int | torch.Tensor = 0,
    kv_offset: int | torch.Tensor = 0,
    mask_function: Callable | None = None,
    attention_mask: torch.Tensor | None = None,
    **kwargs,
) -> KernelMask:
    """The mask of one forward, in the kernel's terms.

    transformers describes a mask by a function of (batch, head, q_idx, kv_idx), index
    offsets (a cache puts the queries after the keys already seen) and a 2-D padding mask
    (True = real token). Its two plain functions, causal and bidirectional, map directly;
    any other (sliding window, chunks, packed sequences, custom overlays) is written out as
    eager would see it and kept only if it factors exactly into padding and causal.
    """
    from transformers.masking_utils import (
        bidirectional_mask_function,
        causal_mask_function,
        prepare_padding_mask,
        sdpa_mask,
    )

    if mask_function is None:
        mask_function = causal_mask_function
    q_offset, kv_offset = int(q_offset), int(kv_offset)
    padding = prepare_padding_mask(attention_mask, kv_length, kv_offset)
    padded = None if padding is None else ~padding[:, kv_offset: kv_offset + kv_length].bool()
    if mask_function is causal_mask_function:
        return causal_plan(q_length, kv_length, q_offset - kv_offset, padded)
    if mask_function is bidirectional_mask_function:
        return padding_plan(q_length, kv_length, padded)
    allowed = sdpa_mask(
        batch_size=batch_size, q_length=q_length, kv_length=kv_length, q_offset=q_offset,
        kv_offset=kv_offset, mask_function=mask_function, attention_mask=attention_mask,
        allow_is_causal_skip=False, allow_is_bidirectional_skip=False,
        use_vmap=kwargs.get("use_vmap", False), device=kwargs.get("device", "cpu"),
    )
    assert allowed is not None  # (None only where a skip is allowed, and none is)
    return plan_from_allowed(allowed, "the attention mask this model builds")


# A 4-D mask handed in by the caller reaches every layer as the same tensor; it is
# factored once and the plan reused for as long as that tensor is alive.
_last_dense: tuple[weakref.ref, KernelMask] | None = None


def _plan_from_tensor(mask: torch.Tensor) -> KernelMask:
    global _last_dense
    if _last_dense is not None and _last_dense[0]() is mask:
        return _last_dense[1]
    what = f"the 4-D attention mask of shape {tuple(mask.shape)}"
    if mask.dtype == torch.bool:
        allowed = mask
    elif mask.is_floating_point():
        allowed = allowed_from_additive(mask, what)
    else:
        raise UnsupportedAttention(f"{what} has dtype {mask.dtype}; expected bool or float")
    plan = plan_from_allowed(allowed, what)
    _last_dense = (weakref.ref(mask), plan)
    return plan


# ----------------------------------------------------------------------------------------
# The attention function (AttentionInterface)
# ----------------------------------------------------------------------------------------
_REFUSED = {
    "position_bias": "an additive position bias (`position_bias`, as T5-style relative "
                     "attention passes)",
    "alibi": "ALiBi position biases (`alibi`)",
    "softcap": "attention logit soft-capping (`softcap`)",
    "s_aux": "attention sinks (`s_aux`)",
    "sinks": "attention sinks (`sinks`)",
}


def _refuse_unsupported(module: torch.nn.Module, dropout: float, kwargs: dict) -> None:
    for key, feature in _REFUSED.items():
        if kwargs.get(key) is not None:
            raise UnsupportedAttention(
                f"{type(module).__name__} uses {feature}, which attnviz's kernel cannot "
                "compute; use attn_implementation='eager' for this model"
            )
    if dropout and getattr(module, "training", False):
        raise UnsupportedAttention(
            f"{type(module).__name__} applies attention dropout (p={dropout}) in training "
            "mode, which attnviz's kernel cannot; call model.eval() or set the model's "
            "attention dropout to 0"
        )


def _probs_requested(kwargs: dict) -> bool:
    """Whether the caller asked for attention maps. Some models (GPT-2) drop the
    `output_attentions` flag before the layers, so transformers' output collector, which
    records a layer's attention weights when they were asked for, is consulted too."""
    if kwargs.get("output_attentions"):
        return True
    try:
        from transformers.utils.output_capturing import _active_collector
    except ImportError:  # a transformers without the collector: always give the maps
        return True
    collected = _active_collector.get()
    return bool(collected) and any(key.endswith("attentions") for key in collected)


def _plan(module: torch.nn.Module, attention_mask, is_causal: bool | None,
          q_length: int, kv_length: int) -> KernelMask:
    if isinstance(attention_mask, KernelMask):
        return attention_mask
    if attention_mask is None:
        # No mask: transformers then relies on the layer's causality, as sdpa and flash
        # attention do (decoder self-attention); bottom-right, so a cache works.
        causal = is_causal if is_causal is not None else getattr(module, "is_causal", False)
        if causal:
            return causal_plan(q_length, kv_length, kv_length - q_length, None)
        return padding_plan(q_length, kv_length, None)
    if isinstance(attention_mask, torch.Tensor):
        return _plan_from_tensor(attention_mask)
    raise UnsupportedAttention(
        f"an attention mask of type {type(attention_mask).__name__} (built for another "
        "attention implementation?)"
    )


def attention_forward(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: KernelMask | torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    is_causal: bool | None = None,
    **kwargs,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One attention layer on our kernel, with transformers' calling convention.

    query (B, H, Lq, D); key, value (B, Hkv, Lk, D) with fewer heads under grouped-query
    attention, passed to the kernel as they are. Returns the output (B, Lq, H, D) and the
    maps (or None when nobody asked for them).
    """
    _refuse_unsupported(module, dropout, kwargs)
    plan = _plan(module, attention_mask, is_causal, query.shape[2], key.shape[2])
    captured = capture_for(module)
    requested = _probs_requested(kwargs)
    options = captured[0].options if captured else None
    out, probs = run_attention(query, key, value, plan, scaling, requested or captured is not None,
                               options)
    if captured is not None:
        assert probs is not None  # asked for above
        state, name = captured
        state.record(name, probs, query, key, plan, scaling)
    # Switched-off heads (attnviz.backends.heads.ablating) leave here as zeros, before the
    # model merges the heads and applies its output projection.
    out = gate_output(module, out)
    return out.transpose(1, 2).contiguous(), probs if requested else None
