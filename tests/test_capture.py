"""attnviz.capture: maps by module name, with head selection, pooling and dtype."""

from __future__ import annotations

import pytest
import torch
from torch import nn

transformers = pytest.importorskip("transformers")

from transformers import AutoModelForCausalLM, LlamaConfig  # noqa: E402

import attnviz  # noqa: E402
from attnviz.backends._maps import pool_maps  # noqa: E402

LAYERS = ["model.layers.0.self_attn", "model.layers.1.self_attn"]


@pytest.fixture(scope="module")
def llama():
    name = attnviz.hf.register()
    config = LlamaConfig(vocab_size=48, hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=64, pad_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_config(config, attn_implementation=name).eval()


def manual_pool(probs: torch.Tensor, p: int) -> torch.Tensor:
    """Mean over each p x p tile, edge tiles over the cells they have."""
    *lead, lq, lk = probs.shape
    out = torch.empty(*lead, -(-lq // p), -(-lk // p))
    for i in range(out.shape[-2]):
        for j in range(out.shape[-1]):
            out[..., i, j] = probs[..., i * p:(i + 1) * p, j * p:(j + 1) * p].mean(dim=(-1, -2))
    return out


def test_pool_maps_edge_tiles():
    probs = torch.rand(2, 3, 7, 10)
    for p in (2, 3, 4):
        torch.testing.assert_close(pool_maps(probs, p), manual_pool(probs, p))


def test_capture_hf_full_then_options(llama):
    ids = torch.randint(4, 48, (2, 11))
    mask = torch.ones_like(ids)
    mask[0, :3] = 0  # left padding
    with torch.no_grad():
        with attnviz.capture(llama) as full:
            out = llama(input_ids=ids, attention_mask=mask, output_attentions=True)
        with attnviz.capture(llama, heads=[3, 1], pool=4, probs_dtype=torch.bfloat16) as small:
            out_small = llama(input_ids=ids, attention_mask=mask, output_attentions=True)
        with attnviz.capture(llama, pool=3) as pooled3:  # not a power of two
            llama(input_ids=ids, attention_mask=mask)
    assert list(full) == LAYERS and list(small) == LAYERS
    for name, attn in zip(LAYERS, out.attentions, strict=True):
        assert full[name] is attn and attn.shape == (2, 4, 11, 11)
        assert attn.dtype == torch.float32
        expected = manual_pool(attn[:, [3, 1]], 4).to(torch.bfloat16)
        assert small[name].shape == (2, 2, 3, 3) and small[name].dtype == torch.bfloat16
        torch.testing.assert_close(small[name].float(), expected.float(), atol=1e-2, rtol=1e-2)
        torch.testing.assert_close(pooled3[name], manual_pool(attn, 3), atol=1e-6, rtol=1e-5)
    # Inside the capture, output_attentions hands back the captured maps.
    assert out_small.attentions[0] is small[LAYERS[0]]


def test_capture_without_output_attentions_and_during_generate(llama):
    ids = torch.randint(4, 48, (1, 5))
    with torch.no_grad(), attnviz.capture(llama, heads=[0]) as maps:
        out = llama(input_ids=ids)
        assert out.attentions is None and maps[LAYERS[0]].shape == (1, 1, 5, 5)
        llama.generate(ids, max_new_tokens=3, do_sample=False, pad_token_id=1)
    steps = maps.calls[LAYERS[1]]
    # One forward, then the prompt and two single-token steps of generate.
    assert [tuple(m.shape) for m in steps] == [(1, 1, 5, 5), (1, 1, 5, 5), (1, 1, 1, 6),
                                               (1, 1, 1, 7)]


def test_capture_refuses_models_not_on_our_kernel():
    with pytest.raises(ValueError, match="swap_attention"):
        with attnviz.capture(nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1,
                                            num_decoder_layers=1, dim_feedforward=16)):
            pass
    config = LlamaConfig(vocab_size=48, hidden_size=32, intermediate_size=64,
                         num_hidden_layers=1, num_attention_heads=4, max_position_embeddings=32)
    eager = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    with pytest.raises(ValueError, match="set_attn_implementation"):
        with attnviz.capture(eager):
            pass
    with pytest.raises(ValueError, match="no attention layer"):
        with attnviz.capture(nn.Linear(2, 2)):
            pass
    with pytest.raises(ValueError, match="pool"):
        with attnviz.capture(eager, pool=0):
            pass


def _softmax_of_inputs(inputs, kv_group: int) -> torch.Tensor:
    """softmax over the visible keys of scale · q · kᵀ, from a capture's KernelInputs."""
    key = inputs.key.repeat_interleave(kv_group, dim=1)
    scores = inputs.query @ key.transpose(-1, -2) * inputs.scale
    scores = scores.masked_fill(~inputs.visible[:, None], float("-inf"))
    return torch.softmax(scores.double(), dim=-1).float().nan_to_num(0.0)


def test_capture_vectors_reproduce_the_maps(llama):
    ids = torch.randint(3, 48, (2, 6), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)
    mask[0, :2] = 0  # left padding: hidden keys, and queries that see no key (zeros)
    with torch.no_grad(), attnviz.capture(llama, heads=[1]) as plain:
        llama(input_ids=ids, attention_mask=mask)
    assert plain.inputs == {}  # only when asked
    with torch.no_grad(), attnviz.capture(llama, heads=[1], vectors=True) as maps:
        llama(input_ids=ids, attention_mask=mask)
    for name in LAYERS:
        inputs = maps.inputs[name]
        # Every head, whatever `heads` keeps of the maps; K/V with their own 2 heads.
        assert inputs.query.shape == (2, 4, 6, 8) and inputs.key.shape == (2, 2, 6, 8)
        assert inputs.scale == pytest.approx(8 ** -0.5)
        causal = torch.ones(6, 6, dtype=torch.bool).tril()
        assert torch.equal(inputs.visible[1], causal)
        assert torch.equal(inputs.visible[0], causal & (mask[0] == 1))
        torch.testing.assert_close(_softmax_of_inputs(inputs, 2)[:, [1]], maps[name],
                                   atol=2e-6, rtol=0)
    with pytest.raises(TypeError, match="vectors must be True or False"):
        with attnviz.capture(llama, vectors="yes"):  # type: ignore[arg-type]
            pass


def test_capture_vectors_of_torch_nn_with_extra_keys():
    torch.manual_seed(0)
    mha = attnviz.nn.MultiheadAttention(16, 2, batch_first=True, add_bias_kv=True,
                                        add_zero_attn=True).eval()
    x = torch.randn(1, 5, 16)
    with torch.no_grad(), attnviz.capture(mha, vectors=True) as maps:
        mha(x, x, x, need_weights=False)
    inputs = maps.inputs[""]
    # The kernel's keys: 5 tokens, bias_k, then the zero key.
    assert inputs.key.shape == (1, 2, 7, 8) and (inputs.key[0, :, -1] == 0).all()
    torch.testing.assert_close(_softmax_of_inputs(inputs, 1), maps[""], atol=2e-6, rtol=0)
