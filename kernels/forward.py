"""The forward kernel, FlashAttention-2 style, that can also write probabilities.

One program owns BLOCK_M queries of one (batch, head); tiles of BLOCK_N keys and values
stream past it while an online softmax keeps a running max `m_i` and sum `l_i`, so
nothing of size Lq x Lk is ever held. When the full map is asked for, a second sweep
over the keys recomputes each score tile and writes exp(s - m) / l, which is the final
probability: every element of P is written exactly once. Pooled maps (means over P x P
tiles) need no second sweep: the forward's own loop keeps each row's log-sum-exp over
every P-wide column of keys (Lq x Lk/P floats of scratch), and the program's tail turns
them into tile means once the row's total is known.

Reading order: the tile loop (_fwd_tiles), one query tile's two sweeps of it
(_fwd_query_tile), the pooled maps' helpers, the full map's second sweep, the kernel,
its autotuner. forward_tma.py reuses all but the last three.
"""

from __future__ import annotations

import triton
import triton.language as tl

from .launch import TUNE_KEY, _gpu_configs, _prune_for_head_dim
from .tiles import _finish_rows, _load_rows, _mm, _mm_acc, _program_ids, _scores, _visible_key_range

# Which probabilities the forward writes (its PROBS constexpr):
PROBS_NONE = tl.constexpr(0)    # none: the output and lse only
PROBS_FULL = tl.constexpr(1)    # the full map, in a second sweep (_write_probs)
PROBS_POOLED = tl.constexpr(2)  # POOL x POOL means, in the same sweep (_pool_part_rows)


@triton.jit
def _fwd_tiles(acc, l_i, m_i, col_l,
               q, offs_m, offs_n, offs_d, Lq, Lk, causal_offset, qk_scale,
               K_tile, V_tile, KPM, stride_kn, stride_vn, b, kv_h,
               PART_rows, part_ok, n_cols,
               HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
               BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
               CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
               INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr,
               TMA: tl.constexpr, POOL: tl.constexpr,
               lo, hi, MASKED: tl.constexpr):
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


@triton.jit
def _fwd_query_tile(start_m, q, offs_m, offs_n, offs_d, Lq, Lk, qk_scale,
                    K_tile, V_tile, KPM, stride_kn, stride_vn, b, kv_h,
                    PART_rows, part_ok, n_cols,
                    HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                    CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
                    INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr,
                    TMA: tl.constexpr, POOL: tl.constexpr):
    """The online softmax of the query tile start_m over every key it may see, as
    _fwd_tiles (whose arguments these are). Returns (acc, l_i, m_i, end of the keys
    seen)."""
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)
    col_l = tl.zeros([BLOCK_M], dtype=tl.float32)
    causal_offset = Lk - Lq
    hi, unmasked = _visible_key_range(start_m, Lq, Lk, BLOCK_M, BLOCK_N, CAUSAL)
    # Whole tiles every query sees: no bounds or causal work.
    acc, l_i, m_i, col_l = _fwd_tiles(
        acc, l_i, m_i, col_l, q, offs_m, offs_n, offs_d, Lq, Lk, causal_offset, qk_scale,
        K_tile, V_tile, KPM, stride_kn, stride_vn, b, kv_h, PART_rows, part_ok, n_cols,
        HEAD_DIM, BLOCK_D, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM, INPUT_PRECISION, UPCAST,
        TMA, POOL, lo=0, hi=unmasked, MASKED=False)
    # The diagonal band and the ragged end.
    acc, l_i, m_i, col_l = _fwd_tiles(
        acc, l_i, m_i, col_l, q, offs_m, offs_n, offs_d, Lq, Lk, causal_offset, qk_scale,
        K_tile, V_tile, KPM, stride_kn, stride_vn, b, kv_h, PART_rows, part_ok, n_cols,
        HEAD_DIM, BLOCK_D, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM, INPUT_PRECISION, UPCAST,
        TMA, POOL, lo=unmasked, hi=hi, MASKED=True)
    return acc, l_i, m_i, hi


# ----------------------------------------------------------------------------------
# Probabilities: pooled maps in the same sweep, the full map in a second one
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
# The kernel and its autotuner
# ----------------------------------------------------------------------------------
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
                PROBS: tl.constexpr, POOL: tl.constexpr, POOL_ROWS: tl.constexpr,
                CHUNK: tl.constexpr, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """The output and lse, and the probabilities PROBS asks for (PROBS_NONE, PROBS_FULL
    or PROBS_POOLED, above); P is the full map or the pooled means."""
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

    slot = 0
    PART_rows, part_ok = PART, row_ok  # unused unless PROBS == PROBS_POOLED
    if PROBS != PROBS_NONE:
        slot = tl.load(HEAD_SLOT + h)  # where this head's map goes; -1: not asked for
        if PROBS == PROBS_POOLED:
            PART_rows, part_ok = _pool_rows(PART, b, slot, offs_m, row_ok, stride_partb,
                                            stride_parth)

    acc, l_i, m_i, hi = _fwd_query_tile(
        start_m, q, offs_m, offs_n, offs_d, Lq, Lk, qk_scale,
        K_tile, V_tile, KPM_row, stride_kn, stride_vn, b, kv_h, PART_rows, part_ok, n_cols,
        HEAD_DIM, BLOCK_D, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM, INPUT_PRECISION, UPCAST,
        TMA=False, POOL=POOL)

    out, lse = _finish_rows(acc, l_i, m_i)
    tl.store(O + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om + offs_d[None, :],
             out.to(O.dtype.element_ty), mask=row_ok[:, None] & d_ok[None, :])
    tl.store(LSE + bh * Lq + offs_m, lse, mask=row_ok)

    if PROBS == PROBS_FULL:
        if slot >= 0:
            _write_probs(q, K_tile, KPM_row, P, b, slot, stride_pb, stride_ph, stride_pm,
                         m_i, l_i, offs_m, offs_n, offs_d, row_ok, hi, Lq, Lk,
                         Lk - Lq, qk_scale, HEAD_DIM, BLOCK_M, BLOCK_N, CAUSAL, HAS_KPM,
                         INPUT_PRECISION, UPCAST, stride_kn)
    elif PROBS == PROBS_POOLED:
        if slot >= 0:
            _pool_part_rows(PART_rows, P, b, slot, stride_pb, stride_ph, stride_pm,
                            lse, row_ok, start_m, hi, Lq, Lk, n_cols,
                            BLOCK_M, BLOCK_N, POOL, POOL_ROWS, CHUNK)


_fwd_tuned = triton.autotune(
    configs=_gpu_configs([(128, 64, 4, 3), (128, 64, 8, 3), (128, 128, 8, 3), (64, 64, 4, 3),
                          (128, 64, 8, 4), (64, 128, 4, 3), (128, 128, 8, 2)]),
    key=[*TUNE_KEY, "PROBS", "POOL"],
    prune_configs_by={"early_config_prune": _prune_for_head_dim},
)(_fwd_kernel)
