"""Plain PyTorch attention with exactly the semantics of `kernels.attention`.

Used by the tests (in float64) and selectable explicitly; the Triton kernel never
falls back to it.
"""

from __future__ import annotations

import torch

from .checks import REFERENCE_DTYPES, check_inputs


def reference_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    causal: bool = False,
    key_padding_mask: torch.Tensor | None = None,
    scale: float | None = None,
    return_probs: bool = False,
):
    """softmax(q k^T * scale + mask) v, computed in q's dtype (float32 for half types).

    Shapes: q (B, H, Lq, D); k, v (B, Hkv, Lk, D) with H a multiple of Hkv.
    A query that may see no key gets zeros in the output and in the probabilities.
    """
    shape = check_inputs(q, k, v, key_padding_mask, scale, REFERENCE_DTYPES)
    scale = shape.scale
    compute_dtype = torch.float64 if q.dtype == torch.float64 else torch.float32
    group = shape.H // shape.Hkv
    qc, kc, vc = (t.to(compute_dtype) for t in (q, k, v))
    if group > 1:
        kc = kc.repeat_interleave(group, dim=1)
        vc = vc.repeat_interleave(group, dim=1)
    scores = torch.matmul(qc, kc.transpose(-1, -2)) * scale
    blocked = visibility_mask(shape.Lq, shape.Lk, causal, key_padding_mask, q.device)
    scores = scores.masked_fill(blocked, float("-inf"))
    # A fully blocked row would give NaN; such rows get zeros instead.
    row_empty = blocked.all(dim=-1, keepdim=True)
    probs = torch.softmax(scores.masked_fill(row_empty, 0.0), dim=-1)
    probs = probs.masked_fill(blocked, 0.0)
    out = torch.matmul(probs, vc).to(q.dtype)
    if return_probs:
        return out, probs.to(torch.float64 if compute_dtype == torch.float64 else torch.float32)
    return out


def visibility_mask(
    Lq: int,
    Lk: int,
    causal: bool,
    key_padding_mask: torch.Tensor | None,
    device: torch.device,
) -> torch.Tensor:
    """Bool (B or 1, 1, Lq, Lk): True where query i may NOT see key j.

    The causal mask is `causal_mask(Lq, Lk)`.
    """
    blocked = torch.zeros(1, 1, Lq, Lk, dtype=torch.bool, device=device)
    if causal:
        blocked = blocked | causal_mask(Lq, Lk, device)[None, None]
    if key_padding_mask is not None:
        blocked = blocked | key_padding_mask[:, None, None, :].to(device)
    return blocked


def causal_mask(Lq: int, Lk: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Bool (Lq, Lk): True where query i may NOT see key j under the causal mask, aligned
    bottom-right as the kernel aligns it: query i sees key j iff j <= i + (Lk - Lq).
    The one statement of the rule outside the kernel itself (the reference, the HF /
    torch.nn backends and the model's traces all use it)."""
    i = torch.arange(Lq, device=device)[:, None]
    j = torch.arange(Lk, device=device)[None, :]
    return j > i + (Lk - Lq)
