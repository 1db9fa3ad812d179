"""Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"),
for the encoder and, extended to the encoder-decoder, for the decoder. Pure numpy.

Encoder. With Ā_l the mean over heads of layer l's self-attention, the residual
connection is modelled as Â_l = 0.5·Ā_l + 0.5·I (rows renormalised), and the rollout
R_0 = Â_0, R_l = Â_l · R_{l-1} says how much each position's output after layer l draws
on each input token.

Decoder (source attribution). Following the encoder-decoder rules of Chefer et al. 2021
("Generic Attention-model Explainability for Interpreting Bi-Modal and Encoder-Decoder
Transformers", the target-to-source relevance R^{qi}), with plain head-mean attention in
place of their gradient-weighted maps: target positions start with no source content
(D_{-1} = 0); in decoder layer l the masked self-attention mixes what the target positions
have already gathered (Â^self_l · D_{l-1}, the same 0.5/0.5 residual rule as the encoder)
and the cross-attention reads the source tokens as the encoder's last layer left them
(C̄_l · R_enc, R_enc the final encoder rollout). The two paths count equally, as the
residual and the sublayer do in Abnar & Zuidema's rule:

    D_l = rownorm(Â^self_l · D_{l-1} + C̄_l · R_enc)

so each row of D_l is a distribution over the source tokens: how much that target
position draws on each source token through layers 0..l.

Padding: `src_pad` / `tgt_pad` are bool vectors, True = padded. Padded keys get no
attention (their columns are zeroed before renormalising), padded queries come out as
all-zero rows; every other row sums to 1. Masked cells (the causal mask) are zeros in
the maps, as the kernel writes them, and need nothing special.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from models import Trace

CAPTION = (
    "Attention rollout (Abnar & Zuidema 2020): each layer's head-mean attention, the residual "
    "counted as 0.5·A + 0.5·I, multiplied through the layers. Decoder: D_l = rownorm(Â_self·"
    "D_(l−1) + C̄·R_enc): what the target positions already gathered plus the cross-attention's "
    "read of the encoder's rollout, weighted equally (Chefer et al. 2021's target-to-source "
    "rule, with plain attention)."
)


def _valid(n: int, pad: np.ndarray | None) -> np.ndarray:
    if pad is None:
        return np.ones(n, dtype=bool)
    pad = np.asarray(pad, dtype=bool)
    if pad.shape != (n,):
        raise ValueError(f"padding mask of shape {pad.shape} for {n} positions")
    return ~pad


def _rownorm(m: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; all-zero rows stay zero."""
    s = m.sum(-1, keepdims=True)
    return np.divide(m, s, out=np.zeros_like(m), where=s > 0)


def head_mean(maps: np.ndarray) -> np.ndarray:
    """(layers, heads, Q, K) -> (layers, Q, K) in float64; NaN cells (masked, as a figure
    draws them) count as 0."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 4:
        raise ValueError(f"maps must be (layers, heads, queries, keys), got shape {maps.shape}")
    return np.nan_to_num(maps, nan=0.0).mean(1)


def residual_attention(a: np.ndarray, pad: np.ndarray | None = None) -> np.ndarray:
    """Â = rownorm(0.5·A + 0.5·I) for one square (L, L) map, padded keys zeroed first."""
    a = np.asarray(a, dtype=np.float64)
    n = a.shape[0]
    if a.shape != (n, n):
        raise ValueError(f"self-attention must be square, got {a.shape}")
    valid = _valid(n, pad)
    a = _rownorm(np.where(valid[None, :], a, 0.0))
    return _rownorm(0.5 * a + 0.5 * np.eye(n))


def encoder_rollout(encoder_self: np.ndarray, src_pad: np.ndarray | None = None) -> np.ndarray:
    """(Le, H, Ls, Ls) encoder self-attention -> (Le, Ls, Ls): R_l, rows over input tokens."""
    mean = head_mean(encoder_self)
    n = mean.shape[-1]
    valid = _valid(n, src_pad)
    out = np.empty_like(mean)
    r = np.eye(n)
    for layer, a in enumerate(mean):
        r = residual_attention(a, src_pad) @ r
        out[layer] = r
    out[:, ~valid, :] = 0.0
    return out


def decoder_source_rollout(decoder_self: np.ndarray, cross: np.ndarray, enc_rollout: np.ndarray,
                           tgt_pad: np.ndarray | None = None,
                           src_pad: np.ndarray | None = None) -> np.ndarray:
    """(Ld, H, Lt, Lt) decoder self-attention, (Ld, H, Lt, Ls) cross-attention and the
    final (Ls, Ls) encoder rollout -> (Ld, Lt, Ls): D_l, rows over source tokens."""
    self_mean, cross_mean = head_mean(decoder_self), head_mean(cross)
    n_layers, lt, ls = cross_mean.shape
    if self_mean.shape != (n_layers, lt, lt):
        raise ValueError(f"decoder self-attention {self_mean.shape} does not match "
                         f"cross-attention {cross_mean.shape}")
    enc = np.asarray(enc_rollout, dtype=np.float64)
    if enc.shape != (ls, ls):
        raise ValueError(f"encoder rollout {enc.shape} does not match {ls} source tokens")
    tgt_valid, src_valid = _valid(lt, tgt_pad), _valid(ls, src_pad)
    out = np.empty_like(cross_mean)
    d = np.zeros((lt, ls))
    for layer in range(n_layers):
        c = _rownorm(np.where(src_valid[None, :], cross_mean[layer], 0.0))
        d = _rownorm(residual_attention(self_mean[layer], tgt_pad) @ d + c @ enc)
        d[~tgt_valid] = 0.0
        out[layer] = d
    return out


@dataclass
class Rollout:
    encoder: np.ndarray          # (Le, Ls, Ls): source position x source token, per layer
    decoder_source: np.ndarray   # (Ld, Lt, Ls): target position x source token, per layer


def of_trace(trace: Trace) -> Rollout:
    """Both rollouts of one trace (a single sentence pair: nothing is padded)."""
    enc = encoder_rollout(trace.encoder_self)
    return Rollout(enc, decoder_source_rollout(trace.decoder_self, trace.cross, enc[-1]))
