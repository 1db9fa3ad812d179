"""Attention maps of a LLaMA-style decoder: eager attention against attnviz's kernel.

    python -m benchmarks.bench_hf            # on CUDA: 16 layers, hidden 2048, 16/4 heads, bf16
    python -m benchmarks.bench_hf --smoke    # a tiny model on CPU, to check that it runs

A randomly initialised model (LlamaConfig + from_config), batch 1; for each sequence length
one forward with output_attentions=True under eager attention and under ours, keeping
float32 maps, bfloat16 maps, or pooled maps; for reference also the forward without maps,
under ours and under PyTorch's fused attention (sdpa, which cannot return maps). Time is
the median of --runs forwards after --warmup (CUDA events), memory the peak allocated
during one forward (torch.cuda.max_memory_allocated). Running out of memory reads "OOM".
The markdown table is printed and written to --out.
"""

from __future__ import annotations

import argparse
import gc
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import torch

import kernels
from attnviz.backends import hf
from attnviz.backends.capturing import capture


def build_model(args: argparse.Namespace, device: torch.device, dtype: torch.dtype):
    from transformers import AutoModelForCausalLM, LlamaConfig

    config = LlamaConfig(
        vocab_size=args.vocab, hidden_size=args.hidden, intermediate_size=args.hidden * 4,
        num_hidden_layers=args.layers, num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads, max_position_embeddings=max(args.lengths),
    )
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, attn_implementation="eager", dtype=dtype)
    return model.eval()


def variants(name: str, pool: int) -> dict[str, tuple[str, Callable]]:
    """Label -> (attention implementation, context around the forward, output_attentions)."""
    return {
        "eager": ("eager", lambda m: nullcontext(), True),
        # The same model with PyTorch's fused attention and no maps: what the forward costs
        # without attention maps at all, the floor for any implementation that gives them.
        "sdpa, no maps": ("sdpa", lambda m: nullcontext(), False),
        "attnviz, float32 maps": (name, lambda m: nullcontext(), True),
        "attnviz, bf16 maps": (name, lambda m: capture(m, probs_dtype=torch.bfloat16), True),
        f"attnviz, maps pooled {pool}x{pool}": (name, lambda m: capture(m, pool=pool), True),
        "attnviz, no maps": (name, lambda m: nullcontext(), False),
    }


def forward_once(model, ids: torch.Tensor, context, output_attentions: bool) -> None:
    """One forward without gradients inside context(model); the result is dropped."""
    with torch.no_grad(), context(model):
        out = model(input_ids=ids, output_attentions=output_attentions, use_cache=False)
        # The maps are part of the result: they stay alive until the forward is done.
        del out


def measure(model, ids: torch.Tensor, context, output_attentions: bool, runs: int,
            warmup: int) -> tuple[float, float | None]:
    """(median milliseconds, peak GiB or None off CUDA) of one forward."""
    cuda = ids.device.type == "cuda"

    def forward():
        forward_once(model, ids, context, output_attentions)

    for _ in range(warmup):
        forward()
    times = []
    peak = None
    for _ in range(runs):
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            forward()
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
            peak = max(peak or 0.0, torch.cuda.max_memory_allocated() / 2**30)
        else:
            t0 = time.perf_counter()
            forward()
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), peak


def run(args: argparse.Namespace) -> str:
    device = torch.device(args.device)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[args.dtype]
    name = hf.register()
    model = build_model(args, device, dtype)
    labels = variants(name, args.pool)
    results: dict[tuple[int, str], tuple[str, str]] = {}
    for length in args.lengths:
        ids = torch.randint(0, args.vocab, (1, length), device=device)
        for label, (implementation, context, output_attentions) in labels.items():
            model.set_attn_implementation(implementation)
            try:
                ms, gib = measure(model, ids, context, output_attentions, args.runs, args.warmup)
                results[length, label] = (f"{ms:.1f}", "n/a" if gib is None else f"{gib:.2f}")
            except torch.OutOfMemoryError:
                results[length, label] = ("OOM", "OOM")
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()
            print(f"L={length:>6} {label:<28} {results[length, label]}", file=sys.stderr)
    return report(args, device, results, list(labels))


def report(args, device, results, labels) -> str:
    import transformers
    import triton  # already loaded by kernels, which chose its mode first

    device_name = (torch.cuda.get_device_name(device) if device.type == "cuda"
                   else f"CPU ({kernels.backend_name(device)})")
    command = "python -m benchmarks.bench_hf " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        "# Attention maps of a LLaMA-style decoder: eager vs attnviz",
        "",
        f"- device: {device_name}",
        f"- torch {torch.__version__}, triton {triton.__version__}, "
        f"transformers {transformers.__version__}",
        f"- model: random LlamaConfig, {args.layers} layers, hidden {args.hidden}, "
        f"{args.heads} query / {args.kv_heads} key-value heads, {args.dtype}, batch 1",
        "- one forward with output_attentions=True (except the \"no maps\" columns); time: "
        "median of "
        f"{args.runs} after {args.warmup} warm-up; memory: peak allocated",
        f"- command: `{command.strip()}`",
        "",
    ]
    for title, index, unit in (("Time", 0, "ms"), ("Peak memory", 1, "GiB")):
        lines += [f"## {title} ({unit})", "",
                  "| sequence | " + " | ".join(labels) + " |",
                  "| ---: | " + " | ".join("---:" for _ in labels) + " |"]
        for length in args.lengths:
            cells = [results[length, label][index] for label in labels]
            lines.append(f"| {length} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += _ratios_to_eager(args.lengths, results, labels)
    return "\n".join(lines)


def _ratio(eager: str, ours: str) -> str:
    try:
        return f"{float(eager) / float(ours):.2f}x"
    except ValueError:  # OOM, or n/a off CUDA
        return ours


def _ratios_to_eager(lengths, results, labels) -> list[str]:
    """Eager's time and peak memory over each column's ("OOM" where either ran out)."""
    others = [label for label in labels if label != "eager"]
    lines = ["## Eager over each (time ratio / memory ratio; above 1: less than eager)", "",
             "| sequence | " + " | ".join(others) + " |",
             "| ---: | " + " | ".join("---:" for _ in others) + " |"]
    for length in lengths:
        eager = results[length, "eager"]
        cells = []
        for label in others:
            ours = results[length, label]
            if eager[0] == "OOM":
                cells.append("eager OOM" if ours[0] == "OOM" else "eager OOM, this ran")
                continue
            cells.append(" / ".join(_ratio(eager[i], ours[i]) for i in (0, 1)))
        lines.append(f"| {length} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny model on CPU in float32: checks that the benchmark runs")
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 4096, 8192, 16384])
    parser.add_argument("--layers", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=2048)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--kv-heads", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--dtype", choices=["bf16", "fp16", "fp32"], default="bf16")
    parser.add_argument("--pool", type=int, default=16, help="tile size of the pooled maps")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/hf_llama.md"))
    args = parser.parse_args(argv)
    if args.smoke:
        args.lengths, args.layers, args.hidden, args.heads, args.kv_heads = [16, 32], 2, 64, 4, 2
        args.vocab, args.dtype, args.pool, args.runs, args.warmup = 64, "fp32", 4, 1, 0
        args.device = "cpu"
        if args.out == Path("benchmarks/hf_llama.md"):
            args.out = Path("benchmarks/hf_llama_smoke.md")
    elif torch.device(args.device).type != "cuda":
        parser.error("the full benchmark needs CUDA; use --smoke on CPU")
    return args


def main(argv: list[str] | None = None) -> None:
    kernels.configure()
    args = parse(argv)
    text = run(args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
