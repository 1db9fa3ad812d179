"""Reusable Streamlit pieces for any attention figure: the chart plus its downloads.

A page for another model calls `figure_with_exports(fig, stem, key, probs=..., ...)` with
a figure from attnviz.figures and plain numpy arrays and token lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from . import export


def markdown_escape(text: str) -> str:
    """Text (with the user's words in it) for st.warning and st.info, which read Markdown:
    every character Markdown could read as markup is escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in text)


@st.cache_data(max_entries=512, show_spinner=False)
def _image(fig_json: str, fmt: str) -> bytes:
    # Keyed by the figure's JSON: the same map is rendered once per process, on demand.
    return export.figure_bytes(pio.from_json(fig_json), fmt)


def _image_of(fig: go.Figure, fmt: str) -> bytes:
    return _image(fig.to_json(), fmt)


@st.cache_resource(ttl=60, show_spinner=False)
def browser_available() -> bool:
    return export.find_browser() is not None


def export_buttons(
    fig: go.Figure,
    stem: str,
    key: str,
    *,
    probs: np.ndarray | None = None,
    query_labels: Sequence[str] | None = None,
    key_labels: Sequence[str] | None = None,
) -> None:
    """PNG and SVG (rendered server-side by kaleido only when clicked) and, given the
    probabilities, the raw map as NPZ and JSON."""
    cols = st.columns(4, gap="small")
    if browser_available():
        for col, fmt in zip(cols[:2], ("png", "svg"), strict=True):
            col.download_button(
                fmt.upper(), data=partial(_image_of, fig, fmt), file_name=f"{stem}.{fmt}",
                mime=export.MIME[fmt], key=f"{key}-{fmt}", on_click="ignore",
            )
    else:
        cols[0].caption(export.NO_BROWSER_FIX)
    if probs is not None and query_labels is not None and key_labels is not None:
        q, k = list(query_labels), list(key_labels)
        cols[2].download_button(
            "NPZ", data=partial(export.array_npz, probs, q, k), file_name=f"{stem}.npz",
            mime=export.MIME["npz"], key=f"{key}-npz", on_click="ignore",
        )
        cols[3].download_button(
            "JSON", data=partial(export.array_json, probs, q, k), file_name=f"{stem}.json",
            mime=export.MIME["json"], key=f"{key}-json", on_click="ignore",
        )


def figure_with_exports(fig: go.Figure, stem: str, key: str, *,
                        on_click: Callable[[], None] | None = None, chart_key: str = "",
                        **raw) -> None:
    """The chart, then its download buttons. With `on_click`, a click on a point reruns the
    page through that callback, which finds the click in st.session_state[chart_key]."""
    if on_click is None:
        st.plotly_chart(fig, key=chart_key or f"{key}-chart", config={"displaylogo": False})
    else:
        st.plotly_chart(fig, key=chart_key or f"{key}-chart", config={"displaylogo": False},
                        on_select=on_click, selection_mode="points")
    export_buttons(fig, stem, key, **raw)


def neuron_panel(figs: tuple[go.Figure, go.Figure, go.Figure], stem: str, key: str, *,
                 reason: str | None, cell: tuple[int, int], probs: np.ndarray,
                 query_label: str, key_labels: Sequence[str]) -> None:
    """The neuron view's three figures (vectors; the row's scores; its probabilities) with
    their downloads, after a warning when the open cell (row, column) is masked."""
    row, col = cell
    if reason is not None:
        st.warning(f"Cell ({row}, {col}) is {reason}.", icon=":material/block:")
    vectors, scores, row_probs = figs
    figure_with_exports(vectors, f"{stem}_col{col}", f"{key}-vectors")
    left, right = st.columns(2)
    with left:
        figure_with_exports(scores, f"{stem}_scores", f"{key}-scores")
    with right:
        figure_with_exports(row_probs, f"{stem}_probs", f"{key}-probs", probs=probs[None, :],
                            query_labels=[query_label], key_labels=key_labels)


def _open_clicked_cell(chart_key: str, n_keys: int, row_key: str, col_key: str,
                       counter: str) -> None:
    """A click on a cell sets the row and column selectors to it."""
    event = st.session_state.get(chart_key) or {}
    for point in event.get("selection", {}).get("points", []):
        if point.get("point_index") is not None:
            row, col = divmod(int(point["point_index"]), n_keys)
            st.session_state.update({row_key: row, col_key: col})
    # A fresh chart (new key) on the next run: a click on the same cell counts again.
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def keep_widget_state(keys: Iterable[str]) -> None:
    """Keep these widgets' values through runs that do not draw them (a closed tab):
    Streamlit forgets such values, unless they are re-assigned at the top of every run,
    which makes them the session's own (Streamlit's documented way to interrupt the
    clean-up). Their defaults must come through session state, never a widget's
    `value`/`index`, which Streamlit would then report as set twice."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def cell_picker(fig: go.Figure, cell: tuple[int, int], n_keys: int, *, row_key: str,
                col_key: str, counter: str) -> None:
    """A map made with `figures.heatmap(..., click_hint=...)`, the open cell (row, column)
    outlined; a click on a cell sets the selectors `row_key` and `col_key` to it."""
    row, col = cell
    fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5,
                  line={"color": "#ff7f0e", "width": 3})
    chart_key = f"{counter}-{st.session_state.get(counter, 0)}"
    st.plotly_chart(fig, key=chart_key, config={"displaylogo": False},
                    on_select=partial(_open_clicked_cell, chart_key, n_keys, row_key, col_key,
                                      counter),
                    selection_mode="points")
