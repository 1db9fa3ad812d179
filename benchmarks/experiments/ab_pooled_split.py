"""A/B of the one-sweep pooled maps (P = 64), three kernels in one process:
  committed  - kernels/flash.py as it is (a tile of 128 keys splits into two 64-key
               columns with tl.reshape + tl.sum);
  mask2      - the same, but a tile of exactly two columns sums each half under a mask
               (no reshape; the row sum is their sum);
  notail     - committed without the tail that turns the scratch into means (a
               diagnostic: what the tail costs; its maps are wrong).
Each is written to scratch/ from kernels/flash.py by string replacement and loaded."""
import importlib.util, sys, torch
import kernels
from kernels import flash as committed
from triton.testing import do_bench

src = open("kernels/flash.py").read()
old_split = '''            sub_l = tl.sum(tl.reshape(p, [BLOCK_M, BLOCK_N // POOL, POOL]), 2)
            l_tile = tl.sum(sub_l, 1)
'''
new_split = '''            if BLOCK_N // POOL == 2:
                first = (offs_n < POOL)[None, :]
                l_lo = tl.sum(tl.where(first, p, 0.0), 1)
                l_hi = tl.sum(tl.where(first, 0.0, p), 1)
                l_tile = l_lo + l_hi
                sub_l = tl.join(l_lo, l_hi)
            else:
                sub_l = tl.sum(tl.reshape(p, [BLOCK_M, BLOCK_N // POOL, POOL]), 2)
                l_tile = tl.sum(sub_l, 1)
'''
old_tail = "    for c0 in range(0, n_written, CHUNK):"
assert src.count(old_split) == 1 and src.count(old_tail) == 1

def load(name, text):
    path = f"scratch/{name}.py"
    open(path, "w").write(text)
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec); sys.modules[name] = m; spec.loader.exec_module(m)
    return m

mods = {"committed": committed,
        "mask2": load("flash_mask2", src.replace(old_split, new_split)),
        "notail": load("flash_notail", src.replace(old_tail, "    for c0 in range(0, 0, CHUNK):"))}

def cfg(mod, D):
    c = (mod._fwd_tma_tuned if D == 128 else mod._fwd_tuned).best_config
    return f"{c.kwargs.get('BLOCK_M')}x{c.kwargs.get('BLOCK_N')} w{c.num_warps} s{c.num_stages}"

P = 64
sizes = [(4,16,4096,64),(4,16,4096,128),(1,16,16384,128)]
print(f"{'size':>22} c | fwd ms | pooled: committed mask2 notail (ms) | over fwd | configs | mask2 max err vs pooling the full map", flush=True)
for B,H,L,D in sizes:
    for causal in (False, True):
        torch.manual_seed(0)
        q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
        sc = D**-0.5
        bench = lambda f: do_bench(f, warmup=10, rep=60, return_mode="median")
        t_fwd = bench(lambda: committed.flash_forward(q,k,v,None,sc,causal,None,False))
        t, cfgs = {}, []
        for tag, mod in mods.items():
            r = mod.ProbsRequest(torch.float32, None, P)
            t[tag] = bench(lambda: mod.flash_forward(q,k,v,None,sc,causal,r,False))
            cfgs.append(cfg(mod, D))
        qs,ks,vs = (x[:1,:2].contiguous() for x in (q,k,v))
        _,_,full = committed.flash_forward(qs,ks,vs,None,sc,causal,committed.ProbsRequest(torch.float32,None,None),False)
        f = full.view(1,2,L//P,P,L//P,P).double().mean(dim=(3,5)); del full
        m = mods["mask2"]
        _,_,pooled = m.flash_forward(qs,ks,vs,None,sc,causal,m.ProbsRequest(torch.float32,None,P),False)
        err = (pooled.double()-f).abs().max().item()
        ms = " ".join(f"{t[x]:.3f}" for x in mods); rs = " ".join(f"{t[x]/t_fwd:.3f}" for x in mods)
        print(f"{str((B,H,L,D)):>22} {int(causal)} | {t_fwd:.3f} | {ms} | {rs} | {' / '.join(cfgs)} | {err:.2e}", flush=True)
        del q,k,v; torch.cuda.empty_cache()
