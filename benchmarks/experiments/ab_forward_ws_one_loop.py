"""Warp specialisation with ONE key loop, every tile masked (session 6).

bisect_ws_compile.py found that Triton 3.6's warp specialisation compiles a forward with one
key loop (LSE store and a computed bound included) but fails as soon as the kernel has a second
key loop, before or after it; the product's forward has two (unmasked tiles, then the causal
band and the ragged end). This kernel keeps one loop over every visible key tile and applies the
causal and key-range mask on every tile (an extra compare and select per score), hoping the
warp-specialised pipeline hides it. Timed against the committed forward (autotuned) and cuDNN
at the goal's D = 128 sizes, causal and not; correctness against SDPA on ragged shapes.

    PYTHONPATH=$PWD python benchmarks/experiments/ab_forward_ws_one_loop.py        # H100
    PYTHONPATH=$PWD python benchmarks/experiments/ab_forward_ws_one_loop.py --check  # interpreter
"""
import os
import sys

CHECK = "--check" in sys.argv
if CHECK:
    os.environ.setdefault("TRITON_INTERPRET", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import triton  # noqa: E402
import triton.language as tl  # noqa: E402

from kernels import flash as committed  # noqa: E402

DEV = "cpu" if CHECK else "cuda"
if not CHECK:
    triton.set_allocator(lambda size, align, stream: torch.empty(size, dtype=torch.int8,
                                                                 device="cuda"))


@triton.jit
def _ws_one_loop(Q, K, V, O, LSE, H, Lq, Lk, stride_qb, stride_qh, stride_kb, stride_kh,
                 qk_scale, HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr,
                 BLOCK_N: tl.constexpr, CAUSAL: tl.constexpr, WS: tl.constexpr):
    start_m = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    q_off = b.to(tl.int64) * stride_qb + h.to(tl.int64) * stride_qh
    k_off = b.to(tl.int64) * stride_kb + h.to(tl.int64) * stride_kh
    dq = tl.make_tensor_descriptor(Q + q_off, shape=[Lq, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_M, HEAD_DIM])
    do = tl.make_tensor_descriptor(O + q_off, shape=[Lq, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_M, HEAD_DIM])
    dk = tl.make_tensor_descriptor(K + k_off, shape=[Lk, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_N, HEAD_DIM])
    dv = tl.make_tensor_descriptor(V + k_off, shape=[Lk, HEAD_DIM], strides=[HEAD_DIM, 1],
                                   block_shape=[BLOCK_N, HEAD_DIM])
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    q = dq.load([start_m * BLOCK_M, 0])
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    causal_offset = Lk - Lq
    if CAUSAL:  # bottom-right aligned, as the product
        hi = tl.maximum(tl.minimum(Lk, (start_m + 1) * BLOCK_M + causal_offset), 0)
    else:
        hi = Lk
    for start_n in tl.range(0, hi, BLOCK_N, warp_specialize=WS):
        k = dk.load([start_n, 0])
        cols = start_n + offs_n
        ok = cols[None, :] < Lk
        if CAUSAL:
            ok = ok & (cols[None, :] <= offs_m[:, None] + causal_offset)
        s = tl.where(ok, tl.dot(q, k.T) * qk_scale, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
        p = tl.math.exp2(s - m_safe[:, None])
        alpha = tl.math.exp2(m_i - m_safe)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = dv.load([start_n, 0])
        acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
        m_i = m_new
    empty = l_i == 0.0
    l_safe = tl.where(empty, 1.0, l_i)
    do.store([start_m * BLOCK_M, 0], (acc / l_safe[:, None]).to(q.dtype))
    tl.store(LSE + bh * Lq + offs_m, tl.where(empty, float("inf"), m_i + tl.math.log2(l_safe)),
             mask=offs_m < Lq)


def ws_one_loop(q, k, v, causal, ws=True, block=128, warps=4, stages=2):
    B, H, Lq, D = q.shape
    Lk = k.shape[2]
    o = torch.empty_like(q)
    lse = torch.empty(B, H, Lq, device=q.device, dtype=torch.float32)
    _ws_one_loop[(triton.cdiv(Lq, block), B * H)](
        q, k, v, o, lse, H, Lq, Lk, q.stride(0), q.stride(1), k.stride(0), k.stride(1),
        D ** -0.5 * 1.4426950408889634, HEAD_DIM=D, BLOCK_M=block, BLOCK_N=block,
        CAUSAL=causal, WS=ws, num_warps=warps, num_stages=stages)
    return o, lse


def sdpa_ref(q, k, v, causal):
    Lq, Lk = q.shape[2], k.shape[2]
    mask = None
    if causal:
        mask = torch.ones(Lq, Lk, device=q.device, dtype=torch.bool).tril(Lk - Lq)
    return torch.nan_to_num(F.scaled_dot_product_attention(q.float(), k.float(), v.float(),
                                                           attn_mask=mask))


if __name__ == "__main__":
    torch.manual_seed(0)
    dtype = torch.float32 if CHECK else torch.bfloat16
    if not CHECK:
        print(torch.cuda.get_device_name(), torch.__version__, triton.__version__, flush=True)
    print("ragged shapes: max |one-loop WS - SDPA|, max |committed - SDPA|", flush=True)
    for B, H, Lq, Lk, causal in [(1, 2, 1000, 1100, True), (2, 2, 777, 777, False),
                                 (1, 2, 1, 300, True), (1, 2, 300, 129, True)]:
        q = torch.randn(B, H, Lq, 128, device=DEV, dtype=dtype)
        k, v = (torch.randn(B, H, Lk, 128, device=DEV, dtype=dtype) for _ in range(2))
        ref = sdpa_ref(q, k, v, causal)
        o_c = committed.flash_forward(q, k, v, None, 128 ** -0.5, causal, None, CHECK)[0]
        line = f"  {(B, H, Lq, Lk, causal)}: "
        try:
            line += f"{(ws_one_loop(q, k, v, causal, block=64 if CHECK else 128)[0].float() - ref).abs().max().item():.2e}"
        except Exception as e:  # noqa: BLE001
            line += f"FAILED {type(e).__name__}"
        print(line + f", committed {(o_c.float() - ref).abs().max().item():.2e}", flush=True)
    if CHECK:
        sys.exit(0)
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from triton.testing import do_bench
    print("size causal | TFLOP/s: committed, one-loop WS, one-loop WS off, cuDNN | "
          "committed time / WS time", flush=True)
    for B, H, L, D in [(4, 16, 4096, 128), (2, 16, 8192, 128), (1, 16, 16384, 128)]:
        for causal in (False, True):
            q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16)
                       for _ in range(3))
            flops = 4 * B * H * L * L * D / (2 if causal else 1)
            t = {}
            for name, run in (
                    ("committed", lambda: committed.flash_forward(q, k, v, None, D ** -0.5,
                                                                  causal, None, False)),
                    ("ws", lambda: ws_one_loop(q, k, v, causal)),
                    ("off", lambda: ws_one_loop(q, k, v, causal, ws=False))):
                try:
                    t[name] = do_bench(run, warmup=10, rep=60, return_mode="median")
                except Exception:  # noqa: BLE001
                    t[name] = float("nan")
            with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
                t["cudnn"] = do_bench(lambda: F.scaled_dot_product_attention(
                    q, k, v, is_causal=causal), warmup=10, rep=60, return_mode="median")
            tf = {n: flops / ms / 1e9 for n, ms in t.items()}
            print(f"{(B, H, L, D)} {int(causal)} | {tf['committed']:.0f}, {tf['ws']:.0f}, "
                  f"{tf['off']:.0f}, {tf['cudnn']:.0f} | {t['committed'] / t['ws']:.3f}",
                  flush=True)
            del q, k, v
            torch.cuda.empty_cache()
