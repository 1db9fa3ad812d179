"""The D=128 rows of benchmarks/experiments/ab_probs_stats_first.py: v3 (probabilities
after the forward) vs v4 (statistics first, P written while multiplying by V)."""
import importlib.util, sys, torch
from triton.testing import do_bench
def load(name):
    spec = importlib.util.spec_from_file_location(name, f"scratch/{name}.py")
    m = importlib.util.module_from_spec(spec); sys.modules[name] = m; spec.loader.exec_module(m); return m
v3, v4 = load("flash_v3"), load("flash_v4")
bw = 3.01e12
print(f"{'size':>22} c | fwd v3 v4 (ms) | P32 v3 v4 floor | P16 v3 v4 floor", flush=True)
for B,H,L,D in [(4,16,4096,128),(2,16,8192,128),(1,16,16384,128)]:
    for causal in (False, True):
        torch.manual_seed(0)
        q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
        sc = D**-0.5; t = {}
        for name, req in {"fwd": None, "P32": v4.ProbsRequest(torch.float32,None,None), "P16": v4.ProbsRequest(torch.bfloat16,None,None)}.items():
            for tag, mod in (("v3", v3), ("v4", v4)):
                r = None if req is None else mod.ProbsRequest(req.dtype, None, None)
                t[name, tag] = do_bench(lambda: mod.flash_forward(q,k,v,None,sc,causal,r,False), warmup=10, rep=40, return_mode="median")
                torch.cuda.empty_cache()
        qkvo = 4*B*H*L*D*2
        f32 = (B*H*L*L*4 + qkvo)/bw*1e3; f16 = (B*H*L*L*2 + qkvo)/bw*1e3
        g = lambda n: f"{t[n,'v3']:.2f} {t[n,'v4']:.2f}"
        print(f"{str((B,H,L,D)):>22} {int(causal)} | {g('fwd')} | {g('P32')} {f32:.2f} | {g('P16')} {f16:.2f}", flush=True)
        del q,k,v; torch.cuda.empty_cache()
