"""Noun phrases, people, times and places, each with its Chinese and its links."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .bits import Bit, Tok, headed, linked, w
from .lexicon import Adjective, Noun, lexicon
from .lexicon.closed import (
    FUTURE_TIMES,
    HABIT_TIMES,
    LOCATIVES,
    MONTHS,
    NOW_TIMES,
    PAST_TIMES,
    PRONOUNS,
    TODAY,
    number_en,
    number_zh,
)


@dataclass
class Subject:
    bit: Bit
    person: str        # "1s", "2", "3s" or "p": for agreement
    zh: str            # the Chinese of a pronoun subject, "" otherwise
    animate: bool = True


def article(next_word: str) -> str:
    return "an" if next_word[:1].lower() in "aeiou" else "a"


def number(rng: random.Random, lo: int = 2, hi: int = 10) -> tuple[str, int]:
    """A count as English words (or, now and then, digits) and its value."""
    n = rng.randint(lo, hi) if rng.random() < 0.85 else rng.randint(lo, 30)
    return (str(n) if rng.random() < 0.2 else number_en(n)), n


def _with_adjective(rng: random.Random, noun: Noun, head: Bit, adj_p: float
                    ) -> tuple[list[Tok], list[tuple[str, Tok]]]:
    """English [adj] noun, Chinese [adj(的)] noun."""
    adjs = lexicon().adjectives_for(noun)
    if not adjs or rng.random() >= adj_p:
        return head.en, head.zh
    a: Adjective = rng.choice(adjs)
    tok = Tok(a.en)
    # One-character adjectives join the noun (大苹果); longer ones take 的 (漂亮的花).
    zh = [(a.zh, tok)] + ([] if len(a.zh) == 1 else [("的", tok)])
    return [tok] + head.en, zh + head.zh


def noun_phrase(rng: random.Random, noun: Noun, kind: str | None = None, adj_p: float = 0.3
                ) -> tuple[Bit, bool]:
    """A determiner, maybe an adjective, the noun. Returns the phrase and whether it is
    plural. `kind` picks the determiner (random when None)."""
    if kind is None:
        kinds = (["the", "the", "some", "my", "bare", "a_lot"] if noun.mass else
                 ["a", "a", "num", "this", "that", "these", "the", "the_pl", "my", "name",
                  "some", "bare", "a_lot"])
        kind = rng.choice(kinds)
    plural = kind in ("num", "these", "those", "the_pl", "some", "bare", "a_lot") and \
        not noun.mass
    head = w(noun.pl if plural else noun.sg, noun.zh)
    en, zh = _with_adjective(rng, noun, head, adj_p)
    if kind == "a":
        det = Tok(article(en[0].text))
        return Bit([det] + en, [("一", det), (noun.mw, det)] + zh), False
    if kind == "num":
        text, n = number(rng)
        det = Tok(text)
        return Bit([det] + en, [(number_zh(n, True), det), (noun.mw, det)] + zh), True
    if kind in ("this", "that") and not noun.mass:
        det = Tok(kind)
        return Bit([det] + en, [("这" if kind == "this" else "那", det), (noun.mw, det)] + zh), \
            False
    if kind in ("these", "those"):
        det = Tok(kind)
        return Bit([det] + en, [("这些" if kind == "these" else "那些", det)] + zh), True
    if kind in ("the", "the_pl", "this", "that"):
        return Bit([Tok("the")] + en, zh), plural
    if kind == "my":
        _, _, poss, pzh, _ = rng.choice(PRONOUNS)
        det = Tok(poss)
        return Bit([det] + en, [(pzh, det), ("的", det)] + zh), plural
    if kind == "name":
        name, nzh, _ = rng.choice(lexicon().names)
        det = Tok(name + "'s")
        return Bit([det] + en, [(nzh, det), ("的", det)] + zh), plural
    if kind == "some":
        det = Tok("some")
        return Bit([det] + en, [("一些", det)] + zh), plural
    if kind == "a_lot":
        toks = [Tok("a"), Tok("lot"), Tok("of")]
        return Bit(toks + en, [("很多", toks[1])] + zh), plural
    return Bit(en, zh), plural  # "bare": a generic plural or a mass noun


def person(rng: random.Random, exclude: str = "", pronoun_p: float = 0.3,
           object_case: bool = True) -> tuple[Bit, str, str]:
    """A person: (phrase, person key, pronoun Chinese or "")."""
    r = rng.random()
    if r < pronoun_p:
        choices = [p for p in PRONOUNS if p[3] != exclude]
        subj, obj, _, zh, key = rng.choice(choices)
        return w(obj if object_case else subj, zh), key, zh
    lex = lexicon()
    if r < pronoun_p + 0.3:
        name, zh, _ = rng.choice(lex.names)
        return w(name, zh), "3s", ""
    noun = rng.choice(lex.person_nouns)
    r2 = rng.random()
    if r2 < 0.45:
        _, _, poss, pzh, _ = rng.choice(PRONOUNS)
        det = Tok(poss)
        head = w(noun.sg, noun.zh)
        # Family and friends take no 的 after a pronoun (我妈妈); others do (我的老师).
        de = [] if "family" in noun.tags and rng.random() < 0.7 else [("的", det)]
        return Bit([det] + head.en, [(pzh, det)] + de + head.zh), "3s", ""
    if r2 < 0.55:
        name, nzh, _ = rng.choice(lex.names)
        det = Tok(name + "'s")
        head = w(noun.sg, noun.zh)
        return Bit([det] + head.en, [(nzh, det), ("的", det)] + head.zh), "3s", ""
    if r2 < 0.68:
        head = w(noun.pl, noun.zh)
        # 们 marks a plural of people (孩子们), often but not always.
        men = [("们", head.head)] if rng.random() < 0.5 else []
        return Bit([Tok("the")] + head.en, head.zh + men), "p", ""
    if r2 < 0.8:
        bit, plural = noun_phrase(rng, noun, rng.choice(["a", "this", "that"]), adj_p=0.25)
        return bit, "3s", ""
    return _the(noun), "3s", ""


def _the(noun: Noun) -> Bit:
    head = w(noun.sg, noun.zh)
    return Bit([Tok("the")] + head.en, head.zh)


def subject(rng: random.Random, pronoun_p: float = 0.5) -> Subject:
    """Who does something; sometimes two people joined by "and"."""
    if rng.random() < 0.06:
        a, _, _ = person(rng, pronoun_p=0.0, object_case=False)
        b, _, _ = person(rng, pronoun_p=0.0, object_case=False)
        and_ = Tok("and")
        return Subject(Bit(a.en + [and_] + b.en, a.zh + [("和", and_)] + b.zh), "p", "")
    bit, key, zh = person(rng, pronoun_p=pronoun_p, object_case=False)
    return Subject(bit, key, zh)


def animal_subject(rng: random.Random) -> Subject:
    noun = rng.choice(lexicon().by_tag["animal"])
    bit, plural = noun_phrase(rng, noun, rng.choice(["the", "the", "my", "the_pl", "name"]),
                              adj_p=0.2)
    return Subject(bit, "p" if plural else "3s", "", animate=False)


def time_phrase(rng: random.Random, pool: str) -> Bit:
    rows = {"past": PAST_TIMES, "future": FUTURE_TIMES, "habit": HABIT_TIMES, "now": NOW_TIMES,
            "today": TODAY}[pool]
    if pool in ("past", "future", "habit") and rng.random() < 0.12:
        month, month_zh = rng.choice(MONTHS)
        return linked(f"in {month}", month_zh, "1-0")     # "in May" -> 五月
    en, zh, heads = rng.choice(rows)
    return headed(en, zh, heads)


def place(rng: random.Random) -> tuple[Bit, Bit]:
    """("in the park", 在公园): the preposition's token carries 在; also returns the place
    noun alone (for "go to the park" -> 去公园)."""
    p = rng.choice(lexicon().places)
    prep = Tok(p.prep)
    noun = w((p.article + " " + p.en).strip(), p.zh)
    return Bit([prep] + noun.en, [("在", prep)] + noun.zh), noun


def place_noun(rng: random.Random) -> Bit:
    p = rng.choice(lexicon().places)
    return w((p.article + " " + p.en).strip(), p.zh)


def location(rng: random.Random, ground_tags: tuple[str, ...] = ("furniture", "building",
                                                                   "vehicle", "kitchen")
             ) -> tuple[Bit, str]:
    """"on the table" -> 桌子上 (no 在: callers add it). Returns the phrase and the
    preposition."""
    lex = lexicon()
    grounds = [n for t in ground_tags for n in lex.by_tag.get(t, []) if not n.mass]
    noun = rng.choice(grounds)
    prep_en, post = rng.choice(LOCATIVES)
    prep = [Tok(x) for x in prep_en.split()]
    kind = rng.choice(["the", "the", "the", "my", "this"])
    ground, _ = noun_phrase(rng, noun, kind, adj_p=0.1)
    return Bit(prep + ground.en, ground.zh + [(post, prep[-1 if len(prep) < 3 else 1])]), \
        prep_en

