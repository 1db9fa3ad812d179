"""The public entry point: `attention(q, k, v, ...)`, differentiable, on our Triton kernels."""

from __future__ import annotations

import os

import torch

from .checks import check_inputs
from .flash import flash_backward, flash_forward


def interpreter_active() -> bool:
    """True when Triton runs kernels through its CPU interpreter."""
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def backend_name(device: torch.device | str = "cpu") -> str:
    """Which kernel computes attention for tensors on `device`, in words."""
    device = torch.device(device)
    if device.type == "cuda" and not interpreter_active():
        return f"Triton kernel, compiled for {torch.cuda.get_device_name(device)}"
    return "Triton kernel, run by Triton's CPU interpreter"


def _check_device(q: torch.Tensor) -> bool:
    """Whether this call runs under the interpreter; a clear error where it cannot run."""
    interpret = interpreter_active()
    if q.device.type == "cuda" or interpret:
        return interpret
    raise RuntimeError(
        f"attention got {q.device.type} tensors, but Triton is not in interpreter mode: "
        "set TRITON_INTERPRET=1 before anything imports triton (importing `kernels` first "
        "does this on machines without CUDA), or move the tensors to a CUDA device"
    )


class _FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, kpm, scale, causal, probs_dtype, interpret):
        o, lse, probs = flash_forward(q, k, v, kpm, scale, causal, probs_dtype, interpret)
        ctx.save_for_backward(q, k, v, o, lse, kpm)
        ctx.scale, ctx.causal, ctx.interpret = scale, causal, interpret
        if probs is not None:
            ctx.mark_non_differentiable(probs)
        return o, probs

    @staticmethod
    def backward(ctx, do, _dprobs):
        q, k, v, o, lse, kpm = ctx.saved_tensors
        dq, dk, dv = flash_backward(do, q, k, v, o, lse, kpm, ctx.scale, ctx.causal, ctx.interpret)
        return dq, dk, dv, None, None, None, None, None


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    causal: bool = False,
    key_padding_mask: torch.Tensor | None = None,
    scale: float | None = None,
    return_probs: bool = False,
):
    """softmax(q k^T * scale + mask) v on a fused Triton kernel.

    q: (B, H, Lq, D); k, v: (B, Hkv, Lk, D), H a multiple of Hkv; float16, bfloat16 or
    float32; D a multiple of 8 from 8 to 256. `scale` defaults to 1/sqrt(D).
    causal: query i sees key j iff j <= i + (Lk - Lq) (aligned bottom-right, so one new
    query against a cache of keys sees them all).
    key_padding_mask: bool (B, Lk), True marks a padded key that no query may see.
    A query that may see no key gets zeros in the output and in the probabilities.

    Returns the output (B, H, Lq, D) in q's dtype, and with return_probs=True also the
    float32 probabilities (B, H, Lq, Lk), written by the kernel itself.
    Differentiable with respect to q, k and v (the backward is a Triton kernel too).
    """
    shape = check_inputs(q, k, v, key_padding_mask, scale)
    if not isinstance(causal, bool):
        raise TypeError(f"causal must be True or False, got {causal!r}")
    interpret = _check_device(q)
    # The kernels index the head dimension with unit stride.
    q, k, v = (t if t.stride(-1) == 1 else t.contiguous() for t in (q, k, v))
    kpm = None
    if key_padding_mask is not None:
        kpm = key_padding_mask.to(torch.int8).contiguous()
    probs_dtype = torch.float32 if return_probs else None
    out, probs = _FlashAttention.apply(q, k, v, kpm, shape.scale, causal, probs_dtype, interpret)
    return (out, probs) if return_probs else out
