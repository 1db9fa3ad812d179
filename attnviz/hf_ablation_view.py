"""The Your-model page's Head ablation tab (Streamlit): choose heads to switch off, see a
map intact beside ablated, and, for a model with a language-model head, its top-1
predictions intact and ablated and the clickable head-importance map."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import streamlit as st

from kernels import interpreter_active

from . import ablation, figures, hf_ablation
from .backends.heads import Head
from .backends.hf_local import LayerMaps
from .backends.importance import NO_LM_HEAD, HeadImportance, Predictions
from .st_components import figure_with_exports

KEY = "hf-ablate"
REFERENCE_NOTE = (" (the kernel's semantics in PyTorch: under Triton's CPU interpreter a forward"
                  " per head on the kernel is too slow for a page)")


@dataclass
class Sources:
    """What the tab computes, through the page's caches."""

    maps: Callable[[tuple[Head, ...]], list[LayerMaps]]  # the maps with these heads off
    lm: str | None  # importance.lm_kind of the model
    model_name: str  # its class, for the message when it has no LM head
    predictions: Callable[[tuple[Head, ...]], Predictions]
    importance: Callable[[], HeadImportance]
    needs_target: bool  # a seq2seq LM with no target typed: nothing to score


def _clicks() -> int:
    return int(st.session_state.get(f"{KEY}-clicks", 0))


def _on_click(chart_key: str, imp: HeadImportance, layers: Sequence[LayerMaps]) -> None:
    """A click on an importance cell flips that head in the selection."""
    event = st.session_state.get(chart_key)
    names = [layer.name for layer in layers]
    for point in (event or {}).get("selection", {}).get("points", []):
        index = point.get("point_index")
        cell = None if index is None else hf_ablation.clicked_head(index, imp)
        if cell is None or imp.names[cell[0]] not in names:
            continue
        layer = names.index(imp.names[cell[0]])
        st.session_state[KEY] = ablation.toggled(st.session_state.get(KEY, []), layer, cell[1],
                                                 len(layers[layer].maps))
    # A fresh chart (new key) on the next run: a click on the same cell counts again.
    st.session_state[f"{KEY}-clicks"] = _clicks() + 1


def _clear() -> None:
    st.session_state[KEY] = []


def _controls(layers: Sequence[LayerMaps]) -> list[Head]:
    offered = hf_ablation.options(layers)
    # A new model or text may offer other heads: keep only choices that still exist. (The
    # page keeps KEY while another tab is open: st_components.keep_widget_state.)
    st.session_state[KEY] = [o for o in st.session_state.get(KEY, []) if o in offered]
    st.multiselect("Switch off", offered, key=KEY, placeholder="no head switched off",
                   format_func=partial(hf_ablation.option_label, layers=layers))
    st.button("Switch every head on", key=f"{KEY}-clear", on_click=_clear)
    return hf_ablation.heads_of(st.session_state[KEY], layers)


def _importance(src: Sources, layers: Sequence[LayerMaps], heads: list[Head]) -> None:
    st.subheader("Head importance")
    if src.lm is None:
        st.info(NO_LM_HEAD.format(name=src.model_name)
                + " Switching heads off still changes the maps below.")
        return
    if src.needs_target:
        st.info("This encoder-decoder's head importance scores the target: type a target "
                "above to compute it.")
        return
    what = "text (every token after the first)" if src.lm == "causal" else "target given the text"
    imp = src.importance()
    st.caption(hf_ablation.IMPORTANCE_CAPTION.format(what=what)
               + f" Scored tokens: {len(imp.scored)}; log p = {imp.logprob:.3f} with every "
                 f"head on; attention computed by {imp.backend}"
               + (REFERENCE_NOTE if interpreter_active() and "reference" in imp.backend else "")
               + ".")
    chart_key = f"{KEY}-importance-{_clicks()}"
    figure_with_exports(hf_ablation.importance_figure(imp, heads, clickable=True),
                        "your-model-importance", f"{KEY}-importance", chart_key=chart_key,
                        on_click=partial(_on_click, chart_key, imp, layers))


def _comparison(src: Sources, layers: Sequence[LayerMaps], heads: list[Head]) -> None:
    st.caption(f"Switched off: {hf_ablation.describe(heads, layers)}.")
    if src.lm is not None:
        intact, off = src.predictions(()), src.predictions(tuple(heads))
        rows = hf_ablation.prediction_rows(intact, off)
        st.caption(f"Top-1 next-token prediction after each position: it changes at "
                   f"{sum(r['changed'] for r in rows)} of {len(rows)} positions.")
        st.dataframe(rows, hide_index=True, width="stretch",
                     key=f"{KEY}-predictions")
    ablated = src.maps(tuple(heads))
    names = [layer.name for layer in layers]
    c_layer, c_head = st.columns([3, 1])
    index = names.index(c_layer.selectbox("Map: attention layer", names, key=f"{KEY}-layer")
                        or names[0])
    head = c_head.selectbox("Head", list(range(len(layers[index].maps))),
                            key=f"{KEY}-head") or 0
    before, after = layers[index], ablated[index]
    change, (row, col) = hf_ablation.largest_change(before.maps[head], after.maps[head])
    st.caption(f"{before.name} · head {head}: largest change of a "
               f"{'tile mean' if before.pool else 'probability'} {change:.3g}"
               + (f" at ({before.query_tokens[row]} → {before.key_tokens[col]})" if change
                  else "")
               + (" (no head called before this layer is switched off, so its map cannot "
                  "change)" if hf_ablation.cannot_change(heads, layers, index) else ""))
    for col_, (label, layer) in zip(st.columns(2), (("every head on", before),
                                                    ("heads switched off", after)), strict=True):
        with col_:
            fig = figures.heatmap(layer.maps[head], layer.query_tokens, layer.key_tokens,
                                  title=f"{layer.name} · head {head}, {label}",
                                  numbered=layer.pool is None)
            stem = f"{layer.name}-head{head}-{'ablated' if layer is after else 'intact'}"
            figure_with_exports(fig, stem, f"{KEY}-map-{label}", probs=layer.maps[head],
                                query_labels=layer.query_tokens, key_labels=layer.key_tokens)


def head_ablation_tab(src: Sources, layers: Sequence[LayerMaps]) -> None:
    st.caption(hf_ablation.CAPTION)
    heads = _controls(layers)
    _importance(src, layers, heads)
    st.subheader("With the heads switched off")
    if not heads:
        st.info("No head is switched off: choose heads above"
                + (", or click a cell of the importance map." if src.lm else "."))
        return
    _comparison(src, layers, heads)
