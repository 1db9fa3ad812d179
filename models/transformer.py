"""An encoder-decoder Transformer ("Attention Is All You Need") in one readable file.

Post-LN (the paper: LayerNorm(x + sublayer(x))) or Pre-LN (x + sublayer(LayerNorm(x)),
with a final LayerNorm on encoder and decoder). Every attention call goes through
`kernels.attention` or, with the model's backend set to "reference"
(`Seq2Seq(cfg, tok, backend="reference")` or `model.backend = "reference"`),
`kernels.reference_attention`; the model never computes attention itself, so the maps it
shows are the kernel's own. The backend is chosen once per model; `forward`, `greedy`,
`translate`, `trace`, ... take an optional `backend=` that overrides it for that call only.

The decoder reads the target shifted right behind <sos> and is trained to predict the
target followed by <eos> (see models/trace.py for the axis conventions).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from kernels import attention, backend_name, causal_mask, reference_attention

from .card import ModelCard
from .gold import find_gold
from .grammar.surface import normalise, translation_units
from .tokenizer import EOS_ID, PAD_ID, SOS_ID, Tokenizer
from .trace import ATTENTION_KINDS, DecodeStep, HeadImportance, TopToken, Trace

BACKENDS = ("triton", "reference")
TOP_K = 5


@dataclass
class ModelConfig:
    vocab_size: int
    d_model: int = 128
    n_heads: int = 4
    n_enc_layers: int = 3
    n_dec_layers: int = 3
    d_ff: int = 512
    dropout: float = 0.1
    max_len: int = 64
    norm: str = "post"

    def __post_init__(self) -> None:
        if self.norm not in ("post", "pre"):
            raise ValueError(f"norm must be 'post' or 'pre', got {self.norm!r}")
        if self.d_model % self.n_heads:
            raise ValueError("d_model must be a multiple of n_heads")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        # The names DEVELOPERS.md promises in model.config.
        # (an int when encoder and decoder are equally deep, as in the shipped models).
        d["n_layers"] = (self.n_enc_layers if self.n_enc_layers == self.n_dec_layers
                         else {"encoder": self.n_enc_layers, "decoder": self.n_dec_layers})
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in fields})


# A per-call override of the models' own backend (the `backend=` argument of forward,
# greedy, translate, trace, ...). A context variable: two threads calling one model with
# different overrides never see each other's.
_OVERRIDE: ContextVar[str | None] = ContextVar("attnviz_backend_override", default=None)


@contextmanager
def using_backend(backend: str | None) -> Iterator[None]:
    """Inside the block, every model computes attention on `backend` (None: its own)."""
    if backend is None:
        yield
        return
    attention_fn(backend)  # reject an unknown backend before any work
    token = _OVERRIDE.set(backend)
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


# Head ablation: per attention site (kind, layer), a (B or 1, H) gate multiplying each
# head's output before the output projection (0 = switched off). A context variable, like
# the backend override: two sessions sharing one cached model never see each other's.
Head = tuple[str, int, int]   # (attention kind, layer, head)
_GATES: ContextVar[dict[tuple[str, int], torch.Tensor] | None] = ContextVar(
    "attnviz_head_gates", default=None)


@contextmanager
def gating_heads(gates: dict[tuple[str, int], torch.Tensor]) -> Iterator[None]:
    """Inside the block, head h of site (kind, layer) of batch row b has its output multiplied
    by gates[(kind, layer)][b, h] (a site not named keeps every head)."""
    token = _GATES.set(gates or None)
    try:
        yield
    finally:
        _GATES.reset(token)


def attention_fn(backend: str):
    if backend == "triton":
        return attention
    if backend == "reference":
        return reference_attention
    raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")


def backend_label(backend: str, device: torch.device | str) -> str:
    return "PyTorch reference" if backend == "reference" else backend_name(device)


def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]
    i = torch.arange(0, d_model, 2, dtype=torch.float32)
    angle = pos / torch.pow(10000.0, i / d_model)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe


class Recorder:
    """Collects attention maps and sublayer statistics during one traced forward pass."""

    def __init__(self) -> None:
        self.maps: dict[str, list[torch.Tensor]] = {"encoder_self": [], "decoder_self": [],
                                                    "cross": []}
        # The per-head queries and keys each attention call handed the kernel, (B, H, L, D).
        self.queries: dict[str, list[torch.Tensor]] = {kind: [] for kind in self.maps}
        self.keys: dict[str, list[torch.Tensor]] = {kind: [] for kind in self.maps}
        self.stats: dict[str, dict[str, list]] = {
            side: {"sublayer": [], "residual_norm": [], "update_ratio": [],
                   "ln_input_mean": [], "ln_input_std": []}
            for side in ("encoder", "decoder")
        }

    def add_stats(self, side: str, name: str, x: torch.Tensor, y: torch.Tensor,
                  ln_in: torch.Tensor, out: torch.Tensor) -> None:
        s = self.stats[side]
        s["sublayer"].append(name)
        s["residual_norm"].append(float(out.norm(dim=-1).mean()))
        s["update_ratio"].append(float(y.norm() / x.norm().clamp_min(1e-12)))
        s["ln_input_mean"].append(float(ln_in.mean()))
        s["ln_input_std"].append(float(ln_in.std()))


class MultiHeadAttention(nn.Module):
    # Set for every layer at once by Seq2Seq.backend.
    backend = "triton"
    # (attention kind, layer), set by Seq2Seq: what head ablation names this site.
    site: tuple[str, int] = ("", -1)

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.o = nn.Linear(d_model, d_model)

    def split(self, x: torch.Tensor) -> torch.Tensor:
        B, L, _ = x.shape
        return x.view(B, L, self.n_heads, self.d_head).transpose(1, 2)

    def forward(self, x_q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *, causal: bool,
                key_padding_mask: torch.Tensor | None, want_probs: bool,
                rec: Recorder | None = None, kind: str = ""
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x_q (B, Lq, d); k, v already split into heads (B, H, Lk, dh). With `rec`, the
        queries and keys given to the kernel are recorded under `kind`."""
        q = self.split(self.q(x_q))
        if rec is not None:
            rec.queries[kind].append(q)
            rec.keys[kind].append(k)
        attend = attention_fn(_OVERRIDE.get() or self.backend)
        res = attend(q, k, v, causal=causal, key_padding_mask=key_padding_mask,
                     return_probs=want_probs)
        out, probs = res if want_probs else (res, None)
        gates = _GATES.get()
        gate = gates.get(self.site) if gates is not None else None
        if gate is not None:
            # A switched-off head still attends (its map is unchanged); its output is dropped.
            out = out * gate.to(out.dtype)[:, :, None, None]
        B, _, Lq, _ = out.shape
        return self.o(out.transpose(1, 2).reshape(B, Lq, -1)), probs

    def kv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.split(self.k(x)), self.split(self.v(x))

    def head_probs(self, x_q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, head: int,
                   key_padding_mask: torch.Tensor | None) -> torch.Tensor:
        """One head's probabilities (B, Lq, Lk) with a gradient, recomputed from the same
        projections in PyTorch: the kernel's own maps are outputs without one."""
        q = self.split(self.q(x_q))[:, head:head + 1]
        _, probs = reference_attention(q, k[:, head:head + 1], v[:, head:head + 1],
                                       key_padding_mask=key_padding_mask, return_probs=True)
        return probs[:, 0]


class FeedForward(nn.Module):
    def __init__(self, d_model: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(F.relu(self.fc1(x))))


class Residual(nn.Module):
    """One sublayer with its residual connection and LayerNorm, in either placement."""

    def __init__(self, d_model: int, dropout: float, norm: str) -> None:
        super().__init__()
        self.ln = nn.LayerNorm(d_model)
        self.drop = nn.Dropout(dropout)
        self.norm = norm

    def forward(self, x: torch.Tensor, fn, rec: Recorder | None = None, side: str = "",
                name: str = "") -> torch.Tensor:
        if self.norm == "pre":
            y = fn(self.ln(x))
            out = x + self.drop(y)
            ln_in = x
        else:
            y = fn(x)
            ln_in = x + self.drop(y)
            out = self.ln(ln_in)
        if rec is not None:
            rec.add_stats(side, name, x, y, ln_in, out)
        return out


class EncoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.attn = MultiHeadAttention(cfg.d_model, cfg.n_heads)
        self.ffn = FeedForward(cfg.d_model, cfg.d_ff, cfg.dropout)
        self.res1 = Residual(cfg.d_model, cfg.dropout, cfg.norm)
        self.res2 = Residual(cfg.d_model, cfg.dropout, cfg.norm)

    def forward(self, x: torch.Tensor, src_pad: torch.Tensor | None,
                rec: Recorder | None = None, idx: int = 0) -> torch.Tensor:
        def self_attn(h: torch.Tensor) -> torch.Tensor:
            k, v = self.attn.kv(h)
            out, probs = self.attn(h, k, v, causal=False, key_padding_mask=src_pad,
                                   want_probs=rec is not None, rec=rec, kind="encoder_self")
            if rec is not None:
                rec.maps["encoder_self"].append(probs)
            return out

        x = self.res1(x, self_attn, rec, "encoder", f"L{idx} self")
        return self.res2(x, self.ffn, rec, "encoder", f"L{idx} ffn")


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(cfg.d_model, cfg.n_heads)
        self.cross_attn = MultiHeadAttention(cfg.d_model, cfg.n_heads)
        self.ffn = FeedForward(cfg.d_model, cfg.d_ff, cfg.dropout)
        self.res1 = Residual(cfg.d_model, cfg.dropout, cfg.norm)
        self.res2 = Residual(cfg.d_model, cfg.dropout, cfg.norm)
        self.res3 = Residual(cfg.d_model, cfg.dropout, cfg.norm)
        # Training with guided alignment reads one head of this layer's cross-attention.
        self.keep_cross_head: int | None = None
        self.last_cross_probs: torch.Tensor | None = None

    def forward(self, y: torch.Tensor, memory_kv: tuple[torch.Tensor, torch.Tensor],
                src_pad: torch.Tensor | None, causal: bool = True,
                cache: dict[str, torch.Tensor] | None = None, rec: Recorder | None = None,
                idx: int = 0) -> torch.Tensor:
        """With `cache`, y holds only the newest position(s); their keys and values are
        appended to the cache and the queries attend over everything cached. Because the
        kernel's causal mask is aligned bottom-right, causal=True stays correct there."""

        def self_attn(h: torch.Tensor) -> torch.Tensor:
            k, v = self.self_attn.kv(h)
            if cache is not None:
                if "k" in cache:
                    k = torch.cat([cache["k"], k], dim=2)
                    v = torch.cat([cache["v"], v], dim=2)
                cache["k"], cache["v"] = k, v
            out, probs = self.self_attn(h, k, v, causal=causal, key_padding_mask=None,
                                        want_probs=rec is not None, rec=rec,
                                        kind="decoder_self")
            if rec is not None:
                rec.maps["decoder_self"].append(probs)
            return out

        def cross(h: torch.Tensor) -> torch.Tensor:
            out, probs = self.cross_attn(h, memory_kv[0], memory_kv[1], causal=False,
                                         key_padding_mask=src_pad,
                                         want_probs=rec is not None, rec=rec, kind="cross")
            if rec is not None:
                rec.maps["cross"].append(probs)
            if self.keep_cross_head is not None:
                self.last_cross_probs = self.cross_attn.head_probs(
                    h, memory_kv[0], memory_kv[1], self.keep_cross_head, src_pad)
            return out

        y = self.res1(y, self_attn, rec, "decoder", f"L{idx} self")
        y = self.res2(y, cross, rec, "decoder", f"L{idx} cross")
        return self.res3(y, self.ffn, rec, "decoder", f"L{idx} ffn")


class Seq2Seq(nn.Module):
    pe: torch.Tensor   # a buffer: sinusoidal positions (max_len + 1, d_model)
    def __init__(self, cfg: ModelConfig, tokenizer: Tokenizer | None = None,
                 backend: str = "triton") -> None:
        super().__init__()
        self.cfg = cfg
        self.tokenizer = tokenizer
        self.training_log: list[dict] = []
        # Training settings and command, read back from config.json by load_checkpoint.
        self.extra_config: dict[str, Any] = {}
        # One embedding for source, target and output: the vocabulary is joint.
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model, padding_idx=PAD_ID)
        nn.init.normal_(self.embed.weight, std=cfg.d_model ** -0.5)
        self.register_buffer("pe", sinusoidal_positions(cfg.max_len + 1, cfg.d_model),
                             persistent=False)
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.n_enc_layers))
        self.decoder = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.n_dec_layers))
        # Pre-LN leaves the residual stream un-normalised, so it ends with a LayerNorm.
        self.enc_ln = nn.LayerNorm(cfg.d_model) if cfg.norm == "pre" else nn.Identity()
        self.dec_ln = nn.LayerNorm(cfg.d_model) if cfg.norm == "pre" else nn.Identity()
        for i, enc in enumerate(cast(list[EncoderLayer], list(self.encoder))):
            enc.attn.site = ("encoder_self", i)
        for i, dec in enumerate(cast(list[DecoderLayer], list(self.decoder))):
            dec.self_attn.site = ("decoder_self", i)
            dec.cross_attn.site = ("cross", i)
        self.backend = backend

    @property
    def backend(self) -> str:
        """"triton" (kernels.attention) or "reference" (kernels.reference_attention): where
        every attention call of this model runs, unless a call overrides it."""
        return self._backend

    @backend.setter
    def backend(self, backend: str) -> None:
        attention_fn(backend)  # reject an unknown backend
        self._backend = backend
        for module in self.modules():
            if isinstance(module, MultiHeadAttention):
                module.backend = backend

    def _active_backend(self) -> str:
        return _OVERRIDE.get() or self.backend

    def n_layers(self, kind: str) -> int:
        """How many layers have attention of this kind."""
        if kind not in ATTENTION_KINDS:
            raise ValueError(f"kind must be one of {ATTENTION_KINDS}, got {kind!r}")
        return self.cfg.n_enc_layers if kind == "encoder_self" else self.cfg.n_dec_layers

    def check_heads(self, heads: Iterable[Head]) -> list[Head]:
        """The heads, sorted and without repeats, or ValueError naming one that does not exist."""
        out = set()
        for kind, layer, head in heads:
            n = self.n_layers(kind)
            if not 0 <= layer < n:
                raise ValueError(f"{kind} has layers 0..{n - 1}, not {layer}")
            if not 0 <= head < self.cfg.n_heads:
                raise ValueError(f"a layer has heads 0..{self.cfg.n_heads - 1}, not {head}")
            out.add((kind, int(layer), int(head)))
        return sorted(out, key=lambda h: (ATTENTION_KINDS.index(h[0]), h[1], h[2]))

    @contextmanager
    def ablating(self, heads: Iterable[Head] | None) -> Iterator[list[Head]]:
        """Inside the block these heads are switched off: their outputs are zeroed before the
        output projection, so everything downstream of them is computed without them. Yields
        the checked list."""
        checked = self.check_heads(heads or [])
        gates: dict[tuple[str, int], torch.Tensor] = {}
        for kind, layer, head in checked:
            gate = gates.setdefault((kind, layer), torch.ones(1, self.cfg.n_heads,
                                                              device=self.device))
            gate[0, head] = 0.0
        with gating_heads(gates):
            yield checked

    @property
    def config(self) -> dict[str, Any]:
        return self.extra_config | self.cfg.to_dict()

    def card(self) -> ModelCard:
        """The model card: architecture, training settings, training log, guided head."""
        return ModelCard.from_config(self.config, self.training_log)

    @property
    def device(self) -> torch.device:
        return self.embed.weight.device

    # ----------------------------------------------------------------- core passes
    def _embed(self, ids: torch.Tensor, offset: int = 0) -> torch.Tensor:
        L = ids.shape[1]
        x = self.embed(ids) * math.sqrt(self.cfg.d_model) + self.pe[offset:offset + L]
        return self.drop(x)

    def encode(self, src: torch.Tensor, rec: Recorder | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """src (B, Ls) padded with PAD -> (memory (B, Ls, d), padding mask (B, Ls))."""
        pad = src == PAD_ID
        x = self._embed(src)
        for i, layer in enumerate(self.encoder):
            x = layer(x, pad, rec, i)
        return self.enc_ln(x), pad

    def memory_kv(self, memory: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        layers = cast(list[DecoderLayer], list(self.decoder))
        return [layer.cross_attn.kv(memory) for layer in layers]

    def decode(self, dec_in: torch.Tensor, memory: torch.Tensor, src_pad: torch.Tensor,
               causal: bool = True, rec: Recorder | None = None,
               mem_kv: list | None = None, caches: list[dict] | None = None,
               offset: int = 0) -> torch.Tensor:
        """Logits (B, Lt, V) for decoder input `dec_in` (B, Lt)."""
        mem_kv = mem_kv if mem_kv is not None else self.memory_kv(memory)
        y = self._embed(dec_in, offset)
        for i, layer in enumerate(self.decoder):
            y = layer(y, mem_kv[i], src_pad, causal,
                      caches[i] if caches is not None else None, rec, i)
        return F.linear(self.dec_ln(y), self.embed.weight)

    def forward(self, src: torch.Tensor, dec_in: torch.Tensor, backend: str | None = None,
                causal: bool = True, rec: Recorder | None = None) -> torch.Tensor:
        """Teacher-forced logits (B, Lt, V); `backend` overrides the model's for this call."""
        with using_backend(backend):
            memory, pad = self.encode(src, rec)
            return self.decode(dec_in, memory, pad, causal, rec)

    # ----------------------------------------------------------------- greedy decoding
    @torch.no_grad()
    def greedy(self, src: torch.Tensor, backend: str | None = None, max_len: int | None = None,
               step_hook=None, forced: list[int] | None = None) -> list[list[int]]:
        """Batched greedy decoding with a key/value cache; returns ids without <eos>.
        `step_hook(step, logits, chosen, cross_rows)` sees each step (batch of one); with
        `forced` (batch of one), step k chooses forced[k] instead of the argmax."""
        with using_backend(backend):
            return self._greedy(src, max_len, step_hook, forced)

    def _greedy(self, src: torch.Tensor, max_len: int | None, step_hook,
                forced: list[int] | None = None) -> list[list[int]]:
        max_len = min(max_len or self.cfg.max_len, self.cfg.max_len)
        memory, pad = self.encode(src)
        mem_kv = self.memory_kv(memory)
        B = src.shape[0]
        # An undertrained model can loop ("好一个好一个…"): no translation runs past twice
        # its source's pieces plus ten.
        room = ((src != PAD_ID).sum(-1) * 2 + 10).tolist()
        caches: list[dict] = [{} for _ in self.decoder]
        tok = torch.full((B, 1), SOS_ID, dtype=torch.long, device=src.device)
        out: list[list[int]] = [[] for _ in range(B)]
        done = torch.zeros(B, dtype=torch.bool, device=src.device)
        for step in range(max_len):
            rec = Recorder() if step_hook is not None else None
            logits = self.decode(tok, memory, pad, True, rec, mem_kv, caches,
                                 offset=step)[:, -1]
            # <pad> and <sos> are never outputs; an undertrained model must not pick them.
            logits[:, PAD_ID] = float("-inf")
            logits[:, SOS_ID] = float("-inf")
            nxt = logits.argmax(-1)
            if forced is not None:
                nxt[0] = forced[step] if step < len(forced) else EOS_ID
            if step_hook is not None:
                step_hook(step, logits[0], int(nxt[0]), rec)
            for b in range(B):
                if not done[b] and int(nxt[b]) != EOS_ID:
                    out[b].append(int(nxt[b]))
            full = [len(o) >= r for o, r in zip(out, room, strict=True)]
            done |= (nxt == EOS_ID) | torch.tensor(full, device=done.device)
            if bool(done.all()):
                break
            tok = nxt[:, None]
        return out

    @contextmanager
    def _inspecting(self, backend: str | None = None,
                    ablate: Iterable[Head] | None = None) -> Iterator[list[Head]]:
        """One inspection call: eval mode (no dropout), the call's backend and ablation;
        the model's training mode is restored afterwards. Yields the checked heads."""
        was_training = self.training
        self.eval()
        try:
            with using_backend(backend), self.ablating(ablate) as heads:
                yield heads
        finally:
            self.train(was_training)

    @staticmethod
    def _require_source(src: str | None) -> None:
        if not src or not src.strip():
            raise ValueError("source text is empty")

    def _src_tensor(self, id_lists: list[list[int]]) -> torch.Tensor:
        L = max(len(x) for x in id_lists)
        t = torch.full((len(id_lists), L), PAD_ID, dtype=torch.long)
        for i, ids in enumerate(id_lists):
            t[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        return t.to(self.device)

    def _require_tokenizer(self) -> Tokenizer:
        if self.tokenizer is None:
            raise RuntimeError("this model has no tokenizer attached")
        return self.tokenizer

    def _fit(self, ids: list[int], wids: list[int], words: list[str]
             ) -> tuple[list[int], list[int], list[str], bool]:
        """The one truncation rule, for sources and targets alike: at most max_len - 1
        pieces (room for <eos> or <sos>), and the words those pieces begin. Returns
        (ids, word ids, words, whether anything was cut)."""
        room = self.cfg.max_len - 1
        if len(ids) <= room:
            return ids, wids, words, False
        ids, wids = ids[:room], wids[:room]
        return ids, wids, words[:max((w for w in wids if w >= 0), default=-1) + 1], True

    def _source_ids(self, text: str) -> tuple[list[int], list[int], list[str], str, list[str]]:
        """Encode a source, truncating to fit max_len with <eos>; returns
        (ids, word ids, words, text as encoded, notices)."""
        tok = self._require_tokenizer()
        text = normalise(text)
        ids, wids, words, cut = self._fit(*tok.encode_with_words(text))
        notices: list[str] = []
        if cut:
            text = tok.decode(ids)
            notices.append(f"source truncated to {len(ids)} tokens (the model's maximum "
                           f"length is {self.cfg.max_len} with <eos>)")
        return ids, wids, words, text, notices

    def translate_batch(self, texts: list[str], backend: str | None = None,
                        ablate: Iterable[Head] | None = None) -> list[str]:
        """Greedy translations; with `ablate`, of the model with those heads switched off."""
        with self._inspecting(backend, ablate):
            return self._own_translations(texts)

    def _own_translations(self, texts: list[str]) -> list[str]:
        """Greedy translations under the caller's backend and ablation. The model learnt
        single sentences, so each sentence of a text (as the model reads it, truncated
        like the source; a leading "Hi," split off) is decoded on its own, all in one
        batch, and a text's translations are joined; empty texts give ""."""
        tok = self._require_tokenizer()
        results = [""] * len(texts)
        owners, sources, commas = [], [], []
        for i, text in enumerate(texts):
            if text.strip():
                for unit, comma in translation_units(self._source_ids(text)[3]):
                    owners.append(i)
                    sources.append(self._source_ids(unit)[0] + [EOS_ID])
                    commas.append(comma)
        if not sources:
            return results
        outs = self.greedy(self._src_tensor(sources))
        for i, out, comma in zip(owners, outs, commas, strict=True):
            piece = tok.decode(out)
            results[i] += piece.rstrip("。！？.!?") + "，" if comma else piece
        return results

    def translate(self, text: str, backend: str | None = None,
                  ablate: Iterable[Head] | None = None) -> str:
        """Greedy translation, sentence by sentence; empty or whitespace-only input
        gives ""."""
        return self.translate_batch([text], backend, ablate)[0]

    # ----------------------------------------------------------------- inspection
    def decode_steps(self, src: str, max_len: int | None = None,
                     backend: str | None = None, target: str | None = None
                     ) -> list[DecodeStep]:
        """Greedy decoding one step at a time, with each step's cross-attention row. With
        `target` (the model's own sentence-by-sentence translation), each step chooses
        the target's next piece: the argmax but where a new sentence starts."""
        tok = self._require_tokenizer()
        self._require_source(src)
        ids = self._source_ids(src)[0] + [EOS_ID]
        forced = None
        if target is not None:
            forced = self._fit(*tok.encode_with_words(target.strip(), chinese=True))[0]
        steps: list[DecodeStep] = []
        so_far = ["<sos>"]

        def hook(step: int, logits: torch.Tensor, chosen: int, rec: Recorder) -> None:
            cross = torch.stack([m[0, :, -1, :] for m in rec.maps["cross"]])
            steps.append(DecodeStep(
                step=step, dec_input=list(so_far),
                cross_row=cross.float().cpu().numpy().astype(np.float32),
                candidates=self._top(logits), chosen=tok.pieces([chosen])[0],
            ))
            so_far.append(tok.pieces([chosen])[0])

        with self._inspecting(backend):
            self.greedy(self._src_tensor([ids]), max_len=max_len, step_hook=hook,
                        forced=forced)
        return steps

    def _top(self, logits: torch.Tensor) -> list[TopToken]:
        tok = self._require_tokenizer()
        p = torch.softmax(logits.float(), -1)
        vals, idx = p.topk(TOP_K)
        return [TopToken(tok.pieces([int(i)])[0], float(v)) for v, i in zip(vals, idx,
                                                                            strict=True)]

    @torch.no_grad()
    def _traced_pass(self, src_ids: list[int], dec_in: list[int], causal: bool
                     ) -> tuple[torch.Tensor, dict[str, np.ndarray], Recorder]:
        rec = Recorder()
        logits = self.forward(self._src_tensor([src_ids]), self._src_tensor([dec_in]),
                              causal=causal, rec=rec)
        maps = {kind: torch.stack([m[0] for m in probs]).float().cpu().numpy()
                .astype(np.float32) for kind, probs in rec.maps.items()}
        return logits[0], maps, rec

    @staticmethod
    def _vectors(recorded: dict[str, list[torch.Tensor]]) -> dict[str, np.ndarray]:
        """Recorded per-head vectors as float32 numpy, (layers, H, L, D) per kind."""
        return {kind: torch.stack([t[0] for t in ts]).float().cpu().numpy()
                .astype(np.float32) for kind, ts in recorded.items()}

    def trace(self, src: str, tgt: str | None = None, causal: bool = True,
              backend: str | None = None, translation: str | None = None,
              ablate: Iterable[Head] | None = None) -> Trace:
        """Everything the app shows for one pair; see models/trace.py. Without `tgt` the
        target is the model's own greedy translation: `translation` when the caller has
        it already (decoded by this model, with the same heads off), else decoded here.
        With `ablate`, those heads are switched off for the whole trace."""
        tok = self._require_tokenizer()
        self._require_source(src)
        with self._inspecting(backend, ablate) as heads:
            tr = self._trace(tok, src, tgt, causal, translation)
        tr.ablated_heads = heads
        return tr

    @torch.no_grad()
    def head_importance(self, src: str, tgt: str | None = None, causal: bool = True,
                        backend: str | None = None, translation: str | None = None
                        ) -> HeadImportance:
        """Head importance after Michel, Levy & Neubig (2019), "Are Sixteen Heads Really
        Better than One?": for each head alone switched off, the drop in log p(target |
        source), teacher-forced and summed over the target's pieces and <eos>. The target is
        `tgt`, else `translation`, else the model's greedy translation. One batched pass:
        row 0 is the intact model, row n switches off the n-th head only."""
        tok = self._require_tokenizer()
        self._require_source(src)
        H = self.cfg.n_heads
        heads = [(kind, layer, head) for kind in ATTENTION_KINDS
                 for layer in range(self.n_layers(kind)) for head in range(H)]
        n = 1 + len(heads)
        gates = {(kind, layer): torch.ones(n, H, device=self.device) for kind, layer, _ in heads}
        for row, (kind, layer, head) in enumerate(heads, 1):
            gates[(kind, layer)][row, head] = 0.0
        with self._inspecting(backend):
            src_ids = self._source_ids(src)[0] + [EOS_ID]
            if tgt is None:
                tgt = translation if translation is not None else \
                    self._own_translations([src])[0]
            tgt_ids = self._fit(*tok.encode_with_words(tgt.strip(), chinese=True))[0]
            src_t = self._src_tensor([src_ids]).repeat(n, 1)
            dec_in = self._src_tensor([[SOS_ID] + tgt_ids]).repeat(n, 1)
            with gating_heads(gates):
                logits = self.forward(src_t, dec_in, causal=causal)
            gold = self._src_tensor([tgt_ids + [EOS_ID]]).repeat(n, 1)
            logp = torch.log_softmax(logits.double(), -1).gather(-1, gold[..., None])
            total = logp[..., 0].sum(-1).cpu().numpy()
            backend_used = self._active_backend()
        drop = {kind: np.zeros((self.n_layers(kind), H)) for kind in ATTENTION_KINDS}
        for row, (kind, layer, head) in enumerate(heads, 1):
            drop[kind][layer, head] = total[0] - total[row]
        return HeadImportance(target_text=tok.decode(tgt_ids), logprob=float(total[0]),
                              drop=drop, backend=backend_label(backend_used, self.device))

    def _trace(self, tok: Tokenizer, src: str, tgt: str | None, causal: bool,
               translation: str | None) -> Trace:
        src_ids, src_wids, src_words, src_text, notices = self._source_ids(src)
        from_model = tgt is None
        if tgt is None:
            tgt = translation
        if tgt is None:
            tgt = self._own_translations([src])[0]
        tgt = tgt.strip()
        tgt_ids, tgt_wids, tgt_words, tgt_cut = self._fit(
            *tok.encode_with_words(tgt, chinese=True))
        if tgt_cut:
            tgt = tok.decode(tgt_ids)
            notices.append(f"target truncated to {len(tgt_ids)} tokens")
        enc_in = src_ids + [EOS_ID]
        dec_in = [SOS_ID] + tgt_ids
        backend = self._active_backend()
        logits, maps, rec = self._traced_pass(enc_in, dec_in, causal)
        diff = None
        if backend != "reference":
            with using_backend("reference"):
                _, ref, _ = self._traced_pass(enc_in, dec_in, causal)
            diff = max(float(np.abs(maps[k] - ref[k]).max()) for k in maps)
        Lt = len(dec_in)
        mask = causal_mask(Lt, Lt).numpy() if causal else np.zeros((Lt, Lt), dtype=bool)
        return Trace(
            norm=self.cfg.norm, source_text=src_text, target_text=tgt,
            target_from_model=from_model,
            src_pieces=tok.pieces(src_ids) + ["<eos>"], src_word_ids=src_wids + [-1],
            src_words=src_words,
            dec_input=["<sos>"] + tok.pieces(tgt_ids), dec_output=tok.pieces(tgt_ids) + ["<eos>"],
            tgt_word_ids=tgt_wids + [-1], tgt_words=tgt_words,
            causal=causal, causal_mask=mask,
            encoder_self=maps["encoder_self"], decoder_self=maps["decoder_self"],
            cross=maps["cross"], queries=self._vectors(rec.queries),
            keys=self._vectors(rec.keys), predictions=[self._top(row) for row in logits],
            stats=rec.stats, backend=backend_label(backend, self.device),
            max_abs_diff_vs_reference=diff, notices=notices, truncated=bool(notices),
            unknown_source_words=tok.unknown_words(src_text),
            unknown_target_words=[] if from_model else tok.unknown_words(tgt, chinese=True),
            gold=find_gold(src, src_text),
        )
