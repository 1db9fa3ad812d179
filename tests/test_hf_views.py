"""attnviz.hf_views on tiny random Hugging Face models: rollout from the captured per-layer
maps, and the neuron view from the query and key vectors the kernel received.

The weights are drawn wide (initializer_range 0.5) so the attention is far from uniform:
a wrong scale or a wrong key would then change the probabilities visibly.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from hf_tiny import TARGET, TEXT, bart, bert, gpt2, llama, tokenizer  # noqa: E402

from attnviz import hf_views  # noqa: E402
from attnviz.backends.hf_local import attention_maps  # noqa: E402

BUILDERS = {"bert": bert, "gpt2": lambda: gpt2(scale_by_layer=True), "llama": llama,
            "bart": bart}
CAUSAL = {"bert": False, "gpt2": True, "llama": True, "bart": False}


@pytest.fixture(scope="module")
def captured():
    """name -> (model, layers with vectors): one run of each model on TEXT."""
    tok = tokenizer()
    out = {}
    for name, build in BUILDERS.items():
        model = build()
        target = TARGET if name == "bart" else None
        out[name] = (model, attention_maps(model, tok, TEXT, target, vectors=True))
    return out


def _rownorm(m):
    return m / m.sum(-1, keepdims=True)


def _hat(maps: np.ndarray) -> np.ndarray:
    """Â = rownorm(0.5·Ā + 0.5·I), Ā the head mean (its float32 rows renormalised first, as
    attnviz.rollout does, so the comparison holds to float64 rounding)."""
    n = maps.shape[-1]
    return _rownorm(0.5 * _rownorm(maps.astype(np.float64).mean(0)) + 0.5 * np.eye(n))


def _formula_rollout(maps: list[np.ndarray]) -> list[np.ndarray]:
    """Abnar & Zuidema, written out: R_0 = Â_0, R_l = Â_l·R_(l−1)."""
    r, out = np.eye(maps[0].shape[-1]), []
    for a in maps:
        r = _hat(a) @ r
        out.append(r)
    return out


@pytest.mark.parametrize("name", ["bert", "gpt2", "llama", "bart"])
def test_rollout_follows_the_formula(captured, name):
    model, layers = captured[name]
    roll = hf_views.model_rollout(layers)
    own = [layer for layer in layers if layer.kind == "self"]
    assert roll.names == [layer.name for layer in own]
    assert roll.rollout.shape == (len(own), 7, 7) and len(roll.tokens) == 7
    np.testing.assert_allclose(roll.rollout, np.stack(_formula_rollout([x.maps for x in own])),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(roll.rollout.sum(-1), 1.0, rtol=0, atol=1e-12)
    assert (roll.rollout >= 0).all()
    # Under a causal mask the maps are lower-triangular, and so is every product of them.
    upper = np.triu(np.ones((7, 7), dtype=bool), 1)
    if CAUSAL[name]:
        assert (roll.rollout[:, upper] == 0).all()
        assert (roll.rollout[:, ~upper] > 0).all()
    else:
        assert (roll.rollout[:, upper] > 0).any()
    # The first layer alone: Â_0 itself.
    np.testing.assert_allclose(roll.rollout[0], _hat(own[0].maps), rtol=0, atol=1e-12)
    assert hf_views.rollout_figure(roll, len(own) - 1).data[0].z.shape == (7, 7)


def test_encoder_decoder_rollout_and_source_attribution(captured):
    _, layers = captured["bart"]
    kinds = [layer.kind for layer in layers]
    assert kinds == ["self", "self", "decoder_self", "cross", "decoder_self", "cross"]
    roll = hf_views.model_rollout(layers)
    dec_self = [x.maps for x in layers if x.kind == "decoder_self"]
    cross = [x.maps for x in layers if x.kind == "cross"]
    lt = dec_self[0].shape[-1]
    assert roll.decoder_source is not None
    assert roll.decoder_source.shape == (2, lt, 7) and len(roll.target_tokens) == lt
    # D_l = rownorm(Â_self·D_(l−1) + C̄·R_enc), R_enc the final encoder rollout.
    d = np.zeros((lt, 7))
    for layer, (s, c) in enumerate(zip(dec_self, cross, strict=True)):
        d = _rownorm(_hat(s) @ d + _rownorm(c.astype(np.float64).mean(0)) @ roll.rollout[-1])
        np.testing.assert_allclose(roll.decoder_source[layer], d, rtol=0, atol=1e-12)
    np.testing.assert_allclose(roll.decoder_source.sum(-1), 1.0, rtol=0, atol=1e-12)
    fig = hf_views.decoder_rollout_figure(roll, 1)
    assert fig.data[0].z.shape == (lt, 7) and "source attribution" in fig.layout.title.text


def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


@pytest.mark.parametrize("name", ["bert", "gpt2", "llama", "bart"])
def test_neuron_probs_are_softmax_of_scores_and_the_map_row(captured, name):
    _, layers = captured[name]
    for layer in layers:
        assert layer.queries is not None and layer.keys is not None
        n_heads, n_rows, n_keys = layer.maps.shape
        assert layer.queries.shape[:2] == (n_heads, n_rows)
        assert layer.keys.shape[:2] == (n_heads, n_keys)
        for head in range(n_heads):
            for row in range(n_rows):
                v = hf_views.neuron_row(layer, head, row)
                vis = ~v["masked"]
                np.testing.assert_allclose(v["probs"][vis], _softmax(v["scores"][vis]),
                                           rtol=1e-12)
                assert (v["probs"][~vis] == 0).all() and np.isnan(v["scores"][~vis]).all()
                # float32 rounding: the kernel's own softmax, the exported map's row.
                np.testing.assert_allclose(v["probs"], layer.maps[head, row], rtol=0,
                                           atol=2e-6)
                if CAUSAL[name] or layer.kind == "decoder_self":
                    assert (v["masked"] == (np.arange(n_keys) > row)).all()
                else:
                    assert not v["masked"].any()


def test_neuron_uses_the_scale_the_model_passed(captured):
    model, layers = captured["gpt2"]
    dim = model.config.n_embd // model.config.n_head
    assert [x.scale for x in layers] == pytest.approx([dim ** -0.5 / (i + 1) for i in range(3)])
    # With the default 1/sqrt(D) in place of layer 2's own scale, softmax misses the map.
    layer = layers[2]
    v = hf_views.neuron_row(layer, 0, 6)
    wrong = _softmax(v["keys"] @ v["query"] * dim ** -0.5)
    assert np.abs(wrong - layer.maps[0, 6]).max() > 1e-2
    np.testing.assert_allclose(v["probs"], layer.maps[0, 6], atol=2e-6)


def test_neuron_keys_follow_grouped_query_heads(captured):
    model, layers = captured["llama"]
    layer = layers[0]
    # Query heads 0 and 1 read K/V head 0, heads 2 and 3 read K/V head 1.
    np.testing.assert_array_equal(layer.keys[0], layer.keys[1])
    np.testing.assert_array_equal(layer.keys[2], layer.keys[3])
    assert not np.array_equal(layer.keys[1], layer.keys[2])
    # RoPE applied: position 0 is unrotated, later positions differ from the plain projection.
    with torch.no_grad():
        hidden = model.embed_tokens(torch.tensor([[2, 4, 5, 6, 7, 8, 3]]))
        normed = model.layers[0].input_layernorm(hidden)
        plain = model.layers[0].self_attn.q_proj(normed)[0].reshape(7, 4, 8).transpose(0, 1)
    np.testing.assert_allclose(layer.queries[:, 0], plain[:, 0].numpy(), atol=1e-5)
    assert np.abs(layer.queries[:, 3] - plain[:, 3].numpy()).max() > 1e-3


def test_mask_reasons_and_figures(captured):
    _, layers = captured["gpt2"]
    layer = layers[0]
    assert "causal mask" in hf_views.mask_reason(layer, 1, 3)
    assert hf_views.mask_reason(layer, 3, 1) is None
    v = hf_views.neuron_row(layer, 2, 1)
    vectors, scores, probs = hf_views.neuron_figures(layer, v, 3)
    assert "masked" in vectors.layout.title.text and "h.0.attn, head 2" in vectors.layout.title.text
    assert list(probs.data[0].y) == pytest.approx(list(v["probs"]))
    _, bert = captured["bert"]
    assert hf_views.mask_reason(bert[0], 1, 5) is None


def test_refusals(captured):
    model, layers = captured["bert"]
    tok = tokenizer()
    with pytest.raises(ValueError, match="needs the full maps"):
        attention_maps(model, tok, TEXT, pool=2, vectors=True)
    pooled = attention_maps(model, tok, TEXT, pool=2)
    with pytest.raises(ValueError, match="Rollout needs the full maps"):
        hf_views.model_rollout(pooled)
    with pytest.raises(ValueError, match="neuron view needs the full maps"):
        hf_views.neuron_row(pooled[0], 0, 0)
    plain = attention_maps(model, tok, TEXT)
    assert plain[0].queries is None  # vectors only when asked
    with pytest.raises(ValueError, match="vectors=True"):
        hf_views.neuron_row(plain[0], 0, 0)
    with pytest.raises(ValueError, match="head must be in 0..3"):
        hf_views.neuron_row(layers[0], 4, 0)
    with pytest.raises(ValueError, match="row must be in 0..6"):
        hf_views.neuron_row(layers[0], 0, 7)
    with pytest.raises(ValueError, match="no self-attention layer"):
        hf_views.model_rollout([x for x in captured["bart"][1] if x.kind != "self"])
    with pytest.raises(ValueError, match="pairs them layer by layer"):
        hf_views.model_rollout(captured["bart"][1][:-1])
