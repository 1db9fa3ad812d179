"""attnviz.nn: MultiheadAttention against torch's, and swap_attention on nn.Transformer."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import attnviz
from attnviz.backends.nn import MultiheadAttention, UnsupportedAttention, swap_attention

TOL = dict(atol=1e-5, rtol=1e-5)
N, L, S = 2, 5, 7


def pair(embed_dim: int = 16, num_heads: int = 2, **kwargs):
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(embed_dim, num_heads, **kwargs).eval()
    ours = MultiheadAttention(embed_dim, num_heads, **kwargs).eval()
    ours.load_state_dict(ref.state_dict())
    return ref, ours


def inputs(batch_first: bool, kdim: int = 16, vdim: int = 16, embed_dim: int = 16):
    g = torch.Generator().manual_seed(1)

    def make(length, dim):
        shape = (N, length, dim) if batch_first else (length, N, dim)
        return torch.randn(*shape, generator=g)

    return make(L, embed_dim), make(S, kdim), make(S, vdim)


def assert_same(ref_out, our_out):
    torch.testing.assert_close(our_out[0], ref_out[0], **TOL)
    if ref_out[1] is None:
        assert our_out[1] is None
    else:
        torch.testing.assert_close(our_out[1], ref_out[1], **TOL)


PADDED = torch.zeros(N, S, dtype=torch.bool)
PADDED[1, -3:] = True


@pytest.mark.parametrize("options", [
    dict(),
    dict(batch_first=True),
    dict(bias=False),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(kdim=12, vdim=20),
])
@pytest.mark.parametrize("call", [
    dict(),
    dict(key_padding_mask=PADDED, average_attn_weights=False),
    dict(key_padding_mask=PADDED.float().masked_fill(PADDED, float("-inf")), need_weights=False),
])
def test_matches_torch(options, call):
    ref, ours = pair(**options)
    q, k, v = inputs(options.get("batch_first", False), options.get("kdim", 16),
                     options.get("vdim", 16))
    assert_same(ref(q, k, v, **call), ours(q, k, v, **call))


@pytest.mark.parametrize("mask_kind", ["bool", "float", "hint"])
def test_causal_masks(mask_kind):
    ref, ours = pair(batch_first=True)
    x = torch.randn(N, 6, 16)
    mask = nn.Transformer.generate_square_subsequent_mask(6)  # float -inf / 0
    kwargs = dict(attn_mask=mask)
    if mask_kind == "bool":
        kwargs = dict(attn_mask=torch.ones(6, 6, dtype=torch.bool).triu(1))
    elif mask_kind == "hint":
        padded = torch.zeros(N, 6).masked_fill(PADDED[:, :6], float("-inf"))  # float, like mask
        kwargs = dict(attn_mask=mask, is_causal=True, key_padding_mask=padded)
    assert_same(ref(x, x, x, **kwargs), ours(x, x, x, **kwargs))


def test_causal_with_fewer_queries_than_keys_and_per_head_mask():
    """Top-left causal over 4 queries and 7 keys: the kernel sees the first 4 keys."""
    ref, ours = pair()
    q, k, v = inputs(False)
    top_left = torch.ones(L, S, dtype=torch.bool).triu(1)
    assert_same(ref(q, k, v, attn_mask=top_left), ours(q, k, v, attn_mask=top_left))
    per_head = top_left.expand(N * 2, L, S)  # (N * heads, L, S), the same for every head
    assert_same(ref(q, k, v, attn_mask=per_head), ours(q, k, v, attn_mask=per_head))


def test_unbatched_and_odd_head_dim():
    ref, ours = pair(embed_dim=12, num_heads=2)  # head_dim 6: padded to 8 for the kernel
    x = torch.randn(L, 12)
    mask = torch.ones(L, L, dtype=torch.bool).triu(1)
    assert_same(ref(x, x, x, attn_mask=mask), ours(x, x, x, attn_mask=mask))


def test_state_dict_and_refusals():
    ref, ours = pair(add_bias_kv=True, kdim=12, vdim=20)
    assert list(ours.state_dict()) == list(ref.state_dict())
    q, k, v = inputs(False, 12, 20)
    arbitrary = torch.rand(L, S) > 0.5
    arbitrary[:, 0] = False  # every query sees something; still not padding nor causal
    with pytest.raises(UnsupportedAttention, match="neither a key padding mask nor a causal"):
        ours(q, k, v, attn_mask=arbitrary)
    with pytest.raises(UnsupportedAttention, match="bias"):
        ours(q, k, v, attn_mask=torch.randn(L, S))
    _, dropping = pair(dropout=0.1)
    with pytest.raises(UnsupportedAttention, match="dropout"):
        dropping.train()(*inputs(False))


@pytest.mark.parametrize("no_grad", [False, True])
def test_swap_attention_on_transformer(no_grad):
    """Outputs unchanged, every attention layer on our kernel, in eval mode with and without
    grad (without grad torch takes its fast paths, which the swap must keep ours out of)."""
    torch.manual_seed(0)
    model = nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                           dim_feedforward=32, dropout=0.0, batch_first=True).eval()
    src, tgt = torch.randn(N, 6, 16), torch.randn(N, 4, 16)
    src_pad = torch.zeros(N, 6, dtype=torch.bool)
    src_pad[1, -2:] = True
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4)
    args = dict(src_key_padding_mask=src_pad, memory_key_padding_mask=src_pad,
                tgt_mask=tgt_mask, tgt_is_causal=True)
    with torch.set_grad_enabled(not no_grad):
        expected = model(src, tgt, **args)
        encoded = model.encoder(src, src_key_padding_mask=src_pad)
        keys_before = list(model.state_dict())
        assert swap_attention(model) is model
        assert list(model.state_dict()) == keys_before
        with attnviz.capture(model) as maps:
            got = model(src, tgt, **args)
            got_encoded = model.encoder(src, src_key_padding_mask=src_pad)
    torch.testing.assert_close(got, expected, **TOL)
    # Torch's nested-tensor path zeroes padded positions; compare the real ones.
    real = ~src_pad
    torch.testing.assert_close(got_encoded[real], encoded[real], **TOL)
    assert set(maps) == {"encoder.layers.0.self_attn", "decoder.layers.0.self_attn",
                         "decoder.layers.0.multihead_attn"}
    assert len(maps.calls["encoder.layers.0.self_attn"]) == 2
    assert maps["decoder.layers.0.multihead_attn"].shape == (N, 2, 4, 6)


def test_public_names_lead_to_the_backends_wing():
    import attnviz.backends.capturing
    import attnviz.backends.nn

    assert attnviz.nn is attnviz.backends.nn and attnviz.nn.swap_attention is swap_attention
    assert attnviz.capture is attnviz.backends.capturing.capture
    with pytest.raises(AttributeError):
        attnviz.no_such_name  # noqa: B018
