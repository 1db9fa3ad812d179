"""Numbers about attention maps: per-head entropy and agreement with gold alignments."""

from __future__ import annotations

import numpy as np


def head_entropy(maps: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Mean entropy in bits of each head's rows: maps (layers, heads, Q, K) -> (layers, heads).

    Masked cells are excluded (they hold no probability anyway); 0 bits means every query
    looks at one key, log2(K) means it spreads evenly."""
    p = np.asarray(maps, dtype=np.float64)
    if mask is not None:
        p = np.where(np.asarray(mask, dtype=bool), 0.0, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log2(p), 0.0).sum(-1)
    return h.mean(-1)


def alignment_agreement(
    cross: np.ndarray,
    src_word_ids: list[int],
    tgt_word_ids: list[int],
    alignment: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """Per head, the mean attention mass that a decoder position puts on the source words
    gold-aligned to the word it predicts. cross (layers, heads, Lt, Ls); tgt_word_ids[i]
    is the word of the piece position i predicts (the decoder output), -1 for <eos>.

    Positions whose word has no gold link are skipped; 1.0 means every head row puts all
    its mass on the aligned words. Returns (layers, heads), NaN if no position counts."""
    cross = np.asarray(cross, dtype=np.float64)
    src_ids = np.asarray(src_word_ids)
    links: dict[int, set[int]] = {}
    for en, zh in alignment:
        links.setdefault(zh, set()).add(en)
    masses = []
    for i, zh in enumerate(tgt_word_ids[: cross.shape[2]]):
        if zh < 0 or zh not in links:
            continue
        keys = np.isin(src_ids, sorted(links[zh]))
        masses.append(cross[:, :, i, :][:, :, keys].sum(-1))
    if not masses:
        return np.full(cross.shape[:2], np.nan)
    return np.mean(masses, axis=0)


def prediction_changes(masked: list[list], unmasked: list[list]) -> list[bool]:
    """Whether the top teacher-forced prediction differs at each decoder position."""
    return [a[0].piece != b[0].piece for a, b in zip(masked, unmasked, strict=False)]
