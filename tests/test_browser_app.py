"""The main page as a person sees it, in real headless Chromium against the real models."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from support import click_chart, wait_for_app, wait_for_chart_text, wait_for_charts

from models.grammar.surface import normalise

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _url(server, **params) -> str:
    return server.url + "/?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())


def _chart_text(page) -> str:
    """All text Plotly drew (tick labels, titles) in the page's charts."""
    return " ".join(page.eval_on_selector_all(".js-plotly-plot .main-svg text",
                                              "els => els.map(e => e.textContent)"))


def _encoder_sentence(page) -> str:
    """The source as the first chart's query ticks spell it ("0·▁I", "1·▁love", ...)."""
    ticks = page.locator(".js-plotly-plot").first.locator(".ytick text").evaluate_all(
        "els => els.map(e => e.textContent)")
    pieces = [t.split("·", 1)[1] for t in ticks if t.split("·", 1)[1] != "<eos>"]
    return "".join(pieces).replace("▁", " ").strip()


def _click_importance_cell(page, chart: int, layer: int, head: int) -> None:
    click_chart(page, chart, f"layer {layer}", f"h{head}")


def test_heatmaps_show_token_labels(app_server, page):
    page.goto(_url(app_server, src="I love you", tgt="我爱你"))
    wait_for_app(page)
    assert wait_for_charts(page, 3) >= 3
    text = _chart_text(page)
    for token in ("▁love", "▁you", "<eos>", "<sos>", "爱"):
        assert token in text, token
    assert "Encoder self-attention" in text and "Decoder cross-attention" in text
    # The model reads the canonical form (models.grammar.normalise), and the page says so.
    assert _encoder_sentence(page) == "I love you."
    body = page.inner_text("body")
    assert "Maps computed by Triton" in body and "The model reads your sentence as" in body


def test_downloads_are_real_files(app_server, page):
    page.goto(_url(app_server, src="I love you", tgt="我爱你"))
    wait_for_app(page)
    for label, check in (("PNG", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
                         ("SVG", lambda b: b"<svg" in b[:1000] and b"love" in b),
                         ("NPZ", lambda b: b[:2] == b"PK"),
                         ("JSON", lambda b: b.lstrip()[:1] == b"{")):
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name=label, exact=True).first.click()
        path = dl.value.path()
        data = open(path, "rb").read()
        assert check(data), (label, data[:40])


def test_causal_toggle_changes_maps_and_url(app_server, page):
    page.goto(_url(app_server, src="I love you", tgt="我爱你"))
    wait_for_app(page)
    assert "causal mask OFF" not in _chart_text(page)
    page.get_by_text("Causal mask", exact=True).click()
    page.wait_for_function("() => location.search.includes('causal=0')", timeout=30_000)
    wait_for_app(page)
    assert "causal mask OFF" in _chart_text(page)
    assert "causal=0" in page.url


@pytest.mark.parametrize("src", [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script> I love you",
    "x" * 5000,
    "😀 שלום עולם 🎉",
    "   ",
])
def test_hostile_input_is_handled(app_server, page, src):
    page.goto(app_server.url)
    wait_for_app(page)
    box = page.get_by_label("Source sentence (English)")
    box.fill(src)
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_for_app(page)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    body = page.inner_text("body")
    if not src.strip():
        assert "Type an English sentence" in body
    elif len(src) >= 5000:
        # The box itself stops at 5,000 characters; the app then keeps the first 400.
        assert "only the first" in body
    else:
        assert wait_for_charts(page, 3) >= 3


def test_concurrent_sessions_see_their_own_sentences(app_server, chromium):
    sentences = ["I love you", "she drank a bottle of juice last week",
                 "we have never opened our umbrella", "Alice does not need that picture"]
    contexts = [chromium.new_context(viewport={"width": 1400, "height": 1000})
                for _ in sentences]
    try:
        pages = [c.new_page() for c in contexts]
        for p, s in zip(pages, sentences, strict=True):
            p.goto(_url(app_server, src=s))
        for p, s in zip(pages, sentences, strict=True):
            wait_for_app(p)
            assert wait_for_charts(p, 3) >= 3, p.inner_text("body")[:2000]
            assert _encoder_sentence(p) == normalise(s)
    finally:
        for c in contexts:
            c.close()


def test_unknown_words_are_named_above_the_maps(app_server, page):
    page.goto(_url(app_server, src="The zorblax is eating my homework."))
    wait_for_app(page)
    body = page.inner_text("body")
    assert "never seen" in body and "“zorblax”" in body, body[:2000]
    assert "homework" not in body.split("never seen", 1)[1].split("\n", 1)[0]
    page.goto(_url(app_server, src="I love you.", tgt="我爱你龘。"))
    wait_for_app(page)
    body = page.inner_text("body")
    assert "never seen" not in body
    assert "never produced in training" in body and "“龘”" in body


def test_an_unsure_translation_is_flagged_above_the_maps(app_server, page):
    page.goto(_url(app_server, src="The weather in my city is terrible during the winter "
                                   "months.", norm="both"))
    wait_for_app(page)
    body = page.inner_text("body")
    assert "The model is unsure of this translation" in body, body[:2000]
    page.goto(_url(app_server, src="I love you"))
    wait_for_app(page)
    assert "unsure" not in page.inner_text("body")


def test_examples_fill_the_source(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    box = page.get_by_label("Source sentence (English)")
    page.get_by_role("button", name="Random test sentence").click()
    page.wait_for_function("() => location.search.includes('src=')", timeout=30_000)
    wait_for_app(page)
    first = box.input_value()
    assert first and first != "She bought three red apples at the market yesterday."
    page.get_by_text("Where is my phone?", exact=True).click()
    wait_for_app(page)
    assert box.input_value() == "Where is my phone?"
    assert _encoder_sentence(page) == "Where is my phone?"


def test_rollout_tab_shows_heatmaps(app_server, page):
    page.goto(_url(app_server, src="I love you", tgt="我爱你"))
    wait_for_app(page)
    assert "Encoder rollout" not in _chart_text(page)       # drawn only when opened
    page.get_by_role("tab", name="Rollout").click()
    wait_for_chart_text(page, "Decoder source attribution")
    wait_for_app(page)
    text = _chart_text(page)
    assert "Encoder rollout" in text and "through layers 0–2" in text
    for token in ("▁love", "<eos>", "<sos> → ▁我", "爱"):
        assert token in text, token
    assert "Abnar & Zuidema" in page.inner_text("body")
    # The layer slider redraws the encoder's map for an earlier layer.
    slider = page.get_by_role("slider", name="Encoder rollout through layer")
    slider.focus()
    slider.press("Home")
    wait_for_chart_text(page, "through layers 0–0")
    wait_for_app(page)


def test_neuron_tab_shows_vectors_scores_and_probs(app_server, page):
    page.goto(_url(app_server, src="I love you", tgt="我爱你", norm="pre"))
    wait_for_app(page)
    assert "Query and key vectors" not in _chart_text(page)   # drawn only when opened
    page.get_by_role("tab", name="Neuron view").click()
    wait_for_chart_text(page, "Probabilities after softmax")
    wait_for_app(page)
    text = _chart_text(page)
    for words in ("Query and key vectors", "q ⊙ k", "Scores of query", "before softmax",
                  "× scale 0.1250", "▁love", "<eos>"):
        assert words in text, words
    assert "1/√D" in page.inner_text("body")
    # A click on the head's map opens that cell (row 3, "▁爱 → 你"; column 1, "▁love").
    click_chart(page, 0, 3, 1)
    wait_for_chart_text(page, "Scores of query 3")
    wait_for_app(page)
    body = page.inner_text("body")
    assert "3·" in body and "1·▁love" in body


def test_ablation_tab_switches_heads_off_by_click_and_button(app_server, page):
    page.goto(_url(app_server, src="I love you"))
    wait_for_app(page)
    assert "Δ log p" not in _chart_text(page)        # computed only when the tab is opened
    page.get_by_role("tab", name="Head ablation").click()
    wait_for_app(page)
    assert wait_for_charts(page, 3) >= 3
    text = _chart_text(page)
    assert "Δ log p" in text and "Decoder cross-attention" in text
    body = page.inner_text("body")
    assert "Michel, Levy & Neubig" in body and "No head is switched off" in body
    # The raw numbers, as the CLI's --importance writes them.
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Every head's importance (JSON)").click()
    data = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert set(data["drop"]) == {"encoder_self", "decoder_self", "cross"}
    assert len(data["drop"]["cross"]) == 3 and len(data["drop"]["cross"][0]) == 4
    # One click on the cross-attention importance map switches that head off.
    _click_importance_cell(page, 2, 2, 1)
    page.wait_for_function(
        "() => document.body.innerText.includes('Switched off: cross-attention L2 h1.')",
        timeout=90_000)
    wait_for_app(page)
    assert "✕ off" in _chart_text(page)
    # Every cross-attention head off: the decoder no longer sees the source.
    page.get_by_role("button", name="Switch off every cross-attention head").click()
    page.wait_for_function(
        "() => document.body.innerText.includes('Switched off: cross-attention L0 h0, h1, h2, h3')",
        timeout=90_000)
    wait_for_app(page)
    grid = page.get_by_test_id("stDataFrame").first
    assert grid.is_visible()
    page.get_by_role("button", name="Switch every head on").click()
    page.wait_for_function("() => document.body.innerText.includes('No head is switched off')",
                           timeout=90_000)


def test_a_shared_ablation_link_opens_its_tab(app_server, page):
    page.goto(_url(app_server, src="I love you", ablate="cross:0:*,cross:1:*,cross:2:*"))
    wait_for_app(page)
    page.wait_for_function(
        "() => document.body.innerText.includes('Switched off: cross-attention L0 h0, h1, h2,"
        " h3; L1 h0, h1, h2, h3; L2 h0, h1, h2, h3')", timeout=90_000)
    assert "ablate=cross%3A0%3A%2A" in page.url or "ablate=cross:0:*" in page.url, page.url
