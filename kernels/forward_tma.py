"""The forward for Hopper (CUDA compute capability 9+): forward.py's kernel with its tiles
moved by the tensor copy engine (TMA), for long 16-bit inputs at head dim 128 without
key padding or full maps; its autotuner, when it runs, and its launch.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import torch
import triton
import triton.language as tl

from . import launch
from .forward import _fwd_query_tile, _pool_part_rows, _pool_rows
from .launch import AUTOTUNE_MIN_CELLS, LOG2E, _bucket, _cdiv, _Pooled, _tuning_key
from .tiles import _finish_rows, _program_ids

try:  # host-side tensor descriptors (Triton 3.4+)
    from triton.tools.tensor_descriptor import TensorDescriptor
except ImportError:
    TensorDescriptor = None


@triton.jit
def _fwd_tma_kernel(desc_q, desc_k, desc_v, desc_o, LSE, P, PART, HEAD_SLOT,
                    stride_pb, stride_ph, stride_pm, stride_partb, stride_parth,
                    H, Lq, Lk, n_cols, qk_scale, LQ_BUCKET, LK_BUCKET,
                    GROUP: tl.constexpr, HEAD_DIM: tl.constexpr,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, CAUSAL: tl.constexpr,
                    POOL: tl.constexpr, POOL_ROWS: tl.constexpr, CHUNK: tl.constexpr):
    """The forward without key padding or full maps (pooled maps, POOL > 0, are fine),
    its tiles moved by Hopper's tensor copy engine (TMA) through descriptors of the 4-D
    tensors: no address arithmetic per element, no bounds masks on loads (rows past the
    end read as zeros, stores past it are dropped). CUDA with compute capability 9+
    only; the pointer kernel (forward.py) is the one the interpreter and other GPUs run."""
    start_m, bh, b, h, kv_h = _program_ids(H, GROUP)
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, HEAD_DIM)
    row_ok = offs_m < Lq
    q = desc_q.load([b, h, start_m * BLOCK_M, 0]).reshape(BLOCK_M, HEAD_DIM)
    slot = 0
    PART_rows, part_ok = PART, row_ok  # unused unless POOL > 0
    if POOL > 0:
        slot = tl.load(HEAD_SLOT + h)
        PART_rows, part_ok = _pool_rows(PART, b, slot, offs_m, row_ok, stride_partb,
                                        stride_parth)
    # No key padding (LSE stands in for its unused pointer); the descriptors carry the
    # K and V strides.
    acc, l_i, m_i, hi = _fwd_query_tile(
        start_m, q, offs_m, offs_n, offs_d, Lq, Lk, qk_scale,
        desc_k, desc_v, LSE, 0, 0, b, kv_h, PART_rows, part_ok, n_cols,
        HEAD_DIM, HEAD_DIM, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM=False,
        INPUT_PRECISION="tf32", UPCAST=False, TMA=True, POOL=POOL)
    out, lse = _finish_rows(acc, l_i, m_i)
    desc_o.store([b, h, start_m * BLOCK_M, 0],
                 out.to(q.dtype).reshape(1, 1, BLOCK_M, HEAD_DIM))
    tl.store(LSE + bh * Lq + offs_m, lse, mask=row_ok)
    if POOL > 0:
        if slot >= 0:
            _pool_part_rows(PART_rows, P, b, slot, stride_pb, stride_ph, stride_pm,
                            lse, row_ok, start_m, hi, Lq, Lk, n_cols,
                            BLOCK_M, BLOCK_N, POOL, POOL_ROWS, CHUNK)


def _tma_block_shapes(nargs):
    # A descriptor's block shape is part of the launch: it follows the config picked.
    rows = {"desc_q": nargs["BLOCK_M"], "desc_o": nargs["BLOCK_M"],
            "desc_k": nargs["BLOCK_N"], "desc_v": nargs["BLOCK_N"]}
    for name, block_rows in rows.items():
        nargs[name].block_shape = [1, 1, block_rows, nargs["HEAD_DIM"]]


_fwd_tma_tuned = triton.autotune(
    configs=[triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=st,
                           pre_hook=_tma_block_shapes)
             for bm, bn, w, st in [(128, 64, 4, 3), (128, 64, 8, 3), (128, 128, 8, 2),
                                   (128, 128, 8, 3), (64, 64, 4, 3), (128, 64, 8, 4),
                                   (64, 128, 4, 3)]],
    key=["LQ_BUCKET", "LK_BUCKET", "HEAD_DIM", "CAUSAL", "GROUP", "POOL"],
)(_fwd_tma_kernel)

# Set ATTNVIZ_TMA=0 to keep every launch on the pointer kernel (to compare the two).
USE_TMA = os.environ.get("ATTNVIZ_TMA", "1") not in ("", "0")


@functools.lru_cache(maxsize=16)
def _has_tma(device: torch.device) -> bool:
    return TensorDescriptor is not None and torch.cuda.get_device_capability(device)[0] >= 9


def _tma_eligible(q, k, v, kpm, request, interpret: bool) -> bool:
    """Whether the TMA kernel runs this call: a forward without key padding or full
    maps (pooled maps are fine), 16-bit inputs, head dim 128, long enough to autotune,
    on Hopper or later, with the 16-byte alignment the copy engine needs. (Head dim 128
    only: there it beats the pointer kernel, at 64 it loses; timings in
    benchmarks/kernel_speed_notes.md.)"""
    full_map = request is not None and (request.pool or 1) == 1
    if (interpret or not USE_TMA or full_map or kpm is not None
            or q.dtype not in (torch.float16, torch.bfloat16) or q.shape[-1] != 128
            or q.shape[2] * k.shape[2] < AUTOTUNE_MIN_CELLS or not _has_tma(q.device)):
        return False
    return all(t.data_ptr() % 16 == 0 and all(st * t.element_size() % 16 == 0
                                              for st in t.stride()[:-1])
               for t in (q, k, v))


def _flash_forward_tma(q, k, v, o, lse, scale: float, causal: bool, pooled: _Pooled,
                       head_slot: torch.Tensor, interpret: bool = False) -> None:
    """Fill o, lse (and the pooled blocks) with the TMA kernel. Under the interpreter
    (which runs tensor descriptors too, so the tests check this kernel's logic on a
    CPU) one fixed block size replaces the autotuner."""
    B, H, Lq, D = q.shape
    Hkv, Lk = k.shape[1], k.shape[2]
    descs = [TensorDescriptor.from_tensor(t, [1, 1, 64, D]) for t in (q, k, v, o)]
    block_strides, part_strides = pooled.stride_args()
    args = (*descs, lse, *pooled.pointer_args(lse), head_slot, *block_strides, *part_strides,
            H, Lq, Lk, pooled.n_cols, scale * LOG2E, _bucket(Lq), _bucket(Lk))
    meta = {"GROUP": H // Hkv, "HEAD_DIM": D, "CAUSAL": causal, **pooled.meta(interpret)}
    if interpret:  # every descriptor keeps its 64-row blocks
        with np.errstate(divide="ignore"):
            _fwd_tma_kernel[(_cdiv(Lq, 64), B * H)](*args, **meta, BLOCK_M=64, BLOCK_N=64)
    else:
        names = dict(zip(("desc_q", "desc_k", "desc_v", "desc_o"), descs, strict=True), HEAD_DIM=D)
        # (the descriptors carry no dtype the key could read: q's is added; looked up on
        # the module, as _launch does, so a test can hold one config for both)
        launch._launch_picked(_fwd_tma_tuned, _fwd_tma_kernel,
                              lambda m: (_cdiv(Lq, m["BLOCK_M"]), B * H),
                              _tuning_key(_fwd_tma_kernel, Lq, Lk, args, meta, q.dtype),
                              args, meta, before=lambda config: _tma_block_shapes({**names, **config}))
