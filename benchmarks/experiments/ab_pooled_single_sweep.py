"""A/B: pooled maps (P = 64) written in the forward's one sweep (this version) vs the
second sweep of fae6640 (saved as scratch/flash_v5.py), each over the plain forward."""
import importlib.util, sys, torch
import kernels
from kernels import flash as new
from triton.testing import do_bench
spec = importlib.util.spec_from_file_location("flash_v5", "scratch/flash_v5.py")
old = importlib.util.module_from_spec(spec); sys.modules["flash_v5"] = old; spec.loader.exec_module(old)
sizes = [(16,16,1024,64),(4,16,4096,64),(4,16,4096,128),(2,16,8192,128),(1,16,16384,128)]
pools = [int(a) for a in sys.argv[1:]] or [64]
print(f"{'size':>22} c  P | fwd ms | pooled old new (ms) | old/fwd new/fwd | config | max|new-pool(full)| on 2 heads", flush=True)
for B,H,L,D in sizes:
    for causal in (False, True):
        torch.manual_seed(0)
        q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
        sc = D**-0.5
        t_fwd = do_bench(lambda: new.flash_forward(q,k,v,None,sc,causal,None,False), warmup=25, rep=100, return_mode="median")
        for P in pools:
            rn, ro = new.ProbsRequest(torch.float32, None, P), old.ProbsRequest(torch.float32, None, P)
            t_old = do_bench(lambda: old.flash_forward(q,k,v,None,sc,causal,ro,False), warmup=25, rep=100, return_mode="median")
            t_new = do_bench(lambda: new.flash_forward(q,k,v,None,sc,causal,rn,False), warmup=25, rep=100, return_mode="median")
            tuned = new._fwd_tma_tuned if D == 128 else new._fwd_tuned
            cfg = tuned.best_config
            cfg = f"{cfg.kwargs.get('BLOCK_M')}x{cfg.kwargs.get('BLOCK_N')} w{cfg.num_warps} s{cfg.num_stages}"
            qs,ks,vs = (t[:1,:2].contiguous() for t in (q,k,v))
            _,_,full = new.flash_forward(qs,ks,vs,None,sc,causal,new.ProbsRequest(torch.float32,None,None),False)
            _,_,pooled = new.flash_forward(qs,ks,vs,None,sc,causal,rn,False)
            f = full.view(1,2,L//P,P,L//P,P).double().mean(dim=(3,5)); del full
            err = (pooled.double()-f).abs().max().item()
            print(f"{str((B,H,L,D)):>22} {int(causal)} {P:>2} | {t_fwd:.3f} | {t_old:.3f} {t_new:.3f} | {t_old/t_fwd:.3f} {t_new/t_fwd:.3f} | {cfg} | {err:.2e}", flush=True)
        del q,k,v; torch.cuda.empty_cache()
