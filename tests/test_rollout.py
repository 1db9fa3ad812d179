"""attnviz.rollout against a plain float64 loop on fresh random row-stochastic maps."""

from __future__ import annotations

import numpy as np
import pytest

from attnviz import rollout


def _stochastic(rng, *shape, mask=None):
    """Random maps whose rows sum to 1; masked cells (True) are 0, as the kernel writes them."""
    m = rng.random(shape) ** 3
    if mask is not None:
        m = np.where(mask, 0.0, m)
    return (m / m.sum(-1, keepdims=True)).astype(np.float32)


def _matmul(a, b):
    out = [[0.0] * len(b[0]) for _ in a]
    for i in range(len(a)):
        for j in range(len(b[0])):
            for k in range(len(b)):
                out[i][j] += float(a[i][k]) * float(b[k][j])
    return out


def _rownorm(m):
    out = []
    for row in m:
        s = sum(row)
        out.append([x / s if s > 0 else 0.0 for x in row])
    return out


def _mean_heads(maps_layer, keep_keys=None):
    h, q, k = maps_layer.shape
    out = [[sum(float(maps_layer[x, i, j]) for x in range(h)) / h for j in range(k)]
           for i in range(q)]
    if keep_keys is not None:
        out = _rownorm([[v if keep_keys[j] else 0.0 for j, v in enumerate(row)] for row in out])
    return out


def _hat(a):
    n = len(a)
    return _rownorm([[0.5 * a[i][j] + (0.5 if i == j else 0.0) for j in range(n)]
                     for i in range(n)])


def _reference(enc, dec, cross, src_keep=None, tgt_keep=None):
    ls, lt = enc.shape[-1], dec.shape[-1]
    src_keep = src_keep if src_keep is not None else [True] * ls
    tgt_keep = tgt_keep if tgt_keep is not None else [True] * lt
    r = [[1.0 if i == j else 0.0 for j in range(ls)] for i in range(ls)]
    encs = []
    for layer in range(enc.shape[0]):
        r = _matmul(_hat(_mean_heads(enc[layer], src_keep)), r)
        encs.append([row if src_keep[i] else [0.0] * ls for i, row in enumerate(r)])
    d = [[0.0] * ls for _ in range(lt)]
    decs = []
    for layer in range(dec.shape[0]):
        a = _matmul(_hat(_mean_heads(dec[layer], tgt_keep)), d)
        c = _matmul(_mean_heads(cross[layer], src_keep), r)
        d = _rownorm([[a[i][j] + c[i][j] for j in range(ls)] for i in range(lt)])
        d = [row if tgt_keep[i] else [0.0] * ls for i, row in enumerate(d)]
        decs.append(d)
    return np.array(encs), np.array(decs)


@pytest.mark.parametrize("le,ld,heads,ls,lt,causal", [
    (3, 3, 4, 7, 5, True), (1, 1, 1, 1, 1, True), (2, 3, 3, 1, 4, False),
    (3, 2, 2, 5, 1, True), (2, 2, 4, 9, 13, False),
])
def test_matches_reference_loop(le, ld, heads, ls, lt, causal):
    rng = np.random.default_rng(ls * 100 + lt)
    enc = _stochastic(rng, le, heads, ls, ls)
    mask = np.triu(np.ones((lt, lt), dtype=bool), 1) if causal else None
    dec = _stochastic(rng, ld, heads, lt, lt, mask=mask)
    cross = _stochastic(rng, ld, heads, lt, ls)
    r_enc = rollout.encoder_rollout(enc)
    r_dec = rollout.decoder_source_rollout(dec, cross, r_enc[-1])
    ref_enc, ref_dec = _reference(enc, dec, cross)
    assert r_enc.shape == (le, ls, ls) and r_dec.shape == (ld, lt, ls)
    np.testing.assert_allclose(r_enc, ref_enc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r_dec, ref_dec, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r_enc.sum(-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r_dec.sum(-1), 1.0, atol=1e-12)
    assert (r_enc >= 0).all() and (r_dec >= 0).all()


def test_padding_gets_no_attribution():
    rng = np.random.default_rng(7)
    ls, lt = 6, 5
    src_pad = np.array([False, False, False, False, True, True])
    tgt_pad = np.array([False, False, False, True, True])
    enc = _stochastic(rng, 2, 3, ls, ls)
    dec = _stochastic(rng, 2, 3, lt, lt, mask=np.triu(np.ones((lt, lt), dtype=bool), 1))
    cross = _stochastic(rng, 2, 3, lt, ls)
    r_enc = rollout.encoder_rollout(enc, src_pad)
    r_dec = rollout.decoder_source_rollout(dec, cross, r_enc[-1], tgt_pad, src_pad)
    ref_enc, ref_dec = _reference(enc, dec, cross, list(~src_pad), list(~tgt_pad))
    np.testing.assert_allclose(r_enc, ref_enc, atol=1e-12)
    np.testing.assert_allclose(r_dec, ref_dec, atol=1e-12)
    assert (r_enc[:, :, src_pad] == 0).all() and (r_enc[:, src_pad] == 0).all()
    assert (r_dec[:, :, src_pad] == 0).all() and (r_dec[:, tgt_pad] == 0).all()
    np.testing.assert_allclose(r_enc[:, ~src_pad].sum(-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r_dec[:, ~tgt_pad].sum(-1), 1.0, atol=1e-12)


def test_identity_attention_keeps_tokens_apart():
    eye = np.eye(4, dtype=np.float32)[None, None].repeat(2, 0)
    r = rollout.encoder_rollout(eye)
    np.testing.assert_allclose(r, np.broadcast_to(np.eye(4), r.shape))


def test_shape_mismatch_is_an_error():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        rollout.decoder_source_rollout(_stochastic(rng, 2, 1, 3, 3), _stochastic(rng, 2, 1, 4, 5),
                                       np.eye(5))
    with pytest.raises(ValueError):
        rollout.decoder_source_rollout(_stochastic(rng, 2, 1, 3, 3), _stochastic(rng, 2, 1, 3, 5),
                                       np.eye(4))


def test_figures_label_both_axes_and_hover_both_tokens():
    from types import SimpleNamespace

    from attnviz import trace_views

    rng = np.random.default_rng(3)
    src, dec_in, dec_out = ["▁I", "▁love", "<eos>"], ["<sos>", "我", "爱"], ["我", "爱", "<eos>"]
    tr = SimpleNamespace(src_pieces=src, dec_input=dec_in, dec_output=dec_out,
                         axes=lambda kind: (dec_in, src))
    enc = rollout.encoder_rollout(_stochastic(rng, 2, 2, 3, 3))
    roll = rollout.Rollout(enc, rollout.decoder_source_rollout(
        _stochastic(rng, 2, 2, 3, 3), _stochastic(rng, 2, 2, 3, 3), enc[-1]))
    e, d = trace_views.rollout_heatmaps(tr, roll, 0, 1, "Post-LN · ")
    assert "Encoder rollout" in e.layout.title.text and "layers 0–0" in e.layout.title.text
    assert "Decoder source attribution" in d.layout.title.text
    assert list(e.layout.xaxis.ticktext) == ["0·▁I", "1·▁love", "2·&lt;eos&gt;"]
    assert list(d.layout.yaxis.ticktext)[0] == "0·&lt;sos&gt; → 我"
    hm = d.data[0]
    assert "share =" in hm.hovertemplate and "query" in hm.hovertemplate
    assert hm.customdata[1][2][0].startswith("1·我") and hm.customdata[1][2][1] == "2·&lt;eos&gt;"
    np.testing.assert_allclose(np.asarray(hm.z), roll.decoder_source[1])
