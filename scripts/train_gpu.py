"""Train the twins and the warm-up study on one GPU through the kernel, in one go.

The runs share the GPU at once: Post-LN and Pre-LN with warm-up, and both again without
warm-up (the warm-up study). With --probe, a short run of all of them first times a step,
counts the kernel variants compiled, and sets one step count that fits the budget.

    python scripts/train_gpu.py --out OUT --probe --budget-s 555          # the study
    python scripts/train_gpu.py --out OUT --runs post,pre --max-minutes 7.3 --workers 6 \
        --call-limit-s 600 -- --batch-size 1024                          # the twins
    (add --init-dir models/checkpoints to continue the shipped twins; with
    `-- --save-state` a second call on the same machine continues exactly with
    --init-dir runs/gpu, its encoded pairs read back from runs/gpu/<run>.packed.npz)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

MODEL = ["--d-model", "256", "--n-heads", "4", "--layers", "3", "--d-ff", "1024",
         "--batch-size", "256", "--lr", "1.5e-3", "--align-weight", "0.3", "--max-len", "64"]
RUNS = {"post": ["--norm", "post", "--warmup", "1000"],
        "pre": ["--norm", "pre", "--warmup", "1000"],
        "post_nowarmup": ["--norm", "post", "--warmup", "0", "--decay-start", "1000"],
        "pre_nowarmup": ["--norm", "pre", "--warmup", "0", "--decay-start", "1000"]}
STEP_RE = re.compile(r"step=(\d+) .*elapsed_s=([\d.]+)")


def launch(name: str, out: Path, extra: list[str]) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "models.train", "--device", "cuda", "--backend", "triton",
           "--out", str(out / name), "--threads", "2",
           "--packed-cache", str(out / f"{name}.packed.npz"), *MODEL, *RUNS[name], *extra]
    log = open(out / f"{name}.log", "w")
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)


def step_times(log: Path) -> list[tuple[int, float]]:
    return [(int(a), float(b)) for a, b in STEP_RE.findall(log.read_text())]


def probe(runs: list[str], work: Path, cache: Path) -> dict:
    """All runs at once on a small slice: seconds per step under sharing, variants."""
    out = work / "probe"
    out.mkdir(parents=True, exist_ok=True)
    procs = [launch(n, out, ["--steps", "200", "--train-limit", "20000", "--log-every", "50",
                             "--eval-every", "100000"]) for n in runs]
    for p in procs:
        p.wait()
    times = step_times(out / f"{runs[0]}.log")
    (s0, e0), (s1, e1) = times[1], times[-1]
    return {"probe_seconds_per_step": round((e1 - e0) / (s1 - s0), 4),
            "compiled_variants_after_probe": sum(1 for _ in cache.rglob("*.cubin"))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", default=",".join(RUNS), help="which of " + ", ".join(RUNS))
    ap.add_argument("--budget-s", type=float, default=540,
                    help="with --probe: wall time for everything; sets the steps")
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--max-minutes", type=float, default=0)
    ap.add_argument("--call-limit-s", type=float, default=0,
                    help="the device call's limit: every run stops and saves by then, less "
                         "--save-margin-s, however long its loading took")
    ap.add_argument("--save-margin-s", type=float, default=60)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--init-dir", default="",
                    help="continue each run from <init-dir>/<norm> (e.g. models/checkpoints)")
    ap.add_argument("extra", nargs="*", help="more models.train arguments (after --)")
    args = ap.parse_args()
    t_start = time.time()
    runs = args.runs.split(",")
    out = Path(args.out)
    work = Path("runs/gpu")
    work.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.setdefault("TRITON_CACHE_DIR", "/tmp/attnviz-triton-cache"))
    info: dict = {"runs": runs}
    steps, minutes = args.steps, args.max_minutes
    if args.probe:
        info |= probe(runs, work, cache)
        left = args.budget_s - (time.time() - t_start)
        # Encoding the full split, validation and saving take time too.
        steps = int((left - 150) / (info["probe_seconds_per_step"] * 1.1)) // 100 * 100
        minutes = (left - 60) / 60
        if steps < 500:
            raise SystemExit("not enough time left for a useful run")
    info |= {"steps": steps, "max_minutes": minutes}
    print(json.dumps(info), flush=True)
    def init(name: str) -> list[str]:
        return ["--init", f"{args.init_dir}/{name.split('_')[0]}"] if args.init_dir else []

    deadline = (["--stop-at", str(t_start + args.call_limit_s - args.save_margin_s)]
                if args.call_limit_s else [])

    procs = [launch(n, work, ["--steps", str(steps), "--workers", str(args.workers),
                              "--log-every", "100", "--eval-every", "1000",
                              "--max-minutes", str(minutes), *deadline, *init(n),
                              *args.extra])
             for n in runs]
    for p in procs:
        p.wait()
    info["compiled_variants_total"] = sum(1 for _ in cache.rglob("*.cubin"))
    info["wall_s"] = round(time.time() - t_start, 1)
    (work / "gpu_run.json").write_text(json.dumps(info, indent=2) + "\n")
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out / "logs.tar.gz", "w:gz") as tar:
        for n in runs:
            tar.add(work / f"{n}.log", arcname=f"{n}.log")
            for f in ("config.json", "training_log.json"):
                if (work / n / f).exists():
                    tar.add(work / n / f, arcname=f"{n}/{f}")
        tar.add(work / "gpu_run.json", arcname="gpu_run.json")
    for n in runs:
        if n in ("post", "pre") and (work / n / "model.safetensors").exists():
            shutil.copyfile(work / n / "model.safetensors", out / f"{n}.safetensors")
    print(json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
