"""Your model: the attention maps of a Hugging Face model saved in a local folder, computed
by attnviz's kernel."""

from __future__ import annotations

import numpy as np
import streamlit as st

from kernels import configure

configure()  # this page's own start (it is also reachable without app.py's imports)

from attnviz import figures, hf_views  # noqa: E402
from attnviz.backends import importance  # noqa: E402
from attnviz.backends.hf import UnsupportedAttention  # noqa: E402
from attnviz.backends.hf_local import (  # noqa: E402
    FULL_MAP_LIMIT,
    LoadError,
    attention_maps,
    default_pool,
    load_local,
)
from attnviz.hf_ablation_view import KEY as ABLATION_KEY  # noqa: E402
from attnviz.hf_ablation_view import Sources, head_ablation_tab  # noqa: E402
from attnviz.st_components import (  # noqa: E402
    cell_picker,
    figure_with_exports,
    keep_widget_state,
    markdown_escape,
    neuron_panel,
)

keep_widget_state([ABLATION_KEY])  # the Head ablation tab's choice, while another tab is open
st.title("Your model")
st.caption("A Hugging Face model saved with `save_pretrained` (safetensors weights) and its "
           "tokenizer, loaded from a local folder; every attention layer runs on attnviz's "
           "kernel.")


@st.cache_resource(max_entries=2, show_spinner="Loading the model…")
def _load(folder: str):
    return load_local(folder)


# A long text's maps take seconds on a CPU; moving the head slider or the colour scale
# must not compute them again. (A model that cannot run raises, and nothing is cached.)
@st.cache_data(max_entries=4, show_spinner="Running the model on attnviz's kernel…")
def _maps(folder: str, text: str, target: str | None, pool: int | None,
          vectors: bool = False, ablate: tuple = ()):
    model, tokenizer = _load(folder)
    extra = {"ablate": ablate} if ablate else {}
    return attention_maps(model, tokenizer, text, target, pool, vectors=vectors, **extra)


@st.cache_data(max_entries=8, show_spinner="Predicting the next tokens…")
def _predictions(folder: str, text: str, target: str | None, ablate: tuple):
    model, tokenizer = _load(folder)
    return importance.predictions(model, tokenizer, text, target, ablate=ablate)


@st.cache_data(max_entries=4, show_spinner="Switching off each head in turn…")
def _importance(folder: str, text: str, target: str | None):
    model, tokenizer = _load(folder)
    return importance.head_importance(model, tokenizer, text, target)


@st.cache_data(max_entries=4, show_spinner="Rolling out the attention…")
def _rollout(folder: str, text: str, target: str | None):
    return hf_views.model_rollout(_maps(folder, text, target, None))


folder = st.text_input("Model folder", placeholder="/path/to/saved/model")
if not folder:
    st.stop()
try:
    model, tokenizer = _load(folder)
except (LoadError, OSError, ValueError) as error:
    st.error(markdown_escape(str(error)))
    st.stop()

text = st.text_area("Text", "The quick brown fox jumps over the lazy dog.")
target = None
if model.config.is_encoder_decoder:
    target = st.text_area("Target (decoder input)", "")
length = len(tokenizer(text)["input_ids"])
pool = default_pool(length)
if pool:
    pool = st.select_slider("Pool size (P × P tiles averaged)", [1, 2, 4, 8, 16, 32, 64],
                            value=pool)
    st.info(f"{length} tokens: maps longer than {FULL_MAP_LIMIT} tokens are shown pooled, "
            f"each cell the mean of a {pool} × {pool} tile.")
pooled = bool(pool and pool > 1)
try:
    layers = _maps(folder, text, target, pool if pooled else None)
except UnsupportedAttention as error:
    st.error(markdown_escape(f"attnviz's kernel cannot run this model: {error}"))
    st.stop()



def attention_tab() -> None:
    names = [layer.name for layer in layers]
    choice = st.selectbox("Attention layer", names)
    layer = layers[names.index(choice)]
    head = st.slider("Head", 0, layer.maps.shape[0] - 1, 0) if layer.maps.shape[0] > 1 else 0
    # Over hundreds of keys most probabilities are small: scaling colours to the map's own
    # maximum, or to its 99th percentile (the top 1% of cells saturate), shows their
    # structure, at the price of comparability between maps.
    scales = {"0 to 1": None, "0 to this map's maximum": 100.0,
              "0 to its 99th percentile": 99.0}
    scale = st.radio("Colour scale", list(scales), horizontal=True,
                     help="Probabilities of long inputs are small; a top colour taken from "
                          "the map itself shows their structure. 0 to 1 compares maps with "
                          "each other.")
    percentile = scales[scale]
    zmax = 1.0 if percentile is None else max(
        float(np.percentile(layer.maps[head], percentile)), 1e-12)
    fig = figures.heatmap(layer.maps[head], layer.query_tokens, layer.key_tokens,
                          title=f"{layer.name} · head {head}", zmax=zmax,
                          numbered=layer.pool is None)
    figure_with_exports(fig, f"{layer.name}-head{head}", "your-model-map",
                        probs=layer.maps[head], query_labels=layer.query_tokens,
                        key_labels=layer.key_tokens)
    if st.checkbox("All heads of this layer"):
        grid = figures.heads_grid(layer.maps[None], layer.query_tokens, layer.key_tokens,
                                  layer_names=[layer.name], numbered=layer.pool is None)
        figure_with_exports(grid, f"{layer.name}-heads", "your-model-grid")


def _pooled_notice(view: str) -> bool:
    """True (after saying why) when the maps are pooled: these views need the full maps."""
    if pooled:
        st.info(hf_views.pooled_message(view))
    return pooled


def rollout_tab() -> None:
    st.caption(hf_views.ROLLOUT_CAPTION)
    if _pooled_notice("rollout"):
        return
    roll = _rollout(folder, text, target)
    last = len(roll.names) - 1
    layer = (st.select_slider("Rollout through self-attention layer", list(range(last + 1)),
                              value=last) if last else 0)
    figure_with_exports(hf_views.rollout_figure(roll, layer), f"rollout-L{layer}",
                        "your-model-rollout", probs=roll.rollout[layer],
                        query_labels=roll.tokens, key_labels=roll.tokens)
    if roll.decoder_source is not None:
        last = len(roll.decoder_names) - 1
        dec = (st.select_slider("Decoder source attribution through decoder layer",
                                list(range(last + 1)), value=last) if last else 0)
        figure_with_exports(hf_views.decoder_rollout_figure(roll, dec),
                            f"rollout-decoder-source-L{dec}", "your-model-decoder-rollout",
                            probs=roll.decoder_source[dec], query_labels=roll.target_tokens,
                            key_labels=roll.tokens)


# A clickable map draws an invisible marker per cell: beyond this many, selectors only.
CLICKABLE_CELLS = 128 * 128


def neuron_tab() -> None:
    st.caption(hf_views.NEURON_CAPTION)
    if _pooled_notice("neuron"):
        return
    # The query and key vectors are kept only here: the model runs once more, keeping them.
    with_vectors = _maps(folder, text, target, None, vectors=True)
    names = [layer.name for layer in with_vectors]
    c_layer, c_head = st.columns([3, 1])
    layer = with_vectors[names.index(c_layer.selectbox("Neuron view: attention layer", names)
                                     or names[0])]
    n_heads, n_rows, n_keys = layer.maps.shape
    head = c_head.selectbox("Head", list(range(n_heads))) or 0
    # Keyed per shape: another text or layer makes new selectors, so a row always exists;
    # a click on the map below sets them.
    row_key, col_key = f"hf-neuron-row-{n_rows}", f"hf-neuron-col-{n_keys}"
    c_row, c_col = st.columns(2)
    row = c_row.selectbox("Query row i", list(range(n_rows)), index=min(1, n_rows - 1),
                          key=row_key,
                          format_func=lambda i: f"{i}·{layer.query_tokens[i]}") or 0
    col = c_col.selectbox("Key column j", list(range(n_keys)), key=col_key,
                          format_func=lambda j: f"{j}·{layer.key_tokens[j]}") or 0
    if n_rows * n_keys <= CLICKABLE_CELLS:
        cell_picker(figures.heatmap(layer.maps[head], layer.query_tokens, layer.key_tokens,
                                    title=f"{layer.name} · head {head}",
                                    click_hint="click to open this score"),
                    (row, col), n_keys, row_key=row_key, col_key=col_key,
                    counter="hf-neuron-pick")
    view = hf_views.neuron_row(layer, head, row)
    neuron_panel(hf_views.neuron_figures(layer, view, col),
                 f"{layer.name}_neuron_h{head}_row{row}", "your-model-neuron",
                 reason=hf_views.mask_reason(layer, row, col), cell=(row, col),
                 probs=view["probs"], query_label=layer.query_tokens[row],
                 key_labels=layer.key_tokens)


def ablation_tab() -> None:
    # Ablation changes the model, not the map: the ablated maps use the same pool size.
    shown_pool = pool if pooled else None
    lm = importance.lm_kind(model)
    head_ablation_tab(Sources(
        maps=lambda heads: _maps(folder, text, target, shown_pool, ablate=heads),
        lm=lm, model_name=type(model).__name__,
        predictions=lambda heads: _predictions(folder, text, target, heads),
        importance=lambda: _importance(folder, text, target),
        needs_target=lm == "seq2seq" and not (target or "").strip()), layers)


tab_views = {"Attention maps": attention_tab, "Rollout": rollout_tab,
             "Neuron view": neuron_tab, "Head ablation": ablation_tab}
tabs = st.tabs(list(tab_views), key="your-model-tab", on_change="rerun")
# Only the open tab is drawn: rollout and the neuron view compute when opened.
for tab, draw in zip(tabs, tab_views.values(), strict=True):
    with tab:
        if tab.open:
            draw()
