"""A/B of the one-sweep pooled maps (P = 64): this version (autotuner free to pick
BLOCK_N = 128, whose tiles sum two 64-wide columns each) vs the same kernel restricted
to BLOCK_N <= P (every tile adds to one running column sum). Both over the plain forward."""
import sys, types, torch
import kernels
from kernels import flash as new
from triton.testing import do_bench

src = open("kernels/flash.py").read()
old_prune = '''    return kept or configs[:1]
'''
new_prune = '''    pool = kwargs.get("POOL", named_args.get("POOL", 0))
    if pool:
        kept = [c for c in kept if c.kwargs["BLOCK_N"] <= pool] or kept
    return kept or configs[:1]
'''
assert src.count(old_prune) == 1
src = src.replace(old_prune, new_prune)
old_tma = '''    key=["LQ_BUCKET", "LK_BUCKET", "HEAD_DIM", "CAUSAL", "GROUP", "POOL"],
)(_fwd_tma_kernel)'''
assert old_tma in src
src = src.replace(old_tma, old_tma.replace('"POOL"],', '"POOL"],\n    prune_configs_by={"early_config_prune": _prune_for_head_dim},'))
import importlib.util, tempfile, os
path = os.path.join("scratch", "flash_prune.py"); open(path, "w").write(src)
spec = importlib.util.spec_from_file_location("flash_prune", path)
prune = importlib.util.module_from_spec(spec); sys.modules["flash_prune"] = prune; spec.loader.exec_module(prune)

def cfg(mod, D):
    c = (mod._fwd_tma_tuned if D == 128 else mod._fwd_tuned).best_config
    return f"{c.kwargs.get('BLOCK_M')}x{c.kwargs.get('BLOCK_N')} w{c.num_warps} s{c.num_stages}"

sizes = [(16,16,1024,64),(4,16,4096,64),(4,16,4096,128),(2,16,8192,128),(1,16,16384,128)]
P = 64
print(f"{'size':>22} c | fwd ms | pooled free restricted (ms) | free/fwd restricted/fwd | configs | max err vs pooling the full map", flush=True)
for B,H,L,D in sizes:
    for causal in (False, True):
        torch.manual_seed(0)
        q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
        sc = D**-0.5
        t_fwd = do_bench(lambda: new.flash_forward(q,k,v,None,sc,causal,None,False), warmup=25, rep=100, return_mode="median")
        t = {}
        for tag, mod in (("free", new), ("restricted", prune)):
            r = mod.ProbsRequest(torch.float32, None, P)
            t[tag] = do_bench(lambda: mod.flash_forward(q,k,v,None,sc,causal,r,False), warmup=25, rep=100, return_mode="median")
            t[tag + "cfg"] = cfg(mod, D)
        qs,ks,vs = (x[:1,:2].contiguous() for x in (q,k,v))
        _,_,full = new.flash_forward(qs,ks,vs,None,sc,causal,new.ProbsRequest(torch.float32,None,None),False)
        f = full.view(1,2,L//P,P,L//P,P).double().mean(dim=(3,5)); del full
        errs = []
        for mod in (new, prune):
            _,_,pooled = mod.flash_forward(qs,ks,vs,None,sc,causal,mod.ProbsRequest(torch.float32,None,P),False)
            errs.append((pooled.double()-f).abs().max().item())
        print(f"{str((B,H,L,D)):>22} {int(causal)} | {t_fwd:.3f} | {t['free']:.3f} {t['restricted']:.3f} | {t['free']/t_fwd:.3f} {t['restricted']/t_fwd:.3f} | {t['freecfg']} / {t['restrictedcfg']} | {errs[0]:.2e} {errs[1]:.2e}", flush=True)
        del q,k,v; torch.cuda.empty_cache()
