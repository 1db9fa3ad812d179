"""The Your-model page's head ablation, without Streamlit: the choices offered, the heads
they name, the importance map and the comparison of intact and ablated results.

Layers are numbered in call order, as `attention_maps` returns them (L0, L1, ...), and
an option is spelled as on the main page ("L1 h2", "L1 all heads"), so that
`attnviz.ablation.toggled` flips a clicked head here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go

from . import ablation, figures
from .backends.heads import Head
from .backends.hf_local import LayerMaps
from .backends.importance import HeadImportance, Predictions

CAPTION = (
    "Switch heads off to see what they do. A switched-off head still computes its "
    "attention map, but its output is zeroed before the layer merges the heads and applies "
    "its output projection, so every layer after it runs without it; the maps below are "
    "recomputed on attnviz's kernel with the heads off. This changes the model, not the "
    "map, so it is exact at any pool size.")
IMPORTANCE_CAPTION = (
    "Head importance (Michel, Levy & Neubig 2019, “Are Sixteen Heads Really Better than "
    "One?”): how much the log-probability of the {what} drops when that head alone is "
    "switched off. Red: the model needs the head for this text; near 0: it does not; blue: "
    "the text gets likelier without it. Click a cell to switch that head off, and again "
    "to switch it back on.")


def options(layers: Sequence[LayerMaps]) -> list[str]:
    """One choice per head of each layer, then one per whole layer."""
    return ([ablation.option(i, h) for i, layer in enumerate(layers)
             for h in range(len(layer.maps))]
            + [ablation.option(i, None) for i in range(len(layers))])


def option_label(option: str, layers: Sequence[LayerMaps]) -> str:
    """An option with its layer's module name: "L1 h2 · h.1.attn"."""
    return f"{option} · {layers[ablation.parse_option(option)[0]].name}"


def heads_of(chosen: Iterable[str], layers: Sequence[LayerMaps]) -> list[Head]:
    """The (layer name, head) pairs the chosen options switch off; ValueError for an option
    that names no layer or head of these layers."""
    out: set[Head] = set()
    for option in chosen:
        try:
            index, head = ablation.parse_option(option)
            layer = layers[index]
            n_heads = len(layer.maps)
            heads = range(n_heads) if head is None else [head]
        except (ValueError, IndexError):
            raise ValueError(f"{option!r} names no head of this model") from None
        if any(not 0 <= h < n_heads for h in heads):
            raise ValueError(f"{option!r}: {layer.name} has heads 0..{n_heads - 1}")
        out.update((layer.name, h) for h in heads)
    return sorted(out, key=lambda head: ([x.name for x in layers].index(head[0]), head[1]))


def describe(heads: Sequence[Head], layers: Sequence[LayerMaps]) -> str:
    """In words: "L0 (h.0.attn) h1, h3; L2 (h.2.attn) h0" ("" when none)."""
    names = [layer.name for layer in layers]
    by_layer: dict[str, list[int]] = {}
    for name, h in heads:
        by_layer.setdefault(name, []).append(h)
    return "; ".join(f"L{names.index(name)} ({name}) " + ", ".join(f"h{h}" for h in sorted(hs))
                     for name, hs in sorted(by_layer.items(), key=lambda x: names.index(x[0])))


def cannot_change(heads: Sequence[Head], layers: Sequence[LayerMaps], index: int) -> bool:
    """True when no switched-off head belongs to a layer called before layer `index`, so its
    map is certainly unchanged (a later or the same layer cannot reach it)."""
    names = [layer.name for layer in layers]
    return all(names.index(name) >= index for name, _ in heads)


def largest_change(before: np.ndarray, after: np.ndarray) -> tuple[float, tuple[int, int]]:
    """The largest |after − before| of two maps of one head, and its cell (row, column)."""
    diff = np.abs(after.astype(np.float64) - before.astype(np.float64))
    row, col = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return float(diff[row, col]), (int(row), int(col))


def prediction_rows(intact: Predictions, ablated: Predictions) -> list[dict]:
    """One row per position: its token, the top-1 next token intact and ablated, whether
    it changed."""
    if intact.inputs != ablated.inputs:
        raise ValueError("intact and ablated predictions are of different inputs")
    return [{"pos": i, "token": token, "every head on": f"{a} ({pa:.2f})",
             "heads off": f"{b} ({pb:.2f})", "changed": a != b}
            for i, (token, a, pa, b, pb) in enumerate(zip(
                intact.inputs, intact.top, intact.prob, ablated.top, ablated.prob, strict=True))]


def importance_figure(imp: HeadImportance, off: Sequence[Head] = (),
                      clickable: bool = False) -> go.Figure:
    """Layers × heads of the log-p drop, on a scale centred on 0; heads off now marked."""
    marked = np.zeros(imp.drop.shape, dtype=bool)
    for name, h in off:
        if name in imp.names:
            marked[imp.names.index(name), h] = True
    finite = imp.drop[np.isfinite(imp.drop)]
    top = max(float(np.abs(finite).max()) if finite.size else 0.0, 1e-3)
    return figures.head_summary(
        imp.drop, title="Head importance: drop in log p without the head", value_name="Δ log p",
        layer_names=[f"L{i} {name}" for i, name in enumerate(imp.names)], colorscale="RdBu_r",
        zmin=-top, zmax=top, zmid=0.0, marked=marked, mark_label="off", clickable=clickable,
        head_prefix="h")


def clicked_head(point_index: int, imp: HeadImportance) -> tuple[int, int] | None:
    """(layer index, head) of a click on the importance map's cell `point_index` (cells in
    layer-major order); None for a padding cell past a layer's head count."""
    width = imp.drop.shape[1]
    layer, head = divmod(int(point_index), width)
    if not 0 <= layer < len(imp.names) or head >= imp.heads[layer]:
        return None
    return layer, head
