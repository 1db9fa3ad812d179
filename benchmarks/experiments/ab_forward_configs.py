"""Prepared for the next device session (CPU-checked with --check, not yet run on a GPU):
how much of goal 1 (forward >= cuDNN) block shapes alone can buy, before any new kernel.

For each size it times every configuration below on its own (the autotuner held to one
config by swapping kernels.flash's tuned launchers), for the pointer kernel and, at head
dim 128, the TMA kernel, and checks each output against SDPA (a NaN or a difference
above 2x the tuned kernel's marks a miscompiled config). Also, at head dim 128
non-causal, the warp-specialised forward of ws_tma_forward.py with 4 and 8 warps and
with warp specialisation off at the same shape (last session measured only the WS=True
side of 128x128 with 4 warps: 546-562 TFLOP/s against 516-532 for ours).

    PYTHONPATH=$PWD python benchmarks/experiments/ab_forward_configs.py
"""
import sys
import os

CHECK = "--check" in sys.argv
if CHECK:
    os.environ.setdefault("TRITON_INTERPRET", "1")
import torch
import torch.nn.functional as F
import triton
from torch.nn.attention import SDPBackend, sdpa_kernel

from kernels import flash

# (BLOCK_M, BLOCK_N, num_warps, num_stages): the autotuner's list and the shapes it lacks
# (4 warps on 128x128 tiles, deeper pipelines).
CONFIGS = [(128, 64, 4, 3), (128, 64, 8, 3), (128, 128, 8, 2), (128, 128, 8, 3),
           (64, 64, 4, 3), (128, 64, 8, 4), (64, 128, 4, 3), (128, 128, 4, 2),
           (128, 128, 4, 3), (128, 64, 4, 4), (128, 128, 8, 4), (64, 128, 4, 4)]
SIZES = [(16, 16, 1024, 64), (4, 16, 4096, 64), (4, 16, 4096, 128), (2, 16, 8192, 128),
         (1, 16, 16384, 128)]
TUNED = (flash._fwd_tuned, flash._fwd_tma_tuned)


def hold(bm, bn, w, s):
    """Make flash_forward launch exactly this config (pointer and TMA kernels)."""
    flash._picked_configs.clear()  # (since 2026-11-25 launches reuse the autotuner's pick)
    flash._fwd_tuned = triton.autotune(
        configs=[triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s)],
        key=[*flash._TUNE_KEY, "P_MODE", "POOL"])(flash._fwd_kernel)
    flash._fwd_tma_tuned = triton.autotune(
        configs=[triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s,
                               pre_hook=flash._tma_block_shapes)],
        key=["LQ_BUCKET", "LK_BUCKET", "HEAD_DIM", "CAUSAL", "GROUP", "POOL"])(
        flash._fwd_tma_kernel)


def release():
    flash._picked_configs.clear()
    flash._fwd_tuned, flash._fwd_tma_tuned = TUNED


if CHECK:  # the swap itself, under the interpreter (which ignores the config): same output
    q, k, v = (torch.randn(1, 2, 300, 64) for _ in range(3))
    want = flash.flash_forward(q, k, v, None, 0.125, True, None, True)[0]
    hold(64, 64, 4, 3)
    got = flash.flash_forward(q, k, v, None, 0.125, True, None, True)[0]
    release()
    print("held config gives the same output:", torch.equal(want, got))
    sys.exit(0)

from triton.testing import do_bench  # noqa: E402

sys.path.insert(0, "benchmarks/experiments")
import ws_tma_forward as ws  # noqa: E402

bench = lambda f: do_bench(f, warmup=10, rep=50, return_mode="median")  # noqa: E731
print(torch.cuda.get_device_name(), torch.__version__, triton.__version__, flush=True)
for B, H, L, D in SIZES:
    for causal in (False, True):
        torch.manual_seed(0)
        q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        flops = 4 * B * H * L * L * D / (2 if causal else 1)
        tf = lambda ms: flops / ms / 1e9  # noqa: E731
        ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal).float()
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            t_cudnn = bench(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))
        for tma in ([False, True] if D == 128 else [False]):
            flash.USE_TMA = tma
            release()
            run = lambda: flash.flash_forward(q, k, v, None, D ** -0.5, causal, None, False)  # noqa: E731
            tuned_err = (run()[0].float() - ref).abs().max().item()
            t_tuned = bench(run)
            print(f"{(B, H, L, D)} causal={int(causal)} {'TMA' if tma else 'ptr'}: cuDNN "
                  f"{tf(t_cudnn):.0f}, autotuned {tf(t_tuned):.0f} (err {tuned_err:.2g})",
                  flush=True)
            for cfg in CONFIGS:
                if D > 128 and cfg[0] * cfg[1] > 64 * 64:
                    continue
                try:
                    hold(*cfg)
                    err = (run()[0].float() - ref).abs().max().item()
                    t = bench(run)
                    flag = "" if err <= 2 * tuned_err + 1e-3 else "  WRONG"
                    print(f"   {cfg}: {tf(t):.0f}  err {err:.2g}{flag}", flush=True)
                except Exception as e:  # out of shared memory, compile errors
                    print(f"   {cfg}: FAILED {type(e).__name__}: {str(e).splitlines()[0][:120]}",
                          flush=True)
        flash.USE_TMA = True
        release()
        if D == 128 and not causal:
            for bm, bn, w, s, on in [(128, 128, 4, 2, True), (128, 128, 4, 2, False),
                                     (128, 128, 4, 3, True), (128, 128, 8, 2, True)]:
                try:
                    o = ws.ws_forward(q, k, v, bm, bn, w, s, on)
                    err = (o.float() - ref).abs().max().item()
                    t = bench(lambda: ws.ws_forward(q, k, v, bm, bn, w, s, on))
                    print(f"   WS kernel {(bm, bn, w, s)} ws={on}: {tf(t):.0f}  err {err:.2g}",
                          flush=True)
                except Exception as e:
                    print(f"   WS kernel {(bm, bn, w, s)} ws={on}: FAILED {type(e).__name__}",
                          flush=True)
        del q, k, v, ref
        torch.cuda.empty_cache()
