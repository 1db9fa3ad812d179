"""A Hugging Face model from a local folder, run on attnviz's kernel, for the "Your model"
page: loading with safety rules, and one text's attention maps, pooled when long."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import hf
from .capturing import capture

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
FULL_MAP_LIMIT = 512  # longer inputs are pooled by default: maps stay at most this wide


class LoadError(ValueError):
    """A folder that cannot be loaded safely; the message says why and what to do."""


def load_local(folder: str | Path):
    """(model, tokenizer) from a folder written by `save_pretrained`: safetensors weights
    only (pickle can run code), no remote code, no network; eval mode, on our kernel."""
    from transformers import AutoConfig, AutoModel, AutoModelForSeq2SeqLM, AutoTokenizer

    path = Path(folder).expanduser()
    if not path.is_dir():
        raise LoadError(f"{path} is not a folder")
    if not (path / "config.json").is_file():
        raise LoadError(f"{path} holds no config.json: save the model with save_pretrained")
    if not any(path.glob("*.safetensors")):
        pickled = sorted(p.name for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickled:
            raise LoadError(
                f"{path} holds only pickle weights ({', '.join(pickled)}), which can run "
                "arbitrary code when loaded; save the model with safetensors "
                "(save_pretrained(..., safe_serialization=True))"
            )
        raise LoadError(f"{path} holds no .safetensors weights")
    options: dict[str, Any] = dict(local_files_only=True, trust_remote_code=False)
    config = AutoConfig.from_pretrained(path, **options)
    auto = AutoModelForSeq2SeqLM if config.is_encoder_decoder else AutoModel
    model = auto.from_pretrained(path, attn_implementation=hf.register(),
                                 use_safetensors=True, **options).eval()
    tokenizer = AutoTokenizer.from_pretrained(path, **options)
    return model, tokenizer


def default_pool(length: int) -> int | None:
    """None up to FULL_MAP_LIMIT tokens, else the smallest power of two that brings the
    map within it."""
    if length <= FULL_MAP_LIMIT:
        return None
    return 2 ** math.ceil(math.log2(length / FULL_MAP_LIMIT))


@dataclass
class LayerMaps:
    name: str  # module name, e.g. "encoder.layer.0.attention.self"
    maps: np.ndarray  # (heads, Q, K) float32, of the first (only) text
    query_tokens: list[str]  # one per row: a token, or a pooled tile ("6–7 ▁the")
    key_tokens: list[str]
    pool: int | None = None  # rows and columns are means over pool x pool tiles


def pooled_labels(tokens: list[str], pool: int) -> list[str]:
    """One label per pool tile: the positions it covers and its first token, "6–7 ▁the"."""
    return [f"{start}–{min(start + pool, len(tokens)) - 1} {tokens[start]}"
            for start in range(0, len(tokens), pool)]


def attention_maps(model, tokenizer, text: str, target: str | None = None,
                   pool: int | None = None) -> list[LayerMaps]:
    """Every attention layer's maps for one text (and target, for encoder-decoders)."""
    batch = tokenizer(text, return_tensors="pt")
    source = tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
    target_tokens = source
    if model.config.is_encoder_decoder:
        labels = tokenizer(text_target=target or "", return_tensors="pt")["input_ids"]
        batch["decoder_input_ids"] = labels
        target_tokens = tokenizer.convert_ids_to_tokens(labels[0])
    with torch.no_grad(), capture(model, pool=pool) as maps:
        model(**batch)
    layers = []
    for name, probs in maps.items():
        q_len, k_len = probs.shape[-2:]
        is_decoder = model.config.is_encoder_decoder and "decoder" in name
        cross = is_decoder and any(part in name for part in ("encoder_attn", "crossattention"))
        queries = target_tokens if is_decoder else source
        keys = source if cross or not is_decoder else target_tokens
        if pool:
            queries, keys = pooled_labels(queries, pool), pooled_labels(keys, pool)
        layers.append(LayerMaps(name, probs[0].float().numpy(), list(queries), list(keys),
                                pool or None))
    return layers
