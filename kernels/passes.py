"""The forward and backward passes on the host, as api.py's autograd Function calls them:
allocate the outputs and buffers, choose the kernel, launch it (launch.py's policy)."""

from __future__ import annotations

import torch

from .backward import (
    _bwd_delta_kernel,
    _bwd_dkdv_kernel,
    _bwd_dkdv_tuned,
    _bwd_dq_kernel,
    _bwd_dq_tuned,
)
from .forward import PROBS_FULL, PROBS_NONE, PROBS_POOLED, _fwd_kernel, _fwd_tuned
from .forward_tma import _flash_forward_tma, _tma_eligible
from .launch import (
    INTERPRETER_MAX_BLOCK,
    LOG2E,
    ProbsRequest,
    _bucket,
    _cdiv,
    _common_meta,
    _head_slots,
    _launch,
    _Pooled,
    _pooled_buffers,
    _stored_dtype,
)


def flash_forward(q, k, v, kpm, scale: float, causal: bool, request: ProbsRequest | None,
                  interpret: bool):
    """Run the forward kernel. Returns (out, lse, probs or None)."""
    B, H, Lq, D = q.shape
    Hkv, Lk = k.shape[1], k.shape[2]
    o = torch.empty_like(q, dtype=_stored_dtype(q.dtype, interpret))
    lse = torch.empty((B, H, Lq), device=q.device, dtype=torch.float32)
    heads = () if request is None else (
        request.heads if request.heads is not None else tuple(range(H)))
    head_slot = _head_slots(H, heads, q.device)
    probs_mode, probs, pooled = PROBS_NONE, None, _Pooled()
    if request is not None:
        if (request.pool or 1) == 1:
            probs_mode = PROBS_FULL
            probs = torch.empty((B, len(heads), Lq, Lk), device=q.device,
                                dtype=_stored_dtype(request.dtype, interpret))
        else:
            probs_mode = PROBS_POOLED
            pooled = _pooled_buffers(B, len(heads), Lq, Lk, request.pool or 1, q.device)

    if _tma_eligible(q, k, v, kpm, request, interpret):
        _flash_forward_tma(q, k, v, o, lse, scale, causal, pooled, head_slot)
    else:
        # P: the full map, or the pooled blocks (an unused pointer when neither).
        p_arg, part_arg = pooled.pointer_args(lse)
        p_strides, part_strides = pooled.stride_args()
        if probs is not None:
            p_arg, p_strides = probs, probs.stride()[:3]
        kpm_arg = kpm if kpm is not None else lse
        kpm_stride = kpm.stride(0) if kpm is not None else 0
        meta = _common_meta(q, H // Hkv, D, causal, kpm is not None, interpret)

        def grid(m):
            return (_cdiv(Lq, m["BLOCK_M"]), B * H)

        _launch(_fwd_tuned, _fwd_kernel, grid, interpret, Lq, Lk, q.element_size(),
                q, k, v, o, lse, kpm_arg, p_arg, part_arg, head_slot,
                *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *o.stride()[:3],
                kpm_stride, *p_strides, *part_strides,
                H, Lq, Lk, pooled.n_cols, scale * LOG2E, _bucket(Lq), _bucket(Lk),
                PROBS=probs_mode.value, **pooled.meta(interpret), **meta)
    if probs_mode == PROBS_POOLED:
        probs = pooled.finish(Lq)
    if probs is not None and request is not None:
        probs = probs.to(request.dtype)
    return o.to(q.dtype), lse, probs


def flash_backward(do, q, k, v, o, lse, kpm, scale: float, causal: bool, interpret: bool):
    """Gradients (dq, dk, dv) of the forward above."""
    B, H, Lq, D = q.shape
    Hkv, Lk = k.shape[1], k.shape[2]
    group = H // Hkv
    do = do.contiguous()
    meta = _common_meta(q, group, D, causal, kpm is not None, interpret)
    delta = torch.empty((B, H, Lq), device=q.device, dtype=torch.float32)
    rows = INTERPRETER_MAX_BLOCK if interpret else 64
    _bwd_delta_kernel[(_cdiv(Lq, rows), B * H)](
        o, do, delta, *o.stride()[:3], *do.stride()[:3], H, Lq,
        HEAD_DIM=D, BLOCK_D=meta["BLOCK_D"], BLOCK_M=rows)
    dq = torch.empty_like(q, dtype=_stored_dtype(q.dtype, interpret))
    # One dK/dV per query head; heads that share a K/V head are summed afterwards.
    dk = torch.empty((B, H, Lk, D), device=q.device,
                     dtype=torch.float32 if group > 1 else _stored_dtype(k.dtype, interpret))
    dv = torch.empty_like(dk)
    kpm_arg = kpm if kpm is not None else lse
    kpm_stride = kpm.stride(0) if kpm is not None else 0
    common = (H, Lq, Lk, scale * LOG2E, scale, _bucket(Lq), _bucket(Lk))

    _launch(_bwd_dkdv_tuned, _bwd_dkdv_kernel,
            lambda m: (_cdiv(Lk, m["BLOCK_N"]), B * H), interpret, Lq, Lk, q.element_size(),
            q, k, v, do, lse, delta, kpm_arg, dk, dv,
            *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *do.stride()[:3],
            kpm_stride, *dk.stride()[:3], *common, **meta)
    _launch(_bwd_dq_tuned, _bwd_dq_kernel,
            lambda m: (_cdiv(Lq, m["BLOCK_M"]), B * H), interpret, Lq, Lk, q.element_size(),
            q, k, v, do, lse, delta, kpm_arg, dq,
            *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *do.stride()[:3],
            kpm_stride, *dq.stride()[:3], *common, **meta)
    if group > 1:
        dk = dk.view(B, Hkv, group, Lk, D).sum(2)
        dv = dv.view(B, Hkv, group, Lk, D).sum(2)
    return dq.to(q.dtype), dk.to(k.dtype), dv.to(v.dtype)
