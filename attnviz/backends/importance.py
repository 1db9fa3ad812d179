"""What a Hugging Face model with a language-model head predicts, intact or with heads
switched off, and head importance after Michel, Levy & Neubig (2019), "Are Sixteen Heads
Really Better than One?".

    lm_kind(model)                                   # "causal", "seq2seq" or None
    predictions(model, tokenizer, text, target, ablate=[("h.0.attn", 1)])
    head_importance(model, tokenizer, text, target)  # -> HeadImportance

Importance is the drop in log p(text) (a causal LM: every token after the first given the
ones before it) or log p(target | text) (a seq2seq LM, teacher-forced) when each head
alone is switched off: one forward of the intact model, then one batched forward with a
batch row per head (per-row gates, as `models.transformer.Seq2Seq.head_importance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch

from kernels import backend_name, interpreter_active

from ._gates import HeadGates, gating
from ._maps import on_reference
from .heads import Head, ablating, gated_rows
from .hf_local import model_inputs

__all__ = ["HeadImportance", "Predictions", "head_importance", "lm_kind", "predictions"]

REFERENCE_LABEL = "PyTorch reference attention (kernels.reference_attention)"
NO_LM_HEAD = ("Head importance needs a model with a language-model head (a causal LM such "
              "as GPT-2 or Llama saved with its LM head, or a seq2seq LM such as BART): it "
              "measures how much the log-probability of the text drops without each head. "
              "{name} has none.")


def lm_kind(model: torch.nn.Module) -> str | None:
    """"causal" for a causal LM (…ForCausalLM, …LMHeadModel), "seq2seq" for a seq2seq LM
    (…ForConditionalGeneration), None for a model without such a head (BertModel)."""
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES,
    )

    name = type(model).__name__
    for kind, mapping in (("seq2seq", MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES),
                          ("causal", MODEL_FOR_CAUSAL_LM_MAPPING_NAMES)):
        classes = {c for v in mapping.values() for c in ((v,) if isinstance(v, str) else v)}
        if name in classes:
            return kind
    return None


def _require_lm(model: torch.nn.Module) -> str:
    kind = lm_kind(model)
    if kind is None:
        raise ValueError(NO_LM_HEAD.format(name=type(model).__name__))
    return kind


@dataclass
class Predictions:
    """Top-1 next-token predictions, one per decoder position (a causal LM's text, a
    seq2seq LM's teacher-forced target, as `attention_maps` feeds them)."""

    inputs: list[str]  # the token at each position
    top: list[str]  # the most likely next token after it
    prob: np.ndarray  # (positions,) float64: its probability


@torch.no_grad()
def predictions(model: torch.nn.Module, tokenizer, text: str, target: str | None = None,
                ablate: Sequence[Head] = ()) -> Predictions:
    """The model's top-1 prediction after each position, with `ablate` switched off."""
    _require_lm(model)
    batch, _, decoder_tokens = model_inputs(model, tokenizer, text, target)
    with ablating(model, ablate):
        logits = model(**batch).logits[0]
    probs = torch.softmax(logits.double(), -1)
    best, ids = probs.max(-1)
    return Predictions(list(decoder_tokens), list(tokenizer.convert_ids_to_tokens(ids.tolist())),
                       best.numpy())


@dataclass
class HeadImportance:
    names: list[str]  # attention layers, in call order (LayerMaps.name)
    drop: np.ndarray  # (layers, max heads) float64: log p intact − log p without the head
    heads: list[int]  # each layer's head count (cells past it are NaN)
    logprob: float  # log p with every head on
    scored: list[str]  # the tokens whose log-probabilities are summed
    backend: str  # what computed attention, in words


def _scored_inputs(model, tokenizer, text: str, target: str | None, kind: str
                   ) -> tuple[dict[str, torch.Tensor], torch.Tensor, int]:
    """(model inputs, the token ids scored (1, N), the logit position of the first)."""
    if kind == "seq2seq":
        if not target or not target.strip():
            raise ValueError("head importance of an encoder-decoder scores the target: "
                             "type a target")
        batch = dict(tokenizer(text, return_tensors="pt"))
        labels = tokenizer(text_target=target, return_tensors="pt")["input_ids"]
        if not hasattr(model, "prepare_decoder_input_ids_from_labels"):
            raise ValueError(f"{type(model).__name__} does not say how to shift a target "
                             "into decoder inputs (prepare_decoder_input_ids_from_labels)")
        # Teacher forcing as in training: the decoder reads the target shifted right.
        batch["decoder_input_ids"] = model.prepare_decoder_input_ids_from_labels(labels=labels)
        return batch, labels, 0
    batch = dict(tokenizer(text, return_tensors="pt"))
    ids = batch["input_ids"]
    if ids.shape[1] < 2:
        raise ValueError("head importance of a causal LM scores every token after the first: "
                         "the text needs at least two tokens")
    return batch, ids[:, 1:], -1


def _logprob(logits: torch.Tensor, scored: torch.Tensor, shift: int) -> torch.Tensor:
    """(B,) float64: the sum of log p of `scored` (1, N) under logits (B, L, V)."""
    n = scored.shape[1]
    start = logits.shape[1] - n + shift  # a causal LM's last logit predicts nothing here
    logp = torch.log_softmax(logits[:, start:start + n].double(), -1)
    return logp.gather(-1, scored.expand(logits.shape[0], -1)[..., None])[..., 0].sum(-1)


@torch.no_grad()
def head_importance(model: torch.nn.Module, tokenizer, text: str, target: str | None = None,
                    reference: bool | None = None, rows_per_pass: int = 64) -> HeadImportance:
    """The drop in log p when each head alone is switched off. `reference` (default: under
    Triton's CPU interpreter, where the kernel is too slow for a forward per head) runs
    attention on `kernels.reference_attention`, the same semantics in PyTorch. The heads
    go through the model `rows_per_pass` batch rows at a time."""
    kind = _require_lm(model)
    batch, scored, shift = _scored_inputs(model, tokenizer, text, target, kind)
    if reference is None:
        reference = interpreter_active()
    device = next(model.parameters()).device
    batch = {k: v.to(device) for k, v in batch.items()}
    scored = scored.to(device)
    with on_reference() if reference else nullcontext():
        # The intact pass also finds the attention layers and their head counts.
        with gating(HeadGates({})) as seen:
            intact = _logprob(model(**batch).logits, scored, shift)[0]
        ids = {id(module): name for name, module in model.named_modules()}
        layers = [(ids[i], h) for i, h in seen.seen.items()]
        heads: list[Head] = [(name, h) for name, n in layers for h in range(n)]
        totals = []
        for start in range(0, len(heads), rows_per_pass):
            chunk = heads[start:start + rows_per_pass]
            repeated = {k: v.repeat(len(chunk), *([1] * (v.dim() - 1))) for k, v in batch.items()}
            with gated_rows(model, [[head] for head in chunk]):
                totals.append(_logprob(model(**repeated).logits, scored, shift))
    total = torch.cat(totals).cpu().numpy()
    drop = np.full((len(layers), max(n for _, n in layers)), np.nan)
    row = {name: i for i, (name, _) in enumerate(layers)}
    for (name, h), value in zip(heads, total, strict=True):
        drop[row[name], h] = float(intact) - value
    label = REFERENCE_LABEL if reference else backend_name(device)
    return HeadImportance([name for name, _ in layers], drop, [n for _, n in layers],
                          float(intact), list(tokenizer.convert_ids_to_tokens(scored[0].tolist())),
                          label)

