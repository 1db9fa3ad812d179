"""The neuron view of one attention score: the query and key vectors behind a cell, their
element-wise product, the scaled sum that is the score, and the whole row's scores before
softmax beside its probabilities after it. Pure numpy: `row_view` from plain arrays (the
"Your model" page's), `score_row` from a `models.trace.Trace`.

    score(i, j) = scale · Σ_d q_i[d] · k_j[d],   scale = 1 / sqrt(D) (a model may pass another)
    probs(i, ·) = softmax over the keys query i may see; masked keys get probability 0

A trace is one sentence, so its keys are never padded; the only masked cells are the
decoder self-attention's upper triangle when the causal mask is on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from models import ATTENTION_KINDS, Trace

from .labels import KIND_NAMES

CAUSAL_REASON = ("masked by the causal mask: decoder position {i} may not look at a later "
                 "position ({j}); its score is set to −∞ before softmax, so its probability is 0")


def masked_keys(trace: Trace, kind: str, row: int) -> np.ndarray:
    """bool (Lk,): True where query `row` may NOT see the key."""
    n_keys = len(trace.axes(kind)[1])
    if kind == "decoder_self" and trace.causal:
        return np.asarray(trace.causal_mask[row], dtype=bool)
    return np.zeros(n_keys, dtype=bool)


def mask_reason(trace: Trace, kind: str, row: int, col: int) -> str | None:
    """Why cell (row, col) is masked, in words; None when it is not."""
    if not masked_keys(trace, kind, row)[col]:
        return None
    return CAUSAL_REASON.format(i=row, j=col)


def row_view(query: np.ndarray, keys: np.ndarray, scale: float, masked: np.ndarray,
             map_row: np.ndarray) -> dict[str, Any]:
    """One query row from plain arrays: `query` (D,), `keys` (Lk, D), `scale`, `masked`
    (Lk,, bool, True where the query may not see the key) and `map_row` (Lk,, the map's
    row as the kernel gave it) -> the same fields, as float64, plus `scores` (Lk,, NaN
    where masked) and `probs` (Lk,, softmax of the visible scores, 0 where masked)."""
    query = np.asarray(query, dtype=np.float64)
    keys = np.asarray(keys, dtype=np.float64)
    masked = np.asarray(masked, dtype=bool)
    map_row = np.asarray(map_row, dtype=np.float64)
    n_keys = keys.shape[0]
    if query.ndim != 1 or keys.ndim != 2 or keys.shape[1] != query.shape[0]:
        raise ValueError(f"query (D,) and keys (Lk, D) expected, got {query.shape} and "
                         f"{keys.shape}")
    if masked.shape != (n_keys,) or map_row.shape != (n_keys,):
        raise ValueError(f"masked {masked.shape} and map_row {map_row.shape} must be "
                         f"({n_keys},), one per key")
    raw = keys @ query * scale
    scores = np.where(masked, np.nan, raw)
    probs = np.zeros_like(raw)
    if (~masked).any():
        vis = raw[~masked]
        e = np.exp(vis - vis.max())
        probs[~masked] = e / e.sum()
    return {"query": query, "keys": keys, "scale": float(scale), "scores": scores,
            "probs": probs, "masked": masked, "map_row": map_row}


def score_row(trace: Trace, kind: str, layer: int, head: int, row: int) -> dict[str, Any]:
    """One query row of one head (`row_view`'s fields, and `kind`, `layer`, `head`,
    `row`): the map row is the trace's own, as the kernel gave it."""
    if kind not in ATTENTION_KINDS:
        raise ValueError(f"kind must be one of {ATTENTION_KINDS}, got {kind!r}")
    q_all, k_all = trace.queries[kind], trace.keys[kind]
    n_layers, n_heads, n_rows, dim = q_all.shape
    for name, value, n in (("layer", layer, n_layers), ("head", head, n_heads),
                           ("row", row, n_rows)):
        if not 0 <= value < n:
            raise ValueError(f"{name} must be in 0..{n - 1}, got {value}")
    view = row_view(q_all[layer, head, row], k_all[layer, head], 1.0 / math.sqrt(dim),
                    masked_keys(trace, kind, row), trace.maps(kind)[layer, head, row])
    return {"kind": kind, "layer": layer, "head": head, "row": row, **view}


def cell(view: dict[str, Any], col: int) -> dict[str, Any]:
    """One cell of a `score_row`: `key` (D,), `product` q ⊙ k (D,), `dot` Σ product,
    `score` (scale · dot, NaN when masked), `prob`."""
    n_keys = len(view["scores"])
    if not 0 <= col < n_keys:
        raise ValueError(f"column must be in 0..{n_keys - 1}, got {col}")
    key = view["keys"][col]
    product = view["query"] * key
    dot = float(product.sum())
    return {"key": key, "product": product, "dot": dot,
            "score": float(view["scores"][col]), "prob": float(view["probs"][col]),
            "masked": bool(view["masked"][col])}


def parse_spec(spec: str) -> tuple[str, int, int, int]:
    """`KIND:LAYER:HEAD:ROW` (KIND one of enc, self, cross) -> (kind, layer, head, row)."""
    parts = spec.split(":")
    if len(parts) != 4:
        raise ValueError(f"--neuron wants KIND:LAYER:HEAD:ROW (e.g. cross:0:1:2), got {spec!r}")
    name, *nums = parts
    if name not in KIND_NAMES:
        raise ValueError(f"--neuron KIND must be one of {', '.join(KIND_NAMES)}, got {name!r}")
    try:
        layer, head, row = (int(n) for n in nums)
    except ValueError:
        raise ValueError(f"--neuron LAYER, HEAD and ROW must be integers, got {spec!r}") from None
    return KIND_NAMES[name], layer, head, row


def to_json(trace: Trace, view: dict[str, Any]) -> dict[str, Any]:
    """The JSON the CLI writes: plain lists, masked scores as None."""
    q_labels, k_labels = trace.axes(view["kind"])
    return {
        "kind": view["kind"], "layer": view["layer"], "head": view["head"],
        "row": view["row"], "query_token": q_labels[view["row"]], "key_tokens": list(k_labels),
        "query": [float(x) for x in view["query"]],
        "keys": [[float(x) for x in k] for k in view["keys"]],
        "scale": view["scale"],
        "scores": [None if m else float(s)
                   for s, m in zip(view["scores"], view["masked"], strict=True)],
        "probs": [float(p) for p in view["probs"]],
        "masked_reason": {str(j): mask_reason(trace, view["kind"], view["row"], j)
                          for j in np.flatnonzero(view["masked"]).tolist()},
    }
