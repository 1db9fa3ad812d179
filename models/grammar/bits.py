"""Aligned fragments: English tokens and the Chinese words linked to them.

A Chinese word holds a reference to the English token it translates, so a construction
can put the two sides in different orders without index arithmetic: links are resolved
by identity only when the sentence is finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(eq=False)
class Tok:
    """One English token (a word or a punctuation mark), compared by identity."""

    text: str


@dataclass
class Bit:
    """English tokens in English order, Chinese words (each linked to one token) in
    Chinese order."""

    en: list[Tok] = field(default_factory=list)
    zh: list[tuple[str, Tok]] = field(default_factory=list)

    def __add__(self, other: Bit) -> Bit:
        return Bit(self.en + other.en, self.zh + other.zh)

    @property
    def head(self) -> Tok:
        return self.en[-1]


def w(en: str, zh: str | Sequence[str] = "", head: int = -1) -> Bit:
    """English words (space-separated) and Chinese words all linked to English word `head`."""
    toks = [Tok(t) for t in en.split()]
    zh_words = zh.split() if isinstance(zh, str) else list(zh)
    return Bit(toks, [(z, toks[head]) for z in zh_words])


def linked(en: str, zh: str, links: str) -> Bit:
    """English words, Chinese words, and their links as "i-j" pairs (every j once)."""
    toks = [Tok(t) for t in en.split()]
    zh_words = zh.split()
    by_j = {int(j): int(i) for i, j in (link.split("-") for link in links.split())}
    return Bit(toks, [(z, toks[by_j[j]]) for j, z in enumerate(zh_words)])


def headed(en: str, zh: str, heads: str) -> Bit:
    """English words, Chinese words, and for each Chinese word in turn the index of the
    English word it links to ("0 1"), as the lexicon's time tables give them."""
    return linked(en, zh, " ".join(f"{h}-{j}" for j, h in enumerate(heads.split())))


def zh_on(tok: Tok, *words: str) -> Bit:
    """Chinese words without English tokens of their own, linked to an existing token."""
    return Bit([], [(z, tok) for z in words])


def en_only(text: str) -> Bit:
    return Bit([Tok(t) for t in text.split()], [])


def mark(text: str) -> Bit:
    """A sentence's final mark (. ? !) and its Chinese (。？！)."""
    return w(text, {".": "。", "?": "？", "!": "！"}[text])


def arrange(en_parts: list[Bit], zh_parts: list[Bit], final: str = "") -> Bit:
    """Concatenate the parts' English in one order and their Chinese in another, then
    the final mark, if any."""
    out = Bit()
    for b in en_parts:
        out.en += b.en
    for b in zh_parts:
        out.zh += b.zh
    return out + mark(final) if final else out


def concat(*parts: Bit) -> Bit:
    return arrange(list(parts), list(parts))
