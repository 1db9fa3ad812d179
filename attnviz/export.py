"""Server-side export: images through Plotly + kaleido (headless Chromium), raw maps as
NPZ and JSON, and everything of one trace into a folder (the CLI's job).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from models import ATTENTION_KINDS, HeadImportance, Trace

from . import rollout
from .notices import unsure_steps

IMAGE_FORMATS = ("png", "svg", "pdf")
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "npz": "application/octet-stream", "json": "application/json"}
# Where kaleido (through choreographer) looks after BROWSER_PATH and PATH.
_FALLBACK_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                      "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable")
NO_BROWSER_FIX = ("image export needs Chromium or Chrome, and none was found; "
                  "`bash scripts/setup.sh` installs Debian's chromium "
                  "(or set BROWSER_PATH to a Chrome/Chromium binary)")
_lock = threading.Lock()


class ExportUnavailable(RuntimeError):
    """Images cannot be rendered here; the message names the fix."""


def find_browser() -> str | None:
    """The Chromium kaleido will use: BROWSER_PATH, then PATH, then the usual places."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return next((p for p in _FALLBACK_BROWSERS if os.access(p, os.X_OK)), None)


def _ensure_server() -> None:
    """Start kaleido's persistent browser once per process: a cold start costs ~2 s,
    every image after it ~0.2 s."""
    import kaleido

    browser = find_browser()
    if browser is None:
        raise ExportUnavailable(NO_BROWSER_FIX)
    # choreographer reads BROWSER_PATH before searching PATH for its own name list.
    os.environ.setdefault("BROWSER_PATH", browser)
    kaleido.start_sync_server(silence_warnings=True)


def figure_bytes(fig: go.Figure, fmt: str, scale: float = 2.0) -> bytes:
    """PNG, SVG or PDF bytes of a figure, rendered by kaleido in headless Chromium."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"format must be one of {IMAGE_FORMATS}, got {fmt!r}")
    # kaleido's sync server answers through one shared queue: one caller at a time, or
    # two Streamlit sessions could receive each other's images.
    with _lock:
        _ensure_server()
        try:
            with warnings.catch_warnings():
                # Plotly warns that per-call options are ignored by a running server.
                warnings.filterwarnings("ignore", message="The kopts argument")
                return fig.to_image(format=fmt, scale=scale if fmt == "png" else 1.0,
                                    width=fig.layout.width or 1000,
                                    height=fig.layout.height)
        except Exception as e:  # kaleido/choreographer raise many types when Chrome fails
            if "browser" in str(e).lower() or "chrom" in str(e).lower():
                raise ExportUnavailable(f"{NO_BROWSER_FIX} ({e})") from e
            raise


def _maps_dict(trace: Trace) -> dict:
    return {
        "norm": trace.norm, "causal": trace.causal, "backend": trace.backend,
        "max_abs_diff_vs_reference": trace.max_abs_diff_vs_reference,
        "source_text": trace.source_text, "target_text": trace.target_text,
        "target_from_model": trace.target_from_model,
        "unknown_source_words": list(trace.unknown_source_words),
        "unknown_target_words": list(trace.unknown_target_words),
        # Pieces of the model's own translation chosen with probability < UNSURE_PROB.
        "unsure_steps": [{"position": i, "piece": p, "prob": round(prob, 6)}
                         for i, p, prob in unsure_steps(trace)],
        # Heads switched off for this trace (their outputs zeroed); [] for the intact model.
        "ablated_heads": [{"kind": k, "layer": layer, "head": h}
                          for k, layer, h in trace.ablated_heads],
        "src_pieces": list(trace.src_pieces), "dec_input": list(trace.dec_input),
        "dec_output": list(trace.dec_output),
        "axes": {k: {"query": list(trace.axes(k)[0]), "key": list(trace.axes(k)[1])}
                 for k in ATTENTION_KINDS},
    }


def maps_json(trace: Trace) -> bytes:
    """Tokens and every attention map, (layers, heads, queries, keys) nested lists."""
    d = _maps_dict(trace)
    d["maps"] = {k: np.round(trace.maps(k).astype(np.float64), 7).tolist()
                 for k in ATTENTION_KINDS}
    d["causal_mask"] = trace.causal_mask.tolist()
    # Attention rollout (attnviz.rollout): the encoder's per layer (layers, source position,
    # source token) and the decoder's source attribution (layers, target position, source token).
    roll = rollout.of_trace(trace)
    d["rollout"] = {"encoder": np.round(roll.encoder, 7).tolist(),
                    "decoder_source": np.round(roll.decoder_source, 7).tolist()}
    return json.dumps(d, ensure_ascii=False).encode("utf-8")


def maps_npz(trace: Trace) -> bytes:
    """Every attention map as float32 arrays plus the token lists (as unicode arrays), and
    the rollouts (`rollout_encoder`, `rollout_decoder_source`: see `maps_json`)."""
    buf = io.BytesIO()
    arrays: dict[str, Any] = {k: trace.maps(k) for k in ATTENTION_KINDS}
    roll = rollout.of_trace(trace)
    arrays["rollout_encoder"] = roll.encoder.astype(np.float32)
    arrays["rollout_decoder_source"] = roll.decoder_source.astype(np.float32)
    np.savez_compressed(
        buf, **arrays, causal_mask=trace.causal_mask,
        src_pieces=np.array(trace.src_pieces, dtype=str),
        dec_input=np.array(trace.dec_input, dtype=str),
        dec_output=np.array(trace.dec_output, dtype=str),
        meta=np.array(json.dumps(_maps_dict(trace), ensure_ascii=False)),
    )
    return buf.getvalue()


def array_npz(probs: np.ndarray, query_labels: Iterable[str], key_labels: Iterable[str]
              ) -> bytes:
    """Any map with its labels, for pages that have no Trace."""
    buf = io.BytesIO()
    np.savez_compressed(buf, probs=np.asarray(probs, dtype=np.float32),
                        query_labels=np.array(list(query_labels), dtype=str),
                        key_labels=np.array(list(key_labels), dtype=str))
    return buf.getvalue()


def array_json(probs: np.ndarray, query_labels: Iterable[str], key_labels: Iterable[str]
               ) -> bytes:
    return json.dumps({"query_labels": list(query_labels), "key_labels": list(key_labels),
                       "probs": np.round(np.asarray(probs, dtype=np.float64), 7).tolist()},
                      ensure_ascii=False).encode("utf-8")


def write_figures(figs: dict[str, go.Figure], out_dir: Path, fmt: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in figs.items():
        path = out_dir / f"{stem}.{fmt}"
        path.write_bytes(figure_bytes(fig, fmt))
        written.append(path)
    return written


def write_maps(trace: Trace, out_dir: Path, stem: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    npz, js = out_dir / f"{stem}.npz", out_dir / f"{stem}.json"
    npz.write_bytes(maps_npz(trace))
    js.write_bytes(maps_json(trace))
    return [npz, js]


def importance_json(importance: HeadImportance) -> dict[str, Any]:
    """Head importance as plain lists: drop[kind][layer][head]."""
    return {"target_text": importance.target_text, "logprob": importance.logprob,
            "backend": importance.backend,
            "drop": {k: np.round(v, 7).tolist() for k, v in importance.drop.items()}}


def write_json(data: dict[str, Any], out_dir: Path, stem: str) -> Path:
    """Any JSON-ready dict to `out_dir/stem.json` (UTF-8, tokens unescaped)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
