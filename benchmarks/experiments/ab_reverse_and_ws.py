import importlib.util, sys, torch
import kernels
from kernels import flash as cur
from triton.testing import do_bench
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec); sys.modules[name] = m; spec.loader.exec_module(m); return m
rev = load("flash_rev", "scratch/flash_rev.py")
F = torch.nn.functional
from torch.nn.attention import sdpa_kernel, SDPBackend
bench = lambda f: do_bench(f, warmup=25, rep=100, return_mode="median")
print("== reverse causal order (ours fwd TFLOP/s: current, reversed; cuDNN)", flush=True)
for B,H,L,D in [(16,16,1024,64),(4,16,4096,64),(4,16,4096,128),(2,16,8192,128),(1,16,16384,128)]:
    q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
    fl = 2*B*H*L*L*D; sc = D**-0.5
    a = bench(lambda: cur.flash_forward(q,k,v,None,sc,True,None,False))
    r = bench(lambda: rev.flash_forward(q,k,v,None,sc,True,None,False))
    with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
        c = bench(lambda: F.scaled_dot_product_attention(q,k,v,is_causal=True))
        ref = F.scaled_dot_product_attention(q,k,v,is_causal=True)
    err = (rev.flash_forward(q,k,v,None,sc,True,None,False)[0].float()-ref.float()).abs().max().item()
    print((B,H,L,D), f"{fl/a/1e9:.0f} {fl/r/1e9:.0f} {fl/c/1e9:.0f}  maxdiff-vs-cudnn {err:.3g}", flush=True)
    del q,k,v
print("== warp-specialised on-device TMA, non-causal (TFLOP/s)", flush=True)
ws = load("ws", "scratch/ws.py")
for B,H,L,D in [(4,16,4096,128),(2,16,8192,128),(4,16,4096,64)]:
    q,k,v = (torch.randn(B,H,L,D,device="cuda",dtype=torch.bfloat16) for _ in range(3))
    fl = 4*B*H*L*L*D
    ref = F.scaled_dot_product_attention(q,k,v)
    with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
        c = bench(lambda: F.scaled_dot_product_attention(q,k,v))
    cur_t = bench(lambda: cur.flash_forward(q,k,v,None,D**-0.5,False,None,False))
    print((B,H,L,D), f"cudnn {fl/c/1e9:.0f} current {fl/cur_t/1e9:.0f}", flush=True)
    for BM,BN,w,s,flag in [(128,128,8,2,True),(128,64,8,3,True),(128,128,4,2,True),(128,64,4,3,True),(128,128,8,3,False),(128,64,8,3,False)]:
        try:
            o = ws.ws_forward(q,k,v,BM,BN,w,s,flag)
            err = (o.float()-ref.float()).abs().max().item()
            t = bench(lambda: ws.ws_forward(q,k,v,BM,BN,w,s,flag))
            print(f"   BM{BM} BN{BN} w{w} s{s} ws={flag}: {fl/t/1e9:.0f}  maxdiff {err:.3g}", flush=True)
        except Exception as e:
            print(f"   BM{BM} BN{BN} w{w} s{s} ws={flag}: FAILED {type(e).__name__}: {str(e).splitlines()[0][:150]}", flush=True)
    del q,k,v
