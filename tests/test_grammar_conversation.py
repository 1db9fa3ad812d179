"""The conversation constructions: valid pairs, determinism, and a few exact examples."""

from __future__ import annotations

import random

import pytest

from models.corpus import Pair, check_pair
from models.grammar import conversation as C
from models.grammar.bits import Bit
from models.grammar.surface import realise

FUNCS = [fn for fn, _ in C.CONVERSATION_CONSTRUCTIONS]


def _pair(bit: Bit, rng: random.Random) -> Pair:
    """As models.corpus.generate_pair builds a pair from a construction."""
    return Pair.from_words(*realise(bit, rng))


def _canonical(bit: Bit) -> tuple[str, str]:
    return " ".join(t.text for t in bit.en), "".join(z for z, _ in bit.zh)


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_pairs_are_valid(fn):
    rng = random.Random(f"conversation/{fn.__name__}")
    srcs = set()
    for _ in range(300):
        bit = fn(rng)
        assert bit.en[-1].text in {".", "?", "!"}
        p = _pair(bit, rng)
        check_pair(p)
        assert p.tgt[-1] in "。？！"
        assert 1 <= len(p.src.split()) <= 20
        srcs.add(p.src)
    assert len(srcs) > 100


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_deterministic(fn):
    a = [_pair(fn(r), r).to_line() for r in [random.Random(5)] for _ in range(50)]
    b = [_pair(fn(r), r).to_line() for r in [random.Random(5)] for _ in range(50)]
    assert a == b


def test_weights():
    total = sum(k for _, k in C.CONVERSATION_CONSTRUCTIONS)
    assert 11 <= total <= 13


def _find(fn, en: str, tries: int = 20000) -> str:
    rng = random.Random(0)
    for _ in range(tries):
        e, z = _canonical(fn(rng))
        if e == en:
            return z
    raise AssertionError(f"{fn.__name__} never made {en!r}")


@pytest.mark.parametrize("fn, en, zh", [
    (C.past_be, "it was sunny yesterday .", "昨天是晴天。"),
    (C.past_be, "were you tired ?", "你累了吗？"),
    (C.object_pronoun, "wait for me !", "等等我！"),
    (C.object_pronoun, "listen to me .", "听我说。"),
    (C.think_hope, "i hope you like it .", "我希望你喜欢。"),
    (C.think_hope, "i think it is going to rain .", "我觉得要下雨了。"),
    (C.how_go, "how did you get here ?", "你是怎么来的？"),
    (C.family, "there are four people in my family .", "我家有四口人。"),
    (C.time_to, "it is time for bed .", "该睡觉了。"),
    (C.time_to, "it is time to go .", "该走了。"),
    (C.whose, "whose is this ?", "这是谁的？"),
    (C.would_like, "what would you like to drink ?", "你想喝什么？"),
    (C.introduce, "these are my parents .", "这是我的父母。"),
])
def test_examples(fn, en, zh):
    assert _find(fn, en) in (zh, zh.replace("我的父母", "我父母"), zh.replace("这是", "这些是"))


def test_realised_example():
    from models.grammar.bits import Tok, arrange, zh_on

    # realise contracts and capitalises; the links survive
    i, hope = Tok("i"), Tok("hope")
    bit = arrange([Bit([i, hope], [])], [zh_on(i, "我"), zh_on(hope, "希望")], ".")
    p = _pair(bit, random.Random(1))
    check_pair(p)
    assert p.tgt == "我希望。"
