"""The "Your model" page's rollout and neuron view, from `hf_local.LayerMaps`: numpy and
Plotly, no Streamlit. The arithmetic is `attnviz.rollout`'s and `attnviz.neuron`'s, the
figures `attnviz.figures`' and `trace_views.row_neuron_figures`, as on the main page.

Both need the full maps: a pooled cell is the mean of a tile of probabilities, and neither
a product of pooled maps nor a pooled row is what rollout or softmax gives, so pooled
layers are refused with a ValueError that says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from . import figures, neuron, rollout, trace_views
from .backends.hf_local import LayerMaps

ROLLOUT_CAPTION = (
    "Attention rollout (Abnar & Zuidema 2020): each self-attention layer's head-mean map, "
    "the residual counted as 0.5·A + 0.5·I (rows renormalised), multiplied through the "
    "layers in the order the model calls them: row i says how much position i's output "
    "after that layer draws on each input token. Under a causal mask it stays "
    "lower-triangular. An encoder-decoder's decoder gets the main page's source "
    "attribution, D_l = rownorm(Â_self·D_(l−1) + C̄·R_enc)."
)
NEURON_CAPTION = (
    "One score, neuron by neuron: the query vector q of row i and the key vector k of "
    "column j exactly as the attention kernel received them (after the model's position "
    "encoding, such as RoPE), multiplied element-wise and summed, times the scale the "
    "kernel used (1/√D unless the model passes its own) give the score of cell (i, j). "
    "Softmax over the row's visible scores gives the probabilities the heatmap shows; a "
    "masked key gets −∞, so probability 0."
)
# Why each view needs the full maps, said on the page and in the errors below.
POOLED = {
    "rollout": ("Rollout", "a product of tile means is not the rollout"),
    "neuron": ("The neuron view", "a pooled row is not one query's softmax"),
}
CAUSAL_REASON = ("masked by the causal mask: position {i} may not look at a later "
                 "position ({j}); its score is set to −∞ before softmax, so its probability is 0")
HIDDEN_REASON = ("hidden from every query by the attention mask (a padded key); it never "
                 "reaches the softmax, so its probability is 0")


@dataclass
class ModelRollout:
    tokens: list[str]  # the text's tokens: rows and columns of `rollout`
    names: list[str]  # the self-attention layers rolled out, in call order
    rollout: np.ndarray  # (layers, L, L): R_l, rows over input tokens
    target_tokens: list[str]  # an encoder-decoder's decoder input, else []
    decoder_names: list[str]  # its cross-attention layers, in call order
    decoder_source: np.ndarray | None  # (decoder layers, Lt, L): D_l, rows over the text


def pooled_message(view: str) -> str:
    """Why `view` ("rollout" or "neuron") is not offered on pooled maps, and what to do."""
    what, why = POOLED[view]
    return (f"{what} needs the full maps: a pooled cell is the mean of a tile of "
            f"probabilities, and {why}. Set the pool size to 1 to compute it from the full "
            "maps (slower, and wide for long texts).")


def _full(layers: Sequence[LayerMaps], view: str) -> None:
    for layer in layers:
        if layer.pool is not None:
            raise ValueError(f"{layer.name} is pooled ({layer.pool} × {layer.pool} tiles): "
                             + pooled_message(view))


def _head_means(layers: Sequence[LayerMaps]) -> np.ndarray:
    """(layers, 1, Q, K): each layer's head mean (heads may differ between layers), in the
    (layers, heads, Q, K) shape attnviz.rollout takes."""
    return np.stack([rollout.head_mean(layer.maps[None])[0] for layer in layers])[:, None]


def model_rollout(layers: Sequence[LayerMaps]) -> ModelRollout:
    """Rollout of the text's self-attention ("self" layers), and for an encoder-decoder
    the decoder's source attribution (its "decoder_self" and "cross" layers, paired in
    call order), as `attnviz.rollout.encoder_rollout` / `decoder_source_rollout` compute
    them. One text, so nothing is padded; a causal mask's zeros need nothing special."""
    _full(layers, "rollout")
    own = [layer for layer in layers if layer.kind == "self"]
    if not own:
        raise ValueError("no self-attention layer over the text was captured, so there is "
                         "nothing to roll out")
    roll = rollout.encoder_rollout(_head_means(own))
    dec_self = [layer for layer in layers if layer.kind == "decoder_self"]
    cross = [layer for layer in layers if layer.kind == "cross"]
    decoder, target = None, []
    if dec_self or cross:
        if len(dec_self) != len(cross):
            raise ValueError(f"{len(dec_self)} decoder self-attention layers but {len(cross)} "
                             "cross-attention layers: source attribution pairs them layer "
                             "by layer")
        decoder = rollout.decoder_source_rollout(_head_means(dec_self), _head_means(cross),
                                                 roll[-1])
        target = list(cross[0].query_tokens)
    return ModelRollout(list(own[0].query_tokens), [layer.name for layer in own], roll,
                        target, [layer.name for layer in cross], decoder)


def rollout_figure(roll: ModelRollout, layer: int) -> go.Figure:
    """The rollout through self-attention layers 0..layer."""
    return figures.heatmap(roll.rollout[layer], roll.tokens, roll.tokens,
                           title=f"Attention rollout through layers 0–{layer}\n"
                                 f"(last: {roll.names[layer]})",
                           query_title=f"position after layer {layer}",
                           key_title="input token", value_name="share")


def decoder_rollout_figure(roll: ModelRollout, layer: int) -> go.Figure:
    """The decoder's source attribution through decoder layers 0..layer."""
    if roll.decoder_source is None:
        raise ValueError("this model has no decoder over a separate source text")
    return figures.heatmap(roll.decoder_source[layer], roll.target_tokens, roll.tokens,
                           title=f"Decoder source attribution (rollout)\n"
                                 f"through decoder layers 0–{layer}",
                           query_title="target position", key_title="source token",
                           value_name="share")


def neuron_row(layer: LayerMaps, head: int, row: int) -> dict[str, Any]:
    """`neuron.row_view` of one head's query row, from the vectors the kernel received
    (`attention_maps(..., vectors=True)`), beside the layer's own map row."""
    _full([layer], "neuron")
    if layer.queries is None or layer.keys is None or layer.scale is None \
            or layer.visible is None:
        raise ValueError(f"{layer.name} holds no query and key vectors: compute its maps "
                         "with attention_maps(..., vectors=True)")
    n_heads, n_rows = layer.queries.shape[:2]
    for name, value, n in (("head", head, n_heads), ("row", row, n_rows)):
        if not 0 <= value < n:
            raise ValueError(f"{name} must be in 0..{n - 1}, got {value}")
    view = neuron.row_view(layer.queries[head, row], layer.keys[head], layer.scale,
                           ~layer.visible[row], layer.maps[head, row])
    return {"layer": layer.name, "head": head, "row": row, **view}


def mask_reason(layer: LayerMaps, row: int, col: int) -> str | None:
    """Why cell (row, col) is masked, in words; None when query `row` sees key `col`."""
    if layer.visible is None:
        raise ValueError(f"{layer.name} holds no mask: attention_maps(..., vectors=True)")
    if layer.visible[row, col]:
        return None
    # The kernel masks in two ways: a padded key is hidden from every query, a causal
    # mask hides a key from the queries before it only.
    if not layer.visible[:, col].any():
        return HIDDEN_REASON
    return CAUSAL_REASON.format(i=row, j=col)


def neuron_figures(layer: LayerMaps, view: dict[str, Any], col: int
                   ) -> tuple[go.Figure, go.Figure, go.Figure]:
    """(q, k and q ⊙ k; the row's scores before softmax; its probabilities after it) for
    cell (view's row, col) of a `neuron_row`."""
    row = view["row"]
    return trace_views.row_neuron_figures(
        view, row, col, query_name=layer.query_tokens[row], query_tick=layer.query_tokens[row],
        key_names=layer.key_tokens, where=f"{layer.name}, head {view['head']}")
