"""attnviz.figures from plain numpy arrays: labels, masks, hover, escaping, shapes."""

from __future__ import annotations

import numpy as np
import pytest

from attnviz import figures
from attnviz.analysis import alignment_agreement, head_entropy


def _probs(rng, q, k):
    p = rng.random((q, k))
    return p / p.sum(-1, keepdims=True)


def test_heatmap_labels_every_cell_even_with_repeated_pieces():
    rng = np.random.default_rng(0)
    q = ["<sos>", "我", "的", "的"]
    k = ["▁I", "▁love", "▁you", "<eos>"]
    fig = figures.heatmap(_probs(rng, 4, 4), q, k, title="t")
    assert list(fig.layout.yaxis.ticktext) == ["0·&lt;sos&gt;", "1·我", "2·的", "3·的"]
    assert list(fig.layout.xaxis.tickvals) == [0, 1, 2, 3]
    assert "Noto Sans CJK SC" in fig.layout.font.family
    hm = fig.data[0]
    assert hm.customdata[3][1][0] == "3·的" and hm.customdata[3][1][1] == "1·▁love"
    assert "%{z:.6f}" in hm.hovertemplate


def test_masked_cells_are_nan_and_drawn_grey():
    rng = np.random.default_rng(1)
    mask = np.triu(np.ones((3, 3), dtype=bool), 1)
    fig = figures.heatmap(_probs(rng, 3, 3), list("abc"), list("abc"), mask=mask)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.isnan(z[mask]).all() and not np.isnan(z[~mask]).any()
    grey = np.asarray(fig.data[1].z, dtype=float)
    assert np.isfinite(grey[mask]).all() and np.isnan(grey[~mask]).all()
    assert "masked" in fig.data[1].hovertemplate


def test_markup_in_tokens_is_escaped():
    fig = figures.heatmap(np.ones((1, 2)) / 2, ["<script>alert(1)</script>"],
                          ['<img src=x onerror="alert(1)">', "<b>x</b>"],
                          title="<a href='x'>t</a>")
    text = " ".join(fig.layout.yaxis.ticktext) + " ".join(fig.layout.xaxis.ticktext)
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text
    assert "<a href" not in fig.layout.title.text


def test_heads_grid_shape_and_shared_scale():
    rng = np.random.default_rng(2)
    maps = np.stack([np.stack([_probs(rng, 3, 5) for _ in range(4)]) for _ in range(2)])
    mask = np.zeros((3, 5), dtype=bool)
    mask[0, 4] = True
    fig = figures.heads_grid(maps, list("abc"), list("vwxyz"), mask=mask, title="g")
    heat = [t for t in fig.data if t.type == "heatmap" and t.coloraxis == "coloraxis"]
    assert len(heat) == 8
    assert fig.layout.coloraxis.cmin == 0 and fig.layout.coloraxis.cmax == 1
    assert len(fig.layout.annotations) == 8          # "layer i · head j" titles


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        figures.heatmap(np.ones((2, 3)), ["a"], ["b", "c", "d"])
    with pytest.raises(ValueError):
        figures.heads_grid(np.ones((1, 1, 2, 2)), ["a"], ["b", "c"])


def test_entropy_and_alignment_agreement():
    one_hot = np.zeros((1, 2, 2, 3))
    one_hot[0, 0, :, 0] = 1.0                    # head 0 always looks at key 0
    one_hot[0, 1] = 1 / 3                        # head 1 spreads evenly
    h = head_entropy(one_hot)
    assert h[0, 0] == pytest.approx(0.0) and h[0, 1] == pytest.approx(np.log2(3))
    # source words: piece 0 -> word 0, piece 1 -> word 1, piece 2 = <eos>;
    # target position 0 predicts zh word 0 (aligned to en word 0), position 1 = <eos>.
    agree = alignment_agreement(one_hot, [0, 1, -1], [0, -1], ((0, 0),))
    assert agree[0, 0] == pytest.approx(1.0) and agree[0, 1] == pytest.approx(1 / 3)


def test_long_map_thins_tick_labels_but_hover_names_every_cell():
    rng = np.random.default_rng(1)
    n = int(rng.integers(200, 400))
    tokens = [f"t{i}" for i in range(n)]
    fig = figures.heatmap(_probs(rng, n, n), tokens, tokens)
    ticks = list(fig.layout.yaxis.tickvals)
    assert len(ticks) <= figures.MAX_TICK_LABELS and ticks[0] == 0
    step = ticks[1] - ticks[0]
    assert ticks == list(range(0, n, step))
    assert list(fig.layout.xaxis.ticktext) == [f"{i}·t{i}" for i in ticks]
    hm = fig.data[0]
    assert hm.xgap == 0 and hm.ygap == 0
    assert hm.customdata[n - 1][n - 2][1] == f"{n - 2}·t{n - 2}"
    grid = figures.heads_grid(_probs(rng, n, n)[None, None], tokens, tokens)
    assert len(grid.layout.xaxis.tickvals) <= figures.MAX_TICK_LABELS


def test_short_map_keeps_every_label_and_unnumbered_labels_stay_as_given():
    rng = np.random.default_rng(2)
    labels = ["0–1 the", "2–3 fox", "4 <eos>"]
    fig = figures.heatmap(_probs(rng, 3, 3), labels, labels, numbered=False, zmax=0.5)
    assert list(fig.layout.yaxis.ticktext) == ["0–1 the", "2–3 fox", "4 &lt;eos&gt;"]
    assert fig.data[0].zmax == 0.5 and fig.data[0].xgap == 1
