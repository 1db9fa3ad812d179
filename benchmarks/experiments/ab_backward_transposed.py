"""A/B of the backward, in one process on the H100: the committed kernels of 5f2980b
(`git show 5f2980b:kernels/flash.py > scratch/flash_committed.py`) against
kernels/flash.py (dK/dV computed transposed as in the Triton tutorial, so no register
tile is transposed before a product; unmasked query/key tiles skip bounds and causal
work; key padding applied once per key tile; delta in one Triton pass; two more
autotune configs per kernel), and cuDNN SDPA's backward. Times are the backward only
(forward outputs computed once). Also prints the largest difference between the two
versions' gradients."""
import importlib.util
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from triton.testing import do_bench

from kernels import flash as new

spec = importlib.util.spec_from_file_location("flash_committed", "scratch/flash_committed.py")
old = importlib.util.module_from_spec(spec)
sys.modules["flash_committed"] = old
spec.loader.exec_module(old)

sizes = [(16, 16, 1024, 64), (4, 16, 4096, 64), (4, 16, 4096, 128), (1, 16, 16384, 128)]
print(torch.cuda.get_device_name(), torch.__version__, flush=True)
print("size causal | old bwd ms | new bwd ms | cuDNN bwd ms | old/cuDNN new/cuDNN (time ratios, >1 slower) "
      "| new/old | max |new-old| dq dk dv", flush=True)
for B, H, L, D in sizes:
    for causal in (False, True):
        torch.manual_seed(0)
        q, k, v, do = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16)
                       for _ in range(4))
        sc = D ** -0.5
        o, lse, _ = new.flash_forward(q, k, v, None, sc, causal, None, False)
        bench = lambda f: do_bench(f, warmup=10, rep=60, return_mode="median")  # noqa: E731
        g_old = old.flash_backward(do, q, k, v, o, lse, None, sc, causal, False)
        g_new = new.flash_backward(do, q, k, v, o, lse, None, sc, causal, False)
        diff = " ".join(f"{(a.float() - b.float()).abs().max().item():.1e}"
                        for a, b in zip(g_new, g_old))
        t_old = bench(lambda: old.flash_backward(do, q, k, v, o, lse, None, sc, causal, False))
        t_new = bench(lambda: new.flash_backward(do, q, k, v, o, lse, None, sc, causal, False))
        leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            out = F.scaled_dot_product_attention(*leaves, is_causal=causal)
        t_cudnn = bench(lambda: torch.autograd.grad(out, leaves, do, retain_graph=True))
        print(f"{(B, H, L, D)} {int(causal)} | {t_old:.3f} | {t_new:.3f} | {t_cudnn:.3f} | "
              f"{t_old / t_cudnn:.2f} {t_new / t_cudnn:.2f} | {t_new / t_old:.3f} | {diff}",
              flush=True)
        del q, k, v, do, o, lse, g_old, g_new, leaves, out
        torch.cuda.empty_cache()
