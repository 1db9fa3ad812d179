"""Prepared for the next device session (CPU-checked with --check, not yet run on a GPU):
dQ accumulated by the dK/dV program (FlashAttention-2's scheme) against the committed
two-kernel backward. Each dK/dV program adds dS·K of every query tile it visits into a
zeroed float32 dQ with `tl.atomic_add`, so the separate dQ kernel and its recomputation
of Q·Kᵀ and dO·Vᵀ (two of the backward's seven matrix products per tile pair) go away, at
the price of one transposed register tile (dSᵀ → dS) and BLOCK_M×D float32 atomics per tile
pair (at 16k, D = 128, 128-key tiles: ~17 GB of adds, mostly in L2).

Prediction: the dQ kernel is ~3/7 of the backward at D = 128 (16k: ~6 of 14 ms); if the
atomics cost under half of that, 15-20% off the backward at D = 128; at D = 64 the atomics'
bytes weigh twice as much per FLOP, so less or a loss.

The variant is written to scratch/flash_atomic_dq.py from kernels/flash.py by string
replacement. On a CPU, `--check` compares its gradients with the committed kernel's under
the interpreter (shapes with causal masks, padding, grouped heads, ragged tiles)."""
import importlib.util
import os
import sys

CHECK = "--check" in sys.argv
if CHECK:
    os.environ.setdefault("TRITON_INTERPRET", "1")
import torch

from kernels import flash as committed

src = open("kernels/flash.py").read()
edits = [
    # the tile loop takes the float32 dQ of this head and the key tile's validity
    ("""def _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm, stride_dom,
                    offs_n, offs_d, lo, hi, Lq, causal_offset, qk_scale,""",
     """def _bwd_dkdv_tiles(dk, dv, k, v, Q_head, DO_head, LSE_row, DELTA_row, stride_qm, stride_dom,
                    DQ_head, key_ok,
                    offs_n, offs_d, lo, hi, Lq, causal_offset, qk_scale,"""),
    ("""        dk = _mm_acc(dsT, tl.trans(qT), dk, INPUT_PRECISION, UPCAST)
    return dk, dv""",
     """        dk = _mm_acc(dsT, tl.trans(qT), dk, INPUT_PRECISION, UPCAST)
        # padded keys and keys past Lk must add nothing to dQ
        ds = tl.trans(tl.where(key_ok[:, None], dsT, 0.0))
        dq_part = _mm_f32_by(ds, k, INPUT_PRECISION, UPCAST)
        tl.atomic_add(DQ_head + offs_m[:, None] * HEAD_DIM + offs_d[None, :], dq_part,
                      mask=(offs_m < Lq)[:, None] & (offs_d < HEAD_DIM)[None, :], sem="relaxed")
    return dk, dv"""),
    ("""                     INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    start_n, bh, b, h, kv_h = _program_ids(H, GROUP)
""",
     """                     INPUT_PRECISION: tl.constexpr, UPCAST: tl.constexpr, DQ32=None):
    start_n, bh, b, h, kv_h = _program_ids(H, GROUP)
    DQ_head = DQ32 + bh.to(tl.int64) * Lq * HEAD_DIM
    offs_n_first = start_n * BLOCK_N + tl.arange(0, BLOCK_N)
    key_ok = offs_n_first < Lk
    if HAS_KPM:
        key_ok = key_ok & (tl.load(KPM + b * stride_kpmb + offs_n_first, mask=key_ok, other=1) == 0)
"""),
]
for old, new in edits:
    assert src.count(old) == 1, old[:70]
    src = src.replace(old, new)
# the three calls of the tile loop pass the new arguments
call = "stride_qm,\n                             stride_dom, offs_n"
assert src.count(call) == 3, src.count(call)
src = src.replace(call, "stride_qm,\n                             stride_dom, DQ_head, key_ok, offs_n")
# the host: a zeroed float32 dQ filled by the dK/dV launch, no dQ kernel
old_launch = src[src.index("    _launch(_bwd_dq_tuned, _bwd_dq_kernel,"):src.index("    if group > 1:\n        dk = dk.view")]
src = src.replace(old_launch, "    dq = (dq32 * scale).to(dq.dtype)\n")
src = src.replace("            kpm_stride, *dk.stride()[:3], *common, **meta)",
                  "            kpm_stride, *dk.stride()[:3], *common, **meta, DQ32=dq32)")
src = src.replace("    dq = torch.empty_like(q, dtype=_stored_dtype(q.dtype, interpret))",
                  "    dq = torch.empty_like(q, dtype=_stored_dtype(q.dtype, interpret))\n"
                  "    dq32 = torch.zeros((B, H, Lq, D), device=q.device, dtype=torch.float32)")
os.makedirs("scratch", exist_ok=True)
open("scratch/flash_atomic_dq.py", "w").write(src)
spec = importlib.util.spec_from_file_location("flash_atomic_dq", "scratch/flash_atomic_dq.py")
atomic = importlib.util.module_from_spec(spec)
sys.modules["flash_atomic_dq"] = atomic
spec.loader.exec_module(atomic)


def grads(mod, q, k, v, do, kpm, causal, interpret):
    sc = q.shape[-1] ** -0.5
    o, lse, _ = committed.flash_forward(q, k, v, kpm, sc, causal, None, interpret)
    return mod.flash_backward(do, q, k, v, o, lse, kpm, sc, causal, interpret)


if CHECK:
    torch.manual_seed(0)
    for B, H, Hkv, Lq, Lk, D, causal, pad in [(1, 2, 2, 600, 600, 64, True, 0.0),
                                              (2, 4, 2, 300, 517, 40, False, 0.3),
                                              (1, 2, 1, 517, 300, 72, True, 0.3),
                                              (1, 1, 1, 1, 9, 16, False, 0.0)]:
        q, do = (torch.randn(B, H, Lq, D) for _ in range(2))
        k, v = (torch.randn(B, Hkv, Lk, D) for _ in range(2))
        kpm = torch.rand(B, Lk) < pad if pad else None
        want = grads(committed, q, k, v, do, kpm, causal, True)
        got = grads(atomic, q, k, v, do, kpm, causal, True)
        print((B, H, Hkv, Lq, Lk, D, causal, pad), "max |atomic - committed| dq dk dv:",
              " ".join(f"{(a - b).abs().max().item():.1e}" for a, b in zip(got, want)))
    sys.exit(0)

import torch.nn.functional as F  # noqa: E402
from torch.nn.attention import SDPBackend, sdpa_kernel  # noqa: E402
from triton.testing import do_bench  # noqa: E402

bench = lambda f: do_bench(f, warmup=10, rep=60, return_mode="median")  # noqa: E731
print(torch.cuda.get_device_name(), torch.__version__, flush=True)
print("size causal | committed ms | atomic dQ ms | cuDNN ms | atomic/committed | max |diff| dq dk dv",
      flush=True)
for B, H, L, D in [(16, 16, 1024, 64), (4, 16, 4096, 64), (4, 16, 4096, 128), (1, 16, 16384, 128)]:
    for causal in (False, True):
        torch.manual_seed(0)
        q, k, v, do = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16)
                       for _ in range(4))
        sc = D ** -0.5
        o, lse, _ = committed.flash_forward(q, k, v, None, sc, causal, None, False)
        run = {m: (lambda m=m: m.flash_backward(do, q, k, v, o, lse, None, sc, causal, False))
               for m in (committed, atomic)}
        diff = " ".join(f"{(a.float() - b.float()).abs().max().item():.1e}"
                        for a, b in zip(run[atomic](), run[committed]()))
        t_c, t_a = bench(run[committed]), bench(run[atomic])
        leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            out = F.scaled_dot_product_attention(*leaves, is_causal=causal)
        t_cudnn = bench(lambda: torch.autograd.grad(out, leaves, do, retain_graph=True))
        print(f"{(B, H, L, D)} {int(causal)} | {t_c:.3f} | {t_a:.3f} | {t_cudnn:.3f} | "
              f"{t_a / t_c:.3f} | {diff}", flush=True)
        del q, k, v, do, o, lse, leaves, out
        torch.cuda.empty_cache()
