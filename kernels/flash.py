"""Fused attention in Triton, FlashAttention-2 style, that can also emit probabilities.

Forward: one program owns BLOCK_M queries of one (batch, head); tiles of BLOCK_N keys
and values stream past it while an online softmax keeps a running max `m_i` and sum
`l_i`, so nothing of size Lq x Lk is ever held. When the full map is asked for, a
second sweep over the keys recomputes each score tile and writes exp(s - m) / l,
which is the final probability: every element of P is written exactly once. Pooled
maps (means over P x P tiles) need no second sweep: the forward's own loop keeps each
row's log-sum-exp over every P-wide column of keys (Lq x Lk/P floats of scratch), and
the program's tail turns them into tile means once the row's total is known.

Backward: recompute the tiles from the saved log-sum-exp (FlashAttention-2), one
kernel for dK/dV (a program per key tile, looping over queries, its scores formed
transposed as K Q^T so no register tile is turned around) and one for dQ (a program
per query tile, looping over keys), so no atomics are needed; a small kernel first
computes each row's rowsum(dO * O).

Scores are kept in base-2 units (scale * log2(e) folded into one multiply) so the
exponentials are exp2, as in the Triton tutorial.

The causal mask is aligned bottom-right: query i sees key j iff j <= i + (Lk - Lq).
A query that sees no key ends with l_i == 0; it gets zeros and lse = +inf, which
makes every recomputed probability of that row exp2(-inf) = 0 in the backward.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass

import numpy as np
import torch
import triton
import triton.language as tl

try:  # host-side tensor descriptors (Triton 3.4+), for the Hopper TMA path
    from triton.tools.tensor_descriptor import TensorDescriptor
except ImportError:
    TensorDescriptor = None

LOG2E = 1.4426950408889634


# ----------------------------------------------------------------------------------
# Small jitted helpers
# ----------------------------------------------------------------------------------
@triton.jit
def _mm(a, b, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """a @ b with float32 accumulation; UPCAST multiplies in float32 (the interpreter)."""
    if UPCAST:
        return tl.dot(a.to(tl.float32), b.to(tl.float32), input_precision=INPUT_PRECISION)
    return tl.dot(a, b, input_precision=INPUT_PRECISION)


@triton.jit
def _mm_f32_by(a, b, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """a @ b where a is float32 (probabilities, score gradients): a is rounded to b's
    dtype for the tensor cores, as FlashAttention does, except where UPCAST keeps
    everything in float32 (the interpreter)."""
    if UPCAST:
        return tl.dot(a, b.to(tl.float32), input_precision=INPUT_PRECISION)
    return tl.dot(a.to(b.dtype), b, input_precision=INPUT_PRECISION)


@triton.jit
def _scores(q, kT, offs_m, offs_n, KPM, Lq, Lk, causal_offset, qk_scale,
            CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr, MASKED: tl.constexpr,
            INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """Scaled scores (base 2) of one tile, -inf where the query may not see the key.

    MASKED=False is for tiles known to lie fully inside the visible region (the bulk
    of a long sequence), which then skip the bounds and causal work.
    """
    s = _mm(q, kT, INPUT_PRECISION, UPCAST) * qk_scale
    if MASKED:
        visible = offs_n[None, :] < Lk
        if CAUSAL:
            visible = visible & (offs_n[None, :] <= offs_m[:, None] + causal_offset)
        s = tl.where(visible, s, float("-inf"))
    if HAS_KPM:
        padded = tl.load(KPM + offs_n, mask=offs_n < Lk, other=1)
        s = tl.where(padded[None, :] == 0, s, float("-inf"))
    return s


@triton.jit
def _program_ids(H, GROUP: tl.constexpr):
    """(tile index along the grid's first axis, batch*head, batch, head, K/V head): under
    grouped-query attention GROUP query heads share one K/V head."""
    tile = tl.program_id(0)
    bh = tl.program_id(1)
    h = bh % H
    return tile, bh, bh // H, h, h // GROUP


@triton.jit
def _finish_rows(acc, l_i, m_i):
    """Output rows acc / l and their log-sum-exp (base 2); a row that saw no key gets
    zeros and lse = +inf (every recomputed probability of it is then exp2(-inf) = 0)."""
    empty = l_i == 0.0
    l_safe = tl.where(empty, 1.0, l_i)
    return acc / l_safe[:, None], tl.where(empty, float("inf"), m_i + tl.math.log2(l_safe))


@triton.jit
def _visible_key_range(start_m, Lq, Lk, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                       CAUSAL: tl.constexpr):
    """For the query tile starting at start_m * BLOCK_M: (end of the keys any of its
    queries may see, end of the whole BLOCK_N tiles that all of them see unmasked)."""
    if CAUSAL:
        causal_offset = Lk - Lq
        hi = tl.minimum(Lk, (start_m + 1) * BLOCK_M + causal_offset)
        hi = tl.maximum(hi, 0)
        unmasked = tl.minimum(tl.maximum(start_m * BLOCK_M + causal_offset + 1, 0), hi)
    else:
        hi = Lk
        unmasked = Lk
    unmasked = (unmasked // BLOCK_N) * BLOCK_N
    return hi, unmasked


@triton.jit
def _mm_acc(p, v, acc, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """acc + p @ v, accumulated by the matrix unit itself; p (float32) is rounded to v's
    dtype as in _mm_f32_by."""
    if UPCAST:
        return tl.dot(p, v.to(tl.float32), acc, input_precision=INPUT_PRECISION)
    return tl.dot(p.to(v.dtype), v, acc, input_precision=INPUT_PRECISION)


@triton.jit
def _load_rows(ptrs, rows, cols, n_rows, n_cols, MASK_ROWS: tl.constexpr,
               MASK_COLS: tl.constexpr):
    """A 2-D load, masked only along the axes that can run past the end."""
    if MASK_ROWS and MASK_COLS:
        return tl.load(ptrs, mask=(rows < n_rows) & (cols < n_cols), other=0.0)
    elif MASK_ROWS:
        return tl.load(ptrs, mask=rows < n_rows, other=0.0)
    elif MASK_COLS:
        return tl.load(ptrs, mask=cols < n_cols, other=0.0)
    return tl.load(ptrs)


@triton.jit
def _fwd_tiles(acc, l_i, m_i, q, K_tile, V_tile, KPM, stride_kn, stride_vn,
               offs_m, offs_n, offs_d, lo, hi, Lq, Lk, causal_offset, qk_scale,
               HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
               BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
               CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr, MASKED: tl.constexpr,
               INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr,
               TMA: tl.constexpr, b, kv_h,
               POOL: tl.constexpr, col_l, PART_rows, part_ok, n_cols):
    """Online softmax over the key tiles [lo, hi).

    K_tile, V_tile: pointers to this head's K and V, or with TMA=True tensor descriptors
    of the whole (B, Hkv, Lk, D) tensors, whose loads the copy engine does (rows past Lk
    come back as zeros) and which start at (b, kv_h).

    MASKED=False: every tile lies inside the keys and the causal region, so loads need
    no bounds and, without key padding, every score is finite. That path does what the
    Triton tutorial does: the max comes from the raw products, scaling and subtracting
    the max fuse into one multiply-add, and no -inf guard is needed.

    POOL > 0 (pooled maps in one sweep): besides the row's running sum, each row keeps
    the log-sum-exp (base 2) of its scores in every POOL-wide column of keys and writes
    it to PART_rows (one pointer per row; a row's n_cols entries lie Lq apart, so the
    rows of one column, written together, are contiguous). A column wider than a
    tile is summed across its tiles in col_l, rescaled by alpha like l_i, and the
    value is rewritten at every tile so the last write holds the whole column; a
    column narrower than a tile is summed inside the tile. Once the row's final
    log-sum-exp is known, exp2(part - lse) is the column's share of its probability.
    """
    for start_n in range(lo, hi, BLOCK_N):
        cols = start_n + offs_n
        if TMA:
            kT = tl.trans(K_tile.load([b, kv_h, start_n, 0]).reshape(BLOCK_N, BLOCK_D))
            v = V_tile.load([b, kv_h, start_n, 0]).reshape(BLOCK_N, BLOCK_D)
        else:
            kT = _load_rows(K_tile + cols[None, :] * stride_kn + offs_d[:, None],
                            cols[None, :], offs_d[:, None], Lk, HEAD_DIM,
                            MASKED, BLOCK_D != HEAD_DIM)
            v = _load_rows(V_tile + cols[:, None] * stride_vn + offs_d[None, :],
                           cols[:, None], offs_d[None, :], Lk, HEAD_DIM,
                           MASKED, BLOCK_D != HEAD_DIM)
        if MASKED or HAS_KPM:
            s = _scores(q, kT, offs_m, cols, KPM, Lq, Lk, causal_offset, qk_scale,
                        CAUSAL, HAS_KPM, MASKED, INPUT_PRECISION, UPCAST)
            m_new = tl.maximum(m_i, tl.max(s, 1))
            # A row that has seen only masked keys keeps m = -inf; subtract 0 instead
            # so that exp2(-inf - -inf) never makes a NaN.
            m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
            p = tl.math.exp2(s - m_safe[:, None])
            alpha = tl.math.exp2(m_i - m_safe)
        else:
            qk = _mm(q, kT, INPUT_PRECISION, UPCAST)
            m_new = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
            m_safe = m_new
            p = tl.math.exp2(qk * qk_scale - m_new[:, None])
            alpha = tl.math.exp2(m_i - m_new)
        if POOL > 0 and POOL < BLOCK_N:
            # The tile's row sums come from its columns' sums: one reduction, not two.
            sub_l = tl.sum(tl.reshape(p, [BLOCK_M, BLOCK_N // POOL, POOL]), 2)
            l_tile = tl.sum(sub_l, 1)
            sub_cols = start_n // POOL + tl.arange(0, BLOCK_N // POOL)
            tl.store(PART_rows[:, None] + sub_cols[None, :].to(tl.int64) * Lq,
                     m_safe[:, None] + tl.math.log2(sub_l),
                     mask=part_ok[:, None] & (sub_cols[None, :] < n_cols))
        else:
            l_tile = tl.sum(p, 1)
        if POOL >= BLOCK_N:  # the column restarts at its first tile
            col_l = tl.where(start_n % POOL == 0, l_tile, col_l * alpha + l_tile)
            # (int32 is enough here: POOL >= BLOCK_N >= 16 keeps n_cols * Lq < 2**31
            # up to 2**35 cells per head)
            tl.store(PART_rows + (start_n // POOL) * Lq,
                     m_safe + tl.math.log2(col_l), mask=part_ok)
        l_i = l_i * alpha + l_tile
        acc = _mm_acc(p, v, acc * alpha[:, None], INPUT_PRECISION, UPCAST)
        m_i = m_new
    return acc, l_i, m_i, col_l


# ----------------------------------------------------------------------------------
# Forward
# ----------------------------------------------------------------------------------
@triton.jit
def _pool_rows(PART, b, slot, offs_m, row_ok, stride_partb, stride_parth):
    """Where each of this tile's rows writes its per-column log-sum-exps (PART is
    (B, heads asked for, n_cols, Lq) float32: a column's rows are contiguous, so a
    tile's store is one coalesced segment per column), and which rows write: none of
    a head whose map was not asked for (slot -1)."""
    head = PART + b.to(tl.int64) * stride_partb + slot.to(tl.int64) * stride_parth
    # (the head's test broadcast to a row vector first: the interpreter widens a
    # scalar bool in `&` to int32)
    return head + offs_m, row_ok & ((offs_m * 0 + slot) >= 0)


@triton.jit
def _pool_part_rows(PART_rows, POOLED, b, slot, stride_pb, stride_ph, stride_pm,
                    lse, row_ok, start_m, hi, Lq, Lk, n_cols,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                    POOL: tl.constexpr, POOL_ROWS: tl.constexpr, CHUNK: tl.constexpr):
    """Turn this tile's per-row column log-sum-exps into pooled means: for every group
    of POOL_ROWS rows, sum exp2(part - lse) over the rows and divide by the cell count
    of the POOL x POOL tile the group lies in. POOL_ROWS = min(POOL, 64) divides
    BLOCK_M, so each group belongs to one program and is written once, with a plain
    store (no atomics); the host adds the POOL / POOL_ROWS groups of a taller tile.

    The PART rows were written moments ago by this program and are read back while
    they are still in L2. Columns past the causal edge were never written: they stay
    zero in POOLED, which starts zeroed.
    """
    tl.debug_barrier()  # every thread's PART stores are visible to the whole program
    GROUPS: tl.constexpr = BLOCK_M // POOL_ROWS
    groups = start_m * GROUPS + tl.arange(0, GROUPS)
    group_ok = groups < tl.cdiv(Lq, POOL_ROWS)
    rows_in_tile = tl.maximum(tl.minimum(Lq - (groups * POOL_ROWS) // POOL * POOL, POOL), 1)
    # Columns some tile of this program visited (whole BLOCK_N tiles up to hi).
    n_written = tl.minimum(tl.cdiv(tl.cdiv(hi, BLOCK_N) * BLOCK_N, POOL), n_cols)
    P_head = POOLED + b.to(tl.int64) * stride_pb + slot.to(tl.int64) * stride_ph
    for c0 in range(0, n_written, CHUNK):
        cols = c0 + tl.arange(0, CHUNK)
        col_ok = cols < n_written
        part = tl.load(PART_rows[:, None] + cols[None, :].to(tl.int64) * Lq,
                       mask=row_ok[:, None] & col_ok[None, :], other=float("-inf"))
        # A row that saw no key has part = -inf and lse = +inf: exp2(-inf) = 0.
        share = tl.math.exp2(part - lse[:, None])
        sums = tl.sum(tl.reshape(share, [GROUPS, POOL_ROWS, CHUNK]), 1)
        cols_in_tile = tl.maximum(tl.minimum(Lk - cols * POOL, POOL), 1)
        sums = sums / (rows_in_tile[:, None].to(tl.float32) * cols_in_tile[None, :].to(tl.float32))
        tl.store(P_head + groups[:, None] * stride_pm + cols[None, :], sums,
                 mask=group_ok[:, None] & col_ok[None, :])


@triton.jit
def _fwd_kernel(Q, K, V, O, LSE, KPM, P, PART, HEAD_SLOT,
                stride_qb, stride_qh, stride_qm,
                stride_kb, stride_kh, stride_kn,
                stride_vb, stride_vh, stride_vn,
                stride_ob, stride_oh, stride_om,
                stride_kpmb,
                stride_pb, stride_ph, stride_pm,
                stride_partb, stride_parth,
                H, Lq, Lk, n_cols, qk_scale, LQ_BUCKET, LK_BUCKET,
                GROUP: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
                BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
                P_MODE: tl.constexpr, POOL: tl.constexpr, POOL_ROWS: tl.constexpr,
                CHUNK: tl.constexpr, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """P_MODE 0: output and lse only. 1: also the full map, in a second sweep
    (_write_probs). 2: also POOL x POOL means, in the same sweep (_fwd_tiles keeps
    per-column log-sum-exps, _pool_part_rows turns them into means)."""
    # LQ_BUCKET / LK_BUCKET only key the autotuner (powers of two of the lengths).
    start_m, bh, b, h, kv_h = _program_ids(H, GROUP)

    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, BLOCK_D)
    row_ok = offs_m < Lq
    d_ok = offs_d < HEAD_DIM

    # Head dims are contiguous (the wrapper ensures stride 1 on the last axis).
    q = tl.load(Q + b * stride_qb + h * stride_qh + offs_m[:, None] * stride_qm + offs_d[None, :],
                mask=row_ok[:, None] & d_ok[None, :], other=0.0)
    K_tile = K + b * stride_kb + kv_h * stride_kh
    V_tile = V + b * stride_vb + kv_h * stride_vh
    KPM_row = KPM + b * stride_kpmb

    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)
    col_l = tl.zeros([BLOCK_M], dtype=tl.float32)
    slot = 0
    PART_rows, part_ok = PART, row_ok  # unused unless P_MODE == 2
    if P_MODE != 0:
        slot = tl.load(HEAD_SLOT + h)  # where this head's map goes; -1: not asked for
        if P_MODE == 2:
            PART_rows, part_ok = _pool_rows(PART, b, slot, offs_m, row_ok, stride_partb,
                                            stride_parth)

    causal_offset = Lk - Lq
    hi, unmasked = _visible_key_range(start_m, Lq, Lk, BLOCK_M, BLOCK_N, CAUSAL)
    # Whole tiles every query sees: no bounds or causal work.
    acc, l_i, m_i, col_l = _fwd_tiles(
        acc, l_i, m_i, q, K_tile, V_tile, KPM_row, stride_kn, stride_vn,
        offs_m, offs_n, offs_d, 0, unmasked, Lq, Lk, causal_offset, qk_scale,
        HEAD_DIM, BLOCK_D, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM, False, INPUT_PRECISION, UPCAST,
        False, b, kv_h, POOL, col_l, PART_rows, part_ok, n_cols)
    # The diagonal band and the ragged end.
    acc, l_i, m_i, col_l = _fwd_tiles(
        acc, l_i, m_i, q, K_tile, V_tile, KPM_row, stride_kn, stride_vn,
        offs_m, offs_n, offs_d, unmasked, hi, Lq, Lk, causal_offset, qk_scale,
        HEAD_DIM, BLOCK_D, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM, True, INPUT_PRECISION, UPCAST,
        False, b, kv_h, POOL, col_l, PART_rows, part_ok, n_cols)

    out, lse = _finish_rows(acc, l_i, m_i)
    tl.store(O + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om + offs_d[None, :],
             out.to(O.dtype.element_ty), mask=row_ok[:, None] & d_ok[None, :])
    tl.store(LSE + bh * Lq + offs_m, lse, mask=row_ok)

    if P_MODE == 1:
        if slot >= 0:
            _write_probs(q, K_tile, KPM_row, P, b, slot, stride_pb, stride_ph, stride_pm,
                         m_i, l_i, offs_m, offs_n, offs_d, row_ok, hi, Lq, Lk,
                         causal_offset, qk_scale, HEAD_DIM, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM,
                         INPUT_PRECISION, UPCAST, stride_kn)
    elif P_MODE == 2:
        if slot >= 0:
            _pool_part_rows(PART_rows, P, b, slot, stride_pb, stride_ph, stride_pm,
                            lse, row_ok, start_m, hi, Lq, Lk, n_cols,
                            BLOCK_M, BLOCK_N, POOL, POOL_ROWS, CHUNK)


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
    only; the pointer kernel above is the one the interpreter and other GPUs run."""
    start_m, bh, b, h, kv_h = _program_ids(H, GROUP)
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, HEAD_DIM)
    row_ok = offs_m < Lq
    q = desc_q.load([b, h, start_m * BLOCK_M, 0]).reshape(BLOCK_M, HEAD_DIM)
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    col_l = tl.zeros([BLOCK_M], dtype=tl.float32)
    slot = 0
    PART_rows, part_ok = PART, row_ok  # unused unless POOL > 0
    if POOL > 0:
        slot = tl.load(HEAD_SLOT + h)
        PART_rows, part_ok = _pool_rows(PART, b, slot, offs_m, row_ok, stride_partb,
                                        stride_parth)
    causal_offset = Lk - Lq
    hi, unmasked = _visible_key_range(start_m, Lq, Lk, BLOCK_M, BLOCK_N, CAUSAL)
    acc, l_i, m_i, col_l = _fwd_tiles(
        acc, l_i, m_i, q, desc_k, desc_v, LSE, 0, 0,
        offs_m, offs_n, offs_d, 0, unmasked, Lq, Lk, causal_offset, qk_scale,
        HEAD_DIM, HEAD_DIM, BLOCK_M, BLOCK_N, CAUSAL, False, False, "tf32", False,
        True, b, kv_h, POOL, col_l, PART_rows, part_ok, n_cols)
    acc, l_i, m_i, col_l = _fwd_tiles(
        acc, l_i, m_i, q, desc_k, desc_v, LSE, 0, 0,
        offs_m, offs_n, offs_d, unmasked, hi, Lq, Lk, causal_offset, qk_scale,
        HEAD_DIM, HEAD_DIM, BLOCK_M, BLOCK_N, CAUSAL, False, True, "tf32", False,
        True, b, kv_h, POOL, col_l, PART_rows, part_ok, n_cols)
    out, lse = _finish_rows(acc, l_i, m_i)
    desc_o.store([b, h, start_m * BLOCK_M, 0],
                 out.to(q.dtype).reshape(1, 1, BLOCK_M, HEAD_DIM))
    tl.store(LSE + bh * Lq + offs_m, lse, mask=row_ok)
    if POOL > 0:
        if slot >= 0:
            _pool_part_rows(PART_rows, P, b, slot, stride_pb, stride_ph, stride_pm,
                            lse, row_ok, start_m, hi, Lq, Lk, n_cols,
                            BLOCK_M, BLOCK_N, POOL, POOL_ROWS, CHUNK)


@triton.jit
def _write_probs(q, K_tile, KPM_row, P, b, slot, stride_pb, stride_ph, stride_pm,
                 m_i, l_i, offs_m, offs_n, offs_d, row_ok, hi, Lq, Lk,
                 causal_offset, qk_scale, HEAD_DIM: tl.constexpr,
                 BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                 CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
                 INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr, stride_kn):
    """Second sweep for the full map: recompute each score tile and write
    exp2(s - m) / l, the final probability, so every element of P is written once."""
    d_ok = offs_d < HEAD_DIM
    m_safe = tl.where(m_i == float("-inf"), 0.0, m_i)
    inv_l = 1.0 / tl.where(l_i == 0.0, 1.0, l_i)
    # 64-bit offsets: a map of 16 heads of 16k x 16k passes 2**31 elements.
    P_head = P + b.to(tl.int64) * stride_pb + slot.to(tl.int64) * stride_ph
    for start_n in range(0, hi, BLOCK_N):
        cols = start_n + offs_n
        kT = tl.load(K_tile + cols[None, :] * stride_kn + offs_d[:, None],
                     mask=(cols[None, :] < Lk) & d_ok[:, None], other=0.0)
        s = _scores(q, kT, offs_m, cols, KPM_row, Lq, Lk, causal_offset, qk_scale,
                    CAUSAL, HAS_KPM, True, INPUT_PRECISION, UPCAST)
        p = tl.math.exp2(s - m_safe[:, None]) * inv_l[:, None]
        tl.store(P_head + offs_m[:, None] * stride_pm + cols[None, :],
                 p.to(P.dtype.element_ty), mask=row_ok[:, None] & (cols[None, :] < Lk))
    # Tiles past the causal edge: zeros, with no arithmetic.
    zeros = tl.zeros([BLOCK_M, BLOCK_N], dtype=P.dtype.element_ty)
    for start_n in range(tl.cdiv(hi, BLOCK_N) * BLOCK_N, Lk, BLOCK_N):
        cols = start_n + offs_n
        tl.store(P_head + offs_m[:, None] * stride_pm + cols[None, :], zeros,
                 mask=row_ok[:, None] & (cols[None, :] < Lk))

# ----------------------------------------------------------------------------------
# Backward
# ----------------------------------------------------------------------------------
@triton.jit
def _bwd_delta_kernel(O, DO, DELTA, stride_ob, stride_oh, stride_om,
                      stride_dob, stride_doh, stride_dom, H, Lq,
                      HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr):
    """delta_i = sum_d dO_id * O_id, the row term of the softmax Jacobian, in one pass
    over O and dO (in torch it took a cast of each and a product: four passes)."""
    start_m, bh, b, h, _ = _program_ids(H, 1)
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    mask = (offs_m < Lq)[:, None] & (offs_d < HEAD_DIM)[None, :]
    o = tl.load(O + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om + offs_d[None, :],
                mask=mask, other=0.0)
    do = tl.load(DO + b * stride_dob + h * stride_doh + offs_m[:, None] * stride_dom
                 + offs_d[None, :], mask=mask, other=0.0)
    tl.store(DELTA + bh * Lq + offs_m, tl.sum(o.to(tl.float32) * do.to(tl.float32), 1),
             mask=offs_m < Lq)


@triton.jit
def _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm, stride_dom,
                    offs_n, offs_d, lo, hi, Lq, causal_offset, qk_scale,
                    HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr,
                    CAUSAL: tl.constexpr, MASKED: tl.constexpr,
                    INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """dK and dV of one key tile from the query tiles [lo, hi), transposed as in the
    Triton tutorial: the scores are computed as K Q^T (keys along rows), so P^T and
    dS^T come out of the matrix unit in the orientation the next products need and no
    register tile is transposed. Keys past Lk need no mask here: their rows of dK and
    dV are never stored and no other row depends on them.

    MASKED=False: whole query tiles that see every key of this tile (below the causal
    diagonal): no bounds masks, no causal test."""
    for start_m in range(lo, hi, BLOCK_M):
        offs_m = start_m + tl.arange(0, BLOCK_M)
        qT = _load_rows(Q_head + offs_m[None, :] * stride_qm + offs_d[:, None],
                        offs_m[None, :], offs_d[:, None], Lq, HEAD_DIM,
                        MASKED, BLOCK_D != HEAD_DIM)
        do = _load_rows(DO_head + offs_m[:, None] * stride_dom + offs_d[None, :],
                        offs_m[:, None], offs_d[None, :], Lq, HEAD_DIM,
                        MASKED, BLOCK_D != HEAD_DIM)
        if MASKED:  # rows past Lq: lse = +inf makes their probabilities 0
            lse = tl.load(LSE_row + offs_m, mask=offs_m < Lq, other=float("inf"))
            delta = tl.load(DELTA_row + offs_m, mask=offs_m < Lq, other=0.0)
        else:
            lse = tl.load(LSE_row + offs_m)
            delta = tl.load(DELTA_row + offs_m)
        pT = tl.math.exp2(_mm(k, qT, INPUT_PRECISION, UPCAST) * qk_scale - lse[None, :])
        if MASKED and CAUSAL:
            pT = tl.where(offs_n[:, None] <= offs_m[None, :] + causal_offset, pT, 0.0)
        dv = _mm_acc(pT, do, dv, INPUT_PRECISION, UPCAST)
        dsT = pT * (_mm(v, tl.trans(do), INPUT_PRECISION, UPCAST) - delta[None, :])
        dk = _mm_acc(dsT, tl.trans(qT), dk, INPUT_PRECISION, UPCAST)
    return dk, dv


@triton.jit
def _bwd_dkdv_kernel(Q, K, V, DO, LSE, DELTA, KPM, DK, DV,
                     stride_qb, stride_qh, stride_qm,
                     stride_kb, stride_kh, stride_kn,
                     stride_vb, stride_vh, stride_vn,
                     stride_dob, stride_doh, stride_dom,
                     stride_kpmb,
                     stride_dkb, stride_dkh, stride_dkn,
                     H, Lq, Lk, qk_scale, sm_scale, LQ_BUCKET, LK_BUCKET,
                     GROUP: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
                     BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                     CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
                     INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    start_n, bh, b, h, kv_h = _program_ids(H, GROUP)

    offs_n = start_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, BLOCK_D)
    kv_mask = (offs_n < Lk)[:, None] & (offs_d < HEAD_DIM)[None, :]
    k = tl.load(K + b * stride_kb + kv_h * stride_kh + offs_n[:, None] * stride_kn + offs_d[None, :],
                mask=kv_mask, other=0.0)
    v = tl.load(V + b * stride_vb + kv_h * stride_vh + offs_n[:, None] * stride_vn + offs_d[None, :],
                mask=kv_mask, other=0.0)
    dk = tl.zeros([BLOCK_N, BLOCK_D], dtype=tl.float32)
    dv = tl.zeros([BLOCK_N, BLOCK_D], dtype=tl.float32)

    # Query tiles: [lo, full) cross the causal diagonal (masked), [full, whole) see
    # every key of this tile (unmasked), [whole, Lq) is the ragged end (masked).
    causal_offset = Lk - Lq
    whole = (Lq // BLOCK_M) * BLOCK_M
    lo = 0
    full = 0
    if CAUSAL:
        # Query i sees key j iff i >= j - causal_offset: earlier query tiles see nothing.
        lo = (tl.maximum(start_n * BLOCK_N - causal_offset, 0) // BLOCK_M) * BLOCK_M
        full = tl.cdiv(tl.maximum(start_n * BLOCK_N + BLOCK_N - 1 - causal_offset, 0),
                       BLOCK_M) * BLOCK_M
    full = tl.maximum(lo, tl.minimum(full, whole))
    whole = tl.maximum(full, whole)
    Q_head = Q + b * stride_qb + h * stride_qh
    DO_head = DO + b * stride_dob + h * stride_doh
    LSE_row = LSE + bh * Lq
    DELTA_row = DELTA + bh * Lq
    dk, dv = _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm,
                             stride_dom, offs_n, offs_d, lo, full, Lq, causal_offset, qk_scale,
                             HEAD_DIM, BLOCK_D, BLOCK_M, CAUSAL, True, INPUT_PRECISION, UPCAST)
    dk, dv = _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm,
                             stride_dom, offs_n, offs_d, full, whole, Lq, causal_offset,
                             qk_scale, HEAD_DIM, BLOCK_D, BLOCK_M, CAUSAL, False,
                             INPUT_PRECISION, UPCAST)
    dk, dv = _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm,
                             stride_dom, offs_n, offs_d, whole, Lq, Lq, causal_offset, qk_scale,
                             HEAD_DIM, BLOCK_D, BLOCK_M, CAUSAL, True, INPUT_PRECISION, UPCAST)
    if HAS_KPM:
        # A padded key has probability 0 for every query, so its gradients are 0; the
        # tiles above computed its row as if it were visible (and no other row reads it).
        padded = tl.load(KPM + b * stride_kpmb + offs_n, mask=offs_n < Lk, other=1)
        dk = tl.where(padded[:, None] == 0, dk, 0.0)
        dv = tl.where(padded[:, None] == 0, dv, 0.0)
    dk = dk * sm_scale
    out_offs = b * stride_dkb + h * stride_dkh + offs_n[:, None] * stride_dkn + offs_d[None, :]
    tl.store(DK + out_offs, dk.to(DK.dtype.element_ty), mask=kv_mask)
    tl.store(DV + out_offs, dv.to(DV.dtype.element_ty), mask=kv_mask)


@triton.jit
def _bwd_dq_tiles(dq, q, do, lse, delta, K_head, V_head, KPM, stride_kn, stride_vn,
                  offs_m, offs_d, lo, hi, Lq, Lk, causal_offset, qk_scale,
                  HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_N: tl.constexpr,
                  CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr, MASKED: tl.constexpr,
                  INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """dQ of one query tile from the key tiles [lo, hi). MASKED=False: whole key tiles
    every query of the tile sees (no bounds or causal work, as in _fwd_tiles)."""
    for start_n in range(lo, hi, BLOCK_N):
        offs_n = start_n + tl.arange(0, BLOCK_N)
        kT = _load_rows(K_head + offs_n[None, :] * stride_kn + offs_d[:, None],
                        offs_n[None, :], offs_d[:, None], Lk, HEAD_DIM,
                        MASKED, BLOCK_D != HEAD_DIM)
        vT = _load_rows(V_head + offs_n[None, :] * stride_vn + offs_d[:, None],
                        offs_n[None, :], offs_d[:, None], Lk, HEAD_DIM,
                        MASKED, BLOCK_D != HEAD_DIM)
        if MASKED or HAS_KPM:
            s = _scores(q, kT, offs_m, offs_n, KPM, Lq, Lk, causal_offset, qk_scale,
                        CAUSAL, HAS_KPM, MASKED, INPUT_PRECISION, UPCAST)
            p = tl.math.exp2(s - lse[:, None])
        else:
            p = tl.math.exp2(_mm(q, kT, INPUT_PRECISION, UPCAST) * qk_scale - lse[:, None])
        ds = p * (_mm(do, vT, INPUT_PRECISION, UPCAST) - delta[:, None])
        dq = _mm_acc(ds, tl.trans(kT), dq, INPUT_PRECISION, UPCAST)
    return dq


@triton.jit
def _bwd_dq_kernel(Q, K, V, DO, LSE, DELTA, KPM, DQ,
                   stride_qb, stride_qh, stride_qm,
                   stride_kb, stride_kh, stride_kn,
                   stride_vb, stride_vh, stride_vn,
                   stride_dob, stride_doh, stride_dom,
                   stride_kpmb,
                   stride_dqb, stride_dqh, stride_dqm,
                   H, Lq, Lk, qk_scale, sm_scale, LQ_BUCKET, LK_BUCKET,
                   GROUP: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
                   BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                   CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
                   INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    start_m, bh, b, h, kv_h = _program_ids(H, GROUP)

    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    row_ok = offs_m < Lq
    q_mask = row_ok[:, None] & (offs_d < HEAD_DIM)[None, :]
    # Rows past Lq load zeros and lse = +inf: their probabilities are 0 in every tile.
    q = tl.load(Q + b * stride_qb + h * stride_qh + offs_m[:, None] * stride_qm + offs_d[None, :],
                mask=q_mask, other=0.0)
    do = tl.load(DO + b * stride_dob + h * stride_doh + offs_m[:, None] * stride_dom + offs_d[None, :],
                 mask=q_mask, other=0.0)
    lse = tl.load(LSE + bh * Lq + offs_m, mask=row_ok, other=float("inf"))
    delta = tl.load(DELTA + bh * Lq + offs_m, mask=row_ok, other=0.0)
    dq = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)

    K_head = K + b * stride_kb + kv_h * stride_kh
    V_head = V + b * stride_vb + kv_h * stride_vh
    KPM_row = KPM + b * stride_kpmb
    causal_offset = Lk - Lq
    hi, unmasked = _visible_key_range(start_m, Lq, Lk, BLOCK_M, BLOCK_N, CAUSAL)
    dq = _bwd_dq_tiles(dq, q, do, lse, delta, K_head, V_head, KPM_row, stride_kn, stride_vn,
                       offs_m, offs_d, 0, unmasked, Lq, Lk, causal_offset, qk_scale,
                       HEAD_DIM, BLOCK_D, BLOCK_N, CAUSAL, HAS_KPM, False,
                       INPUT_PRECISION, UPCAST)
    dq = _bwd_dq_tiles(dq, q, do, lse, delta, K_head, V_head, KPM_row, stride_kn, stride_vn,
                       offs_m, offs_d, unmasked, hi, Lq, Lk, causal_offset, qk_scale,
                       HEAD_DIM, BLOCK_D, BLOCK_N, CAUSAL, HAS_KPM, True,
                       INPUT_PRECISION, UPCAST)
    dq = dq * sm_scale
    tl.store(DQ + b * stride_dqb + h * stride_dqh + offs_m[:, None] * stride_dqm + offs_d[None, :],
             dq.to(DQ.dtype.element_ty), mask=q_mask)


# ----------------------------------------------------------------------------------
# Launch configurations
# ----------------------------------------------------------------------------------
def _gpu_configs(rows):
    """(BLOCK_M, BLOCK_N, num_warps, num_stages) rows -> triton.Config list."""
    return [triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s)
            for bm, bn, w, s in rows]


def _prune_for_head_dim(configs, named_args, **kwargs):
    # Large head dims with large tiles overflow shared memory; drop those configs.
    block_d = named_args.get("BLOCK_D", kwargs.get("BLOCK_D", 64))
    kept = [c for c in configs
            if block_d <= 128 or c.kwargs["BLOCK_M"] * c.kwargs["BLOCK_N"] <= 64 * 64]
    return kept or configs[:1]


_TUNE_KEY = ["LQ_BUCKET", "LK_BUCKET", "HEAD_DIM", "CAUSAL", "HAS_KPM", "GROUP"]
_fwd_tuned = triton.autotune(
    configs=_gpu_configs([(128, 64, 4, 3), (128, 64, 8, 3), (128, 128, 8, 3), (64, 64, 4, 3),
                          (128, 64, 8, 4), (64, 128, 4, 3), (128, 128, 8, 2)]),
    key=[*_TUNE_KEY, "P_MODE", "POOL"],
    prune_configs_by={"early_config_prune": _prune_for_head_dim},
)(_fwd_kernel)
_bwd_dkdv_tuned = triton.autotune(
    configs=_gpu_configs([(64, 128, 8, 2), (64, 64, 4, 3), (64, 128, 4, 3), (128, 64, 8, 2),
                          (32, 128, 4, 3), (64, 128, 8, 3)]),
    key=_TUNE_KEY,
    prune_configs_by={"early_config_prune": _prune_for_head_dim},
)(_bwd_dkdv_kernel)
_bwd_dq_tuned = triton.autotune(
    configs=_gpu_configs([(128, 64, 8, 2), (64, 64, 4, 3), (128, 64, 4, 3), (64, 128, 8, 2),
                          (128, 32, 4, 3), (128, 64, 8, 3)]),
    key=_TUNE_KEY,
    prune_configs_by={"early_config_prune": _prune_for_head_dim},
)(_bwd_dq_kernel)


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
    on Hopper or later, with the 16-byte alignment the copy engine needs. (Measured on
    an H100: at head dim 128 it beat the pointer kernel by 2-12%, at 64 it lost up to
    4%; benchmarks/kernel_speed_notes.md.)"""
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
        # (the descriptors carry no dtype the key could read: q's is added)
        _launch_picked(_fwd_tma_tuned, _fwd_tma_kernel,
                       lambda m: (_cdiv(Lq, m["BLOCK_M"]), B * H),
                       _tuning_key(_fwd_tma_kernel, Lq, Lk, args, meta, q.dtype),
                       args, meta, before=lambda config: _tma_block_shapes({**names, **config}))


# Under the interpreter every tile op is a numpy call with a fixed overhead: few, large
# tiles are fastest. 256 (measured on the 2-core machine): a 1024-token forward 268 ->
# 125 ms and a 600-token GPT-2's maps 3.2 -> 2.05 s against 128; 512 pads mid lengths
# too much (2.28 s for the same maps).
INTERPRETER_MAX_BLOCK = 256


def _interpreter_blocks(Lq: int, Lk: int, smallest: int) -> dict:
    return {
        "BLOCK_M": min(INTERPRETER_MAX_BLOCK, max(smallest, _next_pow2(Lq))),
        "BLOCK_N": min(INTERPRETER_MAX_BLOCK, max(smallest, _next_pow2(Lk))),
    }


# Below this many score cells per head a launch is too short for tuning to pay back its
# compile-and-time cost (a model's sentences, the tests): one fixed configuration.
AUTOTUNE_MIN_CELLS = 1024 * 1024


def _small_problem_config(head_dim: int, elem_size: int) -> dict:
    wide = head_dim * elem_size > 256  # fp32 with D > 64, or 16-bit with D > 128
    return {"BLOCK_M": 64, "BLOCK_N": 32 if wide else 64, "num_warps": 4,
            "num_stages": 1 if wide else 2}


def _launch(tuned, raw, grid_of, interpret: bool, Lq: int, Lk: int, elem_size: int,
            *args, **kwargs):
    # Pooled maps need BLOCK_M to be a multiple of POOL_ROWS (at most 64, which every
    # GPU configuration's BLOCK_M is).
    if interpret:
        blocks = _interpreter_blocks(Lq, Lk, max(16, kwargs.get("POOL_ROWS", 1)))
        # log2(0) = -inf is meant (a column of keys no query sees): numpy would warn.
        with np.errstate(divide="ignore"):
            raw[grid_of(blocks)](*args, **kwargs, **blocks)
    elif Lq * Lk < AUTOTUNE_MIN_CELLS:
        config = _small_problem_config(kwargs["HEAD_DIM"], elem_size)
        raw[grid_of(config)](*args, **kwargs, **config)
    else:
        _launch_picked(tuned, raw, grid_of, _tuning_key(raw, Lq, Lk, args, kwargs), args,
                       kwargs)


# Triton's autotuner costs the host about 57 us per launch on top of the JIT's own 51 us
# (measured on the H100 machine, triton 3.6), as long as a 1k-token causal forward runs
# on the GPU. Once it has picked a config for a key, launch the plain kernel with it.
# The key holds everything the autotuner's does (its key arguments, every tensor's
# dtype) and more, so a launch never takes a config tuned for another problem.
_picked_configs: dict[tuple, dict] = {}
# The autotuner reports its pick in an attribute shared by all callers: two threads (two
# app sessions) tuning at once must not read each other's.
_tuning_lock = threading.Lock()


def _tuning_key(raw, Lq: int, Lk: int, args: tuple, kwargs: dict, *extra) -> tuple:
    """What a launch's pick depends on: the kernel, the length buckets, every constexpr,
    every tensor argument's dtype, and `extra`."""
    return (raw, _bucket(Lq), _bucket(Lk), *kwargs.items(),
            *(a.dtype for a in args if isinstance(a, torch.Tensor)), *extra)


def _launch_picked(tuned, raw, grid_of, key: tuple, args: tuple, kwargs: dict,
                   before=None) -> None:
    """Launch `raw` with the config `tuned` picked for `key`, tuning on first sight.
    `before(config)` runs before a plain launch (what the config's pre_hook does)."""
    config = _picked_configs.get(key)
    if config is None:
        with _tuning_lock:
            tuned[grid_of](*args, **kwargs)
            _picked_configs[key] = tuned.best_config.all_kwargs()
        return
    if before is not None:
        before(config)
    raw[grid_of(config)](*args, **kwargs, **config)


def _bucket(n: int) -> int:
    return _next_pow2(n)


# Host-side arithmetic of every launch. Triton's own cdiv and next_power_of_2 are
# constexpr functions that also run inside kernels; called from Python each costs ~2 us
# (measured with triton 3.9 on the 2-core machine), five of them a forward: plain ints here.
def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _next_pow2(n: int) -> int:
    """The smallest power of two >= n (n >= 1)."""
    return 1 << (n - 1).bit_length()


def _common_meta(q: torch.Tensor, group: int, D: int, causal: bool, has_kpm: bool,
                 interpret: bool) -> dict:
    # The interpreter multiplies half types in float32: its bfloat16 dot is wrong, and
    # a CPU gains nothing from rounding to 16 bits.
    upcast = interpret and q.dtype in (torch.bfloat16, torch.float16)
    return {
        "GROUP": group,
        "HEAD_DIM": D,
        "BLOCK_D": max(16, _next_pow2(D)),
        "CAUSAL": causal,
        "HAS_KPM": has_kpm,
        # fp32 inputs: exact fp32 products, not TF32, so fp32 results match fp32 math.
        "INPUT_PRECISION": "ieee" if q.dtype == torch.float32 or upcast else "tf32",
        "UPCAST": upcast,
    }


@dataclass(frozen=True)
class ProbsRequest:
    """Which probabilities the forward writes: their dtype, the heads (None: all) and
    the pool size (None: the full Lq x Lk map; P: means over P x P tiles)."""

    dtype: torch.dtype = torch.float32
    heads: tuple[int, ...] | None = None
    pool: int | None = None


# Pooled maps: the kernel sums groups of at most this many rows; the host adds the
# groups of a taller pool tile (a tensor of Lq/64 x Lk/P, small).
MAX_POOL_ROWS = 64


@dataclass(frozen=True)
class _Pooled:
    """The buffers of a pooled-map forward (or none, pool = 0): `part` holds each row's
    log-sum-exp over every pool-wide column of keys, (B, heads, n_cols, Lq) float32
    (1/pool of the full map's cells, freed on return); `blocks` the kernel's means
    over pool_rows x pool cells, zeroed so columns past the causal edge read 0."""

    pool: int = 0
    n_cols: int = 1
    part: torch.Tensor | None = None
    blocks: torch.Tensor | None = None

    @staticmethod
    def rows_of(pool: int) -> int:
        """Rows the kernel sums into one block: min(pool, MAX_POOL_ROWS)."""
        return min(pool, MAX_POOL_ROWS) if pool else 1

    @property
    def pool_rows(self) -> int:
        return self.rows_of(self.pool)

    def pointer_args(self, dummy: torch.Tensor) -> tuple:
        """(blocks, part), or `dummy` twice (unused pointers) without pooling."""
        return (dummy, dummy) if self.part is None else (self.blocks, self.part)

    def stride_args(self) -> tuple[tuple, tuple]:
        """(blocks' batch, head and row strides), (part's batch and head strides)."""
        if self.part is None:
            return (0, 0, 0), (0, 0)
        return self.blocks.stride()[:3], self.part.stride()[:2]

    def meta(self, interpret: bool) -> dict:
        # Columns the tail reads at once: on a GPU a BLOCK_M x 64 float32 tile fits the
        # registers; the interpreter runs fewer, larger numpy steps instead.
        chunk = min(512 if interpret else 64, max(16, _next_pow2(self.n_cols)))
        return {"POOL": self.pool, "POOL_ROWS": self.pool_rows, "CHUNK": chunk}

    def finish(self, Lq: int) -> torch.Tensor:
        """The means of pool x pool tiles: each is the sum of pool / pool_rows blocks
        (each already divided by its tile's cell count)."""
        f = self.pool // self.pool_rows
        if f == 1:
            return self.blocks
        B, Hs, nr, nc = self.blocks.shape
        rows = _cdiv(Lq, self.pool)
        blocks = torch.nn.functional.pad(self.blocks, (0, 0, 0, rows * f - nr))
        return blocks.view(B, Hs, rows, f, nc).sum(dim=3)


def _pooled_buffers(B: int, n_heads: int, Lq: int, Lk: int, pool: int,
                    device: torch.device) -> _Pooled:
    n_cols = _cdiv(Lk, pool)
    part = torch.empty((B, n_heads, n_cols, Lq), device=device, dtype=torch.float32)
    blocks = torch.zeros((B, n_heads, _cdiv(Lq, _Pooled.rows_of(pool)), n_cols),
                         device=device, dtype=torch.float32)
    return _Pooled(pool, n_cols, part, blocks)


def _stored_dtype(dtype: torch.dtype, interpret: bool) -> torch.dtype:
    """The dtype a kernel writes: Triton's interpreter truncates float32 to 16-bit types
    instead of rounding to nearest, so there the kernel writes float32 and torch rounds."""
    return torch.float32 if interpret else dtype


@functools.lru_cache(maxsize=64)
def _head_slots(H: int, heads: tuple[int, ...], device: torch.device) -> torch.Tensor:
    """int32 (H,): where each head's map goes in P, -1 for heads not asked for.

    Cached: built on the host and copied once, because a fresh host-to-device copy in
    every call would wait for the GPU each time (a model's layers would run in lock step
    with the host instead of queueing up).
    """
    slots = torch.full((H,), -1, dtype=torch.int32)
    slots[list(heads)] = torch.arange(len(heads), dtype=torch.int32)
    return slots.to(device)


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
    p_mode, probs, pooled = 0, None, _Pooled()
    if request is not None:
        if (request.pool or 1) == 1:
            p_mode = 1
            probs = torch.empty((B, len(heads), Lq, Lk), device=q.device,
                                dtype=_stored_dtype(request.dtype, interpret))
        else:
            p_mode = 2
            pooled = _pooled_buffers(B, len(heads), Lq, Lk, request.pool, q.device)

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
                P_MODE=p_mode, **pooled.meta(interpret), **meta)
    if p_mode == 2:
        probs = pooled.finish(Lq)
    if probs is not None:
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

