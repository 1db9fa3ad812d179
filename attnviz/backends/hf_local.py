"""A Hugging Face model from a local folder, run on attnviz's kernel, for the "Your model"
page: loading with safety rules, and one text's attention maps, pooled when long (and,
when asked, the query and key vectors the kernel received, for the neuron view)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import hf
from ._maps import KernelInputs
from .capturing import capture
from .heads import Head, ablating

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
FULL_MAP_LIMIT = 512  # longer inputs are pooled by default: maps stay at most this wide


class LoadError(ValueError):
    """A folder that cannot be loaded safely; the message says why and what to do."""


def load_local(folder: str | Path):
    """(model, tokenizer) from a folder written by `save_pretrained`: safetensors weights
    only (pickle can run code), no remote code, no network; eval mode, on our kernel. A
    model saved with a causal or seq2seq language-model head is loaded with it (for head
    importance and predictions), any other as its bare `AutoModel`."""
    from transformers import (
        AutoConfig,
        AutoModel,
        AutoModelForCausalLM,
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
    )

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
    auto: Any = AutoModelForSeq2SeqLM if config.is_encoder_decoder else AutoModel
    # The architecture saved says whether an LM head's weights are in the folder.
    if not config.is_encoder_decoder and any(
            a.endswith(("ForCausalLM", "LMHeadModel")) for a in config.architectures or []):
        auto = AutoModelForCausalLM
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
    # "self": the text's self-attention (an encoder's, or a decoder-only model's);
    # "decoder_self" and "cross": an encoder-decoder's decoder, over the target / the text.
    kind: str = "self"
    # With attention_maps(..., vectors=True), what the kernel received (see KernelInputs):
    queries: np.ndarray | None = None  # (heads, Q, D) float32
    keys: np.ndarray | None = None  # (heads, K, D) float32, the K/V head each head reads
    scale: float | None = None  # the softmax scale the kernel used
    visible: np.ndarray | None = None  # (Q, K) bool, True where query i sees key j


def pooled_labels(tokens: list[str], pool: int) -> list[str]:
    """One label per pool tile: the positions it covers and its first token, "6–7 ▁the"."""
    return [f"{start}–{min(start + pool, len(tokens)) - 1} {tokens[start]}"
            for start in range(0, len(tokens), pool)]


def layer_kind(name: str, is_encoder_decoder: bool) -> str:
    """LayerMaps.kind ("self", "decoder_self" or "cross") of the module called `name`."""
    if not is_encoder_decoder or "decoder" not in name:
        return "self"
    cross = any(part in name for part in ("encoder_attn", "crossattention", "cross_attn"))
    return "cross" if cross else "decoder_self"


def _vectors(inputs: KernelInputs) -> dict[str, Any]:
    """LayerMaps' vector fields from one call's KernelInputs (the first text)."""
    query, key = inputs.query[0], inputs.key[0]
    # Under grouped-query attention query head h reads K/V head h // (H / Hkv), as the kernel.
    key = key.repeat_interleave(query.shape[0] // key.shape[0], dim=0)
    return {"queries": query.numpy(), "keys": key.numpy(), "scale": inputs.scale,
            "visible": inputs.visible[0].numpy()}


def model_inputs(model, tokenizer, text: str, target: str | None = None
                 ) -> tuple[dict[str, torch.Tensor], list[str], list[str]]:
    """(the model's keyword inputs for one text, its tokens, the decoder's input tokens):
    an encoder-decoder's decoder reads the tokenized target (teacher-forced); any other
    model's "decoder tokens" are the text's."""
    batch = dict(tokenizer(text, return_tensors="pt"))
    source = tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
    target_tokens = source
    if model.config.is_encoder_decoder:
        labels = tokenizer(text_target=target or "", return_tensors="pt")["input_ids"]
        batch["decoder_input_ids"] = labels
        target_tokens = tokenizer.convert_ids_to_tokens(labels[0])
    return batch, list(source), list(target_tokens)


def attention_maps(model, tokenizer, text: str, target: str | None = None,
                   pool: int | None = None, vectors: bool = False,
                   ablate: Sequence[Head] = ()) -> list[LayerMaps]:
    """Every attention layer's maps for one text (and target, for encoder-decoders), in
    the order the model calls them. `vectors=True` also keeps the query and key vectors
    each layer's kernel call received (for the neuron view); it needs the full maps.
    `ablate`: (layer name, head) pairs switched off for this run (`heads.ablating`)."""
    if vectors and pool:
        raise ValueError("vectors=True needs the full maps (pool=None): a pooled row is the "
                         "mean of several queries' probabilities, not one query's softmax")
    batch, source, target_tokens = model_inputs(model, tokenizer, text, target)
    is_encoder_decoder = bool(model.config.is_encoder_decoder)
    with torch.no_grad(), capture(model, pool=pool, vectors=vectors) as maps, \
            ablating(model, ablate):
        model(**batch)
    layers = []
    for name, probs in maps.items():
        kind = layer_kind(name, is_encoder_decoder)
        queries = source if kind == "self" else target_tokens
        keys = target_tokens if kind == "decoder_self" else source
        if pool:
            queries, keys = pooled_labels(queries, pool), pooled_labels(keys, pool)
        extra = _vectors(maps.inputs[name]) if vectors else {}
        layers.append(LayerMaps(name, probs[0].float().numpy(), list(queries), list(keys),
                                pool or None, kind, **extra))
    return layers
