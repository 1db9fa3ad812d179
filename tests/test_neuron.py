"""attnviz.neuron on the shipped model: the recorded q and k reproduce the kernel's maps."""

from __future__ import annotations

import numpy as np
import pytest

from attnviz import neuron
from models import ATTENTION_KINDS, load_pretrained


@pytest.fixture(scope="module")
def model():
    m = load_pretrained("pre")
    m.backend = "reference"
    return m


def _check_every_row(tr, kinds=ATTENTION_KINDS):
    for kind in kinds:
        n_layers, n_heads, n_rows, _ = tr.queries[kind].shape
        assert tr.keys[kind].shape[:3] == tr.maps(kind).shape[:2] + (tr.maps(kind).shape[3],)
        for layer in range(n_layers):
            for head in range(n_heads):
                for row in range(n_rows):
                    v = neuron.score_row(tr, kind, layer, head, row)
                    vis = ~v["masked"]
                    s = v["scores"][vis]
                    soft = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
                    np.testing.assert_allclose(v["probs"][vis], soft, rtol=1e-12)
                    assert (v["probs"][~vis] == 0).all()
                    assert np.isnan(v["scores"][~vis]).all()
                    np.testing.assert_allclose(v["probs"], v["map_row"], atol=2e-6)


def test_neuron_probs_are_softmax_of_scores_and_the_map_row(model):
    tr = model.trace("I love you", "我爱你")
    assert tr.queries["cross"].dtype == np.float32
    assert tr.queries["cross"].shape[1:] == (model.config["n_heads"], len(tr.dec_input),
                                             model.config["d_model"] // model.config["n_heads"])
    _check_every_row(tr)


def test_neuron_cell_and_causal_reason(model):
    tr = model.trace("Where is my phone?", "我的手机在哪里？")
    v = neuron.score_row(tr, "decoder_self", 1, 2, 1)
    c = neuron.cell(v, 0)
    assert not c["masked"]
    np.testing.assert_allclose(c["product"], v["query"] * v["keys"][0])
    assert c["score"] == pytest.approx(c["dot"] * v["scale"])
    assert v["scale"] == pytest.approx(1 / np.sqrt(len(v["query"])))
    assert neuron.cell(v, 2)["masked"]
    assert "causal mask" in neuron.mask_reason(tr, "decoder_self", 1, 2)
    assert neuron.mask_reason(tr, "decoder_self", 1, 1) is None
    assert neuron.mask_reason(tr, "cross", 1, 3) is None
    with pytest.raises(ValueError, match="head must be in"):
        neuron.score_row(tr, "cross", 0, 99, 0)
    # Without the causal mask, nothing is masked.
    free = model.trace("Where is my phone?", "我的手机在哪里？", causal=False)
    assert not neuron.score_row(free, "decoder_self", 0, 0, 0)["masked"].any()
    _check_every_row(free, ["decoder_self"])


def test_neuron_on_the_triton_backend(model):
    tr = model.trace("I love you", "我爱你", backend="triton")
    assert "Triton" in tr.backend
    _check_every_row(tr)


@pytest.mark.parametrize("spec, message", [
    ("cross:0:1", "KIND:LAYER:HEAD:ROW"), ("dec:0:0:0", "KIND must be one of"),
    ("enc:a:0:0", "must be integers")])
def test_neuron_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        neuron.parse_spec(spec)


def test_neuron_spec_parses():
    assert neuron.parse_spec("self:1:2:3") == ("decoder_self", 1, 2, 3)
