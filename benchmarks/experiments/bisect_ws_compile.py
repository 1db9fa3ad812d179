"""Which construct stops Triton 3.6's warp specialisation (session 6).

ab_forward_ws.py's three product forms failed to compile with WS on (WSDataPartition:
"unsupported op type", or a dominance assertion), while ws_tma_forward.py's stand-alone loop
compiled. Here the stand-alone kernel grows one construct at a time toward the product's;
each variant is compiled and run once at B1 H2 L1000 D128 bf16 (ragged: 1000 = 7 tiles + 104)
and compared with SDPA where it compiles.

    PYTHONPATH=$PWD python benchmarks/experiments/bisect_ws_compile.py          # H100
    python benchmarks/experiments/bisect_ws_compile.py --check                  # interpreter
"""
import os
import sys

if "--check" in sys.argv:
    os.environ.setdefault("TRITON_INTERPRET", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import triton  # noqa: E402
import triton.language as tl  # noqa: E402

DEV = "cpu" if "--check" in sys.argv else "cuda"
if DEV == "cuda":
    triton.set_allocator(lambda size, align, stream: torch.empty(size, dtype=torch.int8,
                                                                 device="cuda"))


@triton.jit
def _ws_variant(Q, K, V, O, LSE, H, L, stride_b, stride_h, qk_scale,
                HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                LSE_OUT: tl.constexpr, RAGGED_BOUND: tl.constexpr, TAIL: tl.constexpr,
                TAIL_FIRST: tl.constexpr, WS: tl.constexpr):
    start_m = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    off = b.to(tl.int64) * stride_b + h.to(tl.int64) * stride_h
    dq = tl.make_tensor_descriptor(Q + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_M, HEAD_DIM])
    dk = tl.make_tensor_descriptor(K + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_N, HEAD_DIM])
    dv = tl.make_tensor_descriptor(V + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_N, HEAD_DIM])
    do = tl.make_tensor_descriptor(O + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_M, HEAD_DIM])
    q = dq.load([start_m * BLOCK_M, 0])
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    offs_n = tl.arange(0, BLOCK_N)
    # the unmasked range: whole tiles only (else: every tile, zero-filled past L by TMA)
    hi = (L // BLOCK_N) * BLOCK_N if RAGGED_BOUND else L
    if TAIL and TAIL_FIRST:  # the ragged last tile, masked, before the WS loop
        for start_n in range(hi, L, BLOCK_N):
            k = dk.load([start_n, 0])
            s = tl.dot(q, k.T) * qk_scale
            s = tl.where((start_n + offs_n)[None, :] < L, s, float("-inf"))
            m_new = tl.maximum(m_i, tl.max(s, 1))
            p = tl.math.exp2(s - m_new[:, None])
            alpha = tl.math.exp2(m_i - m_new)
            l_i = l_i * alpha + tl.sum(p, 1)
            v = dv.load([start_n, 0])
            acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
            m_i = m_new
    for start_n in tl.range(0, hi, BLOCK_N, warp_specialize=WS):
        k = dk.load([start_n, 0])
        qk = tl.dot(q, k.T)
        m_new = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        p = tl.math.exp2(qk * qk_scale - m_new[:, None])
        alpha = tl.math.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = dv.load([start_n, 0])
        acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
        m_i = m_new
    if TAIL and not TAIL_FIRST:  # the ragged last tile after the WS loop
        for start_n in range(hi, L, BLOCK_N):
            k = dk.load([start_n, 0])
            s = tl.dot(q, k.T) * qk_scale
            s = tl.where((start_n + offs_n)[None, :] < L, s, float("-inf"))
            m_new = tl.maximum(m_i, tl.max(s, 1))
            p = tl.math.exp2(s - m_new[:, None])
            alpha = tl.math.exp2(m_i - m_new)
            l_i = l_i * alpha + tl.sum(p, 1)
            v = dv.load([start_n, 0])
            acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
            m_i = m_new
    do.store([start_m * BLOCK_M, 0], (acc / l_i[:, None]).to(q.dtype))
    if LSE_OUT:
        offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
        tl.store(LSE + bh * L + offs_m, m_i + tl.math.log2(l_i), mask=offs_m < L)


VARIANTS = {  # name: (LSE_OUT, RAGGED_BOUND, TAIL, TAIL_FIRST)
    "stand-alone (control)": (False, False, False, False),
    "+ LSE store": (True, False, False, False),
    "+ computed loop bound": (True, True, False, False),
    "+ masked tail loop after": (True, True, True, False),
    "+ masked tail loop before": (True, True, True, True),
}

if __name__ == "__main__":
    torch.manual_seed(0)
    B, H, L, D = 1, 2, 1000, 128
    dtype = torch.float32 if DEV == "cpu" else torch.bfloat16
    q, k, v = (torch.randn(B, H, L, D, device=DEV, dtype=dtype) for _ in range(3))
    ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float())
    if DEV == "cuda":
        print(torch.cuda.get_device_name(), torch.__version__, triton.__version__, flush=True)
    for name, (lse_out, ragged, tail, first) in VARIANTS.items():
        for ws in (True, False):
            o = torch.empty_like(q)
            lse = torch.empty(B, H, L, device=DEV, dtype=torch.float32)
            try:
                _ws_variant[(triton.cdiv(L, 128), B * H)](
                    q, k, v, o, lse, H, L, q.stride(0), q.stride(1), D ** -0.5 * 1.4426950408889634,
                    HEAD_DIM=D, BLOCK_M=128, BLOCK_N=128, LSE_OUT=lse_out, RAGGED_BOUND=ragged,
                    TAIL=tail, TAIL_FIRST=first, WS=ws, num_warps=4, num_stages=2)
                # without the tail, keys past L are TMA's zeros: scores 0, not -inf, so only
                # the tail variants (and L a multiple of 128) match SDPA
                err = (o.float() - ref).abs().max().item()
                print(f"{name:28s} WS={int(ws)}: compiled, max |out - SDPA| {err:.2e}", flush=True)
            except Exception as e:  # noqa: BLE001 - the point is which ones fail
                print(f"{name:28s} WS={int(ws)}: FAILED {type(e).__name__}", flush=True)
