"""attnviz.export: real PNG/SVG bytes through kaleido + Chromium, raw maps, CJK fonts."""

from __future__ import annotations

import io
import json

import numpy as np

from attnviz import export, figures


def test_png_and_svg_bytes_with_chinese_labels():
    fig = figures.heatmap(np.array([[1.0, 0.0], [0.4, 0.6]]), ["<sos> → 我", "我 → 爱"],
                          ["▁I", "▁love"], title="导出")
    png = export.figure_bytes(fig, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = export.figure_bytes(fig, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg") or "<svg" in svg[:500]
    assert "我" in svg and "Noto Sans CJK SC" in svg


def test_find_browser_honours_browser_path(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "nothing-here"))
    assert export.find_browser() is None
    monkeypatch.delenv("BROWSER_PATH")
    assert export.find_browser() is not None      # the machine's chromium (setup.sh)


def test_array_exports_round_trip():
    probs = np.random.default_rng(0).random((2, 3)).astype(np.float32)
    npz = np.load(io.BytesIO(export.array_npz(probs, ["a", "的"], ["x", "y", "z"])))
    assert np.allclose(npz["probs"], probs) and list(npz["query_labels"]) == ["a", "的"]
    js = json.loads(export.array_json(probs, ["a", "的"], ["x", "y", "z"]))
    assert js["query_labels"] == ["a", "的"]
    assert np.allclose(js["probs"], probs, atol=1e-6)
