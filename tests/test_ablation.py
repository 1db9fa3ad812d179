"""Head ablation and head importance: a switched-off head is exactly a head whose slice of
the output projection is zero; importance is the drop in log p(target) it causes."""

from __future__ import annotations

import copy
import threading

import numpy as np
import pytest
import torch

from attnviz import ablation
from models import ATTENTION_KINDS
from models.tokenizer import EOS_ID, SOS_ID


def _sites(m):
    yield from (("encoder_self", i, layer.attn) for i, layer in enumerate(m.encoder))
    for i, layer in enumerate(m.decoder):
        yield "decoder_self", i, layer.self_attn
        yield "cross", i, layer.cross_attn


def _zeroed_copy(m, heads):
    """The same model with each head's columns of its output projection set to zero: what
    switching it off must equal, computed without the gates."""
    other = copy.deepcopy(m)
    attn = {(kind, i): a for kind, i, a in _sites(other)}
    with torch.no_grad():
        for kind, layer, head in heads:
            a = attn[(kind, layer)]
            a.o.weight[:, head * a.d_head:(head + 1) * a.d_head] = 0.0
    return other


def _random_heads(m, rng, n):
    every = [(kind, layer, head) for kind in ATTENTION_KINDS
             for layer in range(m.n_layers(kind)) for head in range(m.cfg.n_heads)]
    return [every[i] for i in rng.choice(len(every), size=n, replace=False)]


@pytest.mark.parametrize("n_off", [1, 3, 7])
def test_ablation_equals_a_zeroed_output_projection(post_model, n_off):
    rng = np.random.default_rng()
    heads = _random_heads(post_model, rng, n_off)
    src, tgt = "My brother is taller than me.", "我哥哥比我高。"
    off = post_model.trace(src, tgt, ablate=heads)
    ref = _zeroed_copy(post_model, heads).trace(src, tgt)
    assert off.ablated_heads == post_model.check_heads(heads) and ref.ablated_heads == []
    for kind in ATTENTION_KINDS:
        np.testing.assert_allclose(off.maps(kind), ref.maps(kind), atol=1e-6)
    for a, b in zip(off.predictions, ref.predictions, strict=True):
        assert a[0].piece == b[0].piece and a[0].prob == pytest.approx(b[0].prob, abs=1e-5)
    assert (post_model.translate(src, ablate=heads)
            == _zeroed_copy(post_model, heads).translate(src))
    # Outside the block, the post_model is whole again.
    assert post_model.trace(src, tgt).predictions[0][0].prob == pytest.approx(
        post_model.trace(src, tgt).predictions[0][0].prob)


def test_without_cross_attention_the_source_is_invisible(post_model):
    every_cross = [("cross", layer, h) for layer in range(post_model.n_layers("cross"))
                   for h in range(post_model.cfg.n_heads)]
    a, b = "I love you.", "Where is my phone?"
    assert post_model.translate(a) != post_model.translate(b)
    assert (post_model.translate(a, ablate=every_cross)
            == post_model.translate(b, ablate=every_cross))
    ta = post_model.trace(a, "我爱你。", ablate=every_cross)
    tb = post_model.trace(b, "我爱你。", ablate=every_cross)
    for x, y in zip(ta.predictions, tb.predictions, strict=True):
        assert x[0].piece == y[0].piece and x[0].prob == pytest.approx(y[0].prob, abs=1e-6)


def test_head_importance_is_the_drop_in_target_log_probability(post_model):
    src, tgt = "She bought three red apples at the market yesterday.", None
    imp = post_model.head_importance(src, tgt)
    tok = post_model.tokenizer
    ids = tok.encode(imp.target_text) + [EOS_ID]

    def logp(heads):
        enc_in = post_model._src_tensor([post_model._source_ids(src)[0] + [EOS_ID]])
        dec_in = post_model._src_tensor([[SOS_ID] + ids[:-1]])
        with post_model.ablating(heads), torch.no_grad():
            post_model.eval()
            lp = torch.log_softmax(post_model(enc_in, dec_in).double(), -1)[0]
        return float(lp[torch.arange(len(ids)), torch.tensor(ids)].sum())

    assert tok.decode(ids[:-1]) == imp.target_text == post_model.translate(src)
    assert imp.logprob == pytest.approx(logp([]), abs=1e-6)
    rng = np.random.default_rng()
    for kind, layer, head in _random_heads(post_model, rng, 4):
        assert imp.drop[kind][layer, head] == pytest.approx(
            imp.logprob - logp([(kind, layer, head)]), abs=1e-5)
    for kind in ATTENTION_KINDS:
        assert imp.drop[kind].shape == (post_model.n_layers(kind), post_model.cfg.n_heads)
    assert imp.backend == "PyTorch reference"


def test_importance_on_the_kernel_matches_the_reference(post_model):
    src, tgt = "I love you.", "我爱你。"
    ref = post_model.head_importance(src, tgt)
    ker = post_model.head_importance(src, tgt, backend="triton")
    assert "Triton" in ker.backend
    for kind in ATTENTION_KINDS:
        np.testing.assert_allclose(ker.drop[kind], ref.drop[kind], atol=1e-5)


def test_ablated_trace_on_the_kernel_matches_the_reference(post_model):
    heads = [("cross", 1, 0), ("encoder_self", 0, 2)]
    tr = post_model.trace("Can you help me?", "你能帮我吗？", backend="triton", ablate=heads)
    assert tr.max_abs_diff_vs_reference is not None and tr.max_abs_diff_vs_reference < 1e-5
    assert tr.ablated_heads == sorted(heads, key=lambda h: ATTENTION_KINDS.index(h[0]))


def test_changes_map_says_which_maps_an_ablation_can_change(post_model):
    src, tgt = "Put your bag under the chair.", "把你的包放在椅子下面。"
    intact = post_model.trace(src, tgt)
    rng = np.random.default_rng()
    for head in _random_heads(post_model, rng, 6):
        off = post_model.trace(src, tgt, ablate=[head])
        for kind in ATTENTION_KINDS:
            for layer in range(post_model.n_layers(kind)):
                moved = float(np.abs(off.maps(kind)[layer] - intact.maps(kind)[layer]).max())
                assert (moved > 1e-6) == ablation.changes_map(head, kind, layer), (head, kind,
                                                                                  layer, moved)


def test_two_threads_ablate_independently(post_model):
    src = "I love you."
    whole = post_model.translate(src)
    every_cross = [("cross", layer, h) for layer in range(3) for h in range(4)]
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def run(name, heads):
        barrier.wait()
        for _ in range(5):
            results[name] = post_model.translate(src, ablate=heads)

    threads = [threading.Thread(target=run, args=("off", every_cross)),
               threading.Thread(target=run, args=("on", None))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["on"] == whole and results["off"] != whole


def test_bad_heads_are_refused(post_model):
    with pytest.raises(ValueError, match="layers 0..2"):
        post_model.trace("I love you.", ablate=[("cross", 3, 0)])
    with pytest.raises(ValueError, match="heads 0..3"):
        post_model.translate("I love you.", ablate=[("encoder_self", 0, 4)])
    with pytest.raises(ValueError, match="kind must be one of"):
        post_model.translate("I love you.", ablate=[("decoder", 0, 0)])


@pytest.mark.parametrize("spec, heads", [
    ("cross:1:0", [("cross", 1, 0)]),
    ("enc:2:*", [("encoder_self", 2, h) for h in range(4)]),
    ("self:0:3", [("decoder_self", 0, 3)]),
])
def test_parse_spec(spec, heads):
    assert ablation.parse_spec(spec, 3, 4) == heads
    assert all(ablation.parse_spec(ablation.spec(h), 3, 4) == [h] for h in heads)


@pytest.mark.parametrize("spec, message", [
    ("cross:1", "KIND:LAYER:HEAD"), ("dec:0:0", "KIND must be one of"),
    ("enc:x:0", "must be an integer"), ("enc:3:0", "layers are 0..2"),
    ("self:0:4", "heads are 0..3"), ("cross:0:-1", "heads are 0..3")])
def test_parse_spec_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        ablation.parse_spec(spec, 3, 4)


def test_options_and_toggles():
    opts = ablation.options(2, 3)
    assert opts[:3] == ["L0 h0", "L0 h1", "L0 h2"] and opts[-1] == "L1 all heads"
    assert ablation.heads_of("cross", ["L1 all heads", "L0 h2", "L1 h1"], 3) == [
        ("cross", 0, 2), ("cross", 1, 0), ("cross", 1, 1), ("cross", 1, 2)]
    assert ablation.toggled([], 0, 1, 3) == ["L0 h1"]
    assert ablation.toggled(["L0 h1"], 0, 1, 3) == []
    # Clicking one head of a whole switched-off layer switches just that head back on.
    assert sorted(ablation.toggled(["L1 all heads"], 1, 0, 3)) == ["L1 h1", "L1 h2"]
    assert ablation.describe([("cross", 1, 0), ("cross", 1, 2), ("encoder_self", 0, 1)]) == (
        "encoder self-attention L0 h1; cross-attention L1 h0, h2")
    assert ablation.describe([]) == ""


def test_url_specs_round_trip_and_errors():
    chosen = {"encoder_self": ["L0 all heads"], "decoder_self": ["L2 h3", "L1 h0"],
              "cross": ["L2 h1"]}
    text = ",".join(s for kind, options in chosen.items()
                    for s in ablation.option_specs(kind, options))
    assert text == "enc:0:*,self:2:3,self:1:0,cross:2:1"
    back, errors = ablation.options_from_specs(text + ", cross:2:1,,", lambda kind: 3, 4)
    assert back == chosen and errors == []
    _, errors = ablation.options_from_specs("cross:3:0,dec:0:0,enc:0:9", lambda kind: 3, 4)
    assert len(errors) == 3
    for error, want in zip(errors, ("layers are 0..2", "KIND must be one of", "heads are 0..3"),
                           strict=True):
        assert want in error, error


@pytest.mark.parametrize("text, parsed", [("L1 h2", (1, 2)), ("L0 all heads", (0, None))])
def test_option_spelling_round_trips(text, parsed):
    assert ablation.parse_option(text) == parsed
    assert ablation.option(*parsed) == text


@pytest.mark.parametrize("text", ["L1", "1 h2", "L1 x2", "L1 hx", ""])
def test_parse_option_refuses_other_text(text):
    with pytest.raises(ValueError):
        ablation.parse_option(text)
