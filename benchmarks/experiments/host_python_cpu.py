"""The Python share of a call's host time, on any machine: attention() and flash_forward
on a tiny CPU problem with the kernel launch itself replaced by a no-op (the GPU path's
argument building, autotune-key building included; Triton's JIT launch excluded).

    python benchmarks/experiments/host_python_cpu.py
"""
import os
import sys
import time

os.environ.setdefault("TRITON_INTERPRET", "1")  # import-time only; the calls below act as on a GPU
import torch  # noqa: E402

from kernels import flash  # noqa: E402

api = sys.modules["kernels.attention"]  # (the package's `attention` is the function)

flash._launch_picked = lambda *args, **kwargs: None  # a launch past the autotuner: no-op
api._check_device = lambda q: False  # "not the interpreter": the GPU path's arguments
q = torch.randn(1, 1, 2048, 64)  # 2048 x 2048 cells: the autotuned launch's path


def per_call_us(f, n=20000):
    f()
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t0) / n * 1e6


for _ in range(2):
    fwd = per_call_us(lambda: flash.flash_forward(q, q, q, None, 0.125, True, None, False))
    api_call = per_call_us(lambda: api.attention(q, q, q, causal=True))
    print(f"flash_forward {fwd:.1f} us, attention() {api_call:.1f} us per call")
