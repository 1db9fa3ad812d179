"""The main page's logic through Streamlit's AppTest (no browser).

These tests swap the shipped checkpoints for tiny untrained ones (same tokenizer, same
code paths), so that they check the page, not the training, and run in seconds.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from attnviz import pipeline
from attnviz.st_components import markdown_escape
from models import ModelConfig, Seq2Seq, load_checkpoint, save_checkpoint
from models.tokenizer import CHECKPOINT_DIR, MODEL_FILE, Tokenizer

APP = Path(__file__).resolve().parents[1] / "app.py"


@pytest.fixture(scope="module")
def tiny_checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    tok = Tokenizer(CHECKPOINT_DIR / MODEL_FILE)
    for norm in ("post", "pre"):
        torch.manual_seed(0)
        cfg = ModelConfig(vocab_size=tok.vocab_size, d_model=32, n_heads=2, n_enc_layers=2,
                          n_dec_layers=2, d_ff=64, max_len=16, norm=norm)
        model = Seq2Seq(cfg, tok)
        model.training_log = [{"step": s, "loss": 5.0 / (1 + s), "valid_loss": 6.0 / (1 + s)}
                              for s in range(0, 100, 10)]
        save_checkpoint(model, root / norm)
    return root


@pytest.fixture
def app(monkeypatch, tiny_checkpoints):
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    yield at
    st.cache_resource.clear()
    st.cache_data.clear()


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _chart_titles(at: AppTest) -> list[str]:
    import json

    titles = []
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        titles.append(spec["layout"].get("title", {}).get("text", ""))
    return titles


def test_default_page_shows_three_maps_and_model_target(app):
    app.run()
    _no_exception(app)
    titles = _chart_titles(app)
    assert any("Encoder self-attention" in t for t in titles)
    assert any("Decoder masked self-attention" in t for t in titles)
    assert any("Decoder cross-attention" in t for t in titles)
    captions = " ".join(c.value for c in app.caption)
    assert "greedy translation" in captions
    assert "Triton" in captions and "PyTorch reference" in captions
    assert app.query_params["norm"] == "post"
    assert app.query_params["causal"] == "1"


def test_query_params_fill_inputs(app):
    app.query_params.update(src="I love you", tgt="我爱你", norm="both", causal="0")
    app.run()
    _no_exception(app)
    assert app.text_input(key="src").value == "I love you"
    assert app.text_input(key="tgt").value == "我爱你"
    assert app.radio(key="norm").value == "both"
    assert app.toggle(key="causal").value is False
    titles = _chart_titles(app)
    assert any(t.startswith("Post-LN") for t in titles)
    assert any(t.startswith("Pre-LN") for t in titles)
    assert any("causal mask OFF" in t for t in titles)
    assert not any(c.value.startswith("Target: no target") for c in app.caption)


def test_url_follows_inputs(app):
    app.run()
    app.text_input(key="src").input("we love tea").run()
    app.toggle(key="causal").set_value(False).run()
    app.radio(key="norm").set_value("pre").run()
    _no_exception(app)
    assert app.query_params["src"] == "we love tea"
    assert app.query_params["causal"] == "0"
    assert app.query_params["norm"] == "pre"


def _z(trace: dict) -> np.ndarray:
    """A heatmap's z from Plotly JSON, which packs arrays as typed base64 ("bdata")."""
    z = trace["z"]
    if isinstance(z, dict):
        arr = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        return arr.reshape([int(n) for n in str(z["shape"]).split(",")])
    return np.array(z, dtype=float)


def test_causal_toggle_changes_decoder_map(app):
    import json

    def decoder_z(at):
        for el in at.get("plotly_chart"):
            spec = json.loads(el.proto.spec)
            if "self-attention" in spec["layout"]["title"]["text"] and \
                    "Decoder" in spec["layout"]["title"]["text"]:
                return _z(spec["data"][0])
        raise AssertionError("no decoder self-attention map")

    app.query_params.update(src="I love you", tgt="我爱你")
    app.run()
    z_masked = decoder_z(app)
    assert np.isnan(z_masked[0, 1])          # masked cells are NaN (drawn grey), not 0
    app.toggle(key="causal").set_value(False).run()
    z_open = decoder_z(app)
    assert z_open[0, 1] > 0
    _no_exception(app)


def test_a_notice_both_models_give_is_said_once(app):
    # The tiny models' maximum length is 16: both cut this source the same way.
    app.query_params.update(src="one two three four five six seven eight nine ten " * 3,
                            norm="both")
    app.run()
    _no_exception(app)
    cut = [w.value for w in app.warning if w.value.startswith("source truncated")]
    assert len(cut) == 1, [w.value for w in app.warning]


@pytest.mark.parametrize("src", [
    "", "   ", "x" * 5000, "I love you 😀🎉", "😀🎉", "مرحبا بالعالم", "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">', "\u202eevil\u0000text",
])
def test_hostile_input_gives_notice_not_exception(app, src):
    app.query_params.update(src=src)
    app.run()
    _no_exception(app)
    if not src.strip() or src == "😀🎉":
        assert any("Type an English sentence" in i.value for i in app.info)
    if len(src) > 1000:
        assert any("only the first" in w.value for w in app.warning)
    # No element may render user text as Markdown/HTML.
    for md in app.markdown:
        assert "<script" not in md.value and "onerror" not in md.value


@pytest.mark.parametrize("tab", [1, 2, 3, 4, 5, 6, 7])
def test_every_tab_renders(app, tab):
    app.query_params.update(src="I love you", norm="both")
    app.run()
    app.session_state["tab"] = ["Attention maps", "All heads", "Post-LN vs Pre-LN",
                                "Decoding step by step", "Head summaries", "Rollout",
                                "Neuron view", "Head ablation"][tab]
    app.run()
    _no_exception(app)
    titles = _chart_titles(app)
    expected = {1: "all heads", 2: "Residual-stream norm", 3: "cross-attention of the last",
                4: "entropy per head", 5: "Decoder source attribution",
                6: "Query and key vectors", 7: "Decoder cross-attention"}[tab]
    assert any(expected in t for t in titles), titles


@pytest.mark.parametrize("norm, causal, tgt", [("both", "0", "我爱你。"), ("pre", "1", None)])
def test_ablation_tab_with_both_models_a_target_and_the_mask_off(app, norm, causal, tgt):
    app.query_params.update(src="I love you", norm=norm, causal=causal,
                            **({"tgt": tgt} if tgt else {}))
    app.run()
    app.session_state["tab"] = "Head ablation"
    app.run()
    _no_exception(app)
    assert any("No head is switched off" in i.value for i in app.info)
    app.multiselect(key="ablate-encoder_self").set_value(["L0 all heads"]).run()
    app.multiselect(key="ablate-cross").set_value(["L1 h1"]).run()  # the tiny twins: 2 x 2
    _no_exception(app)
    captions = " ".join(c.value for c in app.caption)
    assert ("Switched off: encoder self-attention L0 h0, h1; cross-attention L1 h1"
            in captions), captions
    n_models = 2 if norm == "both" else 1
    # Per model: the translations and the predictions, intact beside ablated.
    assert len(app.dataframe) == 2 * n_models
    titles = _chart_titles(app)
    assert sum("heads switched off" in t for t in titles) == n_models, titles
    # Another tab and back: the choice is kept (the tab's widgets were not drawn meanwhile).
    app.session_state["tab"] = "All heads"
    app.run()
    app.session_state["tab"] = "Head ablation"
    app.run()
    _no_exception(app)
    assert app.multiselect(key="ablate-cross").value == ["L1 h1"]
    assert any("Switched off: encoder self-attention L0 h0, h1; cross-attention L1 h1"
               in c.value for c in app.caption)
    app.button(key="ablate-clear").click().run()
    assert any("No head is switched off" in i.value for i in app.info)


def test_neuron_view_says_why_a_cell_is_masked(app):
    app.query_params.update(src="I love you", tgt="我爱你", norm="pre")
    app.run()
    app.session_state["tab"] = "Neuron view"
    app.run()
    _no_exception(app)
    assert not app.warning
    app.selectbox(key="neuron-kind").set_value("decoder_self").run()
    app.selectbox(key="neuron-row").set_value(1).run()
    app.selectbox(key="neuron-col").set_value(3).run()
    _no_exception(app)
    assert any("causal mask" in w.value for w in app.warning), [w.value for w in app.warning]
    titles = _chart_titles(app)
    assert any("masked" in t and "Query and key vectors" in t for t in titles), titles
    assert any("Probabilities after softmax" in t for t in titles), titles
    # Switching the kind keeps the chosen row and column when they exist there.
    app.selectbox(key="neuron-row").set_value(3).run()
    app.selectbox(key="neuron-kind").set_value("encoder_self").run()
    _no_exception(app)


def test_missing_checkpoint_is_a_notice(monkeypatch):
    def missing(norm):
        raise FileNotFoundError(f"no checkpoint at models/checkpoints/{norm}")

    monkeypatch.setattr(pipeline, "load_pretrained", missing)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    _no_exception(at)
    assert any("python -m models.train" in e.value for e in at.error)
    st.cache_resource.clear()


def test_a_shared_link_switches_heads_off(app):
    app.query_params.update(src="I love you", ablate="cross:1:1, enc:0:*,self:9:0")
    app.run()
    _no_exception(app)
    # The link opens the Head ablation tab with its heads off, and says what does not fit.
    assert app.multiselect(key="ablate-cross").value == ["L1 h1"]
    assert app.multiselect(key="ablate-encoder_self").value == ["L0 all heads"]
    # (the warning's Markdown is escaped: it quotes the link)
    assert any(markdown_escape("self:9:0: layers are 0..1") in w.value for w in app.warning)
    assert any("Switched off: encoder self-attention L0 h0, h1; cross-attention L1 h1"
               in c.value for c in app.caption)
    # The URL follows the choice, in the CLI's spelling.
    app.multiselect(key="ablate-cross").set_value([]).run()
    assert app.query_params["ablate"] in ("enc:0:*", ["enc:0:*"])
    app.button(key="ablate-clear").click().run()
    assert "ablate" not in app.query_params


def test_tab_selectors_survive_a_visit_to_another_tab(app):
    app.query_params.update(src="I love you", tgt="我爱你", norm="pre")
    app.run()
    app.session_state["tab"] = "Neuron view"
    app.run()
    app.selectbox(key="neuron-kind").set_value("decoder_self").run()
    app.selectbox(key="neuron-layer").set_value(1).run()
    app.selectbox(key="neuron-row").set_value(2).run()
    app.session_state["tab"] = "Rollout"
    app.run()
    app.select_slider(key="rollout-enc-layer").set_value(0).run()
    app.session_state["tab"] = "Attention maps"
    app.run()
    app.session_state["tab"] = "Neuron view"
    app.run()
    _no_exception(app)
    assert not app.warning  # no "set twice" warning from Streamlit, no other warning
    assert app.selectbox(key="neuron-kind").value == "decoder_self"
    assert app.selectbox(key="neuron-layer").value == 1
    assert app.selectbox(key="neuron-row").value == 2
    app.session_state["tab"] = "Rollout"
    app.run()
    assert app.select_slider(key="rollout-enc-layer").value == 0
