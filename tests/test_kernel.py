"""The Triton attention kernel against a float64 reference, on fresh random inputs.

On a machine without a GPU these run the real kernel code through Triton's CPU
interpreter; with CUDA they run compiled.
"""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import triton
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels import attention, backward, forward, forward_tma, launch, reference_attention

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
# Tolerances of float32 arithmetic against float64 (scores grow with D, so relative).
TOL = {torch.float32: 2e-5, torch.float16: 2e-2, torch.bfloat16: 6e-2}


def random_inputs(B, H, Hkv, Lq, Lk, D, dtype=torch.float32, pad_fraction=0.0,
                  fully_padded_batch=None):
    q = torch.randn(B, H, Lq, D, device=DEVICE, dtype=dtype)
    k = torch.randn(B, Hkv, Lk, D, device=DEVICE, dtype=dtype)
    v = torch.randn(B, Hkv, Lk, D, device=DEVICE, dtype=dtype)
    kpm = None
    if pad_fraction > 0 or fully_padded_batch is not None:
        kpm = torch.rand(B, Lk, device=DEVICE) < pad_fraction
        if fully_padded_batch is not None:
            kpm[fully_padded_batch] = True
    return q, k, v, kpm


def max_rel_err(x: torch.Tensor, ref: torch.Tensor) -> float:
    return ((x.double() - ref).abs().max() / ref.abs().max().clamp_min(1.0)).item()


def run_with_grads(fn, inputs, grad_out):
    """fn(*leaves) on fresh leaf copies of `inputs`, then backward of `grad_out` through its
    output (the first, if it returns several): (fn's result, the leaves' gradients)."""
    leaves = [t.detach().clone().requires_grad_(True) for t in inputs]
    result = fn(*leaves)
    out = result[0] if isinstance(result, tuple) else result
    out.backward(grad_out.to(out.dtype))
    return result, [t.grad for t in leaves]


def check_against_reference(q, k, v, kpm=None, causal=False, scale=None, grads=True):
    tol = TOL[q.dtype]
    leaves = [t.detach().clone().requires_grad_(grads) for t in (q, k, v)]
    out, probs = attention(*leaves, causal=causal, key_padding_mask=kpm, scale=scale,
                           return_probs=True)
    ref_leaves = [t.detach().double().requires_grad_(grads) for t in (q, k, v)]
    ref_out, ref_probs = reference_attention(*ref_leaves, causal=causal, key_padding_mask=kpm,
                                             scale=scale, return_probs=True)
    assert out.dtype == q.dtype and out.shape == q.shape
    assert probs.dtype == torch.float32 and probs.shape == ref_probs.shape
    assert torch.isfinite(out).all() and torch.isfinite(probs).all()
    assert max_rel_err(out, ref_out) < tol
    assert (probs.double() - ref_probs).abs().max().item() < tol
    # Each row sums to 1, or to 0 where the query may see no key.
    sums = probs.double().sum(-1)
    assert torch.allclose(sums, ref_probs.sum(-1), atol=1e-4)
    if grads:
        grad_out = torch.randn_like(out)
        out.backward(grad_out)
        ref_out.backward(grad_out.double())
        for name, got, want in zip("qkv", leaves, ref_leaves, strict=True):
            assert got.grad.shape == got.shape
            err = max_rel_err(got.grad, want.grad)
            assert err < tol * 4, f"d{name}: relative error {err:.2e}"
    return out, probs


SHAPES = [
    # B, H, Hkv, Lq, Lk, D
    (1, 1, 1, 1, 1, 8),        # length 1
    (2, 3, 3, 17, 17, 24),     # odd lengths, non-power-of-two head dim
    (1, 2, 2, 33, 65, 40),     # Lq < Lk (cross-attention)
    (2, 2, 2, 70, 9, 64),      # Lq > Lk
    (1, 2, 2, 257, 300, 80),   # more than one tile each way (interpreter tiles: 256)
    (1, 1, 1, 64, 64, 128),
    (2, 4, 2, 19, 23, 64),     # grouped-query attention: 2 query heads per K/V head
    (1, 4, 1, 5, 300, 16),     # multi-query, many key tiles
    (1, 2, 2, 10, 13, 200),    # large non-power-of-two head dim
    (1, 1, 1, 9, 11, 256),     # the largest head dim
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_matches_float64_reference(shape, causal):
    q, k, v, _ = random_inputs(*shape)
    check_against_reference(q, k, v, causal=causal)


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_padding_with_fully_padded_rows(causal):
    # Batch 1 has every key padded: its queries see nothing and must give zeros.
    q, k, v, kpm = random_inputs(3, 2, 2, 21, 37, 24, pad_fraction=0.4, fully_padded_batch=1)
    out, probs = check_against_reference(q, k, v, kpm=kpm, causal=causal)
    assert (out[1] == 0).all() and (probs[1] == 0).all()
    assert (probs.masked_select(kpm[:, None, None, :].expand_as(probs)) == 0).all()


@pytest.mark.parametrize("Lq,Lk", [(9, 4), (4, 9), (1, 12), (12, 12)])
def test_causal_is_bottom_right_aligned(Lq, Lk):
    q, k, v, _ = random_inputs(1, 2, 2, Lq, Lk, 16)
    out, probs = check_against_reference(q, k, v, causal=True)
    i = torch.arange(Lq, device=DEVICE)[:, None]
    j = torch.arange(Lk, device=DEVICE)[None, :]
    assert (probs[..., j > i + (Lk - Lq)] == 0).all()
    if Lq > Lk:
        # The first Lq - Lk queries see no key at all: zeros, never NaN.
        assert (out[:, :, : Lq - Lk] == 0).all() and (probs[:, :, : Lq - Lk] == 0).all()
    if Lq == 1:
        # One new query against a cache of keys sees all of them.
        assert (probs > 0).all()


def test_non_default_scale():
    q, k, v, _ = random_inputs(2, 2, 2, 31, 45, 32)
    check_against_reference(q, k, v, scale=0.37, causal=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=["fp16", "bf16"])
def test_low_precision(dtype):
    q, k, v, kpm = random_inputs(2, 2, 2, 40, 50, 64, dtype=dtype, pad_fraction=0.2)
    check_against_reference(q, k, v, kpm=kpm, causal=True)


def test_non_contiguous_inputs():
    # (B, L, H, D) memory viewed as (B, H, L, D), as transformers' layers pass it.
    q = torch.randn(2, 19, 3, 32, device=DEVICE).transpose(1, 2)
    k = torch.randn(2, 23, 3, 32, device=DEVICE).transpose(1, 2)
    v = torch.randn(2, 23, 3, 32, device=DEVICE).transpose(1, 2)
    check_against_reference(q, k, v, causal=True)


@pytest.mark.parametrize("Lq,Lk,causal,pad", [
    (600, 600, True, 0.3),     # the backward's three query ranges: diagonal, below it, ragged end
    (1030, 1100, True, 0.0),   # past 1M cells: on a GPU, the autotuned backward
    (1030, 1100, False, 0.2),
])
def test_gradients_of_long_sequences(Lq, Lk, causal, pad):
    q, k, v, kpm = random_inputs(1, 2, 2, Lq, Lk, 40, pad_fraction=pad)
    check_against_reference(q, k, v, kpm=kpm, causal=causal)


@pytest.mark.skipif(DEVICE != "cuda", reason="low-precision products need the GPU's matrix units")
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_low_precision_gradients_within_twice_pytorchs_error(dtype, causal):
    # The autotuned backward in 16-bit inputs against float64, next to PyTorch's own SDPA.
    q, k, v, _ = random_inputs(2, 4, 4, 1100, 1100, 128, dtype=dtype)
    grad_out = torch.randn_like(q)

    def grads(fn, *inputs):
        return [g.double() for g in run_with_grads(fn, inputs, grad_out)[1]]

    want = grads(lambda *t: reference_attention(*t, causal=causal), q.double(), k.double(),
                 v.double())
    ours = grads(lambda *t: attention(*t, causal=causal), q, k, v)
    theirs = grads(lambda *t: F.scaled_dot_product_attention(*t, is_causal=causal), q, k, v)
    for name, o, t, w in zip("qkv", ours, theirs, want, strict=True):
        ours_err, their_err = (o - w).abs().max().item(), (t - w).abs().max().item()
        assert ours_err <= 2 * their_err + 1e-4, f"d{name}: {ours_err:.2e} vs SDPA {their_err:.2e}"


@pytest.mark.skipif(DEVICE != "cuda", reason="the autotuner runs only on a GPU")
@pytest.mark.parametrize("dtype,D,group,pad,causal", [
    (torch.bfloat16, 128, 1, 0.0, True),   # the TMA forward
    (torch.float16, 64, 1, 0.0, False),
    # key padding, grouped heads (float32 dK/dV buffers); 16-bit: a float32 autotune
    # compiles for minutes on the GPU and the fp32 long-gradient tests already run one
    (torch.bfloat16, 40, 2, 0.2, True),
])
def test_repeated_autotuned_launches_give_the_first_launchs_results(dtype, D, group, pad, causal):
    # The first launch of a key goes through Triton's autotuner; later ones launch the
    # plain kernel with its pick (kernels/launch.py `_launch_picked`): the same numbers.
    q, k, v, kpm = random_inputs(1, 2 * group, 2, 1030, 1100, D, dtype=dtype, pad_fraction=pad)
    grad_out = torch.randn_like(q)

    def run():
        (out, pooled), grads = run_with_grads(
            lambda *t: attention(*t, causal=causal, key_padding_mask=kpm, return_probs=True,
                                 probs_pool=64), (q, k, v), grad_out)
        return [out, pooled, *grads]

    first, second = run(), run()
    for a, b in zip(first, second, strict=True):
        assert torch.equal(a, b)
    ref = reference_attention(q.double(), k.double(), v.double(), causal=causal,
                              key_padding_mask=kpm)
    assert max_rel_err(second[0], ref) < TOL[dtype]


@settings(max_examples=15, deadline=None)
@given(
    B=st.integers(1, 2), Hkv=st.integers(1, 2), group=st.integers(1, 2),
    Lq=st.integers(1, 70), Lk=st.integers(1, 70), D=st.sampled_from([8, 24, 40, 64]),
    causal=st.booleans(), pad=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_property_any_shape_and_mask(B, Hkv, group, Lq, Lk, D, causal, pad):
    q, k, v, kpm = random_inputs(B, Hkv * group, Hkv, Lq, Lk, D, pad_fraction=pad)
    check_against_reference(q, k, v, kpm=kpm, causal=causal, grads=Lq * Lk < 2000)


@settings(max_examples=10, deadline=None)
@given(
    Hkv=st.integers(1, 2), group=st.integers(1, 2), Lq=st.integers(200, 700),
    Lk=st.integers(200, 700), D=st.sampled_from([24, 64, 72]), causal=st.booleans(),
    pad=st.sampled_from([0.0, 0.3]),
)
def test_property_gradients_across_tiles(Hkv, group, Lq, Lk, D, causal, pad):
    # Lengths over one interpreter tile (256) and GPU tile: the backward's masked
    # diagonal, unmasked middle and ragged ends in every combination.
    q, k, v, kpm = random_inputs(1, Hkv * group, Hkv, Lq, Lk, D, pad_fraction=pad)
    check_against_reference(q, k, v, kpm=kpm, causal=causal)


# ---- probabilities of selected heads, in lower precision, pooled --------------------
def pool_reference(probs: torch.Tensor, P: int) -> torch.Tensor:
    """Mean over P x P tiles of the full map, edge tiles over their real cells."""
    Lq, Lk = probs.shape[-2:]
    sums = F.pad(probs, (0, -Lk % P, 0, -Lq % P))
    B, H, R, C = sums.shape
    sums = sums.view(B, H, R // P, P, C // P, P).sum(dim=(3, 5))
    rows = torch.clamp(Lq - torch.arange(R // P, device=probs.device) * P, max=P)
    cols = torch.clamp(Lk - torch.arange(C // P, device=probs.device) * P, max=P)
    return sums / (rows[:, None] * cols[None, :]).to(sums.dtype)


@pytest.mark.parametrize("Lq,Lk,P,causal", [
    (100, 70, 4, True), (37, 300, 64, False), (300, 37, 128, True),
    (64, 64, 2, False), (5, 3, 8, True), (130, 129, 256, False),
    (40, 600, 512, True),  # a pool column across two key tiles, then a shorter one
])
def test_pooled_probabilities_equal_pooling_the_full_map(Lq, Lk, P, causal):
    q, k, v, kpm = random_inputs(2, 3, 3, Lq, Lk, 32, pad_fraction=0.2)
    _, ref = reference_attention(q.double(), k.double(), v.double(), causal=causal,
                                 key_padding_mask=kpm, return_probs=True)
    _, pooled = attention(q, k, v, causal=causal, key_padding_mask=kpm, return_probs=True,
                          probs_pool=P, probs_heads=[2, 0])
    want = pool_reference(ref[:, [2, 0]], P)
    assert pooled.shape == (2, 2, -(-Lq // P), -(-Lk // P))
    assert (pooled.double() - want).abs().max().item() < 1e-6


@settings(max_examples=15, deadline=None)
@given(
    B=st.integers(1, 2), Hkv=st.integers(1, 2), group=st.integers(1, 2),
    Lq=st.integers(1, 300), Lk=st.integers(1, 300), D=st.sampled_from([8, 40, 72]),
    P=st.sampled_from([2, 4, 16, 32, 64, 128, 512]), causal=st.booleans(),
    pad=st.sampled_from([0.0, 0.3, 1.0]), data=st.data(),
)
def test_property_pooled_maps_any_shape(B, Hkv, group, Lq, Lk, D, P, causal, pad, data):
    # Pool columns across tiles and inside them, pool rows across programs, ragged
    # edges, rows that see nothing, and any subset of heads in any order.
    H = Hkv * group
    heads = data.draw(st.permutations(range(H)).flatmap(
        lambda order: st.integers(1, H).map(lambda n: list(order[:n]))))
    q, k, v, kpm = random_inputs(B, H, Hkv, Lq, Lk, D, pad_fraction=pad)
    _, ref = reference_attention(q.double(), k.double(), v.double(), causal=causal,
                                 key_padding_mask=kpm, return_probs=True)
    _, pooled = attention(q, k, v, causal=causal, key_padding_mask=kpm, return_probs=True,
                          probs_pool=P, probs_heads=heads)
    assert torch.isfinite(pooled).all()
    assert (pooled.double() - pool_reference(ref[:, heads], P)).abs().max().item() < 1e-6


@pytest.mark.parametrize("P", [16, 64, 256])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_pooled_map_of_a_long_sequence_equals_pooling_the_full_map(P, causal):
    # 1024 x 1024 cells per head: on a GPU this is the autotuned launch, whose configs
    # put pool columns across tiles (P > BLOCK_N) and inside them (P < BLOCK_N).
    dtype = torch.float32 if DEVICE == "cpu" else torch.bfloat16
    q, k, v = (torch.randn(1, 2, 1024, 64, device=DEVICE, dtype=dtype) for _ in range(3))
    _, full = attention(q, k, v, causal=causal, return_probs=True)
    _, pooled = attention(q, k, v, causal=causal, return_probs=True, probs_pool=P)
    assert pooled.shape == (1, 2, 1024 // P, 1024 // P)
    assert (pooled.double() - pool_reference(full.double(), P)).abs().max().item() < 1e-7


# Every config in every autotuner's list: (autotuner, kernel), each beside its kernel.
_AUTOTUNERS = {"forward": (forward._fwd_tuned, forward._fwd_kernel),
               "forward_tma": (forward_tma._fwd_tma_tuned, forward_tma._fwd_tma_kernel),
               "backward_dkdv": (backward._bwd_dkdv_tuned, backward._bwd_dkdv_kernel),
               "backward_dq": (backward._bwd_dq_tuned, backward._bwd_dq_kernel)}
_CONFIG_CASES = [(name, i) for name, (tuned, _) in _AUTOTUNERS.items()
                 for i in range(len(tuned.configs))]


@pytest.mark.parametrize("autotuner,index", _CONFIG_CASES,
                         ids=[f"{name}-{i}" for name, i in _CONFIG_CASES])
def test_every_config_an_autotuner_can_pick_matches_the_reference(monkeypatch, autotuner,
                                                                  index):
    # The autotuner may pick any config of its list for some problem; each one, held,
    # must compute the same attention. The other kernels of the call run their first
    # config, so a case compiles a handful of kernels instead of tuning all of them.
    # On a GPU: compiled, bf16. On a CPU: the GPU path's launches (its block sizes, the
    # held config's tiles) run by Triton's interpreter in float32, so CI checks each
    # config's tile logic; the TMA kernel needs a Hopper GPU there.
    tma = autotuner == "forward_tma"  # the TMA forward takes no key padding
    if DEVICE == "cpu":
        if tma:
            pytest.skip("the TMA kernel's autotuned launch needs a Hopper GPU")
        monkeypatch.setattr(sys.modules["kernels.api"], "_check_device", lambda q: False)
    held_tuned, held_kernel = _AUTOTUNERS[autotuner]
    held = held_tuned.configs[index]

    def launch_held(tuned, raw, grid_of, key, args, kwargs, before=None):
        config = (held if raw is held_kernel else tuned.configs[0]).all_kwargs()
        if before is not None:
            before(config)
        with np.errstate(divide="ignore"):  # the interpreter's log2(0) = -inf is meant
            raw[grid_of(config)](*args, **kwargs, **config)

    monkeypatch.setattr(launch, "_launch_picked", launch_held)
    monkeypatch.setattr(forward_tma, "USE_TMA", tma)
    dtype = torch.bfloat16 if DEVICE == "cuda" else torch.float32
    # Several tiles of the largest block (128) and ragged tails either way; the GPU takes
    # the long problem, the interpreter one with the same structure at a tenth of the cost.
    lq, lk = (1030, 1100) if DEVICE == "cuda" else (300, 330)
    q, k, v, kpm = random_inputs(1, 4, 2, lq, lk, 128, dtype=dtype,
                                 pad_fraction=0.0 if tma else 0.2)
    grad_out = torch.randn_like(q)
    ref_out, ref_grads = run_with_grads(
        lambda *t: reference_attention(*t, causal=True, key_padding_mask=kpm),
        [t.double() for t in (q, k, v)], grad_out)
    (out, pooled), grads = run_with_grads(
        lambda *t: attention(*t, causal=True, key_padding_mask=kpm, return_probs=True,
                             probs_pool=64), (q, k, v), grad_out)
    tol = TOL[dtype]
    assert max_rel_err(out, ref_out) < tol
    for name, got, want in zip("qkv", grads, ref_grads, strict=True):
        assert max_rel_err(got, want) < 4 * tol, f"d{name}"
    with torch.no_grad():
        # the plain forward, and the pooled map against pooling the full one (the full
        # map runs on the pointer kernel: the TMA kernel writes pooled maps only)
        assert max_rel_err(attention(q, k, v, causal=True, key_padding_mask=kpm), ref_out) < tol
        _, full = attention(q, k, v, causal=True, key_padding_mask=kpm, return_probs=True)
    assert (pooled.double() - pool_reference(full.double(), 64)).abs().max().item() < 1e-6


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
def test_low_precision_probabilities_of_selected_heads(dtype):
    q, k, v, kpm = random_inputs(2, 4, 2, 33, 47, 40, pad_fraction=0.2)
    _, ref = reference_attention(q.double(), k.double(), v.double(), key_padding_mask=kpm,
                                 return_probs=True)
    out, probs = attention(q, k, v, key_padding_mask=kpm, return_probs=True,
                           probs_dtype=dtype, probs_heads=[3, 1])
    assert probs.dtype == dtype and probs.shape == (2, 2, 33, 47)
    assert (probs.double() - ref[:, [3, 1]]).abs().max().item() < 1e-2
    assert torch.allclose(out, attention(q, k, v, key_padding_mask=kpm))


# ---- bad input: a clear error naming the argument -------------------------------------
def _ok():
    return [torch.randn(1, 2, 4, 16, device=DEVICE) for _ in range(3)]


@pytest.mark.parametrize("mutate,error,words", [
    (lambda q, k, v, kw: (q[0], k, v, kw), ValueError, "q must have 4 dimensions"),
    (lambda q, k, v, kw: (q, k[:, :, :, :8], v, kw), ValueError, "head_dim differs"),
    (lambda q, k, v, kw: (q, k, v[:, :, :3], kw), ValueError, "same length"),
    (lambda q, k, v, kw: (q, torch.cat([k, k]), torch.cat([v, v]), kw), ValueError, "batch"),
    (lambda q, k, v, kw: (torch.cat([q, q[:, :1]], 1), k, v, kw), ValueError, "multiple of"),
    (lambda q, k, v, kw: (q.long(), k, v, kw), TypeError, "q must be float16"),
    (lambda q, k, v, kw: (q, k.double(), v, kw), TypeError, "k must be float16"),
    (lambda q, k, v, kw: (q, k.half(), v.half(), kw), TypeError, "share one dtype"),
    (lambda q, k, v, kw: (q[..., :12], k[..., :12], v[..., :12], kw), ValueError, "multiple of 8"),
    (lambda q, k, v, kw: (q, k, v, {"key_padding_mask": torch.zeros(1, 4, device=DEVICE)}),
     TypeError, "key_padding_mask must have dtype torch.bool"),
    (lambda q, k, v, kw: (q, k, v, {"key_padding_mask": torch.zeros(1, 5, dtype=torch.bool,
                                                                     device=DEVICE)}),
     ValueError, "key_padding_mask must have shape"),
    (lambda q, k, v, kw: (q, k, v, {"scale": "big"}), TypeError, "scale"),
    (lambda q, k, v, kw: (q, k, v, {"causal": 1}), TypeError, "causal"),
    (lambda q, k, v, kw: (q, k, v, {"probs_pool": 4}), ValueError, "return_probs=True"),
    (lambda q, k, v, kw: (q, k, v, {"return_probs": True, "probs_pool": 3}),
     ValueError, "power of two"),
    (lambda q, k, v, kw: (q, k, v, {"return_probs": True, "probs_heads": [5]}),
     ValueError, "probs_heads"),
    (lambda q, k, v, kw: (q, k, v, {"return_probs": True, "probs_dtype": torch.int8}),
     TypeError, "probs_dtype"),
])
def test_bad_input_gives_clear_error(mutate, error, words):
    q, k, v, kwargs = mutate(*_ok(), {})
    with pytest.raises(error, match=words):
        attention(q, k, v, **kwargs)


def test_head_dim_out_of_range():
    q = torch.randn(1, 1, 4, 264, device=DEVICE)
    with pytest.raises(ValueError, match="head_dim must be a multiple of 8 between 8 and 256"):
        attention(q, q, q)


def test_mixed_devices_named():
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device beside the CPU")
    q, k, v = _ok()
    with pytest.raises(ValueError, match="one device"):
        attention(q, k.cpu(), v)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=["fp16", "bf16"])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_low_precision_error_at_most_twice_pytorch_sdpa(dtype, causal):
    """FlashAttention's rule for low precision, against PyTorch's own SDPA."""
    # Lq == Lk: SDPA's is_causal is top-left aligned, ours bottom-right; equal here.
    q, k, v, _ = random_inputs(2, 2, 2, 96, 96, 64, dtype=dtype)
    ref = reference_attention(q.double(), k.double(), v.double(), causal=causal)
    ours = attention(q, k, v, causal=causal)
    theirs = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    err_ours = (ours.double() - ref).abs().max().item()
    err_theirs = (theirs.double() - ref).abs().max().item()
    assert err_ours <= 2 * err_theirs + 1e-6


def test_pooled_with_rows_that_see_nothing():
    # Batch 1 fully padded, and causal with Lq > Lk: whole rows without a visible key.
    q, k, v, kpm = random_inputs(2, 2, 2, 90, 40, 16, pad_fraction=0.3, fully_padded_batch=1)
    _, ref = reference_attention(q.double(), k.double(), v.double(), causal=True,
                                 key_padding_mask=kpm, return_probs=True)
    _, pooled = attention(q, k, v, causal=True, key_padding_mask=kpm, return_probs=True,
                          probs_pool=8)
    assert torch.isfinite(pooled).all() and (pooled[1] == 0).all()
    assert (pooled.double() - pool_reference(ref, 8)).abs().max().item() < 1e-6


@pytest.mark.parametrize("B,H,Hkv,Lq,Lk,D,causal,pool", [
    (1, 4, 2, 200, 300, 64, True, 32), (2, 2, 2, 130, 130, 128, False, 128),
    (1, 2, 1, 300, 77, 64, True, 256), (1, 2, 2, 1, 257, 128, True, 4),
    (1, 2, 2, 70, 1, 64, False, 2),
])
def test_tma_kernel_matches_float64_reference(B, H, Hkv, Lq, Lk, D, causal, pool):
    # The Hopper kernel (tensor descriptors) runs under the interpreter too, which checks
    # its tile logic on a CPU; on a Hopper GPU the same test runs it compiled, autotuned.
    # It writes pooled maps in its one sweep: checked here for two heads, in reverse.
    from kernels import interpreter_active

    interpret = interpreter_active()
    if not interpret and not forward_tma._has_tma(torch.device(DEVICE)):
        pytest.skip("needs a GPU with TMA (compute capability 9+)")
    dtype = torch.float32 if interpret else torch.bfloat16
    q = torch.randn(B, H, Lq, D, device=DEVICE, dtype=dtype)
    k, v = (torch.randn(B, Hkv, Lk, D, device=DEVICE, dtype=dtype) for _ in range(2))
    out = torch.full_like(q, float("nan"))
    lse = torch.full((B, H, Lq), float("nan"), device=DEVICE)
    heads = (H - 1, 0)
    pooled = launch._pooled_buffers(B, len(heads), Lq, Lk, pool, q.device)
    forward_tma._flash_forward_tma(q, k, v, out, lse, D ** -0.5, causal, pooled,
                                   launch._head_slots(H, heads, q.device),
                                   interpret=interpret)
    ref, probs = reference_attention(q.double(), k.double(), v.double(), causal=causal,
                                     return_probs=True)
    assert torch.isfinite(out).all()
    assert (out.double() - ref).abs().max().item() < (1e-5 if interpret else 2e-2)
    want = pool_reference(probs[:, list(heads)], pool)
    got = pooled.finish(Lq)
    assert got.shape == want.shape
    # bf16 inputs on the GPU: the scores themselves carry bf16 rounding.
    assert (got.double() - want).abs().max().item() < (1e-6 if interpret else 2e-3)


def test_interpreter_patches_the_language_once_per_launch():
    # kernels/__init__ keeps the interpreter from re-patching triton.language at every
    # call of a jitted helper (two fifths of a CPU forward); a launch must still undo
    # its patch, and the next launch must still work.
    from kernels import interpreter_active

    if not interpreter_active():
        pytest.skip("the interpreter runs only without a GPU")
    import triton.language as tl
    from triton.runtime import interpreter

    calls = []
    original = interpreter._patch_builtin
    interpreter._patch_builtin = lambda *a, **kw: (calls.append(1), original(*a, **kw))[1]
    try:
        q, k, v, _ = random_inputs(1, 2, 2, 300, 300, 32)  # 3 x 3 tiles per head
        attention(q, k, v, causal=True)
    finally:
        interpreter._patch_builtin = original
    # Two language modules (ours and the standard library's), a handful of patches each,
    # not a few per helper call per tile.
    assert 0 < len(calls) <= 12
    assert tl.core.is_builtin(tl.full)  # the launch's patch was undone
    check_against_reference(q, k, v, causal=True, grads=False)


def test_interpreter_launches_from_two_threads_take_turns():
    # Two Streamlit sessions run kernels from two threads; the interpreter's language
    # patch is process-wide, so unguarded launches undo each other mid-kernel.
    import threading

    from kernels import interpreter_active

    if not interpreter_active():
        pytest.skip("the interpreter runs only without a GPU")
    inputs = [random_inputs(1, 2, 2, 200, 200, 32) for _ in range(2)]
    results, errors = [None, None], []

    def run(i):
        try:
            q, k, v, _ = inputs[i]
            results[i] = [attention(q, k, v, causal=True) for _ in range(3)]
        except Exception as err:  # noqa: BLE001 - reported by the assert below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for (q, k, v, _), outs in zip(inputs, results, strict=True):
        ref = reference_attention(q.double(), k.double(), v.double(), causal=True)
        assert all(max_rel_err(out, ref) < TOL[torch.float32] for out in outs)


def test_tuned_launches_reuse_the_autotuners_pick_per_key():
    # On a GPU, a launch after the first of a key skips Triton's autotuner (57 us of host
    # time per call on the H100 machine) and runs the plain kernel with the config the
    # autotuner picked for that key. The logic runs here with stand-ins for the kernels.
    class Launcher:
        def __init__(self, name, picks=None):
            self.name, self.picks, self.best_config = name, picks, None

        def __getitem__(self, grid):
            def launch(*args, **kwargs):
                calls.append((self.name, grid if callable(grid) else tuple(grid), args, kwargs))
                if self.picks is not None:  # the autotuner: its pick for this call
                    self.best_config = triton.Config(self.picks.pop(0), num_warps=8,
                                                     num_stages=3)
            return launch

    calls, hooked = [], []
    tuned = Launcher("tuned", picks=[{"BLOCK_M": 128, "BLOCK_N": 64},
                                     {"BLOCK_M": 64, "BLOCK_N": 32}])
    raw = Launcher("raw")
    grid = lambda m: (3 * m["BLOCK_M"], 2)  # noqa: E731
    key = lambda n: ("test", object.__hash__(raw), n)  # noqa: E731
    try:
        for n in (1, 1, 2, 1, 2):
            launch._launch_picked(tuned, raw, grid, key(n), ("a", n), {"CAUSAL": True},
                                  before=hooked.append)
    finally:
        for n in (1, 2):
            launch._picked_configs.pop(key(n), None)
    assert [c[0] for c in calls] == ["tuned", "raw", "tuned", "raw", "raw"]
    assert calls[0][1] is grid and calls[0][3] == {"CAUSAL": True}
    # plain launches: the grid of the picked blocks, the picked config as keywords
    assert calls[1][1] == (384, 2) and calls[4][1] == (192, 2)
    launched = {name: calls[1][3].get(name) for name in
                ("CAUSAL", "BLOCK_M", "BLOCK_N", "num_warps", "num_stages")}
    assert launched == {"CAUSAL": True, "BLOCK_M": 128, "BLOCK_N": 64, "num_warps": 8,
                        "num_stages": 3}
    assert calls[3][2] == ("a", 1) and calls[4][2] == ("a", 2)
    assert [h["BLOCK_M"] for h in hooked] == [128, 128, 64]


def test_host_arithmetic_matches_tritons():
    # kernels/launch.py computes block sizes and grids with its own integer helpers
    # (Triton's cost ~2 us a call from Python); they must agree with Triton's.
    for n in [1, 2, 3, 7, 8, 9, 1023, 1024, 1025, 2**31 - 1, 2**31 + 1,
              *random.sample(range(1, 10**6), 200)]:
        assert launch._next_pow2(n) == triton.next_power_of_2(n), n
        for d in (1, 16, 64, 100, random.randint(1, 4096)):
            assert launch._cdiv(n, d) == triton.cdiv(n, d), (n, d)
