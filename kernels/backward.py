"""The backward kernels: recompute the tiles from the saved log-sum-exp
(FlashAttention-2). A small kernel first computes each row's rowsum(dO * O); then one
kernel for dK/dV (a program per key tile, looping over queries, its scores formed
transposed as K Q^T so no register tile is turned around) and one for dQ (a program per
query tile, looping over keys), so no atomics are needed. Each kernel's autotuner
follows it.
"""

from __future__ import annotations

import triton
import triton.language as tl

from .launch import TUNE_KEY, _gpu_configs, _prune_for_head_dim
from .tiles import _load_rows, _mm, _mm_acc, _program_ids, _scores, _visible_key_range


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


# ----------------------------------------------------------------------------------
# dK and dV
# ----------------------------------------------------------------------------------
@triton.jit
def _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm, stride_dom,
                    offs_n, offs_d, Lq, causal_offset, qk_scale,
                    HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr,
                    CAUSAL: tl.constexpr, INPUT_PRECISION: tl.constexpr,
                    UPCAST: tl.constexpr, lo, hi, MASKED: tl.constexpr):
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
    # (the same tiles, over the three ranges of query tiles above)
    dk, dv = _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm,
                             stride_dom, offs_n, offs_d, Lq, causal_offset, qk_scale,
                             HEAD_DIM, BLOCK_D, BLOCK_M, CAUSAL, INPUT_PRECISION, UPCAST,
                             lo=lo, hi=full, MASKED=True)
    dk, dv = _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm,
                             stride_dom, offs_n, offs_d, Lq, causal_offset, qk_scale,
                             HEAD_DIM, BLOCK_D, BLOCK_M, CAUSAL, INPUT_PRECISION, UPCAST,
                             lo=full, hi=whole, MASKED=False)
    dk, dv = _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm,
                             stride_dom, offs_n, offs_d, Lq, causal_offset, qk_scale,
                             HEAD_DIM, BLOCK_D, BLOCK_M, CAUSAL, INPUT_PRECISION, UPCAST,
                             lo=whole, hi=Lq, MASKED=True)
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


_bwd_dkdv_tuned = triton.autotune(
    configs=_gpu_configs([(64, 128, 8, 2), (64, 64, 4, 3), (64, 128, 4, 3), (128, 64, 8, 2),
                          (32, 128, 4, 3), (64, 128, 8, 3)]),
    key=TUNE_KEY,
    prune_configs_by={"early_config_prune": _prune_for_head_dim},
)(_bwd_dkdv_kernel)


# ----------------------------------------------------------------------------------
# dQ
# ----------------------------------------------------------------------------------
@triton.jit
def _bwd_dq_tiles(dq, q, do, lse, delta, K_head, V_head, KPM, stride_kn, stride_vn,
                  offs_m, offs_d, Lq, Lk, causal_offset, qk_scale,
                  HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_N: tl.constexpr,
                  CAUSAL: tl.constexpr, HAS_KPM: tl.constexpr,
                  INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr,
                  lo, hi, MASKED: tl.constexpr):
    """dQ of one query tile from the key tiles [lo, hi). MASKED=False: whole key tiles
    every query of the tile sees (no bounds or causal work, as in forward.py's
    _fwd_tiles)."""
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
    # Whole tiles every query sees, then the diagonal band and the ragged end.
    dq = _bwd_dq_tiles(dq, q, do, lse, delta, K_head, V_head, KPM_row, stride_kn, stride_vn,
                       offs_m, offs_d, Lq, Lk, causal_offset, qk_scale,
                       HEAD_DIM, BLOCK_D, BLOCK_N, CAUSAL, HAS_KPM, INPUT_PRECISION, UPCAST,
                       lo=0, hi=unmasked, MASKED=False)
    dq = _bwd_dq_tiles(dq, q, do, lse, delta, K_head, V_head, KPM_row, stride_kn, stride_vn,
                       offs_m, offs_d, Lq, Lk, causal_offset, qk_scale,
                       HEAD_DIM, BLOCK_D, BLOCK_N, CAUSAL, HAS_KPM, INPUT_PRECISION, UPCAST,
                       lo=unmasked, hi=hi, MASKED=True)
    dq = dq * sm_scale
    tl.store(DQ + b * stride_dqb + h * stride_dqh + offs_m[:, None] * stride_dqm + offs_d[None, :],
             dq.to(DQ.dtype.element_ty), mask=q_mask)


_bwd_dq_tuned = triton.autotune(
    configs=_gpu_configs([(128, 64, 8, 2), (64, 64, 4, 3), (128, 64, 4, 3), (64, 128, 8, 2),
                          (128, 32, 4, 3), (128, 64, 8, 3)]),
    key=TUNE_KEY,
    prune_configs_by={"early_config_prune": _prune_for_head_dim},
)(_bwd_dq_kernel)
