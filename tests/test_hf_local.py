"""attnviz.backends.hf_local and the "Your model" page: a tiny BERT saved locally, loaded safely."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from attnviz.backends.hf_local import LoadError, attention_maps, default_pool, load_local  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "quick", "brown", "fox", "jumps"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import AutoModel, BertConfig, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                            cls_token="[CLS]", sep_token="[SEP]").save_pretrained(folder)
    config = BertConfig(vocab_size=len(WORDS), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=64, max_position_embeddings=32)
    torch.manual_seed(0)
    AutoModel.from_config(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def saved_gpt2(tmp_path_factory, saved):
    """A tiny GPT-2 saved with its language-model head (GPT2LMHeadModel), same tokenizer."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    AutoTokenizer.from_pretrained(saved).save_pretrained(folder)
    config = GPT2Config(vocab_size=len(WORDS), n_embd=32, n_layer=2, n_head=4, n_positions=64,
                        initializer_range=0.5, bos_token_id=2, eos_token_id=3)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    return folder


def test_load_keeps_a_language_model_head(saved, saved_gpt2):
    from attnviz.backends.importance import lm_kind

    gpt2, _ = load_local(saved_gpt2)
    bert, _ = load_local(saved)
    assert type(gpt2).__name__ == "GPT2LMHeadModel" and lm_kind(gpt2) == "causal"
    assert type(bert).__name__ == "BertModel" and lm_kind(bert) is None


def test_load_and_maps(saved):
    model, tokenizer = load_local(saved)
    assert model.config._attn_implementation == "attnviz"
    layers = attention_maps(model, tokenizer, "the quick brown fox")
    assert [layer.name for layer in layers] == ["encoder.layer.0.attention.self",
                                                "encoder.layer.1.attention.self"]
    assert layers[0].maps.shape == (4, 6, 6) and layers[0].query_tokens[0] == "[CLS]"
    pooled = attention_maps(model, tokenizer, "the quick brown fox", pool=4)
    assert pooled[0].maps.shape == (4, 2, 2) and pooled[0].pool == 4
    # [CLS] the quick brown fox [SEP]: tiles of 4 tokens, the last one shorter.
    assert pooled[0].query_tokens == ["0–3 [CLS]", "4–5 fox"] == pooled[0].key_tokens
    assert layers[0].pool is None


def test_refusals_and_default_pool(tmp_path):
    with pytest.raises(LoadError, match="not a folder"):
        load_local(tmp_path / "missing")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(LoadError, match="pickle"):
        load_local(tmp_path)
    assert default_pool(512) is None and default_pool(513) == 2 and default_pool(5000) == 16


def test_page_shows_the_map(saved, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import attnviz.backends.hf_local

    runs = []
    compute = attnviz.backends.hf_local.attention_maps
    monkeypatch.setattr(attnviz.backends.hf_local, "attention_maps",
                        lambda *a, **kw: (runs.append(a[2]), compute(*a, **kw))[1])
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "2_Your_model.py"), default_timeout=120)
    app.run()
    app.text_input[0].input(str(saved)).run()
    assert not app.exception, app.exception
    assert [s.value for s in app.selectbox][0] == "encoder.layer.0.attention.self"
    app.radio[0].set_value("0 to its 99th percentile").run()
    app.slider[0].set_value(2).run()
    assert not app.exception, app.exception
    # The colour scale and the head slider redraw the map without running the model again.
    assert len(runs) == 1
    app.text_area[0].input("the fox").run()
    assert not app.exception, app.exception
    assert runs == ["The quick brown fox jumps over the lazy dog.", "the fox"]


def _chart_titles(app) -> list[str]:
    import json

    return [json.loads(el.proto.spec)["layout"].get("title", {}).get("text", "")
            for el in app.get("plotly_chart")]


def test_page_rollout_and_neuron_tabs(saved, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import attnviz.backends.hf_local

    runs = []
    compute = attnviz.backends.hf_local.attention_maps
    monkeypatch.setattr(attnviz.backends.hf_local, "attention_maps",
                        lambda *a, **kw: (runs.append(kw), compute(*a, **kw))[1])
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "2_Your_model.py"), default_timeout=120)
    app.run()
    app.text_input[0].input(str(saved)).run()
    assert not app.exception, app.exception
    assert runs == [{"vectors": False}]
    app.session_state["your-model-tab"] = "Rollout"
    app.run()
    assert not app.exception, app.exception
    titles = _chart_titles(app)
    assert any("Attention rollout through layers 0–1" in t for t in titles), titles
    assert not any("head 0" in t for t in titles)  # only the open tab is drawn
    assert runs == [{"vectors": False}]  # rollout reuses the maps on screen
    app.session_state["your-model-tab"] = "Neuron view"
    app.run()
    assert not app.exception, app.exception
    # The vectors are kept only now, in one more run of the model.
    assert runs == [{"vectors": False}, {"vectors": True}]
    titles = _chart_titles(app)
    assert any("Query and key vectors" in t and "head 0" in t for t in titles), titles
    assert any("Probabilities after softmax" in t for t in titles), titles
    assert not app.warning  # BERT masks nothing
    [head] = [s for s in app.selectbox if s.label == "Head"]
    head.set_value(3).run()
    assert not app.exception, app.exception
    assert any("head 3" in t for t in _chart_titles(app))


def test_pooled_maps_offer_rollout_only_unpooled(saved, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import attnviz.backends.hf_local

    # Six tokens count as long here, so the page pools them by default.
    monkeypatch.setattr(attnviz.backends.hf_local, "FULL_MAP_LIMIT", 4)
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "2_Your_model.py"), default_timeout=120)
    app.run()
    app.text_input[0].input(str(saved)).run()
    app.text_area[0].input("the quick brown fox").run()
    for tab, chart in (("Rollout", "Attention rollout"), ("Neuron view", "Query and key")):
        app.session_state["your-model-tab"] = tab
        app.select_slider[0].set_value(2).run()
        assert not app.exception, app.exception
        assert any("needs the full maps" in i.value for i in app.info), [i.value for i in app.info]
        assert not app.get("plotly_chart")
        app.select_slider[0].set_value(1).run()
        assert not app.exception, app.exception
        assert not any("needs the full maps" in i.value for i in app.info)
        assert any(chart in t for t in _chart_titles(app)), _chart_titles(app)


def _ablation_app(folder):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "2_Your_model.py"), default_timeout=120)
    app.run()
    app.text_input[0].input(str(folder)).run()
    app.session_state["your-model-tab"] = "Head ablation"
    app.run()
    assert not app.exception, app.exception
    return app


def test_page_head_ablation_without_an_lm_head(saved):
    app = _ablation_app(saved)
    assert any("needs a model with a language-model head" in i.value for i in app.info)
    assert not app.get("plotly_chart")  # nothing switched off, no importance: no chart
    app.multiselect[0].set_value(["L0 h1"]).run()
    assert not app.exception, app.exception
    titles = _chart_titles(app)
    assert "encoder.layer.0.attention.self · head 0, heads switched off" in titles, titles
    captions = " ".join(c.value for c in app.caption)
    assert "Switched off: L0 (encoder.layer.0.attention.self) h1." in captions
    assert "cannot change" in captions  # layer 0's own map: a head of it is off
    [layer] = [s for s in app.selectbox if s.label == "Map: attention layer"]
    layer.set_value("encoder.layer.1.attention.self").run()
    captions = " ".join(c.value for c in app.caption)
    assert "largest change of a probability" in captions and "cannot change" not in captions


def test_page_head_ablation_with_importance(saved_gpt2, monkeypatch):
    import attnviz.backends.importance as importance

    runs = []
    compute = importance.head_importance
    monkeypatch.setattr(importance, "head_importance",
                        lambda *a, **kw: (runs.append(a[2]), compute(*a, **kw))[1])
    app = _ablation_app(saved_gpt2)
    assert [t for t in _chart_titles(app) if "Head importance" in t], _chart_titles(app)
    captions = " ".join(c.value for c in app.caption)
    assert "Michel, Levy & Neubig" in captions and "reference attention" in captions
    app.multiselect[0].set_value(["L1 all heads"]).run()
    assert not app.exception, app.exception
    assert len(runs) == 1  # importance is cached: switching heads off does not recompute it
    [frame] = [d for d in app.dataframe if "changed" in d.value.columns]
    assert list(frame.value.columns) == ["pos", "token", "every head on", "heads off", "changed"]
    assert any("Top-1 next-token prediction" in c.value for c in app.caption)
    assert sum("heads switched off" in t for t in _chart_titles(app)) == 1
    # Another tab and back: the choice is kept (the tab's widgets were not drawn meanwhile).
    app.session_state["your-model-tab"] = "Attention maps"
    app.run()
    app.session_state["your-model-tab"] = "Head ablation"
    app.run()
    assert not app.exception, app.exception
    assert app.multiselect[0].value == ["L1 all heads"]


@pytest.mark.browser
def test_page_in_a_real_browser(saved, saved_gpt2, app_server, page):
    """A person opens "Your model", types the folder and sees a labelled heatmap."""
    from support import click_chart, wait_for_app, wait_for_chart_text, wait_for_charts

    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_role("link", name="Your model").click()
    wait_for_app(page)
    box = page.get_by_label("Model folder")
    box.fill(str(saved))
    box.press("Enter")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    plot_text = page.locator(".js-plotly-plot").first.inner_text()
    assert "quick" in plot_text and "[CLS]" in plot_text
    # Each new view draws its charts when its tab is opened.
    for tab, title, charts in (("Rollout", "Attention rollout", 1),
                               ("Neuron view", "Query and key vectors", 4)):
        page.get_by_role("tab", name=tab).click()
        wait_for_app(page)
        panel = page.get_by_role("tabpanel", name=tab)
        page.wait_for_function(
            "t => [...document.querySelectorAll('[role=tabpanel] .js-plotly-plot')]"
            ".some(p => p.textContent.includes(t))", arg=title, timeout=60_000)
        assert panel.locator(".js-plotly-plot").count() == charts
        assert any(title in c.inner_text() for c in panel.locator(".js-plotly-plot").all())
    # The neuron view's map: a click on cell (2, 4) opens it ("quick" reading "fox").
    click_chart(page, 0, 2, 4)
    wait_for_chart_text(page, "Scores of query 2")
    wait_for_app(page)
    # Head ablation: BERT has no language-model head, and the tab says so.
    page.get_by_role("tab", name="Head ablation").click()
    wait_for_app(page)
    page.wait_for_function(
        "() => document.body.innerText.includes('needs a model with a language-model head')",
        timeout=60_000)
    # A GPT-2 with its LM head: one click on the importance map switches a head off.
    box.fill(str(saved_gpt2))
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("tab", name="Head ablation").click()
    wait_for_app(page)
    wait_for_chart_text(page, "Head importance", 90_000)
    assert "No head is switched off" in page.inner_text("body")
    click_chart(page, 0, "L0 transformer.h.0.attn", "h1")
    page.wait_for_function(
        "() => document.body.innerText.includes('Switched off: L0 (transformer.h.0.attn) h1.')",
        timeout=90_000)
    wait_for_app(page)
    assert wait_for_charts(page, 3) >= 3  # the importance map, the map intact and ablated
    text = " ".join(page.eval_on_selector_all(".js-plotly-plot .main-svg text",
                                              "els => els.map(e => e.textContent)"))
    assert "✕ off" in text and "heads switched off" in text
    assert page.get_by_test_id("stDataFrame").first.is_visible()  # the predictions
    # A folder that holds only pickle weights is refused in words, not with a traceback.
    box.fill(str(saved.parent / "no-such-model"))
    box.press("Enter")
    wait_for_app(page)
    assert page.get_by_text("not a folder").count() >= 1
