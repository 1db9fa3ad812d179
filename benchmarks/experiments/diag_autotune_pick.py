"""Diagnostic (2026-11-25): at 1k causal D64 the table read 206-221 TFLOP/s while the same
config held alone read 284. Prints the autotuner's own timing of every config, its pick, and
do_bench of the whole call (host included). Output: diag_autotune_pick_h100.txt.
With --pooled, the same for the pooled-map forward (P = 64; the 1k causal cell read 1.86x
the plain forward at 14f08d1 against 0.88 before).

    PYTHONPATH=$PWD python benchmarks/experiments/diag_autotune_pick.py [--pooled]
"""
import sys
import torch, triton
from triton.testing import do_bench
from kernels import flash
print(torch.cuda.get_device_name(), triton.__version__, flash._fwd_tuned.do_bench, flush=True)
flash.USE_TMA = False
for (B, H, L, D, causal) in [(16, 16, 1024, 64, True), (16, 16, 1024, 64, False), (4, 16, 4096, 64, True)]:
    q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    request = flash.ProbsRequest(torch.float32, None, 64) if "--pooled" in sys.argv else None
    run = lambda: flash.flash_forward(q, k, v, None, D ** -0.5, causal, request, False)
    flops = 4 * B * H * L * L * D / (2 if causal else 1)
    for attempt in range(2):
        flash._fwd_tuned.cache.clear()
        flash._picked_configs.clear()  # (launches since 14f08d1 skip the autotuner once it picked)
        run(); torch.cuda.synchronize()
        tim = flash._fwd_tuned.configs_timings
        print((B, H, L, D, causal), "attempt", attempt, "picked", flash._fwd_tuned.best_config, flush=True)
        for c, t in tim.items():
            print(f"   autotuner {c.kwargs['BLOCK_M']}x{c.kwargs['BLOCK_N']} w{c.num_warps} s{c.num_stages}: "
                  f"{t[0]*1e3:.1f} us = {flops / t[0] / 1e9:.0f} TF", flush=True)
        t = do_bench(run, warmup=10, rep=50, return_mode="median")
        print(f"   do_bench of the tuned call: {t*1e3:.1f} us = {flops / t / 1e9:.0f} TF", flush=True)
    # the launch without flash_forward's host wrapper, for the host share
    import time
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(50): run()
    t1 = time.perf_counter(); torch.cuda.synchronize(); t2 = time.perf_counter()
    print(f"   host per call {(t1 - t0) / 50 * 1e6:.0f} us, wall per call {(t2 - t0) / 50 * 1e6:.0f} us", flush=True)
