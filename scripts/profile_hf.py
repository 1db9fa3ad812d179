"""Where the time of bench_hf's LLaMA forward goes: sdpa vs eager vs attnviz.

    python scripts/profile_hf.py 4096     # on CUDA, from the repository root

For each variant: CUDA-event time and peak memory (as benchmarks.bench_hf measures them), the
host time to issue one forward ("host-launch", before waiting for the GPU) and to finish it;
when host-launch is close to the total, the forward is bound by Python, not by the GPU.
Then torch.profiler tables by self CUDA time for sdpa and for ours.
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernels import configure  # noqa: E402

configure()  # this script's start: before transformers may load Triton

from attnviz.backends import hf  # noqa: E402
from attnviz.backends.capturing import capture  # noqa: E402
from benchmarks.bench_hf import build_model, forward_once, measure, parse  # noqa: E402


def main(length: int) -> None:
    args = parse([])
    name = hf.register()
    model = build_model(args, torch.device("cuda"), torch.bfloat16)
    ids = torch.randint(0, args.vocab, (1, length), device="cuda")
    variants = {
        "sdpa": ("sdpa", lambda m: nullcontext(), False),
        "eager, no maps": ("eager", lambda m: nullcontext(), False),
        "attnviz, no maps": (name, lambda m: nullcontext(), False),
        "attnviz, pooled 16": (name, lambda m: capture(m, pool=16), True),
    }
    for label, (implementation, context, output_attentions) in variants.items():
        model.set_attn_implementation(implementation)
        ms, gib = measure(model, ids, context, output_attentions, 5, 2)
        torch.cuda.synchronize()
        start = time.perf_counter()
        forward_once(model, ids, context, output_attentions)
        issued = time.perf_counter()
        torch.cuda.synchronize()
        done = time.perf_counter()
        print(f"L={length} {label:20} gpu-event {ms:7.2f} ms  peak {gib:.2f} GiB  "
              f"host-launch {1e3 * (issued - start):7.2f} ms  "
              f"host-total {1e3 * (done - start):7.2f} ms", flush=True)
    for label in ("sdpa", "attnviz, no maps", "attnviz, pooled 16"):
        implementation, context, output_attentions = variants[label]
        model.set_attn_implementation(implementation)
        forward_once(model, ids, context, output_attentions)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            forward_once(model, ids, context, output_attentions)
            torch.cuda.synchronize()
        print(f"==== {label} L={length}")
        print(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=14,
                                        max_name_column_width=60))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4096)
