"""Host time of a launch: Triton's autotuner on every call (before 2026-11-25) against
the plain kernel launched with the autotuner's pick (kernels/flash.py `_launch_picked`).

A forward of B16 H16 L1k D64 causal runs ~120 us on the H100; the host spent ~100 us to
issue it, ~57 us of that in the autotuner's own path, so the GPU waited between calls
(do_bench timed the call at 159 us). Prediction: the 1k rows of the table gain up to
the exposed host time (1k causal: 208-216 -> ~280 TFLOP/s), longer sizes nothing.
Also prints where attention()'s own host time goes (cProfile of a tiny call).

    PYTHONPATH=$PWD python benchmarks/experiments/ab_host_launch.py [--new-first]
"""
import cProfile
import pstats
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from triton.testing import do_bench

from kernels import attention, flash

picked = flash._launch_picked


def every_call_tuned(tuned, raw, grid_of, key, args, kwargs, before=None):
    tuned[grid_of](*args, **kwargs)  # the launch as it was: through the autotuner


def host_us(f, n=200):
    f()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    t1 = time.perf_counter()
    torch.cuda.synchronize()
    return (t1 - t0) / n * 1e6


print(torch.cuda.get_device_name(), torch.__version__, flush=True)
print("size causal | fwd us: autotuner each call, picked config | TFLOP/s both | cuDNN TFLOP/s"
      " | host us per call both | outputs equal", flush=True)
for B, H, L, D in [(16, 16, 1024, 64), (4, 16, 4096, 64), (4, 16, 4096, 128)]:
    for causal in (False, True):
        q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        flops = 4 * B * H * L * L * D / (2 if causal else 1)
        res = {}
        order = (("old", every_call_tuned), ("new", picked))
        for name, launch in (order[::-1] if "--new-first" in sys.argv else order):
            flash._launch_picked = launch
            fwd = lambda: attention(q, k, v, causal=causal)  # noqa: E731
            out = fwd()
            res[name] = (do_bench(fwd, warmup=10, rep=100, return_mode="median"),
                         host_us(lambda: [fwd() for _ in range(5)], 20) / 5, out)
        flash._launch_picked = picked
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            t_c = do_bench(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
                           warmup=10, rep=100, return_mode="median")
        (to, ho, oo), (tn, hn, on) = res["old"], res["new"]
        print(f"{(B, H, L, D)} {int(causal)} | {to * 1e3:.0f}, {tn * 1e3:.0f} | "
              f"{flops / to / 1e9:.0f}, {flops / tn / 1e9:.0f} | {flops / t_c / 1e9:.0f} | "
              f"{ho:.0f}, {hn:.0f} | {torch.equal(oo, on)}", flush=True)

tiny = [torch.randn(1, 1, 64, 64, device="cuda", dtype=torch.bfloat16) for _ in range(3)]
print("tiny call host us: attention()", round(host_us(lambda: attention(*tiny, causal=True))),
      "flash_forward", round(host_us(lambda: flash.flash_forward(*tiny, None, 0.125, True, None,
                                                                   False))), flush=True)
with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
    print("cuDNN SDPA", round(host_us(lambda: F.scaled_dot_product_attention(*tiny, is_causal=True))))
pr = cProfile.Profile()
pr.enable()
for _ in range(300):
    attention(*tiny, causal=True)
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(14)
