"""The Head ablation tab: switch heads off, see what the model does without them, and how
much each head matters to the sentence on screen (click a head to switch it off)."""

from __future__ import annotations

import json
from functools import partial

import streamlit as st

from models import ATTENTION_KINDS, HeadImportance, Trace

from . import ablation, export, st_cache, trace_views
from .analysis import prediction_changes
from .inputs import ABLATE_URL
from .labels import NORM_LABELS, file_stem
from .sections import View
from .st_components import figure_with_exports, markdown_escape

CAPTION = (
    "Switch heads off to see what they do. A switched-off head still computes its "
    "attention map, but its output is zeroed before the layer's output projection, so "
    "every layer after it runs without it; the ablated model's maps below are recomputed "
    "on the kernel, teacher-forced on the same target so that rows line up.")
IMPORTANCE_CAPTION = (
    "Head importance (Michel, Levy & Neubig 2019, “Are Sixteen Heads Really Better than "
    "One?”): how much the log-probability of the whole target drops when that head alone is "
    "switched off. Red: the model needs the head for this sentence; near 0: it does not; "
    "blue: the target gets likelier without it. Click a cell to switch that head off, and "
    "again to switch it back on.")


def _key(kind: str) -> str:
    return f"ablate-{kind}"


# The tab's widgets: kept while another tab is open (st_components.keep_widget_state).
WIDGET_KEYS = (*(_key(kind) for kind in ATTENTION_KINDS), "ablate-kind")


def _choose(kind: str, options: list[str]) -> None:
    st.session_state[_key(kind)] = options


def _clicks() -> int:
    return int(st.session_state.get("ablate-clicks", 0))


def _on_click(chart_key: str, kind: str, n_heads: int) -> None:
    """A click on an importance cell flips that head in its kind's selection."""
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get("points", [])
    for point in points:
        index = point.get("point_index")
        if index is None:
            continue
        layer, head = divmod(int(index), n_heads)
        _choose(kind, ablation.toggled(st.session_state.get(_key(kind), []), layer, head,
                                       n_heads))
    # A fresh chart (new key) on the next run: a click on the same cell counts again.
    st.session_state["ablate-clicks"] = _clicks() + 1


def _set_all_cross(n_layers: int) -> None:
    _choose("cross", [ablation.option(layer, None) for layer in range(n_layers)])


def _clear() -> None:
    for kind in ATTENTION_KINDS:
        _choose(kind, [])


def url_value() -> str:
    """The heads switched off, as the URL spells them ("cross:2:1,enc:0:*"): a shared link's
    own value until the tab has applied it."""
    if ABLATE_URL in st.session_state:
        return str(st.session_state[ABLATE_URL])
    return ",".join(spec for kind in ATTENTION_KINDS for spec in ablation.option_specs(
        kind, st.session_state.get(_key(kind), [])))


def _apply_url(tr: Trace) -> None:
    """Switch off the heads a shared link names (once), and say which specs do not fit."""
    chosen, errors = ablation.options_from_specs(
        str(st.session_state.pop(ABLATE_URL)), lambda kind: tr.maps(kind).shape[0],
        tr.cross.shape[1])
    for kind, options in chosen.items():
        _choose(kind, options)
    for error in errors:
        st.warning(markdown_escape("The link's heads to switch off: "
                                   + error.removeprefix("--ablate ")),
                   icon=":material/link_off:")


def chosen_heads(n_heads: int) -> list[ablation.Head]:
    return [h for kind in ATTENTION_KINDS
            for h in ablation.heads_of(kind, st.session_state.get(_key(kind), []), n_heads)]


def _controls(tr: Trace) -> None:
    if ABLATE_URL in st.session_state:
        _apply_url(tr)
    n_heads = tr.cross.shape[1]
    cols = st.columns(3)
    for col, kind in zip(cols, ATTENTION_KINDS, strict=True):
        n_layers = tr.maps(kind).shape[0]
        options = ablation.options(n_layers, n_heads)
        st.session_state[_key(kind)] = [o for o in st.session_state.get(_key(kind), [])
                                        if o in options]
        col.multiselect(f"Switch off: {trace_views.KIND_TITLES[kind].lower()}", options,
                        key=_key(kind), placeholder="no head switched off")
    left, right, _ = st.columns([2, 2, 3])
    left.button("Switch off every cross-attention head", key="ablate-all-cross",
                on_click=_set_all_cross, args=(tr.cross.shape[0],),
                help="The decoder then cannot see the source at all.")
    right.button("Switch every head on", key="ablate-clear", on_click=_clear)


def _importance(view: View, heads: list[ablation.Head]) -> None:
    st.subheader("Head importance")
    st.caption(IMPORTANCE_CAPTION)
    for norm in view.norms:
        tr = view.pairs[norm].shown
        imp = st_cache.head_importance(norm, view.src, tr.target_text, tr.causal)
        st.caption(f"{view.prefix(norm)}target “{markdown_escape(imp.target_text)}”: "
                   f"log p = {imp.logprob:.3f} with every head on; computed by {imp.backend}.")
        n_heads = tr.cross.shape[1]
        for col, kind in zip(st.columns(3), ATTENTION_KINDS, strict=True):
            with col:
                chart_key = f"importance-{norm}-{kind}-{_clicks()}"
                fig = trace_views.importance_figure(imp, kind, heads, view.prefix(norm),
                                                    clickable=True)
                figure_with_exports(
                    fig, file_stem(norm, tr.causal, "importance", kind),
                    f"importance-{norm}-{kind}", chart_key=chart_key,
                    on_click=partial(_on_click, chart_key, kind, n_heads))
        stem = file_stem(norm, tr.causal, "importance")
        st.download_button(  # the same file as the CLI's --importance
            "Every head's importance (JSON)", file_name=f"{stem}.json",
            data=partial(_importance_bytes, imp), mime=export.MIME["json"],
            key=f"importance-{norm}-json", on_click="ignore")


def _importance_bytes(imp: HeadImportance) -> bytes:
    return json.dumps(export.importance_json(imp), ensure_ascii=False, indent=1).encode()


def _comparison(view: View, norm: str, heads: list[ablation.Head], kind: str) -> None:
    """One model intact and ablated: translations, predictions, and one map each."""
    tr = view.pairs[norm].shown
    off = st_cache.ablated_trace(norm, view.src, tr.target_text, tr.causal, tuple(heads))
    intact_translation = st_cache.translation(norm, view.src)
    ablated_translation = st_cache.ablated_translation(norm, view.src, tuple(heads))
    st.markdown(f"**{NORM_LABELS[norm]}**")
    st.dataframe([
        {"model": "every head on", "greedy translation": intact_translation},
        {"model": "heads switched off", "greedy translation": ablated_translation},
    ], hide_index=True, width="stretch", key=f"ablate-translations-{norm}")
    changed = prediction_changes(tr.predictions, off.predictions)
    st.caption(f"Teacher-forced on “{markdown_escape(tr.target_text)}”: the top-1 prediction "
               f"changes at {sum(changed)} of {len(changed)} positions.")
    rows = [{"pos": i, "input": a, "should predict": b,
             "every head on": f"{m[0].piece} ({m[0].prob:.2f})",
             "heads off": f"{u[0].piece} ({u[0].prob:.2f})", "changed": c}
            for i, (a, b, m, u, c) in enumerate(zip(tr.dec_input, tr.dec_output,
                                                    tr.predictions, off.predictions, changed,
                                                    strict=True))]
    st.dataframe(rows, hide_index=True, width="stretch",
                 key=f"ablate-preds-{norm}")
    before, after = (trace_views.select(t.maps(kind), view.layer, view.head) for t in (tr, off))
    st.caption(f"{trace_views.kind_title(tr, kind)}, layer {view.layer} · "
               f"{trace_views.head_name(view.head)}: largest change of a probability "
               f"{float(abs(after - before).max()):.3g}" + (
                   " (it cannot change: no switched-off head runs before it, and a switched-off"
                   " head's own map stays as it was; only what comes after it changes)"
                   if not any(ablation.changes_map(h, kind, view.layer) for h in heads) else ""))
    # Side by side when the page shows one model; stacked in its column when two.
    cols = st.columns(2) if len(view.norms) == 1 else [st.container(), st.container()]
    for col, (label, shown, probs) in zip(cols, (("every head on", tr, before),
                                                 ("heads switched off", off, after)),
                                          strict=True):
        with col:
            fig = trace_views.attention_heatmap(shown, kind, view.layer, view.head,
                                                f"{NORM_LABELS[norm]}, {label} · ")
            figure_with_exports(
                fig, file_stem(norm, shown.causal, kind, "ablated" if shown is off else "intact",
                               f"L{view.layer}"),
                f"ablate-map-{norm}-{label}", probs=probs,
                query_labels=trace_views.query_labels(shown, kind)[0],
                key_labels=shown.axes(kind)[1])


def head_ablation(view: View) -> None:
    st.caption(CAPTION)
    first = view.pairs[view.norms[0]].shown
    n_heads = first.cross.shape[1]
    _controls(first)
    heads = chosen_heads(n_heads)
    _importance(view, heads)
    st.subheader("With the heads switched off")
    if not heads:
        st.info("No head is switched off: choose heads above, or click a cell of the "
                "importance maps.")
        return
    st.caption(f"Switched off: {ablation.describe(heads)}. The maps show the layer and head "
               "chosen at the top of the page.")
    st.session_state.setdefault("ablate-kind", "cross")  # kept: default via session state
    kind = st.columns(3)[0].selectbox(
        "Map", ATTENTION_KINDS, key="ablate-kind",
        format_func=lambda k: trace_views.kind_title(first, k)) or "cross"
    for col, norm in zip(st.columns(len(view.norms)), view.norms, strict=True):
        with col:
            _comparison(view, norm, heads, kind)
