"""The everyday constructions: every sentence keeps the corpus invariants."""

from __future__ import annotations

import random

import pytest

from models.corpus import Pair, check_pair
from models.grammar import everyday
from models.grammar.bits import linked
from models.grammar.surface import realise

FUNCTIONS = [fn for fn, _ in everyday.EVERYDAY_CONSTRUCTIONS]


def _pair(bit, rng: random.Random) -> Pair:
    return Pair.from_words(*realise(bit, rng))


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_construction_pairs_are_valid(fn):
    rng = random.Random(f"everyday/{fn.__name__}")
    seen = set()
    for _ in range(300):
        p = _pair(fn(rng), rng)
        check_pair(p)
        assert p.src.split() and p.tgt[-1] in "。？！"
        seen.add(p.src)
    assert len(seen) > (10 if fn is everyday.everyday_phrase else 30)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_construction_is_deterministic(fn):
    def run():
        rng = random.Random(7)
        return [_pair(fn(rng), rng) for _ in range(50)]
    assert run() == run()


def test_weights():
    total = sum(k for _, k in everyday.EVERYDAY_CONSTRUCTIONS)
    assert 12 <= total <= 16
    assert dict((f.__name__, k) for f, k in everyday.EVERYDAY_CONSTRUCTIONS)[
        "everyday_phrase"] <= 2


def test_phrases_links_cover_each_chinese_word_once():
    assert len(everyday.EVERYDAY_PHRASES) >= 50
    for en, zh, links in everyday.EVERYDAY_PHRASES:
        n_en, n_zh = len(en.split()), len(zh.split())
        pairs = [tuple(map(int, x.split("-"))) for x in links.split()]
        assert sorted(j for _, j in pairs) == list(range(n_zh)), en
        assert all(0 <= i < n_en for i, _ in pairs), en
        assert en.split()[-1] in ".?!" and zh.split()[-1] in "。？！", en
        linked(en, zh, links)


def test_phrases_are_new():
    from models.grammar.lexicon.closed import SET_PHRASES
    assert not {e for e, _, _ in everyday.EVERYDAY_PHRASES} & {e for e, _, _ in SET_PHRASES}


def _words(bit):
    return " ".join(t.text for t in bit.en), " ".join(z for z, _ in bit.zh)


def test_template_links():
    bit = everyday.tpl("turn left at $P", "在@at $P 那里@at 左转@left", ".",
                       P=everyday.tpl("the bank", "银行@bank"))
    assert _words(bit) == ("turn left at the bank .", "在 银行 那里 左转 。")
    assert [t.text for _, t in bit.zh] == ["at", "bank", "at", "left", "."]


def test_examples():
    """A few exact sentences from each family (searched for in a seeded stream)."""
    wanted = {
        everyday.directions: ("how do i get to the station ?", "去 车站 怎么 走 ？"),
        everyday.health: ("my stomach hurts .", "我 肚子 疼 。"),
        everyday.which_or: ("which is cheaper , tea or coffee ?",
                            "茶 和 咖啡 ， 哪个 更 便宜 ？"),
        everyday.late_for: ("do not be late for school !", "上学 别 迟到 ！"),
        everyday.requests: ("may i come in ?", "我 可以 进来 吗 ？"),
    }
    for fn, target in wanted.items():
        rng = random.Random(1)
        found = {_words(fn(rng)) for _ in range(3000)}
        assert target in found, fn.__name__
