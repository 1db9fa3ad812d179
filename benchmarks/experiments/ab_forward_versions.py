"""A/B: forward v1 (scratch/flash_v1.py), v2 pointer kernel, v2 TMA kernel, cuDNN."""
import importlib.util, sys, time, torch
import kernels
from kernels import flash as v2
from triton.testing import do_bench
spec = importlib.util.spec_from_file_location("flash_v1", "scratch/flash_v1.py")
v1 = importlib.util.module_from_spec(spec); sys.modules["flash_v1"] = v1; spec.loader.exec_module(v1)
from torch.nn.attention import sdpa_kernel, SDPBackend
F = torch.nn.functional
sizes = [(16,16,1024,64),(4,16,4096,64),(4,16,4096,128),(2,16,8192,128),(1,16,16384,128)]
bench = lambda f, r=100: do_bench(f, warmup=25, rep=r, return_mode="median")
def cpu_overhead():
    q = torch.randn(1,16,128,128,device="cuda",dtype=torch.bfloat16)
    for name, fn in (("attnviz", lambda: kernels.attention(q,q,q,causal=True)),
                     ("sdpa", lambda: F.scaled_dot_product_attention(q,q,q,is_causal=True))):
        for _ in range(50): fn()
        torch.cuda.synchronize(); t0 = time.perf_counter()
        for _ in range(2000): fn()
        t1 = time.perf_counter(); torch.cuda.synchronize()
        print(f"host time per call {name}: {1e6*(t1-t0)/2000:.1f} us", flush=True)
    import cProfile, pstats
    pr = cProfile.Profile(); pr.enable()
    for _ in range(500): kernels.attention(q,q,q,causal=True)
    pr.disable(); pstats.Stats(pr).sort_stats("tottime").print_stats(12)
cpu_overhead()
print(f"{'size':>22} {'c':>1} {'v1':>6} {'ptr':>6} {'tma':>6} {'cudnn':>6}  err tma/sdpa ptr/sdpa  pool64/fwd  bf16P ms", flush=True)
for B,H,L,D in sizes:
    for causal in (False, True):
        torch.manual_seed(0)
        q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
        sc = D ** -0.5
        fl = 4*B*H*L*L*D*(0.5 if causal else 1)
        t = {}
        t["v1"] = bench(lambda: v1.flash_forward(q,k,v,None,sc,causal,None,False))
        v2.USE_TMA = False
        t["ptr"] = bench(lambda: v2.flash_forward(q,k,v,None,sc,causal,None,False))
        optr = v2.flash_forward(q,k,v,None,sc,causal,None,False)[0]
        v2.USE_TMA = True
        t["tma"] = bench(lambda: v2.flash_forward(q,k,v,None,sc,causal,None,False))
        otma = v2.flash_forward(q,k,v,None,sc,causal,None,False)[0]
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            t["cudnn"] = bench(lambda: F.scaled_dot_product_attention(q,k,v,is_causal=causal))
            osd = F.scaled_dot_product_attention(q,k,v,is_causal=causal)
        ref = F.scaled_dot_product_attention(q[:1,:2].double(),k[:1,:2].double(),v[:1,:2].double(),is_causal=causal)
        err = lambda o: ((o[:1,:2].double()-ref).norm()/ref.norm()).item()
        pr = v2.ProbsRequest(torch.float32, None, 64)
        t["pool"] = bench(lambda: v2.flash_forward(q,k,v,None,sc,causal,pr,False), 50)
        t["bf16P"] = bench(lambda: v2.flash_forward(q,k,v,None,sc,causal,v2.ProbsRequest(torch.bfloat16,None,None),False), 30) if L <= 8192 else float("nan")
        tf = {n: fl/(ms*1e-3)/1e12 for n,ms in t.items()}
        print(f"{str((B,H,L,D)):>22} {int(causal)} {tf['v1']:6.0f} {tf['ptr']:6.0f} {tf['tma']:6.0f} {tf['cudnn']:6.0f}  {err(otma)/err(osd):.2f} {err(optr)/err(osd):.2f}  {t['pool']/min(t['ptr'],t['tma']):.2f}  {t['bf16P']:.2f}", flush=True)
        del q,k,v; torch.cuda.empty_cache()
for key, cfg in v2._fwd_tma_tuned.cache.items():
    print("tma", key[:5], cfg)
for key, cfg in v2._fwd_tuned.cache.items():
    print("ptr", key[:5], cfg)
