"""Head ablation and head importance for Hugging Face (and torch.nn) models on attnviz's
kernel: a switched-off head equals a model whose output projection ignores that head,
importance equals the log-prob drop one head at a time, and gates stay in their thread.

Tiny random models with wide weights (as in test_hf_views), so that any head matters.
"""

from __future__ import annotations

import copy
import threading
from contextlib import nullcontext

import numpy as np
import pytest
import torch

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from hf_tiny import TARGET, TEXT, bart, bert, gpt2, llama, tokenizer  # noqa: E402

from attnviz import ablation, hf_ablation  # noqa: E402
from attnviz.backends._maps import on_reference, pool_maps  # noqa: E402
from attnviz.backends.heads import ablating  # noqa: E402
from attnviz.backends.hf_local import attention_maps, model_inputs  # noqa: E402
from attnviz.backends.importance import head_importance, lm_kind, predictions  # noqa: E402

BUILDERS = {"bert": bert, "gpt2": lambda: gpt2(lm_head=True),
            "llama": lambda: llama(lm_head=True), "bart": bart}
# Heads switched off in the exactness test: a first-layer head and a later one (for BART
# also a cross-attention head, so the decoder's view of the text changes).
OFF = {
    "bert": [("encoder.layer.0.attention.self", 1), ("encoder.layer.1.attention.self", 3)],
    "gpt2": [("transformer.h.0.attn", 1), ("transformer.h.1.attn", 2)],
    "llama": [("model.layers.0.self_attn", 0), ("model.layers.0.self_attn", 3)],
    "bart": [("model.encoder.layers.0.self_attn", 2), ("model.decoder.layers.0.encoder_attn", 1),
             ("model.decoder.layers.0.self_attn", 0)],
}


@pytest.fixture(scope="module")
def built():
    return {name: build() for name, build in BUILDERS.items()}


def _output_projection(model, name: str) -> tuple[torch.nn.Parameter, int]:
    """The weight that mixes layer `name`'s heads, and the dimension that runs over them."""
    module = model.get_submodule(name)
    for attr in ("o_proj", "out_proj"):
        if hasattr(module, attr):
            return getattr(module, attr).weight, 1  # nn.Linear: (out, in)
    if hasattr(module, "c_proj"):
        return module.c_proj.weight, 0  # GPT-2's Conv1D: (in, out)
    # BERT: the heads are merged in attention.self, projected in attention.output.dense.
    parent = model.get_submodule(name.rsplit(".", 1)[0])
    return parent.output.dense.weight, 1


def _zeroed(model, heads):
    """A copy of `model` whose output projections ignore `heads`' slices of their input."""
    out = copy.deepcopy(model)
    for name, head in heads:
        weight, dim = _output_projection(out, name)
        width = weight.shape[dim] // model.config.num_attention_heads
        with torch.no_grad():
            weight.narrow(dim, head * width, width).zero_()
    return out


def _outputs(model, name, ablate=()):
    tok = tokenizer()
    target = TARGET if name == "bart" else None
    layers = attention_maps(model, tok, TEXT, target, ablate=ablate)
    batch, _, _ = model_inputs(model, tok, TEXT, target)
    with torch.no_grad(), ablating(model, ablate):
        result = model(**batch)
    final = result.logits if hasattr(result, "logits") else result.last_hidden_state
    return layers, final


@pytest.mark.parametrize("name", list(BUILDERS))
def test_ablation_equals_a_zeroed_output_projection(built, name):
    model = built[name]
    heads = OFF[name]
    layers, final = _outputs(model, name, heads)
    ref_layers, ref_final = _outputs(_zeroed(model, heads), name)
    intact_layers, intact_final = _outputs(model, name)
    assert [x.name for x in layers] == [x.name for x in ref_layers]
    for got, want in zip(layers, ref_layers, strict=True):
        np.testing.assert_allclose(got.maps, want.maps, rtol=0, atol=2e-6)
    torch.testing.assert_close(final, ref_final, rtol=1e-5, atol=1e-5)
    # And the heads mattered: the output is not the intact model's.
    assert (final - intact_final).abs().max() > 1e-2
    # A switched-off head still attends: its own layer's map is unchanged.
    first = [x.name for x in layers].index(heads[0][0])
    np.testing.assert_array_equal(layers[first].maps, intact_layers[first].maps)


@pytest.mark.parametrize("name", ["gpt2", "bart"])
def test_a_whole_layer_off_differs_from_none(built, name):
    model = built[name]
    intact, intact_final = _outputs(model, name)
    none, none_final = _outputs(model, name, [])
    first = intact[0]
    whole = [(first.name, h) for h in range(len(first.maps))]
    off, off_final = _outputs(model, name, whole)
    torch.testing.assert_close(none_final, intact_final, rtol=0, atol=0)
    np.testing.assert_array_equal(off[0].maps, intact[0].maps)  # its own map: unchanged
    assert np.abs(off[1].maps - intact[1].maps).max() > 1e-2  # the next layer's: not
    assert (off_final - intact_final).abs().max() > 1e-2


def test_pooled_maps_of_an_ablated_model_pool_its_full_maps(built):
    model, tok = built["gpt2"], tokenizer()
    full = attention_maps(model, tok, TEXT, ablate=OFF["gpt2"])
    pooled = attention_maps(model, tok, TEXT, pool=2, ablate=OFF["gpt2"])
    for f, p in zip(full, pooled, strict=True):
        want = pool_maps(torch.from_numpy(f.maps)[None], 2)[0].numpy()
        np.testing.assert_allclose(p.maps, want, rtol=0, atol=1e-6)


def _logprob_one_head_off(model, name, head, reference):
    """log p of the scored tokens with `head` alone off, computed without importance's
    code: GPT-2/Llama from their logits, BART from its own loss over the labels."""
    tok = tokenizer()
    with torch.no_grad(), ablating(model, [head] if head else []), \
            (on_reference() if reference else nullcontext()):
        if name == "bart":
            batch = tok(TEXT, return_tensors="pt")
            labels = tok(text_target=TARGET, return_tensors="pt")["input_ids"]
            loss = model(**batch, labels=labels).loss
            return -float(loss) * labels.shape[1]
        ids = tok(TEXT, return_tensors="pt")["input_ids"]
        logp = torch.log_softmax(model(input_ids=ids).logits[0, :-1].double(), -1)
        return float(logp.gather(-1, ids[0, 1:, None]).sum())


@pytest.mark.parametrize(("name", "reference"),
                         [("gpt2", False), ("gpt2", True), ("llama", True), ("bart", True)])
def test_importance_is_the_log_prob_drop_one_head_at_a_time(built, name, reference):
    model, tok = built[name], tokenizer()
    imp = head_importance(model, tok, TEXT, TARGET if name == "bart" else None,
                          reference=reference, rows_per_pass=5)  # several passes, too
    layers = attention_maps(model, tok, TEXT, TARGET if name == "bart" else None)
    assert imp.names == [x.name for x in layers]
    assert imp.heads == [len(x.maps) for x in layers]
    assert ("reference" in imp.backend) == reference
    intact = _logprob_one_head_off(model, name, None, reference)
    # float32 logits: log-probs summed over a few tokens agree to about 1e-5 relative.
    assert imp.logprob == pytest.approx(intact, rel=1e-4, abs=1e-4)
    for i, layer in enumerate(layers):
        for h in range(len(layer.maps)):
            one = _logprob_one_head_off(model, name, (layer.name, h), reference)
            assert imp.drop[i, h] == pytest.approx(intact - one, rel=1e-3, abs=2e-4), (i, h)
    assert np.abs(imp.drop).max() > 0.1  # heads of a wide random model matter


def test_reference_importance_matches_the_kernels(built):
    model, tok = built["gpt2"], tokenizer()
    ref = head_importance(model, tok, TEXT, reference=True)
    kernel = head_importance(model, tok, TEXT, reference=False)
    np.testing.assert_allclose(ref.drop, kernel.drop, rtol=0, atol=1e-3)


def test_predictions_intact_and_ablated(built):
    model, tok = built["gpt2"], tokenizer()
    intact = predictions(model, tok, TEXT)
    off = predictions(model, tok, TEXT, ablate=[("transformer.h.0.attn", h) for h in range(4)])
    assert intact.inputs == tok.convert_ids_to_tokens(tok(TEXT)["input_ids"])
    assert ((intact.prob > 0) & (intact.prob <= 1)).all()
    rows = hf_ablation.prediction_rows(intact, off)
    assert [r["changed"] for r in rows] == [a != b for a, b in zip(intact.top, off.top,
                                                                     strict=True)]
    assert not np.allclose(intact.prob, off.prob)


def test_threads_do_not_see_each_others_ablation(built):
    """One cached model, two sessions: one ablates while the other runs intact."""
    model = built["gpt2"]
    heads = OFF["gpt2"]
    _, intact = _outputs(model, "gpt2")
    _, ablated = _outputs(model, "gpt2", heads)
    inside, done = threading.Event(), threading.Event()
    results: dict[str, torch.Tensor | BaseException] = {}

    def ablating_session():
        try:
            with ablating(model, heads):
                inside.set()
                assert done.wait(120)  # the other session ran while these gates were set
                results["ablating"] = _outputs(model, "gpt2")[1]  # gates still active here
        except BaseException as error:  # noqa: BLE001 (reported below)
            results["ablating"] = error
            inside.set()

    def plain_session():
        try:
            assert inside.wait(120)
            results["plain"] = _outputs(model, "gpt2")[1]
        except BaseException as error:  # noqa: BLE001
            results["plain"] = error
        finally:
            done.set()

    threads = [threading.Thread(target=f) for f in (ablating_session, plain_session)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    for result in results.values():
        if isinstance(result, BaseException):
            raise result
    torch.testing.assert_close(results["plain"], intact, rtol=0, atol=0)
    torch.testing.assert_close(results["ablating"], ablated, rtol=0, atol=0)


def test_bad_heads_and_models_are_refused(built):
    model, tok = built["gpt2"], tokenizer()
    with pytest.raises(ValueError, match="no module named 'h.9.attn'"):
        attention_maps(model, tok, TEXT, ablate=[("h.9.attn", 0)])
    with pytest.raises(ValueError, match=r"transformer.h.0.attn has heads 0..3, not \[4\]"):
        attention_maps(model, tok, TEXT, ablate=[("transformer.h.0.attn", 4)])
    with pytest.raises(ValueError, match="transformer.h.0.mlp did not run as an attention"):
        attention_maps(model, tok, TEXT, ablate=[("transformer.h.0.mlp", 0)])
    with pytest.raises(ValueError, match="non-negative int"):
        attention_maps(model, tok, TEXT, ablate=[("transformer.h.0.attn", -1)])
    with pytest.raises(ValueError, match="layer name, head index"):
        attention_maps(model, tok, TEXT, ablate=["transformer.h.0.attn"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="language-model head"):
        head_importance(built["bert"], tok, TEXT)
    with pytest.raises(ValueError, match="language-model head"):
        predictions(built["bert"], tok, TEXT)
    with pytest.raises(ValueError, match="type a target"):
        head_importance(built["bart"], tok, TEXT, "")
    assert [lm_kind(built[n]) for n in BUILDERS] == [None, "causal", "causal", "seq2seq"]


def test_page_choices_name_the_heads(built):
    layers = attention_maps(built["gpt2"], tokenizer(), TEXT)
    offered = hf_ablation.options(layers)
    assert offered[:2] == ["L0 h0", "L0 h1"] and offered[-1] == "L2 all heads"
    assert hf_ablation.option_label("L1 h2", layers) == "L1 h2 · transformer.h.1.attn"
    chosen = ["L2 all heads", "L0 h1"]
    assert hf_ablation.heads_of(chosen, layers) == [
        ("transformer.h.0.attn", 1), *[("transformer.h.2.attn", h) for h in range(4)]]
    # A click on head 2 of a layer switched off whole keeps its other heads off.
    flipped = ablation.toggled(chosen, 2, 2, 4)
    assert hf_ablation.heads_of(flipped, layers) == [
        ("transformer.h.0.attn", 1), *[("transformer.h.2.attn", h) for h in (0, 1, 3)]]
    with pytest.raises(ValueError, match="names no head"):
        hf_ablation.heads_of(["L7 h0"], layers)
    with pytest.raises(ValueError, match="heads 0..3"):
        hf_ablation.heads_of(["L0 h4"], layers)
    heads = hf_ablation.heads_of(["L1 h0"], layers)
    assert hf_ablation.cannot_change(heads, layers, 1) and not hf_ablation.cannot_change(
        heads, layers, 2)
    assert hf_ablation.describe(heads, layers) == "L1 (transformer.h.1.attn) h0"


def test_importance_figure_marks_and_clicks(built):
    imp = head_importance(built["gpt2"], tokenizer(), TEXT, reference=True)
    fig = hf_ablation.importance_figure(imp, [("transformer.h.1.attn", 2)], clickable=True)
    text = fig.data[0].text
    assert "off" in text[1][2] and not any("off" in t for t in text[0])
    assert len(fig.data[1].x) == imp.drop.size  # one click target per cell
    assert hf_ablation.clicked_head(6, imp) == (1, 2)
    assert hf_ablation.clicked_head(12, imp) is None
    value, cell = hf_ablation.largest_change(np.zeros((2, 2)), np.array([[0, 0.5], [0.2, 0]]))
    assert value == 0.5 and cell == (0, 1)


def test_torch_nn_attention_is_gated_too():
    from attnviz.backends.nn import swap_attention

    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    model = swap_attention(torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)).eval()
    x = torch.randn(1, 5, 16)
    with torch.no_grad(), ablating(model, [("layers.0.self_attn", 1)]):
        got = model(x)
    zeroed = copy.deepcopy(model)
    with torch.no_grad():
        zeroed.layers[0].self_attn.out_proj.weight[:, 4:8] = 0
        want, intact = zeroed(x), model(x)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    assert (got - intact).abs().max() > 1e-3
