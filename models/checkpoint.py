"""Checkpoints as safetensors + JSON, never pickle.

A checkpoint folder holds `model.safetensors`, `config.json`, `training_log.json` and
optionally its own `tokenizer.model` (else the shared one in models/checkpoints/ is used).
Loading only ever calls `safetensors.torch.load_file`, after checking the file's
extension and header, so a pickled file (`.pt`, `.bin`, ...) is refused before any of
its bytes are interpreted: unpickling can run arbitrary code.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from .card import ModelCard
from .tokenizer import CHECKPOINT_DIR, LEXICON_FILE, MODEL_FILE, Tokenizer
from .transformer import ModelConfig, Seq2Seq

WEIGHTS, CONFIG, LOG = "model.safetensors", "config.json", "training_log.json"
_MAX_HEADER = 100 * 1024 * 1024


def _check_safetensors(path: Path) -> None:
    """Refuse anything that is not a safetensors file, reading only its first bytes."""
    if path.suffix != ".safetensors":
        raise ValueError(
            f"refusing to load {path.name}: only .safetensors weights are accepted "
            "(pickle-based .pt/.bin/.pkl files can run code when loaded)"
        )
    with open(path, "rb") as f:
        head = f.read(9)
    # safetensors: 8-byte little-endian header length, then a JSON header starting "{".
    if len(head) < 9 or head[8:9] != b"{":
        raise ValueError(f"refusing to load {path}: not a safetensors file (bad header)")
    (n,) = struct.unpack("<Q", head[:8])
    if n > min(_MAX_HEADER, path.stat().st_size - 8):
        raise ValueError(f"refusing to load {path}: not a safetensors file (bad header size)")


def save_checkpoint(model: Seq2Seq, out_dir: str | Path, extra_config: dict | None = None,
                    dtype: torch.dtype | None = None) -> Path:
    """Weights (in `dtype` if given: float16 halves the file; loading casts back to the
    model's float32), config and training log."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Shared embedding/output weights are one tensor here, so save_file sees no aliasing.
    state = {k: v.detach().cpu().to(dtype or v.dtype).contiguous()
             for k, v in model.state_dict().items()}
    save_file(state, str(out / WEIGHTS), metadata={"format": "pt"})
    cfg = model.config | (extra_config or {})
    (out / CONFIG).write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")
    (out / LOG).write_text(json.dumps(model.training_log, ensure_ascii=False) + "\n")
    return out


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu") -> Seq2Seq:
    """Load a checkpoint folder (or its model.safetensors file) into an eval-mode model."""
    path = Path(path)
    if path.is_file():
        _check_safetensors(path)
        folder = path.parent
        weights = path
    elif path.is_dir():
        folder = path
        weights = folder / WEIGHTS
        if not weights.exists():
            others = sorted(p.name for p in folder.iterdir() if p.is_file())
            raise ValueError(
                f"no {WEIGHTS} in {folder} (found: {', '.join(others) or 'nothing'}); "
                "only safetensors checkpoints are accepted"
            )
        _check_safetensors(weights)
    else:
        raise FileNotFoundError(f"no checkpoint at {path}")
    cfg_path = folder / CONFIG
    if not cfg_path.exists():
        raise ValueError(f"no {CONFIG} next to {weights}")
    cfg_dict: dict[str, Any] = json.loads(cfg_path.read_text())
    tok_path = folder / MODEL_FILE
    if not tok_path.exists():
        tok_path = CHECKPOINT_DIR / MODEL_FILE
    lex = tok_path.with_name(LEXICON_FILE)
    tokenizer = Tokenizer(tok_path, lex if lex.exists() else CHECKPOINT_DIR / LEXICON_FILE)
    model = Seq2Seq(ModelConfig.from_dict(cfg_dict), tokenizer)
    model.load_state_dict(load_file(str(weights), device="cpu"))
    model.extra_config = cfg_dict
    log_path = folder / LOG
    model.training_log = json.loads(log_path.read_text()) if log_path.exists() else []
    return model.to(device).eval()


def load_pretrained(norm: str = "post", device: str | torch.device = "cpu") -> Seq2Seq:
    """The shipped model with Post-LN ("post") or Pre-LN ("pre") placement."""
    if norm not in ("post", "pre"):
        raise ValueError(f"norm must be 'post' or 'pre', got {norm!r}")
    return load_checkpoint(CHECKPOINT_DIR / norm, device)


WARMUP_STUDY_DIR = CHECKPOINT_DIR / "warmup_study"


def load_warmup_study(folder: str | Path = WARMUP_STUDY_DIR) -> dict[str, ModelCard]:
    """The warm-up study's runs (logs only, no weights): run name ("post", "pre",
    "post_nowarmup", "pre_nowarmup") -> its model card; empty where none are shipped."""
    out: dict[str, ModelCard] = {}
    for name in ("post", "pre", "post_nowarmup", "pre_nowarmup"):
        run = Path(folder) / name
        if (run / LOG).exists() and (run / CONFIG).exists():
            out[name] = ModelCard.from_config(json.loads((run / CONFIG).read_text()),
                                              json.loads((run / LOG).read_text()))
    return out
