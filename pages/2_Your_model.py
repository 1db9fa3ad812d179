"""Your model: the attention maps of a Hugging Face model saved in a local folder, computed
by attnviz's kernel."""

from __future__ import annotations

import numpy as np
import streamlit as st

from kernels import configure

configure()  # this page's own start (it is also reachable without app.py's imports)

from attnviz import figures  # noqa: E402
from attnviz.backends.hf import UnsupportedAttention  # noqa: E402
from attnviz.backends.hf_local import (  # noqa: E402
    FULL_MAP_LIMIT,
    LoadError,
    attention_maps,
    default_pool,
    load_local,
)
from attnviz.st_components import figure_with_exports  # noqa: E402

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
def _maps(folder: str, text: str, target: str | None, pool: int | None):
    model, tokenizer = _load(folder)
    return attention_maps(model, tokenizer, text, target, pool)


folder = st.text_input("Model folder", placeholder="/path/to/saved/model")
if not folder:
    st.stop()
try:
    model, tokenizer = _load(folder)
except (LoadError, OSError, ValueError) as error:
    st.error(str(error))
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
try:
    layers = _maps(folder, text, target, pool if pool and pool > 1 else None)
except UnsupportedAttention as error:
    st.error(f"attnviz's kernel cannot run this model: {error}")
    st.stop()

names = [layer.name for layer in layers]
choice = st.selectbox("Attention layer", names)
layer = layers[names.index(choice)]
head = st.slider("Head", 0, layer.maps.shape[0] - 1, 0) if layer.maps.shape[0] > 1 else 0
# Over hundreds of keys most probabilities are small: scaling colours to the map's own
# maximum, or to its 99th percentile (the top 1% of cells saturate), shows their structure,
# at the price of comparability between maps.
SCALES = {"0 to 1": None, "0 to this map's maximum": 100.0,
          "0 to its 99th percentile": 99.0}
scale = st.radio("Colour scale", list(SCALES), horizontal=True,
                 help="Probabilities of long inputs are small; a top colour taken from the "
                      "map itself shows their structure. 0 to 1 compares maps with each other.")
percentile = SCALES[scale]
zmax = 1.0 if percentile is None else max(float(np.percentile(layer.maps[head], percentile)),
                                          1e-12)
fig = figures.heatmap(layer.maps[head], layer.query_tokens, layer.key_tokens,
                      title=f"{layer.name} · head {head}", zmax=zmax,
                      numbered=layer.pool is None)
figure_with_exports(fig, f"{layer.name}-head{head}", "your-model-map", probs=layer.maps[head],
                    query_labels=layer.query_tokens, key_labels=layer.key_tokens)
if st.checkbox("All heads of this layer"):
    grid = figures.heads_grid(layer.maps[None], layer.query_tokens, layer.key_tokens,
                              layer_names=[layer.name], numbered=layer.pool is None)
    figure_with_exports(grid, f"{layer.name}-heads", "your-model-grid")
