"""Diagnostic (2026-11-25): host time of one call: flash_forward, attention(), cuDNN SDPA, the
autotuned launch and the plain JIT launch alone, and a cProfile of 300 tiny calls.
Output: prof_host_launch_h100.txt.

    PYTHONPATH=$PWD python benchmarks/experiments/prof_host_launch.py
"""
import cProfile, pstats, time, torch, triton
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from kernels import flash, attention
B, H, L, D = 16, 16, 1024, 64
q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16) for _ in range(3))
small = [t[:1, :1, :64] for t in (q, k, v)]
def host_us(f, n=300):
    f(); torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(n): f()
    t1 = time.perf_counter(); torch.cuda.synchronize()
    return (t1 - t0) / n * 1e6
fwd = lambda: flash.flash_forward(q, k, v, None, 0.125, True, None, False)
fwd_small = lambda: flash.flash_forward(*small, None, 0.125, True, None, False)
print("flash_forward 1k causal host us", host_us(fwd, 50))  # GPU-bound, for reference
print("flash_forward tiny (fixed config) host us", host_us(fwd_small))
with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
    print("cuDNN SDPA tiny host us", host_us(lambda: F.scaled_dot_product_attention(*small, is_causal=True)))
print("attention() tiny host us", host_us(lambda: attention(*small, causal=True)))
print("torch.empty x2 us", host_us(lambda: (torch.empty_like(q), torch.empty((B, H, L), device="cuda"))))
# the launch alone: the tuned kernel with a warm cache
o = torch.empty_like(q); lse = torch.empty((B, H, L), device="cuda")
hs = flash._head_slots(H, (), q.device)
meta = flash._common_meta(q, 1, D, True, False, False)
pm = flash._Pooled().meta(False)
args = (q, k, v, o, lse, lse, lse, lse, hs, *q.stride()[:3], *k.stride()[:3], *v.stride()[:3], *o.stride()[:3],
        0, 0, 0, 0, 0, 0, H, L, L, 1, 0.18, 1024, 1024)
grid = lambda m: (triton.cdiv(L, m["BLOCK_M"]), B * H)
print("autotuned launch alone us", host_us(lambda: flash._fwd_tuned[grid](*args, P_MODE=0, **pm, **meta)))
cfg = flash._fwd_tuned.best_config.all_kwargs()
print("raw jit launch (best config) us", host_us(lambda: flash._fwd_kernel[(8, B * H)](*args, P_MODE=0, **pm, **meta, **cfg)))
pr = cProfile.Profile(); pr.enable()
for _ in range(300): fwd_small()
pr.disable(); torch.cuda.synchronize()
pstats.Stats(pr).sort_stats("tottime").print_stats(25)
