"""What the model shows of itself for one (source, target) pair.

A `Trace` holds plain Python and numpy values only, so that figures, exports and
the app never touch torch. The model fills it (see `Seq2Seq.trace`); `attnviz`
reads it.

Axis conventions (the decoder's "shifted right" input, as in the original paper):
    src_pieces   the encoder's tokens, ending with "<eos>"            length Ls
    dec_input    "<sos>" followed by the target pieces                length Lt
    dec_output   the target pieces followed by "<eos>": what each     length Lt
                 decoder position is trained to predict
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Names of the three attention kinds, in the order the app shows them.
ATTENTION_KINDS = ("encoder_self", "decoder_self", "cross")


@dataclass
class TopToken:
    piece: str
    prob: float


@dataclass(frozen=True)
class GoldAlignment:
    """A corpus sentence pair and its gold word alignment (models/data's held-out splits)."""

    src: str
    tgt: str
    tgt_words: tuple[str, ...]
    alignment: tuple[tuple[int, int], ...]   # (english word, chinese word)


@dataclass
class Trace:
    norm: str                      # "post" or "pre"
    source_text: str               # the source after truncation, as encoded
    target_text: str               # the target, as encoded (user's or the model's own)
    target_from_model: bool        # True when the target is the model's greedy translation
    src_pieces: list[str]          # Ls pieces, "<eos>" last
    src_word_ids: list[int]        # for each source piece, the index of its word (-1 for specials)
    src_words: list[str]           # the source words (whitespace split)
    dec_input: list[str]           # Lt pieces: "<sos>" + target pieces
    dec_output: list[str]          # Lt pieces: target pieces + "<eos>"
    tgt_word_ids: list[int]        # word index of each dec_output piece (-1 for "<eos>")
    # The target words: Chinese segmented by longest match in the corpus's word list
    # (an unknown character is a word of its own), runs of other letters whole.
    tgt_words: list[str]
    causal: bool                   # whether the decoder self-attention was causally masked
    causal_mask: np.ndarray        # bool (Lt, Lt): True where a query may NOT see the key
    # Attention probabilities straight from the kernel, float32, (layers, heads, queries, keys).
    encoder_self: np.ndarray       # (Le, H, Ls, Ls)
    decoder_self: np.ndarray       # (Ld, H, Lt, Lt)
    cross: np.ndarray              # (Ld, H, Lt, Ls)
    # The per-head query and key vectors each attention call handed the kernel, float32,
    # by kind: queries[kind] (layers, H, queries, D), keys[kind] (layers, H, keys, D), so
    # queries[kind][layer] is (H, Lq, D). The score of cell (i, j) of head h is
    # queries[kind][layer, h, i] · keys[kind][layer, h, j] / sqrt(D), before masking.
    queries: dict[str, np.ndarray]
    keys: dict[str, np.ndarray]
    # Teacher-forced predictions: for each decoder position, the top candidates.
    predictions: list[list[TopToken]]
    # Per-layer activation statistics for the Post-LN / Pre-LN comparison. Keys are
    # "encoder" and "decoder"; each value is a dict of name -> list of floats, one per
    # sublayer in order (encoder: self, ffn per layer; decoder: self, cross, ffn per layer),
    # with a parallel list "sublayer" naming them ("L0 self", "L0 ffn", ...):
    #   residual_norm     mean L2 norm of the residual stream after the sublayer
    #   update_ratio      ||sublayer output|| / ||residual input||
    #   ln_input_mean     mean of the LayerNorm's input
    #   ln_input_std      std of the LayerNorm's input
    stats: dict[str, dict[str, list]]
    backend: str                   # which kernel computed the maps, in words
    max_abs_diff_vs_reference: float | None = None  # largest |kernel - reference| over all maps
    notices: list[str] = field(default_factory=list)  # e.g. "source truncated to 64 tokens"
    truncated: bool = False
    # Words the training corpus never contained: what the model makes of them is a guess.
    unknown_source_words: list[str] = field(default_factory=list)
    unknown_target_words: list[str] = field(default_factory=list)  # of a typed target only
    # The corpus pair whose source is this source (validation or test split), else None.
    gold: GoldAlignment | None = None
    # Heads switched off for this trace, as (kind, layer, head): their outputs were zeroed
    # before the output projection (their own maps are unchanged; everything after differs).
    ablated_heads: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def gold_applies(self) -> bool:
        """Whether `gold`'s alignment indexes this trace's words: the source is the
        corpus sentence and the target its corpus translation, word for word."""
        return (self.gold is not None and list(self.gold.tgt_words) == list(self.tgt_words)
                and self.gold.src.split() == list(self.src_words))

    def maps(self, kind: str) -> np.ndarray:
        """The (layers, heads, queries, keys) probabilities of one attention kind."""
        if kind not in ATTENTION_KINDS:
            raise ValueError(f"kind must be one of {ATTENTION_KINDS}, got {kind!r}")
        return getattr(self, kind)

    def axes(self, kind: str) -> tuple[list[str], list[str]]:
        """(query labels, key labels) of one attention kind."""
        if kind == "encoder_self":
            return self.src_pieces, self.src_pieces
        if kind == "decoder_self":
            return self.dec_input, self.dec_input
        if kind == "cross":
            return self.dec_input, self.src_pieces
        raise ValueError(f"kind must be one of {ATTENTION_KINDS}, got {kind!r}")


@dataclass
class DecodeStep:
    """One step of greedy decoding: the decoder was fed `dec_input` (<sos> + tokens so far)."""

    step: int
    dec_input: list[str]
    cross_row: np.ndarray          # (Ld, H, Ls): the last query's cross-attention
    candidates: list[TopToken]     # top next-token candidates
    chosen: str                    # the piece greedy decoding picked ("<eos>" ends)


@dataclass
class HeadImportance:
    """Michel et al. (2019): how much the target's log-probability drops when one head alone
    is switched off, for every head of every attention kind."""

    target_text: str               # the target scored (the user's, or the model's translation)
    logprob: float                 # log p(target pieces + <eos> | source), every head on
    drop: dict[str, np.ndarray]    # kind -> (layers, heads): logprob - logprob without that head
    backend: str                   # which attention computed it, in words
