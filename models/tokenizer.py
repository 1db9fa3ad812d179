"""One joint sentencepiece vocabulary for English and Chinese, plus word bookkeeping.

Byte fallback means any string encodes without `<unk>`: characters outside the
vocabulary (emoji, other scripts, control characters) become their UTF-8 bytes.
Normalisation is "identity" so that decode(encode(text)) gives back the text (up to
runs of whitespace, which sentencepiece collapses).

The Chinese side is fed to the trainer with the corpus's word boundaries as a
pretokenization delimiter, so no piece spans two Chinese words; that keeps the
piece -> word map exact for alignment scoring.

    python -m models.tokenizer --data models/data --out models/checkpoints
"""

from __future__ import annotations

import argparse
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import sentencepiece as spm

from .corpus import DATA_DIR, Pair, read_split

PAD_ID, SOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
PAD, SOS, EOS, UNK = "<pad>", "<sos>", "<eos>", "<unk>"
SPECIAL_IDS = (PAD_ID, SOS_ID, EOS_ID, UNK_ID)
CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"
MODEL_FILE = "tokenizer.model"
LEXICON_FILE = "tokenizer.zh_words.txt"
# Every English word of the training corpus (as `word_key` writes it).
EN_WORDS_FILE = "tokenizer.en_words.txt"
VOCAB_SIZE = 6000
# Pieces are learned from this many pairs (the word list from all of them).
TRAIN_SAMPLE = 400_000
# Never appears in the corpus; only marks Chinese word boundaries for the trainer.
_DELIM = "\u241f"


_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) +"
                        r"(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def is_cjk(ch: str) -> bool:
    """Whether `ch` is a Chinese (CJK) character."""
    return "CJK" in unicodedata.name(ch, "") or "\u3400" <= ch <= "\u9fff"


# Marks that may stand around an English word as typed ("(apple)", "Tom!").
_EDGE_MARKS = ".,?!;:\"()[]"


def word_key(word: str) -> str:
    """An English word as the known-word list holds it: lower case, without the
    punctuation around it ("Apple." -> "apple", "don't" stays)."""
    return word.strip(_EDGE_MARKS + "'").lower()


def _is_punctuation(word: str) -> bool:
    return all(unicodedata.category(ch)[0] == "P" for ch in word)


def _strip_punctuation(word: str) -> str:
    """The word without punctuation at either end ("tea。" -> "tea")."""
    start, end = 0, len(word)
    while start < end and _is_punctuation(word[start]):
        start += 1
    while end > start and _is_punctuation(word[end - 1]):
        end -= 1
    return word[start:end]


class Tokenizer:
    """Wraps a sentencepiece model and the Chinese word list used for segmentation."""

    def __init__(self, model_path: str | Path, lexicon_path: str | Path | None = None) -> None:
        model_path = Path(model_path)
        self.sp = spm.SentencePieceProcessor(model_file=str(model_path))
        if lexicon_path is None:
            lexicon_path = model_path.with_name(LEXICON_FILE)
        lexicon_path = Path(lexicon_path)
        words = lexicon_path.read_text(encoding="utf-8").split() if lexicon_path.exists() else []
        self.zh_words = set(words)
        self.max_word_len = max((len(w) for w in words), default=1)
        self.model_path = model_path
        en_path = lexicon_path.with_name(EN_WORDS_FILE)
        # None: no list shipped with this tokenizer, so nothing can be called unknown.
        self.en_words = (set(en_path.read_text(encoding="utf-8").split())
                         if en_path.exists() else None)

    def unknown_words(self, text: str, chinese: bool = False) -> list[str]:
        """The words of `text` that the training corpus never contained, in order, once
        each: English by `word_key` (a possessive "'s" is looked up without it), Chinese
        by the segmenter's word list (neighbouring unknown words as one run, as typed)."""
        out: list[str] = []
        if chinese:
            # A run is shown as typed: text[start:end], spaces between Latin words kept.
            start, end, pos = -1, -1, 0
            for w in [*self.segment(text), ""]:
                core = _strip_punctuation(w)
                w_start = text.index(w, pos) if w else pos
                pos = w_start + len(w)
                if core and core not in self.zh_words:
                    c_start = w_start + w.index(core)
                    start = c_start if start < 0 else start
                    end = c_start + len(core)
                    continue
                if start >= 0 and text[start:end] not in out:
                    out.append(text[start:end])
                start = -1
            return out
        if self.en_words is None:
            return out
        for w in text.split():
            key = word_key(w)
            if not key or _is_punctuation(key) or key in self.en_words or \
                    key.removesuffix("'s") in self.en_words:
                continue
            shown = w.strip(_EDGE_MARKS)
            if shown not in out:
                out.append(shown)
        return out

    @property
    def vocab_size(self) -> int:
        return self.sp.get_piece_size()

    # ----------------------------------------------------------------- ids and text
    def encode(self, text: str) -> list[int]:
        """Piece ids of `text`, without <sos>/<eos>."""
        return list(self.sp.encode(text))

    def decode(self, ids: Iterable[int]) -> str:
        """Text of the ids; specials (<pad>, <sos>, <eos>, <unk>) are dropped, and so is a
        space between two Chinese characters (a word-initial piece mid-sentence)."""
        text = self.sp.decode([int(i) for i in ids if int(i) not in SPECIAL_IDS])
        return _CJK_SPACE.sub("", text)

    def piece(self, i: int) -> str:
        return self.sp.id_to_piece(int(i))

    def pieces(self, ids: Iterable[int]) -> list[str]:
        """Readable labels, one per id. "▁" (word start) is kept; runs of byte pieces that
        spell one UTF-8 character show that character with their place, e.g. "😀[2/4]";
        control characters show as their code point, e.g. "U+0007"."""
        ids = [int(i) for i in ids]
        labels = [self.piece(i) for i in ids]
        k = 0
        while k < len(ids):
            if not self.sp.is_byte(ids[k]):
                k += 1
                continue
            run_end = k
            while run_end < len(ids) and self.sp.is_byte(ids[run_end]):
                run_end += 1
            raw = bytes(int(labels[j][3:5], 16) for j in range(k, run_end))
            j = k
            while j < run_end:
                n = _utf8_len(raw[j - k])
                chunk = raw[j - k:j - k + n]
                try:
                    ch = chunk.decode("utf-8") if len(chunk) == n else None
                except UnicodeDecodeError:
                    ch = None
                if ch is None:
                    j += 1  # a stray byte keeps its <0x..> label
                    continue
                shown = f"U+{ord(ch):04X}" if unicodedata.category(ch)[0] == "C" else ch
                for m in range(n):
                    labels[j + m] = shown if n == 1 else f"{shown}[{m + 1}/{n}]"
                j += n
            k = run_end
        return labels

    # ----------------------------------------------------------------- words
    def segment(self, text: str) -> list[str]:
        """Target words: Chinese by longest match in the corpus's word list (unknown
        characters one each), other runs of non-space characters whole."""
        words: list[str] = []
        for chunk in text.split():
            k = 0
            while k < len(chunk):
                if is_cjk(chunk[k]):
                    n = 1
                    for size in range(min(self.max_word_len, len(chunk) - k), 1, -1):
                        if chunk[k:k + size] in self.zh_words:
                            n = size
                            break
                    words.append(chunk[k:k + n])
                    k += n
                else:
                    end = k
                    while end < len(chunk) and not is_cjk(chunk[end]):
                        end += 1
                    words.append(chunk[k:end])
                    k = end
        return words

    def encode_with_words(self, text: str, chinese: bool = False,
                          words: list[str] | None = None
                          ) -> tuple[list[int], list[int], list[str]]:
        """(ids, word index of each piece, words). Source words are whitespace-separated;
        with chinese=True words come from `segment`; `words` (which must spell the text in
        order, e.g. a corpus's gold segmentation) overrides both. A piece belongs to the
        word of its first non-space character (a bare "▁" to the word it introduces)."""
        if words is None:
            words = self.segment(text) if chinese else text.split()
        # Character -> word index, following the words through the text in order.
        char_word = [-1] * len(text)
        pos = 0
        for w_idx, w in enumerate(words):
            start = text.index(w, pos)
            for c in range(start, start + len(w)):
                char_word[c] = w_idx
            pos = start + len(w)
        # sentencepiece reports byte offsets; map each byte to its character.
        byte_to_char: list[int] = []
        for c_idx, ch in enumerate(text):
            byte_to_char.extend([c_idx] * len(ch.encode("utf-8")))
        byte_to_char.append(len(text))
        proto = self.sp.encode(text, return_type="proto")
        ids, wids = [], []
        for p in proto.pieces:
            ids.append(p.id)
            c0 = byte_to_char[p.begin]
            # Partial byte pieces have an empty span: look from their start onwards.
            c1 = len(text) if p.begin == p.end else byte_to_char[p.end]
            if c1 <= c0:
                c1 = len(text)
            wid = -1
            for c in range(c0, c1):
                if char_word[c] >= 0:
                    wid = char_word[c]
                    break
            if wid < 0 and p.surface.strip() == "":
                # A bare "▁" belongs to the word it introduces.
                for c in range(c1, len(text)):
                    if char_word[c] >= 0:
                        wid = char_word[c]
                        break
            wids.append(wid)
        return ids, wids, words


def _utf8_len(first: int) -> int:
    if first < 0x80:
        return 1
    if first >> 5 == 0b110:
        return 2
    if first >> 4 == 0b1110:
        return 3
    if first >> 3 == 0b11110:
        return 4
    return 1


def _training_sentences(pairs: list[Pair]) -> Iterator[str]:
    for p in pairs:
        yield p.src
        yield _DELIM.join(p.tgt_words)


def train_tokenizer(pairs: list[Pair], out_dir: str | Path = CHECKPOINT_DIR,
                    vocab_size: int = VOCAB_SIZE, sample: int = TRAIN_SAMPLE) -> Tokenizer:
    """Train on both sides of the first `sample` pairs in memory; write the model and the
    Chinese word list of all pairs."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=_training_sentences(pairs[:sample]), model_writer=buf,
        vocab_size=vocab_size, model_type="bpe", byte_fallback=True,
        character_coverage=1.0, normalization_rule_name="identity",
        pad_id=PAD_ID, bos_id=SOS_ID, eos_id=EOS_ID, unk_id=UNK_ID,
        pad_piece=PAD, bos_piece=SOS, eos_piece=EOS, unk_piece=UNK,
        pretokenization_delimiter=_DELIM, hard_vocab_limit=False,
        input_sentence_size=0, shuffle_input_sentence=False, num_threads=1,
        minloglevel=2,
    )
    (out_dir / MODEL_FILE).write_bytes(buf.getvalue())
    lexicon = sorted({w for p in pairs for w in p.tgt_words if any(is_cjk(c) for c in w)})
    (out_dir / LEXICON_FILE).write_text("\n".join(lexicon) + "\n", encoding="utf-8")
    en_words = sorted({word_key(w) for p in pairs for w in p.src.split()} - {""})
    (out_dir / EN_WORDS_FILE).write_text("\n".join(en_words) + "\n", encoding="utf-8")
    return Tokenizer(out_dir / MODEL_FILE, out_dir / LEXICON_FILE)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Train the joint sentencepiece tokenizer.")
    ap.add_argument("--data", default=str(DATA_DIR))
    ap.add_argument("--out", default=str(CHECKPOINT_DIR))
    ap.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    args = ap.parse_args(argv)
    tok = train_tokenizer(read_split("train", args.data), args.out, args.vocab_size)
    print(f"wrote {tok.model_path} ({tok.vocab_size} pieces)")


if __name__ == "__main__":
    main()
