"""A/B for the next device session (prepared, not yet run): where the one-sweep pooled
maps' remaining 10-20% goes. Three kernels in one process, P = 64:
  committed - kernels/flash.py as it is;
  lean      - whole tiles (the unmasked loop) store their column log-sum-exps without the
              column-bounds mask and with column offsets computed once per program, not
              an int64 multiply per element per tile (predicted: a few % of the pooled
              time, if the address arithmetic on the softmax path is what costs);
  no_traffic - committed, but every scratch store predicated off at run time: all the
              arithmetic, no memory traffic (a diagnostic; its maps are wrong).
Each is written to scratch/ from kernels/flash.py by string replacement and loaded.
On a CPU (`python benchmarks/experiments/ab_pooled_stores.py --check`) it only checks
that `lean` gives the committed kernel's maps under the interpreter."""
import importlib.util, os, sys

CHECK = "--check" in sys.argv
if CHECK:
    os.environ.setdefault("TRITON_INTERPRET", "1")
import torch
import kernels
from kernels import flash as committed

src = open("kernels/flash.py").read()
old_store = '''            sub_cols = start_n // POOL + tl.arange(0, BLOCK_N // POOL)
            tl.store(PART_rows[:, None] + sub_cols[None, :].to(tl.int64) * Lq,
                     m_safe[:, None] + tl.math.log2(sub_l),
                     mask=part_ok[:, None] & (sub_cols[None, :] < n_cols))
'''
lean_store = '''            if MASKED:
                sub_cols = start_n // POOL + tl.arange(0, BLOCK_N // POOL)
                tl.store(PART_rows[:, None] + sub_cols[None, :].to(tl.int64) * Lq,
                         m_safe[:, None] + tl.math.log2(sub_l),
                         mask=part_ok[:, None] & (sub_cols[None, :] < n_cols))
            else:
                tl.store(PART_rows[:, None] + ((start_n // POOL) * Lq + col_step),
                         m_safe[:, None] + tl.math.log2(sub_l), mask=part_ok[:, None])
'''
old_loop_head = '''    d_ok = offs_d < HEAD_DIM
    for start_n in range(lo, hi, BLOCK_N):
        cols = start_n + offs_n
        if TMA:'''
lean_loop_head = '''    d_ok = offs_d < HEAD_DIM
    if POOL > 0 and POOL < BLOCK_N:
        col_step = tl.arange(0, BLOCK_N // POOL)[None, :] * Lq
    for start_n in range(lo, hi, BLOCK_N):
        cols = start_n + offs_n
        if TMA:'''
old_mask_run = "            tl.store(PART_rows + (start_n // POOL) * Lq,\n                     m_safe + tl.math.log2(col_l), mask=part_ok)"
for text in (old_store, old_loop_head, old_mask_run):
    assert src.count(text) == 1, text[:60]
lean_src = src.replace(old_store, lean_store).replace(old_loop_head, lean_loop_head)
off = " & (n_cols < 0)"
no_traffic_src = (src.replace("mask=part_ok[:, None] & (sub_cols[None, :] < n_cols))",
                              "mask=part_ok[:, None] & (sub_cols[None, :] < n_cols)" + off + ")")
                  .replace("m_safe + tl.math.log2(col_l), mask=part_ok)",
                           "m_safe + tl.math.log2(col_l), mask=part_ok" + off + ")"))


def load(name, text):
    os.makedirs("scratch", exist_ok=True)
    path = f"scratch/{name}.py"
    open(path, "w").write(text)
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec); sys.modules[name] = m; spec.loader.exec_module(m)
    return m


lean, no_traffic = load("flash_lean", lean_src), load("flash_no_traffic", no_traffic_src)

if CHECK:
    torch.manual_seed(0)
    for L, D, causal, P in [(600, 64, False, 64), (600, 64, True, 16), (300, 72, True, 128),
                            (1000, 32, False, 8)]:
        q, k, v = (torch.randn(1, 2, L, D) for _ in range(3))
        r = committed.ProbsRequest(torch.float32, None, P)
        _, _, want = committed.flash_forward(q, k, v, None, D ** -0.5, causal, r, True)
        _, _, got = lean.flash_forward(q, k, v, None, D ** -0.5, causal,
                                       lean.ProbsRequest(torch.float32, None, P), True)
        print(f"L={L} D={D} causal={causal} P={P}: max |lean - committed| = "
              f"{(got - want).abs().max().item():.2e}")
    sys.exit(0)

from triton.testing import do_bench

mods = {"committed": committed, "lean": lean, "no_traffic": no_traffic}
P = 64
sizes = [(4, 16, 4096, 64), (4, 16, 4096, 128), (1, 16, 16384, 128)]
print(f"{'size':>22} c | fwd ms | pooled: {' '.join(mods)} (ms) | over fwd", flush=True)
for B, H, L, D in sizes:
    for causal in (False, True):
        torch.manual_seed(0)
        q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        sc = D ** -0.5
        bench = lambda f: do_bench(f, warmup=10, rep=60, return_mode="median")  # noqa: E731
        t_fwd = bench(lambda: committed.flash_forward(q, k, v, None, sc, causal, None, False))
        t = {}
        for tag, mod in mods.items():
            r = mod.ProbsRequest(torch.float32, None, P)
            t[tag] = bench(lambda: mod.flash_forward(q, k, v, None, sc, causal, r, False))
        ms = " ".join(f"{t[x]:.3f}" for x in mods)
        rs = " ".join(f"{t[x] / t_fwd:.3f}" for x in mods)
        print(f"{str((B, H, L, D)):>22} {int(causal)} | {t_fwd:.3f} | {ms} | {rs}", flush=True)
        del q, k, v
        torch.cuda.empty_cache()
