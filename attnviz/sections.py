"""The main page's sections. Each takes the traces already computed (cached) and draws.

User text only ever reaches the page through st.text, st.code, dataframes, escaped Plotly
labels and `markdown_escape`d notices: never through Markdown or HTML as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from models import ATTENTION_KINDS

from . import export, neuron, rollout, st_cache, trace_views
from .analysis import prediction_changes
from .labels import NORM_LABELS, figure_stem, file_stem, map_name
from .notices import unknown_word_notices, unsure_notice
from .pipeline import TracePair
from .st_components import (
    cell_picker,
    export_buttons,
    figure_with_exports,
    markdown_escape,
    neuron_panel,
)

LEAK_CAPTION = (
    "Why the mask: in training the whole target is fed at once, shifted right behind "
    "<sos>, so position i reads the tokens up to i and must predict token i+1. Without the "
    "mask, position i can also read token i+1 (its own answer) and everything after: the "
    "model learns to copy instead of to translate. At inference nothing leaks, because "
    "tokens are generated one at a time and the future does not exist yet; but a model "
    "trained with the mask and run without it sees a context it never saw in training, so "
    "its predictions change."
)


@dataclass
class View:
    norms: list[str]
    pairs: dict[str, TracePair]
    layer: int
    head: int | None
    src: str

    def prefix(self, norm: str) -> str:
        return f"{NORM_LABELS[norm]} · " if len(self.norms) > 1 else ""


def header(view: View) -> None:
    """What was traced: the target used, notices, and which kernel computed the maps."""
    first = view.pairs[view.norms[0]].shown
    # A notice every model gives (the source's truncation) is said once, after the targets.
    shared = [n for n in first.notices
              if all(n in view.pairs[m].shown.notices for m in view.norms)]
    for norm in view.norms:
        tr = view.pairs[norm].shown
        label = f"{NORM_LABELS[norm]} target" if len(view.norms) > 1 else "Target"
        if tr.target_from_model:
            st.caption(f"{label}: no target given, so the model's own greedy translation is "
                       "used as the target:")
        else:
            st.caption(f"{label} (yours):")
        st.text(tr.target_text or "(the model produced no tokens)")
        for note in tr.notices:
            if note not in shared:
                st.warning(note, icon=":material/content_cut:")
    for note in shared:
        st.warning(note, icon=":material/content_cut:")
    if first.source_text != view.src:
        st.caption("The model reads your sentence as (one canonical form: capitals, final "
                   "marks, plain quotes, typed variants spelled as in training, no emoji):")
        st.text(first.source_text)
    # The same words for both models (one tokenizer and corpus): said once.
    for note in unknown_word_notices(first):
        st.warning(markdown_escape(note), icon=":material/help:")
    for norm in view.norms:
        unsure = unsure_notice(view.pairs[norm].shown)
        if unsure is not None:
            st.warning(markdown_escape(view.prefix(norm) + unsure), icon=":material/warning:")
    diffs = [view.pairs[n].shown.max_abs_diff_vs_reference for n in view.norms]
    diff = max((d for d in diffs if d is not None), default=None)
    st.caption(f"Maps computed by {first.backend}; largest |difference| from the PyTorch "
               f"reference over every map: {'n/a' if diff is None else f'{diff:.2e}'}.")


def _raw(tr, kind: str, layer: int | None = None, head: int | None = None) -> dict:
    q, k = tr.axes(kind)
    probs = tr.maps(kind) if layer is None else trace_views.select(tr.maps(kind), layer, head)
    return {"probs": probs, "query_labels": q, "key_labels": k}


def _stem(tr, kind: str, what: str) -> str:
    return file_stem(tr.norm, tr.causal, kind, what)


def _attention_map(view: View, norm: str, kind: str) -> None:
    tr = view.pairs[norm].shown
    fig = trace_views.attention_heatmap(tr, kind, view.layer, view.head, view.prefix(norm))
    figure_with_exports(fig, _stem(tr, kind, map_name(view.layer, view.head)), f"map-{norm}-{kind}",
                        **_raw(tr, kind, view.layer, view.head))


def attention_maps(view: View) -> None:
    """One model: two columns (three heatmaps side by side leave each too narrow to read
    its key labels). Both: a row per kind, a column per model."""
    st.caption("Rows are queries, columns keys; each row sums to 1. Decoder rows read the "
               "shifted-right input and are labelled with the token they predict. Grey "
               "hatched cells are masked. Hover a cell for the exact probability.")
    if len(view.norms) == 1:
        norm = view.norms[0]
        left, right = st.columns(2)
        with left:
            _attention_map(view, norm, "encoder_self")
            _attention_map(view, norm, "cross")
        with right:
            _attention_map(view, norm, "decoder_self")
            causal_comparison(view)
        return
    for kind in ATTENTION_KINDS:
        st.subheader(trace_views.KIND_TITLES[kind])
        for col, norm in zip(st.columns(len(view.norms)), view.norms, strict=True):
            with col:
                _attention_map(view, norm, kind)
        if kind == "decoder_self":
            causal_comparison(view)


def causal_comparison(view: View) -> None:
    """The teacher-forced predictions with the mask and without it, side by side."""
    st.caption(LEAK_CAPTION)
    if view.pairs[view.norms[0]].shown.causal:
        # The unmasked pass is only run on request: it would double the first page's time.
        st.caption("Turn the causal mask off to fill in the upper triangle and compare the "
                   "predictions with and without it.")
        return
    cols = st.columns(len(view.norms))
    for col, norm in zip(cols, view.norms, strict=True):
        pair = view.pairs[norm]
        masked, unmasked = pair.masked.predictions, pair.unmasked.predictions
        changed = prediction_changes(masked, unmasked)
        rows = [{
            "pos": i, "input": a, "should predict": b,
            "with mask": f"{m[0].piece} ({m[0].prob:.2f})",
            "without mask": f"{u[0].piece} ({u[0].prob:.2f})",
            "changed": c,
        } for i, (a, b, m, u, c) in enumerate(zip(
            pair.shown.dec_input, pair.shown.dec_output, masked, unmasked, changed,
            strict=False))]
        with col:
            st.caption(f"{view.prefix(norm)}teacher-forced top-1 predictions: "
                       f"{sum(changed)} of {len(changed)} change when the mask is removed")
            st.dataframe(rows, hide_index=True, width="stretch",
                         key=f"preds-{norm}")


def all_heads(view: View) -> None:
    st.caption("Every head of every layer on one 0–1 colour scale; hover a cell for its "
               "tokens and probability.")
    for kind in ATTENTION_KINDS:
        st.subheader(trace_views.KIND_TITLES[kind] + ": all heads")
        for norm in view.norms:
            tr = view.pairs[norm].shown
            fig = trace_views.attention_grid(tr, kind, view.prefix(norm))
            figure_with_exports(fig, _stem(tr, kind, "grid"), f"grid-{norm}-{kind}",
                                **_raw(tr, kind))


def rollout_maps(view: View) -> None:
    """Attention rollout: the encoder's per layer, and the decoder's source attribution.
    Computed here, when the tab is opened (a few small matrix products per model)."""
    st.caption(rollout.CAPTION)
    first = view.pairs[view.norms[0]].shown
    n_enc, n_dec = first.encoder_self.shape[0], first.decoder_self.shape[0]
    c_enc, c_dec = st.columns(2)
    # Defaults through session state, not `value=`: these keys are kept (TAB_WIDGET_KEYS).
    _clamped("rollout-enc-layer", n_enc, n_enc - 1)
    _clamped("rollout-dec-layer", n_dec, n_dec - 1)
    enc_layer = c_enc.select_slider("Encoder rollout through layer", list(range(n_enc)),
                                    key="rollout-enc-layer")
    dec_layer = c_dec.select_slider("Decoder source attribution through layer",
                                    list(range(n_dec)), key="rollout-dec-layer")
    figs = {}
    for norm in view.norms:
        tr = view.pairs[norm].shown
        roll = rollout.of_trace(tr)
        enc, dec = trace_views.rollout_heatmaps(tr, roll, enc_layer, dec_layer, view.prefix(norm))
        figs[norm] = (
            (enc, _stem(tr, "rollout", f"encoder_L{enc_layer}"), roll.encoder[enc_layer],
             tr.src_pieces),
            (dec, _stem(tr, "rollout", f"decoder_source_L{dec_layer}"),
             roll.decoder_source[dec_layer], tr.dec_input),
        )

    def draw(norm: str, which: int) -> None:
        fig, stem, probs, queries = figs[norm][which]
        figure_with_exports(fig, stem, f"rollout-{norm}-{which}", probs=probs,
                            query_labels=queries, key_labels=view.pairs[norm].shown.src_pieces)

    if len(view.norms) == 1:
        left, right = st.columns(2)
        with left:
            draw(view.norms[0], 0)
        with right:
            draw(view.norms[0], 1)
        return
    for which, title in enumerate(("Encoder rollout", "Decoder source attribution")):
        st.subheader(title)
        for col, norm in zip(st.columns(len(view.norms)), view.norms, strict=True):
            with col:
                draw(norm, which)


NEURON_CAPTION = (
    "One score, neuron by neuron: the query vector q of row i and the key vector k of "
    "column j (what the attention kernel receives), multiplied element-wise and summed, "
    "times the scale 1/√D, give the score of cell (i, j). Softmax over the row's scores "
    "turns them into the probabilities the heatmap shows: large scores win more than "
    "their share, and a masked key gets −∞, so probability 0. Click a cell of the head's "
    "map, or choose its row and column, to open that score.")


def _clamped(key: str, n: int, default: int) -> None:
    """Keep a selector's value inside 0..n-1 when its options shrink (another kind)."""
    if key not in st.session_state:
        st.session_state[key] = min(default, n - 1)
    elif st.session_state[key] >= n:
        st.session_state[key] = n - 1


# The rollout and neuron tabs' selectors: kept while another tab is open
# (st_components.keep_widget_state), so their defaults come through session state.
TAB_WIDGET_KEYS = ("rollout-enc-layer", "rollout-dec-layer", "neuron-norm", "neuron-kind",
                   "neuron-layer", "neuron-head", "neuron-row", "neuron-col")


def neuron_view(view: View) -> None:
    """One score of one head, neuron by neuron, and its row before and after softmax."""
    st.caption(NEURON_CAPTION)
    both = len(view.norms) > 1
    cols = st.columns([2, 3, 1, 1] if both else [3, 1, 1])
    c_kind, c_layer, c_head = cols[-3:]
    norm = view.norms[0]
    if both:
        norm = cols[0].radio("Model", view.norms, key="neuron-norm",
                             format_func=lambda n: NORM_LABELS[n]) or norm
    tr = view.pairs[norm].shown
    st.session_state.setdefault("neuron-kind", "cross")
    kind = c_kind.selectbox("Attention", ATTENTION_KINDS, key="neuron-kind",
                            format_func=lambda k: trace_views.kind_title(tr, k)) or "cross"
    n_layers, n_heads = tr.maps(kind).shape[:2]
    _clamped("neuron-layer", n_layers, 0)
    _clamped("neuron-head", n_heads, 0)
    layer = c_layer.selectbox("Layer", list(range(n_layers)), key="neuron-layer") or 0
    head = c_head.selectbox("Head", list(range(n_heads)), key="neuron-head") or 0
    q_ticks, _ = trace_views.query_labels(tr, kind)
    k_names = tr.axes(kind)[1]
    _clamped("neuron-row", len(q_ticks), 1)
    _clamped("neuron-col", len(k_names), 0)
    c_row, c_col = st.columns(2)
    row = c_row.selectbox("Query row i", list(range(len(q_ticks))), key="neuron-row",
                          format_func=lambda i: f"{i}·{q_ticks[i]}") or 0
    col = c_col.selectbox("Key column j", list(range(len(k_names))), key="neuron-col",
                          format_func=lambda j: f"{j}·{k_names[j]}") or 0
    cell_picker(trace_views.attention_heatmap(tr, kind, layer, head, view.prefix(norm),
                                              click_hint="click to open this score"),
                (row, col), len(k_names), row_key="neuron-row", col_key="neuron-col",
                counter="neuron-pick")
    row_view = neuron.score_row(tr, kind, layer, head, row)
    neuron_panel(trace_views.neuron_figures(tr, row_view, col, view.prefix(norm)),
                 _stem(tr, kind, f"neuron_L{layer}_h{head}_row{row}"), "neuron",
                 reason=neuron.mask_reason(tr, kind, row, col), cell=(row, col),
                 probs=row_view["probs"], query_label=q_ticks[row], key_labels=k_names)


def post_vs_pre(pairs: dict[str, TracePair], layer: int, head: int | None) -> None:
    """Both placements on the same sentence: activation statistics, training curves and
    the maps side by side."""
    traces = {n: pairs[n].shown for n in ("post", "pre")}
    st.caption("Post-LN normalises after adding each sublayer's output, so the residual "
               "stream stays at LayerNorm scale; Pre-LN normalises the sublayer's input and "
               "lets the residual stream grow layer by layer.")
    cols = st.columns(3)
    for col, metric in zip(cols, trace_views.STAT_TITLES, strict=True):
        with col:
            fig = trace_views.stats_figure(traces, metric)
            st.plotly_chart(fig, key=f"stats-{metric}")
            export_buttons(fig, figure_stem("stats", metric), f"stats-{metric}")
    logs = {n: st_cache.card(n).training_log for n in ("post", "pre")}
    keys = trace_views.numeric_log_keys(logs)
    if keys:
        default = "loss" if "loss" in keys else keys[0]
        key = st.selectbox("Training-log value", keys, index=keys.index(default),
                           key="log-key") or default
        fig = trace_views.training_figure(logs, key)
        st.plotly_chart(fig, key="training-curve")
        export_buttons(fig, figure_stem("training", key), "training-curve")
    else:
        st.info("The checkpoints carry no training log.")
    warmup_study()
    kind = st.radio("Attention kind", ATTENTION_KINDS, horizontal=True,
                    format_func=trace_views.KIND_TITLES.get, key="cmp-kind") or ATTENTION_KINDS[0]
    for col, norm in zip(st.columns(2), ("post", "pre"), strict=True):
        tr = traces[norm]
        with col:
            fig = trace_views.attention_heatmap(tr, kind, layer, head, f"{NORM_LABELS[norm]} · ")
            figure_with_exports(fig, _stem(tr, kind, f"L{layer}_cmp"), f"cmp-{norm}",
                                **_raw(tr, kind, layer, head))


WARMUP_CAPTION = (
    "The warm-up study: each placement trained twice with the same settings and steps "
    "({steps} steps of batch {batch}, on the GPU through our kernel), once with the "
    "learning rate ramped up over the first {warmup} steps (solid) and once starting at "
    "the peak rate {lr:g} (dashed). Xiong et al. (2020) show that Post-LN's gradients near "
    "the output are large at initialisation, so without warm-up its first large steps can "
    "derail training, while Pre-LN's stay well-scaled and need no warm-up. {verdict}"
)
STUDY_LABELS = {"post": "post_warm-up", "pre": "pre_warm-up", "post_nowarmup": "post_no warm-up",
                "pre_nowarmup": "pre_no warm-up"}


def warmup_verdict(logs: dict[str, list[dict]]) -> str:
    """What the four runs show, in numbers read from their logs."""
    def final(name: str, key: str) -> float | None:
        vals = [e[key] for e in logs.get(name, []) if isinstance(e.get(key), float | int)]
        return vals[-1] if vals else None

    parts = []
    for norm in ("post", "pre"):
        a = final(STUDY_LABELS[norm], "val_token_acc")
        b = final(STUDY_LABELS[f"{norm}_nowarmup"], "val_token_acc")
        if a is not None and b is not None:
            parts.append(f"{NORM_LABELS[norm]}: final validation token accuracy {a:.3f} with "
                         f"warm-up, {b:.3f} without")
    return ("Here, " + "; ".join(parts) + ".") if parts else ""


def warmup_study() -> None:
    study = st_cache.warmup_study()
    if not study:
        return
    st.subheader("Does Pre-LN need less warm-up?")
    runs = {STUDY_LABELS[n]: card.training_log for n, card in study.items()}
    warm = study["post"].settings if "post" in study else {}
    cold = study["post_nowarmup"].settings if "post_nowarmup" in study else {}
    st.caption(WARMUP_CAPTION.format(steps=cold.get("steps", "?"), batch=cold.get("batch_size"),
                                     warmup=warm.get("warmup", "?"),
                                     lr=cold.get("lr", float("nan")),
                                     verdict=warmup_verdict(runs)))
    cols = st.columns(3)
    for col, key in zip(cols[:2], ("loss", "val_token_acc"), strict=True):
        with col:
            fig = trace_views.training_figure(runs, key)
            st.plotly_chart(fig, key=f"warmup-{key}")
            export_buttons(fig, figure_stem("warmup", key), f"warmup-{key}")
    with cols[2]:
        fig = trace_views.early_grad_norm_figure(runs)
        st.plotly_chart(fig, key="warmup-grad")
        export_buttons(fig, figure_stem("warmup", "grad_norm"), "warmup-grad")


def decoding(view: View) -> None:
    st.caption("Greedy decoding, one step at a time: step k feeds <sos> plus the k tokens "
               "generated so far; the newest input's cross-attention row shows where the "
               "decoder looks in the source to choose the next token. Several sentences are "
               "translated one by one, so where a new sentence starts, its first token is "
               "chosen, whatever ranks first here.")
    cols = st.columns(len(view.norms))
    for col, norm in zip(cols, view.norms, strict=True):
        steps = st_cache.decode_steps(norm, view.src)
        src_pieces = view.pairs[norm].shown.src_pieces
        with col:
            if not steps:
                st.info("The model produced no step.")
                continue
            k = st.slider(f"{view.prefix(norm)}decoding step", 0, len(steps) - 1, 0,
                          key=f"step-{norm}") if len(steps) > 1 else 0
            step = steps[k]
            st.caption("fed to the decoder → chosen next token")
            st.text(" ".join(step.dec_input) + "  →  " + step.chosen)
            att, cand = trace_views.decode_step_figures(step, src_pieces, view.layer, view.head)
            figure_with_exports(att, figure_stem(norm, f"step{k}", "cross"), f"step-att-{norm}",
                                probs=trace_views.select(step.cross_row[:, :, None, :],
                                                         view.layer, view.head),
                                query_labels=[step.dec_input[-1]], key_labels=src_pieces)
            st.plotly_chart(cand, key=f"step-cand-{norm}")


def head_summaries(view: View) -> None:
    st.caption("Entropy: how spread out each head's attention is, averaged over its "
               "queries (0 bits = always one key). Alignment: for a corpus sentence, the "
               "cross-attention mass each head puts on the source words the corpus aligns "
               "to the word being predicted.")
    for norm in view.norms:
        tr = view.pairs[norm].shown
        if len(view.norms) > 1:
            st.subheader(NORM_LABELS[norm])
        guided = st_cache.card(norm).guided_head
        if guided:
            # Say which head was taught to align, so nobody mistakes it for one that learned
            # it alone.
            st.caption(f"{NORM_LABELS[norm]}: cross-attention layer {guided.layer} head "
                       f"{guided.head} was trained to follow the corpus' gold alignments "
                       f"(guided-alignment loss, weight {guided.weight}); every other head "
                       "learned its attention from translation alone.")
        cols = st.columns(4)
        for col, kind in zip(cols, ATTENTION_KINDS, strict=False):
            with col:
                fig = trace_views.entropy_figure(tr, kind)
                st.plotly_chart(fig, key=f"entropy-{norm}-{kind}")
        with cols[3]:
            if tr.gold is None:
                st.info("Alignment agreement needs a sentence from the corpus's validation "
                        "or test split (models/data); this source is not one.")
            elif not tr.gold_applies:
                st.info("This source is in the corpus, but the target shown differs from the "
                        "corpus translation, so its gold alignment does not apply. Corpus "
                        "target:")
                st.text(tr.gold.tgt)
            else:
                fig = trace_views.agreement_figure(tr, tr.gold.alignment)
                st.plotly_chart(fig, key=f"agree-{norm}")


def image_export_status() -> None:
    if export.find_browser() is None:
        st.warning(export.NO_BROWSER_FIX, icon=":material/image_not_supported:")
