"""Argument checks shared by the kernel and the reference: clear errors at the door,
never a crash deep inside Triton."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

KERNEL_DTYPES = (torch.float16, torch.bfloat16, torch.float32)
# The reference also takes float64: the tests' ground truth.
REFERENCE_DTYPES = (*KERNEL_DTYPES, torch.float64)
MIN_HEAD_DIM, MAX_HEAD_DIM = 8, 256


@dataclass(frozen=True)
class Shape:
    B: int
    H: int
    Hkv: int
    Lq: int
    Lk: int
    D: int
    scale: float


def dtype_names(dtypes) -> str:
    names = [str(d).removeprefix("torch.") for d in dtypes]
    return ", ".join(names[:-1]) + " or " + names[-1]


def check_inputs(q, k, v, key_padding_mask, scale, dtypes=KERNEL_DTYPES) -> Shape:
    """Validate the arguments of an attention call and return its sizes."""
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.dim() != 4:
            raise ValueError(
                f"{name} must have 4 dimensions (batch, heads, length, head_dim), "
                f"got shape {tuple(t.shape)}"
            )
        if t.dtype not in dtypes:
            raise TypeError(f"{name} must be {dtype_names(dtypes)}, got {t.dtype}")
    if not (q.dtype == k.dtype == v.dtype):
        raise TypeError(f"q, k and v must share one dtype, got {q.dtype}, {k.dtype}, {v.dtype}")
    if not (q.device == k.device == v.device):
        raise ValueError(
            f"q, k and v must be on one device, got {q.device}, {k.device}, {v.device}"
        )
    B, H, Lq, D = q.shape
    mismatches = (
        (k.shape[0] != B or v.shape[0] != B,
         f"batch size differs: q has {B}, k has {k.shape[0]}, v has {v.shape[0]}"),
        (k.shape[1] != v.shape[1],
         f"k and v must have the same number of heads, got {k.shape[1]} and {v.shape[1]}"),
        (k.shape[1] == 0 or H % k.shape[1] != 0,
         f"q's {H} heads must be a multiple of k/v's {k.shape[1]} heads (grouped-query "
         "attention)"),
        (k.shape[3] != D or v.shape[3] != D,
         f"head_dim differs: q has {D}, k has {k.shape[3]}, v has {v.shape[3]}"),
        (k.shape[2] != v.shape[2],
         f"k and v must have the same length, got {k.shape[2]} and {v.shape[2]}"),
    )
    for bad, message in mismatches:
        if bad:
            raise ValueError(message)
    Lk = k.shape[2]
    if Lq < 1 or Lk < 1:
        raise ValueError(f"sequence lengths must be at least 1, got Lq={Lq}, Lk={Lk}")
    if not (MIN_HEAD_DIM <= D <= MAX_HEAD_DIM and D % 8 == 0):
        raise ValueError(
            f"head_dim must be a multiple of 8 between {MIN_HEAD_DIM} and {MAX_HEAD_DIM}, got {D}"
        )
    if key_padding_mask is not None:
        if not isinstance(key_padding_mask, torch.Tensor):
            raise TypeError(
                f"key_padding_mask must be a bool torch.Tensor, got {type(key_padding_mask).__name__}"
            )
        if key_padding_mask.dtype != torch.bool:
            raise TypeError(
                f"key_padding_mask must have dtype torch.bool (True = padded), got {key_padding_mask.dtype}"
            )
        if tuple(key_padding_mask.shape) != (B, Lk):
            raise ValueError(
                f"key_padding_mask must have shape (batch, Lk) = ({B}, {Lk}), "
                f"got {tuple(key_padding_mask.shape)}"
            )
        if key_padding_mask.device != q.device:
            raise ValueError(
                f"key_padding_mask is on {key_padding_mask.device} but q is on {q.device}"
            )
    if scale is None:
        scale = 1.0 / math.sqrt(D)
    elif not isinstance(scale, (int, float)) or isinstance(scale, bool) or not math.isfinite(scale):
        raise TypeError(f"scale must be a finite number or None, got {scale!r}")
    return Shape(B, H, k.shape[1], Lq, Lk, D, float(scale))
