"""The figures of one `Trace` (or a pair of them), shared by the app and the CLI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from models import ATTENTION_KINDS, DecodeStep, HeadImportance, Trace

from . import figures
from .analysis import alignment_agreement, head_entropy
from .labels import map_name
from .rollout import Rollout

KIND_TITLES = {
    "encoder_self": "Encoder self-attention",
    "decoder_self": "Decoder masked self-attention",
    "cross": "Decoder cross-attention",
}
KIND_AXES = {
    "encoder_self": ("query (source)", "key (source)"),
    "decoder_self": ("query (input → predicts)", "key (decoder input)"),
    "cross": ("query (input → predicts)", "key (source)"),
}
STAT_TITLES = {
    "residual_norm": "Residual-stream norm",
    "update_ratio": "Sublayer update ratio",
    "ln_input_std": "LayerNorm input std",
}
# The y axes say what exactly is plotted (the titles stay short enough for a third of a page).
STAT_AXES = {
    "residual_norm": "mean ‖x‖ after the sublayer",
    "update_ratio": "‖sublayer out‖ / ‖residual in‖",
    "ln_input_std": "std of the LayerNorm's input",
}


def kind_title(trace: Trace, kind: str) -> str:
    if kind == "decoder_self" and not trace.causal:
        return "Decoder self-attention (causal mask OFF)"
    return KIND_TITLES[kind]


def head_name(head: int | None) -> str:
    return "mean over heads" if head is None else f"head {head}"


def query_labels(trace: Trace, kind: str) -> tuple[list[str], list[str]]:
    """(tick labels, hover labels) of the query axis. Decoder queries read the shifted-right
    input and are trained to predict the next piece: show both ("<sos> → 我")."""
    queries, _ = trace.axes(kind)
    if kind == "encoder_self":
        return list(queries), list(queries)
    ticks = [f"{a} → {b}" for a, b in zip(trace.dec_input, trace.dec_output, strict=True)]
    hover = [f"{i}·{a} (predicts {b})" for i, (a, b) in
             enumerate(zip(trace.dec_input, trace.dec_output, strict=True))]
    return ticks, hover


def kind_mask(trace: Trace, kind: str) -> np.ndarray | None:
    if kind == "decoder_self" and trace.causal:
        return trace.causal_mask
    return None


def select(maps: np.ndarray, layer: int, head: int | None) -> np.ndarray:
    """One (Q, K) map: a head of a layer, or the layer's mean over heads."""
    return maps[layer].mean(0) if head is None else maps[layer, head]


def attention_heatmap(trace: Trace, kind: str, layer: int, head: int | None,
                      title_prefix: str = "", click_hint: str = "") -> go.Figure:
    maps = trace.maps(kind)
    q_ticks, q_hover = query_labels(trace, kind)
    _, keys = trace.axes(kind)
    q_title, k_title = KIND_AXES[kind]
    title = f"{title_prefix}{kind_title(trace, kind)}\nlayer {layer} · {head_name(head)}"
    return figures.heatmap(select(maps, layer, head), q_ticks, keys, mask=kind_mask(trace, kind),
                           title=title, query_title=q_title, key_title=k_title,
                           query_hover=q_hover, click_hint=click_hint)


def attention_grid(trace: Trace, kind: str, title_prefix: str = "") -> go.Figure:
    q_ticks, _ = query_labels(trace, kind)
    _, keys = trace.axes(kind)
    return figures.heads_grid(trace.maps(kind), q_ticks, keys, mask=kind_mask(trace, kind),
                              title=f"{title_prefix}{kind_title(trace, kind)} · all heads")


def entropy_figure(trace: Trace, kind: str, title_prefix: str = "") -> go.Figure:
    h = head_entropy(trace.maps(kind), kind_mask(trace, kind))
    return figures.head_summary(h, title=f"{title_prefix}{KIND_TITLES[kind]}: entropy per head",
                                value_name="bits", colorscale="Viridis_r")


def importance_figure(importance: HeadImportance, kind: str,
                      ablated: Sequence[tuple[str, int, int]] = (), title_prefix: str = "",
                      clickable: bool = False) -> go.Figure:
    """One kind's head importance, (layers, heads), on a scale centred on 0 (red: the target
    gets less likely without the head) and shared by the three kinds, so that their colours
    compare; heads switched off now are marked."""
    drop = importance.drop[kind]
    marked = np.zeros(drop.shape, dtype=bool)
    for k, layer, head in ablated:
        if k == kind:
            marked[layer, head] = True
    top = max(max(float(np.abs(d).max()) for d in importance.drop.values()), 1e-3)
    return figures.head_summary(
        drop, title=f"{title_prefix}{KIND_TITLES[kind]}", value_name="Δ log p",
        layer_names=[f"layer {i}" for i in range(drop.shape[0])], colorscale="RdBu_r",
        zmin=-top, zmax=top, zmid=0.0, marked=marked, mark_label="off", clickable=clickable,
        head_prefix="h")


def agreement_figure(trace: Trace, alignment: Sequence[tuple[int, int]],
                     title_prefix: str = "") -> go.Figure:
    agree = alignment_agreement(trace.cross, trace.src_word_ids, trace.tgt_word_ids,
                                tuple(alignment))
    return figures.head_summary(
        agree, title=f"{title_prefix}Cross-attention mass on the gold-aligned source words",
        value_name="mass", zmin=0.0, zmax=1.0)


def stats_figure(traces: Mapping[str, Trace], metric: str) -> go.Figure:
    """One activation statistic along every sublayer (encoder then decoder), one line
    per norm placement."""
    series = {}
    for norm, tr in traces.items():
        xs, ys = [], []
        for side, short in (("encoder", "enc"), ("decoder", "dec")):
            s = tr.stats[side]
            xs += [f"{short} {name}" for name in s["sublayer"]]
            ys += list(s[metric])
        series[norm] = (xs, ys)
    log_y = metric == "residual_norm"
    return figures.norm_comparison(series, title=STAT_TITLES.get(metric, metric),
                                   y_title=STAT_AXES.get(metric, metric), log_y=log_y)


def numeric_log_keys(logs: Mapping[str, list[dict]]) -> list[str]:
    """Numeric keys of the training logs other than the step counter, in first-seen order."""
    keys: list[str] = []
    for log in logs.values():
        for entry in log:
            for k, v in entry.items():
                if k not in keys and k not in ("step", "epoch") and \
                        isinstance(v, int | float) and not isinstance(v, bool):
                    keys.append(k)
    return keys


def training_figure(logs: Mapping[str, list[dict]], key: str) -> go.Figure:
    curves = {}
    for norm, log in logs.items():
        pts = [(e.get("step", i), e[key]) for i, e in enumerate(log)
               if isinstance(e.get(key), int | float)]
        if pts:
            curves[norm] = ([p[0] for p in pts], [p[1] for p in pts])
    return figures.training_curves(curves, title=f"Training curves: {key.replace('_', ' ')}",
                                   y_title=key.replace("_", " "))


def early_grad_norm_figure(logs: Mapping[str, list[dict]], until_step: int = 500
                           ) -> go.Figure:
    """Per-layer gradient norms, averaged over the logged steps up to `until_step`."""
    series: dict[str, list[float]] = {}
    groups: list[str] = []
    for name, log in logs.items():
        early = [e["grad_norm"] for e in log if "grad_norm" in e and e["step"] <= until_step]
        if not early:
            continue
        groups = groups or list(early[0])
        series[name] = [float(np.mean([g[k] for g in early])) for k in groups]
    return figures.grouped_bars(groups, series,
                                title=f"Gradient norm per layer, mean of steps 1–{until_step}",
                                y_title="gradient norm")


def decode_step_figures(step: DecodeStep, src_pieces: Sequence[str], layer: int,
                        head: int | None) -> tuple[go.Figure, go.Figure]:
    """(cross-attention row of the newest query over the source, next-token candidates)."""
    row = select(step.cross_row[:, :, None, :], layer, head)[0]
    fed = " ".join(step.dec_input)
    att = figures.bar_row(row, list(src_pieces),
                          title=f"Step {step.step}: cross-attention of the last input "
                                f"'{step.dec_input[-1]}' · layer {layer} · {head_name(head)}",
                          highlight=int(np.argmax(row)))
    pieces = [c.piece for c in step.candidates]
    cand = figures.bar_row([c.prob for c in step.candidates], pieces, horizontal=True,
                           title=f"Next-token candidates after '{fed}'",
                           highlight=pieces.index(step.chosen) if step.chosen in pieces else None)
    return att, cand


def rollout_heatmaps(trace: Trace, roll: Rollout, enc_layer: int, dec_layer: int,
                     title_prefix: str = "") -> tuple[go.Figure, go.Figure]:
    """(the encoder's rollout through layers 0..enc_layer, the decoder's source attribution
    through layers 0..dec_layer): see attnviz.rollout."""
    src = trace.src_pieces
    enc = figures.heatmap(roll.encoder[enc_layer], src, src,
                          title=f"{title_prefix}Encoder rollout\nthrough layers 0–{enc_layer}",
                          query_title=f"position (source) after layer {enc_layer}",
                          key_title="input token (source)", value_name="share")
    q_ticks, q_hover = query_labels(trace, "cross")
    dec = figures.heatmap(roll.decoder_source[dec_layer], q_ticks, src, query_hover=q_hover,
                          title=f"{title_prefix}Decoder source attribution (rollout)\n"
                                f"through decoder layers 0–{dec_layer}",
                          query_title="target position (input → predicts)",
                          key_title="source token", value_name="share")
    return enc, dec


def neuron_figures(trace: Trace, row_view: dict, col: int, title_prefix: str = ""
                   ) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The neuron view of cell (row, col) of a `neuron.score_row`: (q, k and q ⊙ k as a
    small heatmap, the row's scores before softmax, its probabilities after it)."""
    kind, layer, head, row = (row_view[k] for k in ("kind", "layer", "head", "row"))
    q_names, k_names = trace.axes(kind)
    q_ticks, _ = query_labels(trace, kind)
    return row_neuron_figures(row_view, row, col, query_name=q_names[row],
                              query_tick=q_ticks[row], key_names=k_names,
                              where=f"{kind_title(trace, kind)}, layer {layer}, head {head}",
                              title_prefix=title_prefix)


def row_neuron_figures(row_view: dict, row: int, col: int, *, query_name: str,
                       query_tick: str, key_names: Sequence[str], where: str,
                       title_prefix: str = "") -> tuple[go.Figure, go.Figure, go.Figure]:
    """`neuron_figures` from plain labels, for a `neuron.row_view` of any model: query
    `row` is named `query_name` (and `query_tick` in titles), its keys `key_names`;
    `where` says which layer and head."""
    from .neuron import cell

    c = cell(row_view, col)
    vectors = figures.vector_rows(
        {f"q (query {row}·{query_name})": row_view["query"],
         f"k (key {col}·{key_names[col]})": c["key"], "q ⊙ k": c["product"]},
        title=f"{title_prefix}Query and key vectors · {where}\n"
              f"Σ q ⊙ k = {c['dot']:.4f}; × scale {row_view['scale']:.4f} = "
              + ("masked" if c["masked"] else f"score {c['score']:.4f}"))
    masked_note = ("masked keys drawn at 0: their score is −∞" if row_view["masked"].any()
                   else "no key is masked")
    scores = figures.bar_row(
        [0.0 if m else s for s, m in zip(row_view["scores"], row_view["masked"], strict=True)],
        key_names, highlight=col, ymax=None, y_title="score",
        title=f"{title_prefix}Scores of query {row}·{query_tick} before softmax\n"
              f"(q · k × scale per key; {masked_note})")
    probs = figures.bar_row(
        row_view["probs"], key_names, highlight=col, y_title="p",
        title=f"{title_prefix}Probabilities after softmax\n"
              f"(the heatmap's row {row}; they sum to 1)")
    return vectors, scores, probs


def all_figures(trace: Trace, title_prefix: str = "", layer: int = 0, head: int | None = None
                ) -> dict[str, go.Figure]:
    """Every heatmap and grid of one trace, by file stem: what the CLI writes."""
    out = {}
    for kind in ATTENTION_KINDS:
        out[f"{kind}_{map_name(layer, head)}"] = \
            attention_heatmap(trace, kind, layer, head, title_prefix)
        out[f"{kind}_grid"] = attention_grid(trace, kind, title_prefix)
    return out
