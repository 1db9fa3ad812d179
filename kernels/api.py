"""The public entry point: `attention(q, k, v, ...)`, differentiable, on our Triton kernels."""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch

from .checks import check_inputs
from .launch import ProbsRequest
from .passes import flash_backward, flash_forward


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
        "set TRITON_INTERPRET=1 before anything imports triton (`kernels.configure()` "
        "called first does this on machines without CUDA), or move the tensors to a CUDA "
        "device"
    )


class _FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, kpm, scale, causal, request, interpret):
        o, lse, probs = flash_forward(q, k, v, kpm, scale, causal, request, interpret)
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
    probs_dtype: torch.dtype = torch.float32,
    probs_heads: Sequence[int] | None = None,
    probs_pool: int | None = None,
):
    """softmax(q k^T * scale + mask) v on a fused Triton kernel.

    q: (B, H, Lq, D); k, v: (B, Hkv, Lk, D), H a multiple of Hkv; float16, bfloat16 or
    float32; D a multiple of 8 from 8 to 256. `scale` defaults to 1/sqrt(D).
    causal: query i sees key j iff j <= i + (Lk - Lq) (aligned bottom-right, so one new
    query against a cache of keys sees them all).
    key_padding_mask: bool (B, Lk), True marks a padded key that no query may see.
    A query that may see no key gets zeros in the output and in the probabilities.

    Returns the output (B, H, Lq, D) in q's dtype, and with return_probs=True also the
    probabilities (B, H, Lq, Lk), written by the kernel itself, shaped by:
      probs_dtype  float32 (default), bfloat16 or float16;
      probs_heads  only these heads, in this order: (B, len(probs_heads), Lq, Lk);
      probs_pool   P, a power of two: means over P x P tiles, (B, H, ceil(Lq/P),
                   ceil(Lk/P)), edge tiles averaged over the cells they have; the
                   full map is never stored (written in the forward's one sweep, with
                   a float32 scratch of Lq x ceil(Lk/P) per head, freed on return).
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
    request = _probs_request(return_probs, probs_dtype, probs_heads, probs_pool, shape.H)
    if torch.is_grad_enabled() and (q.requires_grad or k.requires_grad or v.requires_grad):
        out, probs = _FlashAttention.apply(q, k, v, kpm, shape.scale, causal, request, interpret)
    else:  # inference: skip autograd's bookkeeping, a measurable share of a short call
        out, _, probs = flash_forward(q, k, v, kpm, shape.scale, causal, request, interpret)
    return (out, probs) if return_probs else out


PROBS_DTYPES = (torch.float32, torch.bfloat16, torch.float16)


def _probs_request(return_probs: bool, dtype, heads, pool, H: int) -> ProbsRequest | None:
    if not return_probs:
        if heads is not None or pool is not None or dtype != torch.float32:
            raise ValueError("probs_dtype, probs_heads and probs_pool need return_probs=True")
        return None
    if dtype not in PROBS_DTYPES:
        raise TypeError(f"probs_dtype must be float32, bfloat16 or float16, got {dtype}")
    if heads is not None:
        heads = tuple(heads)
        if not heads or not all(isinstance(h, int) and 0 <= h < H for h in heads):
            raise ValueError(f"probs_heads must be head indices in [0, {H}), got {heads}")
        if len(set(heads)) != len(heads):
            raise ValueError(f"probs_heads must not repeat a head, got {heads}")
    if pool is not None:
        if not isinstance(pool, int) or isinstance(pool, bool) or pool < 1 or pool & (pool - 1):
            raise ValueError(f"probs_pool must be a power of two (1, 2, 4, ...), got {pool!r}")
    return ProbsRequest(dtype, heads, pool)
