"""Experiment: on-device TMA descriptors + warp_specialize loop, non-causal forward."""
import torch, triton, triton.language as tl

triton.set_allocator(lambda size, align, stream: torch.empty(size, dtype=torch.int8, device="cuda"))

@triton.jit
def _ws_fwd(Q, K, V, O, H, L, stride_b, stride_h, qk_scale,
            HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, WS: tl.constexpr):
    start_m = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    off = b.to(tl.int64) * stride_b + h.to(tl.int64) * stride_h
    dq = tl.make_tensor_descriptor(Q + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1], block_shape=[BLOCK_M, HEAD_DIM])
    dk = tl.make_tensor_descriptor(K + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1], block_shape=[BLOCK_N, HEAD_DIM])
    dv = tl.make_tensor_descriptor(V + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1], block_shape=[BLOCK_N, HEAD_DIM])
    do = tl.make_tensor_descriptor(O + off, shape=[L, HEAD_DIM], strides=[HEAD_DIM, 1], block_shape=[BLOCK_M, HEAD_DIM])
    q = dq.load([start_m * BLOCK_M, 0])
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    for start_n in tl.range(0, L, BLOCK_N, warp_specialize=WS):
        k = dk.load([start_n, 0])
        qk = tl.dot(q, k.T)
        m_new = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        p = tl.math.exp2(qk * qk_scale - m_new[:, None])
        alpha = tl.math.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = dv.load([start_n, 0])
        acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
        m_i = m_new
    do.store([start_m * BLOCK_M, 0], (acc / l_i[:, None]).to(q.dtype))

def ws_forward(q, k, v, BM, BN, warps, stages, ws):
    B, H, L, D = q.shape
    o = torch.empty_like(q)
    _ws_fwd[(L // BM, B * H)](q, k, v, o, H, L, q.stride(0), q.stride(1), D ** -0.5 * 1.4426950408889634,
                              HEAD_DIM=D, BLOCK_M=BM, BLOCK_N=BN, WS=ws, num_warps=warps, num_stages=stages)
    return o
