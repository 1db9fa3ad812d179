"""Plotly figures from plain numpy arrays and token lists.

Nothing here knows about `Trace` or Streamlit, so a page for any model (a Hugging Face
one, say) can call `heatmap` and `heads_grid` with its own probabilities and tokens.
`attnviz.trace_views` builds the figures of one `Trace` on top of these.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .labels import NORM_LABELS

# A CJK-capable family first, so Chinese renders as Chinese in the browser and in
# kaleido's exports (Debian's fonts-noto-cjk); generic fallbacks after it.
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Noto Sans, DejaVu Sans, sans-serif"
COLORSCALE = "Blues"
MASKED_COLOR = "#cfcfcf"
HATCH_COLOR = "#8c8c8c"
NORM_COLORS = {"post": "#1f77b4", "pre": "#d62728"}


def safe_text(text: str) -> str:
    """Escape a token for Plotly, which reads a subset of HTML in every label
    (<a href>, <b>, <br>...): user text must show as typed, never as markup."""
    return html.escape(str(text), quote=False)


def tick_labels(pieces: Sequence[str], numbered: bool = True) -> list[str]:
    """Position-indexed labels ("3·的"): a repeated piece still names one cell. Labels
    that already carry their positions (pooled tiles, "6–7 the") pass numbered=False."""
    if not numbered:
        return [safe_text(p) for p in pieces]
    return [f"{i}·{safe_text(p)}" for i, p in enumerate(pieces)]


# Above this many rows or columns a map is "long": every tick label would overprint its
# neighbours, so only every k-th is written (hover still names every cell), and the
# one-pixel gaps between cells, which would be all the eye sees, go.
MAX_TICK_LABELS = 48


def _axis_ticks(labels: list[str]) -> tuple[list[int], list[str]]:
    """Tick positions and texts: all of them, or every k-th for a long axis."""
    step = -(-len(labels) // MAX_TICK_LABELS)
    positions = list(range(0, len(labels), step))
    return positions, [labels[i] for i in positions]


def _cell_names(query_names: Sequence[str], key_names: Sequence[str]) -> np.ndarray:
    """(Q, K, 2) hover data: each cell's query and key names, so hover names both tokens."""
    names = np.empty((len(query_names), len(key_names), 2), dtype=object)
    names[:, :, 0] = np.array(query_names, dtype=object)[:, None]
    names[:, :, 1] = np.array(key_names, dtype=object)[None, :]
    return names


def _cell_gap(n: int) -> int:
    return 1 if n <= MAX_TICK_LABELS else 0


def _base_layout(fig: go.Figure, title: str, height: int, width: int | None = None) -> None:
    fig.update_layout(
        # A newline in a title breaks the line (narrow columns); all else is escaped.
        title={"text": safe_text(title).replace("\n", "<br>"), "x": 0.0, "xanchor": "left",
               "font": {"size": 15}},
        font={"family": FONT_FAMILY, "size": 12},
        height=height, width=width, margin={"l": 10, "r": 10, "t": 64, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white",
    )


def _masked_probs(probs: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    z = np.asarray(probs, dtype=np.float64).copy()
    if mask is not None:
        # NaN, not 0: a masked cell is "not allowed to look", which differs from
        # "looked and gave it nothing"; Plotly leaves NaN cells empty (grey background).
        z[np.asarray(mask, dtype=bool)] = np.nan
    return z


def _masked_cells(mask: np.ndarray, xaxis: str = "x", yaxis: str = "y", size: int = 9
                  ) -> list[go.BaseTraceType]:
    """Grey cells with diagonal strokes where the mask forbids looking, so they read as
    hatched "not allowed", never as a probability of zero."""
    grey = np.where(mask, 1.0, np.nan)
    qi, ki = np.nonzero(mask)
    return [
        go.Heatmap(z=grey, x=list(range(mask.shape[1])), y=list(range(mask.shape[0])),
                   xaxis=xaxis, yaxis=yaxis, colorscale=[[0, MASKED_COLOR], [1, MASKED_COLOR]],
                   showscale=False, xgap=1, ygap=1, hoverongaps=False,
                   hovertemplate="masked: this query may not see this key<extra></extra>"),
        go.Scatter(x=ki, y=qi, mode="markers", xaxis=xaxis, yaxis=yaxis, showlegend=False,
                   hoverinfo="skip",
                   marker={"symbol": "line-ne", "size": size,
                           "line": {"width": 1.2, "color": HATCH_COLOR}}),
    ]


def _click_targets(fig: go.Figure, x: np.ndarray, y: np.ndarray, customdata: np.ndarray,
                   size: int, hover: str) -> None:
    """An invisible marker on every cell, in the order given (row-major): Streamlit cannot
    select a Plotly heatmap's cells, but it reports a click on a marker by its index."""
    fig.add_trace(go.Scatter(
        x=x, y=y, customdata=customdata, mode="markers", showlegend=False,
        marker={"size": size, "symbol": "square", "opacity": 0},
        hovertemplate=hover + "<extra></extra>"))
    fig.update_layout(clickmode="event+select", dragmode=False)


def heatmap(
    probs: np.ndarray,
    query_labels: Sequence[str],
    key_labels: Sequence[str],
    *,
    mask: np.ndarray | None = None,
    title: str = "",
    query_title: str = "query",
    key_title: str = "key",
    query_hover: Sequence[str] | None = None,
    zmax: float = 1.0,
    height: int | None = None,
    width: int | None = None,
    numbered: bool = True,
    value_name: str = "p",
    click_hint: str = "",
) -> go.Figure:
    """One attention map: rows are queries, columns keys, cells the probabilities.

    probs (Q, K); mask (Q, K) bool, True where the query may NOT see the key (drawn grey
    and hatched); query_labels may carry more than the token (e.g. "input → predicted")
    while query_hover gives the hover text of each row (defaults to the label);
    numbered=False for labels that already say their positions (see tick_labels). zmax
    is the top of the colour scale (1 for probabilities; a map's own maximum to see the
    structure of small values in long maps); value_name names the cells' values on the
    colour bar and in hover ("p", or "share" for a rollout). With `click_hint` (said on
    hover), every cell can be clicked: the click names the cell's row-major index."""
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape != (len(query_labels), len(key_labels)):
        raise ValueError(f"probs shape {probs.shape} does not match "
                         f"{len(query_labels)} query and {len(key_labels)} key labels")
    q_ticks = tick_labels(query_labels, numbered)
    k_ticks = tick_labels(key_labels, numbered)
    q_hover = [safe_text(h) for h in query_hover] if query_hover is not None else q_ticks
    z = _masked_probs(probs, mask)
    nq, nk = probs.shape
    custom = _cell_names(q_hover, k_ticks)
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(nk)), y=list(range(nq)), customdata=custom,
        colorscale=COLORSCALE, zmin=0.0, zmax=zmax, xgap=_cell_gap(nk), ygap=_cell_gap(nq),
        colorbar={"title": {"text": safe_text(value_name)}, "thickness": 12},
        hovertemplate=("query %{customdata[0]}<br>key %{customdata[1]}"
                       f"<br>{safe_text(value_name)} = %{{z:.6f}}<extra></extra>"),
        hoverongaps=False,
    ))
    if mask is not None and np.any(mask):
        fig.add_traces(_masked_cells(np.asarray(mask, dtype=bool), size=14))
    cell = 24 if max(nq, nk) <= 24 else 14
    if click_hint:
        fig.update_traces(hoverinfo="skip", selector={"type": "heatmap"})
        rows, cols = np.meshgrid(np.arange(nq), np.arange(nk), indexing="ij")
        values = np.array(["masked" if np.isnan(v) else f"{safe_text(value_name)} = {v:.6f}"
                           for v in z.ravel()], dtype=object)
        data = np.concatenate([custom.reshape(-1, 2), values[:, None]], axis=1)
        _click_targets(fig, cols.ravel(), rows.ravel(), data, size=cell,
                       hover=("query %{customdata[0]}<br>key %{customdata[1]}<br>"
                              f"%{{customdata[2]}}<br>{safe_text(click_hint)}"))
    _base_layout(fig, title, height or min(1400, 170 + cell * nq + 7 * max(map(len, k_ticks))),
                 width)
    (k_pos, k_text), (q_pos, q_text) = _axis_ticks(k_ticks), _axis_ticks(q_ticks)
    fig.update_xaxes(tickmode="array", tickvals=k_pos, ticktext=k_text,
                     title={"text": safe_text(key_title)}, tickangle=-90, side="bottom",
                     showgrid=False, zeroline=False, range=[-0.5, nk - 0.5])
    fig.update_yaxes(tickmode="array", tickvals=q_pos, ticktext=q_text,
                     title={"text": safe_text(query_title), "standoff": 4},
                     autorange="reversed",
                     showgrid=False, zeroline=False)
    return fig


def heads_grid(
    maps: np.ndarray,
    query_labels: Sequence[str],
    key_labels: Sequence[str],
    *,
    mask: np.ndarray | None = None,
    title: str = "",
    layer_names: Sequence[str] | None = None,
    numbered: bool = True,
) -> go.Figure:
    """Every head of every layer: maps (layers, heads, Q, K) as a layers × heads grid on
    one shared 0..1 colour scale. Tick labels sit on the outer axes; hover names both
    tokens in every cell."""
    maps = np.asarray(maps)
    if maps.ndim != 4 or maps.shape[2:] != (len(query_labels), len(key_labels)):
        raise ValueError(f"maps shape {maps.shape} does not match the labels")
    n_layers, n_heads, nq, nk = maps.shape
    layer_names = list(layer_names) if layer_names else [f"layer {i}" for i in range(n_layers)]
    fig = make_subplots(
        rows=n_layers, cols=n_heads, horizontal_spacing=0.02, vertical_spacing=0.03,
        subplot_titles=[f"{layer_names[r]} · head {c}" for r in range(n_layers)
                        for c in range(n_heads)],
    )
    q_ticks, k_ticks = tick_labels(query_labels, numbered), tick_labels(key_labels, numbered)
    custom = _cell_names(q_ticks, k_ticks)
    for r in range(n_layers):
        for c in range(n_heads):
            fig.add_trace(go.Heatmap(
                z=_masked_probs(maps[r, c], mask), x=list(range(nk)), y=list(range(nq)),
                customdata=custom, coloraxis="coloraxis", xgap=_cell_gap(nk),
                ygap=_cell_gap(nq), hoverongaps=False,
                hovertemplate=(f"{layer_names[r]}, head {c}<br>query %{{customdata[0]}}"
                               "<br>key %{customdata[1]}<br>p = %{z:.6f}<extra></extra>"),
            ), row=r + 1, col=c + 1)
            if mask is not None and np.any(mask):
                idx = r * n_heads + c + 1
                suffix = "" if idx == 1 else str(idx)
                fig.add_traces(_masked_cells(np.asarray(mask, dtype=bool), f"x{suffix}",
                                             f"y{suffix}", size=5))
    (k_pos, k_text), (q_pos, q_text) = _axis_ticks(k_ticks), _axis_ticks(q_ticks)
    fig.update_xaxes(tickmode="array", tickvals=k_pos, ticktext=k_text,
                     tickangle=-90, tickfont={"size": 9}, showgrid=False, zeroline=False,
                     range=[-0.5, nk - 0.5])
    fig.update_yaxes(tickmode="array", tickvals=q_pos, ticktext=q_text,
                     tickfont={"size": 9}, autorange="reversed", showgrid=False,
                     zeroline=False)
    # Only the outer axes keep their tokens; inner ones would repeat them n times.
    for r in range(1, n_layers + 1):
        for c in range(1, n_heads + 1):
            if r != n_layers:
                fig.update_xaxes(showticklabels=False, row=r, col=c)
            if c != 1:
                fig.update_yaxes(showticklabels=False, row=r, col=c)
    fig.update_annotations(font={"size": 11})
    _base_layout(fig, title, 140 + n_layers * max(170, 16 * nq) + 6 * max(map(len, k_ticks)))
    fig.update_layout(
        showlegend=False,
        coloraxis={"colorscale": COLORSCALE, "cmin": 0.0, "cmax": 1.0,
                   "colorbar": {"title": {"text": "p"}, "thickness": 12}},
    )
    return fig


def head_summary(
    values: np.ndarray, *, title: str, value_name: str, layer_names: Sequence[str] | None = None,
    zmin: float | None = None, zmax: float | None = None, colorscale: str = "Viridis",
    zmid: float | None = None, marked: np.ndarray | None = None, mark_label: str = "",
    clickable: bool = False, head_prefix: str = "head ",
) -> go.Figure:
    """A (layers, heads) table of one number per head, as an annotated heatmap. `marked`
    (layers, heads) bool puts "✕ mark_label" in those cells; `clickable` lays an invisible
    marker on each cell (layer-major order), since Plotly heatmap cells cannot be selected."""
    values = np.asarray(values, dtype=np.float64)
    n_layers, n_heads = values.shape
    layer_names = list(layer_names) if layer_names else [f"layer {i}" for i in range(n_layers)]
    heads = [f"{head_prefix}{h}" for h in range(n_heads)]
    marks = np.zeros(values.shape, bool) if marked is None else np.asarray(marked, bool)
    text = [["" if np.isnan(v) else f"{v:.2f}" + (f"<br>✕ {mark_label}" if m else "")
             for v, m in zip(row, mark_row, strict=True)]
            for row, mark_row in zip(values, marks, strict=True)]
    hover = f"%{{y}}, %{{x}}<br>{safe_text(value_name)} = %{{z:.4f}}<extra></extra>"
    fig = go.Figure(go.Heatmap(
        z=values, x=heads, y=layer_names, text=text,
        texttemplate="%{text}", textfont={"size": 12}, colorscale=colorscale, zmin=zmin,
        zmax=zmax, zmid=zmid, xgap=2, ygap=2,
        colorbar={"title": {"text": safe_text(value_name)}, "thickness": 12},
        hovertemplate=hover, hoverinfo="skip" if clickable else None,
    ))
    if clickable:
        grid_y, grid_x = np.meshgrid(layer_names, heads, indexing="ij")
        _click_targets(fig, grid_x.ravel(), grid_y.ravel(), values.ravel(), size=40,
                       hover=(f"%{{y}}, %{{x}}<br>{safe_text(value_name)} = "
                              "%{customdata:.4f}<br>click to switch it off or on"))
    _base_layout(fig, title, 120 + 48 * n_layers)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=0)
    return fig


def norm_comparison(
    series: Mapping[str, tuple[Sequence[str], Sequence[float]]], *, title: str, y_title: str,
    log_y: bool = False,
) -> go.Figure:
    """One line per norm placement ("post", "pre") over named x positions (sublayers)."""
    fig = go.Figure()
    for norm, (xs, ys) in series.items():
        fig.add_trace(go.Scatter(
            x=[safe_text(x) for x in xs], y=list(ys), mode="lines+markers",
            name=NORM_LABELS.get(norm, norm), line={"color": NORM_COLORS.get(norm)},
            hovertemplate="%{x}<br>%{y:.4f}<extra>" + NORM_LABELS.get(norm, norm) + "</extra>",
        ))
    _base_layout(fig, title, 340)
    fig.update_layout(legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"})
    fig.update_yaxes(title={"text": safe_text(y_title)}, type="log" if log_y else "linear",
                     gridcolor="#eee")
    fig.update_xaxes(tickangle=-90, tickfont={"size": 9}, gridcolor="#eee")
    return fig


def _legend(fig: go.Figure, title: str, n: int) -> None:
    """Two runs: a legend above the plot, right; more: below it, where it covers no data."""
    if n <= 2:
        _base_layout(fig, title, 340)
        fig.update_layout(legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"})
    else:
        _base_layout(fig, title, 420)
        fig.update_layout(legend={"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0})


def training_curves(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, title: str, y_title: str,
) -> go.Figure:
    """One curve per run: curves[name] = (steps, values). A name is a norm placement
    ("post"), or one with a suffix after "_" that labels the run ("post_no warm-up"):
    the colour says the norm, a dashed line a suffixed run."""
    fig = go.Figure()
    for name, (steps, values) in curves.items():
        norm, _, variant = name.partition("_")
        label = NORM_LABELS.get(norm, norm) + (f", {variant}" if variant else "")
        fig.add_trace(go.Scatter(
            x=list(steps), y=list(values), mode="lines", name=safe_text(label),
            line={"color": NORM_COLORS.get(norm),
                  "dash": "dash" if variant.startswith("no ") else "solid"},
        ))
    _legend(fig, title, len(curves))
    fig.update_xaxes(title={"text": "training step"}, gridcolor="#eee")
    fig.update_yaxes(title={"text": safe_text(y_title)}, gridcolor="#eee")
    return fig


def grouped_bars(groups: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str,
                 y_title: str) -> go.Figure:
    """Bars per group (x) for each named series, coloured and hatched as in
    `training_curves`."""
    fig = go.Figure()
    for name, values in series.items():
        norm, _, variant = name.partition("_")
        label = NORM_LABELS.get(norm, norm) + (f", {variant}" if variant else "")
        fig.add_trace(go.Bar(x=[safe_text(g) for g in groups], y=list(values),
                             name=safe_text(label),
                             marker={"color": NORM_COLORS.get(norm),
                                     "pattern": {"shape": "/" if variant.startswith("no ")
                                                 else ""}}))
    _legend(fig, title, len(series))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title={"text": safe_text(y_title)}, type="log", gridcolor="#eee")
    return fig


def bar_row(
    values: Sequence[float], labels: Sequence[str], *, title: str, y_title: str = "p",
    highlight: int | None = None, horizontal: bool = False, ymax: float | None = 1.0,
) -> go.Figure:
    """A bar per label: one attention row over the source, or next-token candidates."""
    ticks = tick_labels(labels) if not horizontal else [safe_text(x) for x in labels]
    colors = ["#ff7f0e" if i == highlight else "#1f77b4" for i in range(len(values))]
    if horizontal:
        bar = go.Bar(x=list(values), y=ticks, orientation="h", marker={"color": colors},
                     hovertemplate="%{y}: %{x:.6f}<extra></extra>")
    else:
        bar = go.Bar(x=ticks, y=list(values), marker={"color": colors},
                     hovertemplate="%{x}: %{y:.6f}<extra></extra>")
    fig = go.Figure(bar)
    _base_layout(fig, title, 320)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(title={"text": safe_text(y_title)}, range=[0, ymax] if ymax else None)
    else:
        fig.update_xaxes(tickangle=-60)
        fig.update_yaxes(title={"text": safe_text(y_title)}, range=[0, ymax] if ymax else None)
    return fig


def vector_rows(rows: Mapping[str, Sequence[float]], *, title: str,
                x_title: str = "dimension d") -> go.Figure:
    """Equal-length vectors as the rows of one small heatmap (a diverging scale centred on
    0, each row's own values on hover): a query, a key and their element-wise product."""
    names = [safe_text(n) for n in rows]
    z = np.array([list(v) for v in rows.values()], dtype=np.float64)
    fig = go.Figure(go.Heatmap(
        z=z, y=names, x=list(range(z.shape[1])), colorscale="RdBu", zmid=0, xgap=1, ygap=2,
        hovertemplate="%{y}, d=%{x}: %{z:.4f}<extra></extra>",
        colorbar={"thickness": 12}))
    _base_layout(fig, title, 120 + 48 * len(names))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title={"text": safe_text(x_title)})
    return fig
