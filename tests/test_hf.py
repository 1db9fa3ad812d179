"""attnviz.hf: tiny random Hugging Face models on our kernel against eager attention.

Every comparison is float32 and covers hidden states and every kind of attention map
(encoder self, decoder causal self, cross) on padded batches. Positions that are padding
under a causal mask (left padding) see no key at all: eager spreads them uniformly, our
kernel gives zeros, so those query positions are left out of the comparison.
"""

from __future__ import annotations

import logging

import pytest
import torch

transformers = pytest.importorskip("transformers")

from transformers import (  # noqa: E402
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    BartConfig,
    BertConfig,
    GPT2Config,
    LlamaConfig,
    MarianConfig,
    MistralConfig,
    T5Config,
)

import attnviz  # noqa: E402
from attnviz.backends.hf import UnsupportedAttention  # noqa: E402

TOL = dict(atol=1e-5, rtol=1e-5)
VOCAB = 48


@pytest.fixture(scope="module")
def name() -> str:
    return attnviz.hf.register()


def make(auto, config, name: str | None = None):
    """The same random weights under eager and under ours (seeded, so built twice)."""
    torch.manual_seed(0)
    eager = auto.from_config(config, attn_implementation="eager").eval()
    if name is None:
        return eager
    torch.manual_seed(0)
    ours = auto.from_config(config, attn_implementation=name).eval()
    return eager, ours


def ids_and_mask(batch_lengths: list[tuple[int, int]], length: int, seed: int = 1):
    """Token ids with padding: (left pad, right pad) per row."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, VOCAB, (len(batch_lengths), length), generator=g)
    mask = torch.ones_like(ids)
    for row, (left, right) in enumerate(batch_lengths):
        mask[row, :left] = 0
        if right:
            mask[row, length - right:] = 0
        ids[row][mask[row] == 0] = 1  # pad id
    return ids, mask


def assert_maps_equal(eager_maps, our_maps, query_rows: torch.Tensor | None = None):
    """Same number of layers, same shapes, same values (on the given query rows)."""
    assert len(eager_maps) == len(our_maps) > 0
    for e, o in zip(eager_maps, our_maps, strict=True):
        assert o is not None and o.shape == e.shape
        if query_rows is not None:  # (B, Lq) bool: compare these queries only
            e, o = e.transpose(1, 2)[query_rows], o.transpose(1, 2)[query_rows]
        torch.testing.assert_close(o, e, **TOL)


def assert_states_equal(eager_states, our_states, rows: torch.Tensor | None = None):
    assert len(eager_states) == len(our_states)
    for e, o in zip(eager_states, our_states, strict=True):
        if rows is not None:
            e, o = e[rows], o[rows]
        torch.testing.assert_close(o, e, **TOL)


def no_attention_warnings(caplog) -> None:
    text = " ".join(r.getMessage() for r in caplog.records).lower()
    assert "output_attentions" not in text and "eager" not in text, text


def test_register_is_idempotent(name):
    assert attnviz.hf.register() == name == "attnviz"
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    assert AttentionInterface._global_mapping[name] is attnviz.hf.attention_forward
    assert AttentionMaskInterface._global_mapping[name] is attnviz.hf.kernel_mask
    from attnviz.backends import hf

    assert attnviz.hf is hf  # the public name of the wing's module


def test_bert_encoder_with_padding_and_from_pretrained(name, tmp_path, caplog):
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=64, max_position_embeddings=32)
    eager = make(AutoModel, config)
    eager.save_pretrained(tmp_path)
    ours = AutoModel.from_pretrained(tmp_path, attn_implementation=name,
                                     output_attentions=True).eval()
    assert ours.config._attn_implementation == name and ours.config.output_attentions
    ids, mask = ids_and_mask([(0, 3), (0, 0)], 9)
    with torch.no_grad(), caplog.at_level(logging.WARNING):
        e = eager(input_ids=ids, attention_mask=mask, output_attentions=True,
                  output_hidden_states=True)
        o = ours(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    no_attention_warnings(caplog)
    # Encoder self-attention: padded queries still see the real keys, so all rows compare.
    assert_states_equal(e.hidden_states, o.hidden_states)
    assert_maps_equal(e.attentions, o.attentions)
    assert o.attentions[0].dtype == torch.float32


def test_gpt2_left_padding_forward_and_generate(name, caplog):
    config = GPT2Config(vocab_size=VOCAB, n_embd=32, n_layer=2, n_head=4, n_positions=32,
                        pad_token_id=1, eos_token_id=2, bos_token_id=0)
    eager, ours = make(AutoModelForCausalLM, config, name)
    ids, mask = ids_and_mask([(3, 0), (0, 0)], 8)
    real = mask.bool()
    with torch.no_grad(), caplog.at_level(logging.WARNING):
        e = eager(input_ids=ids, attention_mask=mask, output_attentions=True,
                  output_hidden_states=True)
        o = ours(input_ids=ids, attention_mask=mask, output_attentions=True,
                 output_hidden_states=True)
        args = dict(attention_mask=mask, max_new_tokens=4, do_sample=False, pad_token_id=1)
        tokens_eager = eager.generate(ids, **args)
        tokens_ours = ours.generate(ids, **args)
    no_attention_warnings(caplog)
    assert_states_equal(e.hidden_states, o.hidden_states, real)
    torch.testing.assert_close(o.logits[real], e.logits[real], **TOL)
    assert_maps_equal(e.attentions, o.attentions, real)
    assert torch.equal(tokens_ours, tokens_eager)


def test_llama_grouped_query_left_and_right_padding_and_generate(name, monkeypatch):
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=64, pad_token_id=1, eos_token_id=2,
                         bos_token_id=0)
    eager, ours = make(AutoModelForCausalLM, config, name)
    # K/V reach the kernel with their 2 heads, not repeated to 4.
    seen_kv_heads = []
    original = attnviz.hf.run_attention

    def spy(q, k, v, *args, **kwargs):
        seen_kv_heads.append((q.shape[1], k.shape[1]))
        return original(q, k, v, *args, **kwargs)

    monkeypatch.setattr(attnviz.hf, "run_attention", spy)
    ids, mask = ids_and_mask([(3, 0), (0, 2)], 8)  # row 0 left-padded, row 1 right-padded
    real = mask.bool()
    with torch.no_grad():
        e = eager(input_ids=ids, attention_mask=mask, output_attentions=True,
                  output_hidden_states=True)
        o = ours(input_ids=ids, attention_mask=mask, output_attentions=True,
                 output_hidden_states=True)
    assert set(seen_kv_heads) == {(4, 2)}
    assert_states_equal(e.hidden_states, o.hidden_states, real)
    assert_maps_equal(e.attentions, o.attentions, real)

    ids, mask = ids_and_mask([(2, 0), (0, 0)], 6, seed=3)
    args = dict(attention_mask=mask, max_new_tokens=4, do_sample=False, pad_token_id=1)
    with torch.no_grad():
        assert torch.equal(ours.generate(ids, **args), eager.generate(ids, **args))


def _seq2seq_inputs():
    src, src_mask = ids_and_mask([(0, 3), (0, 0)], 7)
    tgt, tgt_mask = ids_and_mask([(0, 0), (0, 2)], 5, seed=2)
    return src, src_mask, tgt, tgt_mask


@pytest.mark.parametrize("kind", ["bart", "marian"])
def test_encoder_decoder_all_attention_kinds(name, kind):
    common = dict(vocab_size=VOCAB, d_model=32, encoder_layers=2, decoder_layers=2,
                  encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64,
                  decoder_ffn_dim=64, max_position_embeddings=32, pad_token_id=1,
                  eos_token_id=2, decoder_start_token_id=0)
    config = BartConfig(**common, bos_token_id=0) if kind == "bart" else MarianConfig(**common)
    eager, ours = make(AutoModelForSeq2SeqLM, config, name)
    src, src_mask, tgt, tgt_mask = _seq2seq_inputs()
    # Marian without a decoder mask: the decoder's causal self-attention comes from the
    # model alone.
    extra = dict(decoder_attention_mask=tgt_mask) if kind == "bart" else {}
    with torch.no_grad():
        e = eager(input_ids=src, attention_mask=src_mask, decoder_input_ids=tgt,
                  output_attentions=True, output_hidden_states=True, **extra)
        o = ours(input_ids=src, attention_mask=src_mask, decoder_input_ids=tgt,
                 output_attentions=True, output_hidden_states=True, **extra)
    assert_states_equal(e.encoder_hidden_states, o.encoder_hidden_states)
    assert_states_equal(e.decoder_hidden_states, o.decoder_hidden_states)
    assert_maps_equal(e.encoder_attentions, o.encoder_attentions)
    assert_maps_equal(e.decoder_attentions, o.decoder_attentions)
    assert_maps_equal(e.cross_attentions, o.cross_attentions)
    if kind == "bart":
        args = dict(attention_mask=src_mask, max_new_tokens=3, do_sample=False)
        with torch.no_grad():
            assert torch.equal(ours.generate(src, **args), eager.generate(src, **args))


def test_set_attn_implementation_switches_every_layer(name, monkeypatch):
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                         max_position_embeddings=32)
    model = make(AutoModelForCausalLM, config)
    model.set_attn_implementation(name)
    calls = []
    original = attnviz.hf.run_attention
    monkeypatch.setattr(attnviz.hf, "run_attention",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    with torch.no_grad():
        out = model(input_ids=torch.randint(4, VOCAB, (1, 5)))
    assert len(calls) == 2 and out.attentions is None  # no maps unless asked for


def test_t5_relative_position_bias_is_refused(name):
    config = T5Config(vocab_size=VOCAB, d_model=32, d_kv=8, d_ff=64, num_layers=1,
                      num_decoder_layers=1, num_heads=4, decoder_start_token_id=0)
    torch.manual_seed(0)
    model = AutoModelForSeq2SeqLM.from_config(config, attn_implementation=name).eval()
    ids = torch.randint(4, VOCAB, (1, 5))
    with torch.no_grad(), pytest.raises(UnsupportedAttention, match="position_bias"):
        model(input_ids=ids, decoder_input_ids=ids)


def test_sliding_window_that_cuts_is_refused(name):
    config = MistralConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64,
                           num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=2,
                           max_position_embeddings=32, sliding_window=3)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, attn_implementation=name).eval()
    with torch.no_grad(), pytest.raises(UnsupportedAttention, match="sliding window"):
        model(input_ids=torch.randint(4, VOCAB, (1, 8)))


def test_training_dropout_is_refused(name):
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=4, intermediate_size=64,
                        attention_probs_dropout_prob=0.1)
    torch.manual_seed(0)
    model = AutoModel.from_config(config, attn_implementation=name).train()
    with pytest.raises(UnsupportedAttention, match="dropout"):
        model(input_ids=torch.randint(4, VOCAB, (1, 5)))


def test_custom_4d_masks(name):
    """A 4-D mask from the caller is used when it is causal/padding, refused otherwise."""
    from attnviz.backends._maps import plan_from_allowed

    causal = torch.ones(5, 5, dtype=torch.bool).tril()[None, None].expand(2, 1, 5, 5).clone()
    causal[1, ..., :2] = False  # left padding in row 1
    plan = plan_from_allowed(causal, "mask")
    assert plan.causal and plan.key_padding_mask.tolist()[1][:2] == [True, True]
    assert torch.equal(plan.allowed(2), causal[:, 0])
    # Static-cache shape: 3 new queries after 2 cached keys, 4 empty cache slots.
    static = torch.zeros(1, 1, 3, 9, dtype=torch.bool)
    for i in range(3):
        static[..., i, : 2 + i + 1] = True
    plan = plan_from_allowed(static, "mask")
    assert plan.causal and plan.keys == 5 and torch.equal(plan.allowed(1), static[:, 0])
    lower = torch.ones(6, 6, dtype=torch.bool).tril()
    window = lower & ~lower.tril(-3)  # each query sees itself and the 2 keys before
    with pytest.raises(UnsupportedAttention, match="sliding window"):
        plan_from_allowed(window[None, None], "mask")
    with pytest.raises(UnsupportedAttention, match="bias"):
        attnviz.hf._plan_from_tensor(torch.randn(1, 1, 4, 4))
