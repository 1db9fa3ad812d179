"""The joint sentencepiece tokenizer: odd input, readable pieces, word bookkeeping."""

from __future__ import annotations

import pytest

from models.tokenizer import (
    CHECKPOINT_DIR,
    EOS_ID,
    MODEL_FILE,
    PAD_ID,
    SOS_ID,
    UNK_ID,
    Tokenizer,
)


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer(CHECKPOINT_DIR / MODEL_FILE)


ODD = [
    "I love you", "我爱你", "hello 😀 world 🇨🇳", "مرحبا بالعالم", "שלום עולם",
    "a\x00b\x07c\x1bd", "Ünïcödé ß ﬁ", "日本語のテキスト", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ZWJ 👩‍👩‍👧",
]


def test_specials(tok):
    assert PAD_ID == 0
    assert [tok.piece(i) for i in (PAD_ID, SOS_ID, EOS_ID, UNK_ID)] == [
        "<pad>", "<sos>", "<eos>", "<unk>"]
    assert 4000 <= tok.vocab_size <= 8000


@pytest.mark.parametrize("text", ODD)
def test_round_trip_without_unk(tok, text):
    ids = tok.encode(text)
    assert UNK_ID not in ids
    assert tok.decode(ids) == " ".join(text.split())
    pieces = tok.pieces(ids)
    assert len(pieces) == len(ids)
    # Byte pieces are shown as the character they spell, never as raw <0x..>.
    assert not any(p.startswith("<0x") for p in pieces)


def test_empty_and_whitespace(tok):
    assert tok.encode("") == []
    assert tok.decode([]) == ""
    assert tok.decode(tok.encode("   ")) == ""
    assert tok.decode([SOS_ID] + tok.encode("我爱你") + [EOS_ID, PAD_ID]) == "我爱你"


def test_corpus_words_are_whole_pieces(tok):
    ids, wids, words = tok.encode_with_words("他昨天吃了两个苹果。", chinese=True)
    assert words == ["他", "昨天", "吃", "了", "两", "个", "苹果", "。"]
    assert wids == list(range(8))
    # English words may take several pieces ("▁ap", "ple"); each piece names its word.
    ids, wids, words = tok.encode_with_words("I ate an apple yesterday")
    assert words == ["I", "ate", "an", "apple", "yesterday"]
    assert wids == sorted(wids) and sorted(set(wids)) == list(range(5))
    pieces = tok.pieces(ids)
    for k, word in enumerate(words):
        assert "".join(p for p, w in zip(pieces, wids, strict=True) if w == k).lstrip("▁") == word


@pytest.mark.parametrize("text", ODD + ["  spaced   out  ", "Tom's dog"])
def test_word_ids_cover_every_word(tok, text):
    ids, wids, words = tok.encode_with_words(text)
    assert len(ids) == len(wids)
    assert words == text.split()
    assert sorted(set(wids) - {-1}) == list(range(len(words)))
    assert wids == sorted(wids)  # pieces run through the words in order


def test_segment_unknown_characters(tok):
    assert tok.segment("我爱你😀ok") == ["我", "爱", "你", "😀ok"]
    assert tok.segment("龘") == ["龘"]


def test_unknown_words_are_named_once_in_order(tok):
    assert tok.unknown_words("I love you.") == []
    assert tok.unknown_words("Tom's cat doesn't like coffee!") == []
    assert tok.unknown_words("The xylophonist zorbled, zorbled the cat.") == [
        "xylophonist", "zorbled"]
    # Case and the punctuation around a word do not make it unknown.
    assert tok.unknown_words("APPLE? apple, (apple)") == []
    assert tok.unknown_words("我爱你。", chinese=True) == []
    assert tok.unknown_words("我爱龘龘你😀", chinese=True) == ["龘龘", "😀"]
    assert tok.unknown_words("我喜欢tea。", chinese=True) == ["tea"]
    # Neighbouring unknown words form one run, shown as typed (spaces kept).
    assert tok.unknown_words("Where is the bathroom?", chinese=True) == ["Where is the bathroom"]
    assert tok.unknown_words("我爱龘龘 zorblax你。", chinese=True) == ["龘龘 zorblax"]
    assert len(tok.en_words) >= 2000
