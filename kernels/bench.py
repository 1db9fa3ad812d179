"""Benchmark our attention kernel against PyTorch's, on a CUDA GPU.

    python -m kernels.bench                       # the full table, bf16
    python -m kernels.bench --sizes 16,16,1024,64 --out benchmarks/run.md

Measures, in one run and on one device: TFLOP/s of our forward (without and with
probabilities), our backward, PyTorch SDPA's flash, cuDNN and memory-efficient
backends (forward and backward), and eager attention that returns probabilities
(matmul, softmax, matmul, as transformers' eager path does). Times are medians of
`triton.testing.do_bench`. FLOPs count 4*B*H*Lq*Lk*D for a forward (two matrix
products), half of it when causal, and 2.5 times the forward for a backward.
The memory floor of a forward with probabilities is the bytes of P, Q, K, V and O
over the device's measured copy bandwidth.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import torch

import kernels

DEFAULT_SIZES = [(16, 16, 1024, 64), (4, 16, 4096, 64), (4, 16, 4096, 128),
                 (2, 16, 8192, 128), (1, 16, 16384, 128)]


def _bench(fn) -> float:
    """Median milliseconds of fn(), or nan if it fails (out of memory, unsupported)."""
    from triton.testing import do_bench

    try:
        return do_bench(fn, warmup=25, rep=100, return_mode="median")
    except (RuntimeError, torch.OutOfMemoryError) as err:
        print(f"    ({str(err).splitlines()[0][:100]})", file=sys.stderr)
        torch.cuda.empty_cache()
        return float("nan")


def copy_bandwidth() -> float:
    """Measured device-to-device copy bandwidth in bytes/s (read plus written)."""
    src = torch.empty(1 << 30, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    ms = _bench(lambda: dst.copy_(src))
    return 2 * src.numel() / (ms * 1e-3)


def eager_with_probs(q, k, v, causal):
    scores = torch.matmul(q, k.transpose(-1, -2)) * q.shape[-1] ** -0.5
    if causal:
        Lq, Lk = q.shape[-2], k.shape[-2]
        mask = torch.ones(Lq, Lk, dtype=torch.bool, device=q.device).tril(Lk - Lq)
        scores = scores.masked_fill(~mask, float("-inf"))
    probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    return torch.matmul(probs, v), probs


def sdpa(backend):
    from torch.nn.attention import sdpa_kernel

    def run(q, k, v, causal):
        with sdpa_kernel(backend):
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)

    return run


def measure(B, H, L, D, causal, dtype, bandwidth) -> dict:
    from torch.nn.attention import SDPBackend

    torch.manual_seed(0)
    q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=dtype, requires_grad=True)
               for _ in range(3))
    flops = 4 * B * H * L * L * D * (0.5 if causal else 1.0)
    tflops = lambda ms, f=flops: f / (ms * 1e-3) / 1e12  # noqa: E731
    row = {"B": B, "H": H, "L": L, "D": D, "causal": causal}

    def fwd_bwd(fn):
        out = fn()
        out = out[0] if isinstance(out, tuple) else out
        grad = torch.randn_like(out)
        fwd_ms = _bench(fn)
        bwd_ms = _bench(lambda: torch.autograd.grad(out, (q, k, v), grad, retain_graph=True))
        return fwd_ms, bwd_ms

    with torch.no_grad():
        row["ours_fwd_ms"] = _bench(lambda: kernels.attention(q, k, v, causal=causal))
        row["ours_probs_ms"] = _bench(
            lambda: kernels.attention(q, k, v, causal=causal, return_probs=True))
        row["ours_probs_bf16_ms"] = _bench(lambda: kernels.attention(
            q, k, v, causal=causal, return_probs=True, probs_dtype=torch.bfloat16))
        row["ours_pool64_ms"] = _bench(lambda: kernels.attention(
            q, k, v, causal=causal, return_probs=True, probs_pool=64))
        row["eager_probs_ms"] = _bench(lambda: eager_with_probs(q, k, v, causal))
    _, row["ours_bwd_ms"] = fwd_bwd(lambda: kernels.attention(q, k, v, causal=causal))
    for name, backend in (("flash", SDPBackend.FLASH_ATTENTION),
                          ("cudnn", SDPBackend.CUDNN_ATTENTION),
                          ("efficient", SDPBackend.EFFICIENT_ATTENTION)):
        row[f"{name}_fwd_ms"], row[f"{name}_bwd_ms"] = fwd_bwd(
            lambda b=backend: sdpa(b)(q, k, v, causal))
    for key in [k for k in row if k.endswith("_ms")]:
        bwd = key.endswith("bwd_ms")
        row[key.replace("_ms", "_tflops")] = tflops(row[key], flops * (2.5 if bwd else 1.0))
    elem = q.element_size()
    qkvo_bytes = 4 * B * H * L * D * elem
    row["floor_probs_ms"] = (B * H * L * L * 4 + qkvo_bytes) / bandwidth * 1e3
    row["floor_probs_bf16_ms"] = (B * H * L * L * 2 + qkvo_bytes) / bandwidth * 1e3
    return row


def check_correctness(dtype) -> list[str]:
    """Low-precision rule of FlashAttention: our error against float64 at most twice
    that of PyTorch's own SDPA in the same precision."""
    lines = []
    for B, H, L, D, causal in [(2, 4, 1000, 64, False), (1, 8, 2048, 128, True),
                               (2, 4, 777, 80, True)]:
        q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=dtype) for _ in range(3))
        ref = kernels.reference_attention(q.double(), k.double(), v.double(), causal=causal)
        ours = kernels.attention(q, k, v, causal=causal)
        theirs = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        e_ours = (ours.double() - ref).abs().max().item()
        e_theirs = (theirs.double() - ref).abs().max().item()
        verdict = "ok" if e_ours <= 2 * e_theirs + 1e-6 else "FAIL"
        lines.append(f"| {B},{H},{L},{D} | {causal} | {e_ours:.2e} | {e_theirs:.2e} | {verdict} |")
    return lines


def versions() -> str:
    import triton

    return (f"device: {torch.cuda.get_device_name()}; torch {torch.__version__}; "
            f"triton {triton.__version__}; python {platform.python_version()}")


def table(rows) -> str:
    head = ("| B,H,L,D | causal | ours fwd | ours fwd+P fp32 | ours fwd+P bf16 | ours pooled/64 "
            "| flash fwd | cuDNN fwd | mem-eff fwd | eager+P | ours bwd | flash bwd | cuDNN bwd "
            "| fwd/cuDNN | fwd/flash | P speed-up vs eager | P fp32 time/floor | P bf16 time/floor "
            "| pooled/fwd | bwd/cuDNN |")
    sep = "|" + "---|" * head.count("|")
    lines = [head, sep[: len(sep) - 4]]
    for r in rows:
        f = lambda key, r=r: f"{r[key]:.0f}"  # noqa: E731
        lines.append(
            f"| {r['B']},{r['H']},{r['L']},{r['D']} | {r['causal']} | {f('ours_fwd_tflops')} "
            f"| {f('ours_probs_tflops')} | {f('ours_probs_bf16_tflops')} "
            f"| {f('ours_pool64_tflops')} | {f('flash_fwd_tflops')} "
            f"| {f('cudnn_fwd_tflops')} | {f('efficient_fwd_tflops')} | {f('eager_probs_tflops')} "
            f"| {f('ours_bwd_tflops')} | {f('flash_bwd_tflops')} | {f('cudnn_bwd_tflops')} "
            f"| {r['cudnn_fwd_ms'] / r['ours_fwd_ms']:.2f} "
            f"| {r['flash_fwd_ms'] / r['ours_fwd_ms']:.2f} "
            f"| {r['eager_probs_ms'] / r['ours_probs_ms']:.2f} "
            f"| {r['ours_probs_ms'] / r['floor_probs_ms']:.2f} "
            f"| {r['ours_probs_bf16_ms'] / r['floor_probs_bf16_ms']:.2f} "
            f"| {r['ours_pool64_ms'] / r['ours_fwd_ms']:.2f} "
            f"| {r['cudnn_bwd_ms'] / r['ours_bwd_ms']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    kernels.configure()
    parser = argparse.ArgumentParser(prog="python -m kernels.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="*", default=None,
                        help="B,H,L,D tuples (default: the five sizes of the issue)")
    parser.add_argument("--causal", choices=["both", "yes", "no"], default="both")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    parser.add_argument("--check-only", action="store_true",
                        help="only the low-precision error check against PyTorch SDPA")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        parser.error("needs a CUDA GPU (the CPU interpreter is for correctness, not speed)")
    if args.check_only:
        checks = check_correctness(torch.bfloat16) + check_correctness(torch.float16)
        report = "\n".join([
            "# Low-precision error of the attention kernel", "", versions(), "",
            f"Command: `python -m kernels.bench {' '.join(argv or sys.argv[1:])}`", "",
            "Max abs error against float64, ours vs PyTorch SDPA (default backend); "
            "rows: bf16 then fp16.", "",
            "| B,H,L,D | causal | ours | SDPA | ≤ 2× |", "|---|---|---|---|---|", *checks, ""])
        print(report)
        if args.out:
            args.out.write_text(report, encoding="utf-8")
        return 0
    sizes = ([tuple(int(x) for x in s.split(",")) for s in args.sizes] if args.sizes
             else DEFAULT_SIZES)
    causals = {"both": [False, True], "yes": [True], "no": [False]}[args.causal]
    dtype = torch.bfloat16
    bandwidth = copy_bandwidth()
    print(versions())
    print(f"copy bandwidth: {bandwidth / 1e12:.2f} TB/s (read + written)")
    rows = []
    for size in sizes:
        for causal in causals:
            B, H, L, D = size
            rows.append(measure(B, H, L, D, causal, dtype, bandwidth))
            print(f"  done {size} causal={causal}", file=sys.stderr, flush=True)
            if args.out:  # keep what is measured even if a later size fails
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(table(rows) + "\n", encoding="utf-8")
    checks = check_correctness(torch.bfloat16) + check_correctness(torch.float16)
    report = "\n".join([
        "# Attention kernel benchmark", "",
        versions(), "",
        f"Command: `python -m kernels.bench {' '.join(argv or sys.argv[1:])}`".rstrip(), "",
        f"bf16 inputs, TFLOP/s (median of do_bench). Copy bandwidth {bandwidth / 1e12:.2f} TB/s.",
        "Ratios: >1 means ours is faster, except the time/floor columns "
        "(our time over the memory floor; 1.0 is the floor).", "",
        table(rows), "",
        "Low-precision error against float64 (max abs), ours vs PyTorch SDPA "
        "(rows: bf16 then fp16):", "",
        "| B,H,L,D | causal | ours | SDPA | ≤ 2× |", "|---|---|---|---|---|", *checks, "",
    ])
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
