"""Small jitted helpers every kernel here calls: products, one tile's scores, program ids,
the keys a query tile sees, masked loads, and the rows' final normalisation.

Conventions of all the kernels (forward.py, forward_tma.py, backward.py):
- Scores are kept in base-2 units (scale * log2(e) folded into one multiply) so the
  exponentials are exp2, as in the Triton tutorial.
- The causal mask is aligned bottom-right: query i sees key j iff j <= i + (Lk - Lq).
- A query that sees no key ends with l_i == 0; it gets zeros and lse = +inf, which
  makes every recomputed probability of that row exp2(-inf) = 0 in the backward.
"""

from __future__ import annotations

import triton
import triton.language as tl


@triton.jit
def _mm(a, b, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """a @ b with float32 accumulation; UPCAST multiplies in float32 (the interpreter)."""
    if UPCAST:
        return tl.dot(a.to(tl.float32), b.to(tl.float32), input_precision=INPUT_PRECISION)
    return tl.dot(a, b, input_precision=INPUT_PRECISION)


@triton.jit
def _mm_acc(p, v, acc, INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """acc + p @ v, accumulated by the matrix unit itself. p is float32 (probabilities,
    score gradients): it is rounded to v's dtype for the tensor cores, as FlashAttention
    does, except where UPCAST keeps everything in float32 (the interpreter)."""
    if UPCAST:
        return tl.dot(p, v.to(tl.float32), acc, input_precision=INPUT_PRECISION)
    return tl.dot(p.to(v.dtype), v, acc, input_precision=INPUT_PRECISION)


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
def _finish_rows(acc, l_i, m_i):
    """Output rows acc / l and their log-sum-exp (base 2); a row that saw no key gets
    zeros and lse = +inf (every recomputed probability of it is then exp2(-inf) = 0)."""
    empty = l_i == 0.0
    l_safe = tl.where(empty, 1.0, l_i)
    return acc / l_safe[:, None], tl.where(empty, float("inf"), m_i + tl.math.log2(l_safe))
