"""The time-and-number constructions: valid pairs, determinism, and hand-checked examples."""

from __future__ import annotations

import random

import pytest

from models.corpus import Pair, check_pair
from models.grammar import quantities as q
from models.grammar.bits import Bit
from models.grammar.surface import realise

FUNCTIONS = [f for f, _ in q.QUANTITY_CONSTRUCTIONS]


def _pair(bit: Bit, rng: random.Random) -> Pair:
    return Pair.from_words(*realise(bit, rng))


def _plain(bit: Bit) -> tuple[str, str]:
    """Canonical tokens and the Chinese, without surface variation."""
    return " ".join(t.text for t in bit.en), "".join(z for z, _ in bit.zh)


def _samples(fn, seed: str, n: int = 300) -> list[Pair]:
    rng = random.Random(seed)
    return [_pair(fn(rng), rng) for _ in range(n)]


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_pairs_are_valid_varied_and_deterministic(fn):
    pairs = _samples(fn, fn.__name__)
    for p in pairs:
        check_pair(p)
        assert p.src and p.tgt[-1] in "。？！"
    assert len({p.src for p in pairs}) > 60
    again = _samples(fn, fn.__name__)
    assert [p.to_line() for p in pairs] == [p.to_line() for p in again]


def test_weights():
    assert 10 <= sum(k for _, k in q.QUANTITY_CONSTRUCTIONS) <= 14


def test_ordinals():
    assert q.ordinal_en(1) == "first" and q.ordinal_en(1, True) == "1st"
    assert q.ordinal_en(22) == "twenty-second" and q.ordinal_en(22, True) == "22nd"
    assert q.ordinal_en(30) == "thirtieth" and q.ordinal_en(12, True) == "12th"
    assert q.ordinal_en(31, True) == "31st" and q.ordinal_en(13, True) == "13th"


def test_sums():
    rng = random.Random(0)
    assert _plain(q.sums(rng, 2, "plus", 3, False))[1] == "二加三等于五。"
    en, zh = _plain(q.sums(rng, 10, "minus", 4, True))
    assert (en, zh) == ("what is ten minus four ?", "十减四等于多少？")
    assert _plain(q.sums(rng, 3, "times", 4, False))[1] == "三乘以四等于十二。"
    assert _plain(q.sums(rng, 12, "divided by", 3, False))[1] == "十二除以三等于四。"


def test_dates_and_clocks():
    rng = random.Random(0)
    assert _plain(q.date(rng, 6, 1, "of")) == ("the first of June", "六月一号")
    assert _plain(q.date(rng, 6, 1, "digits")) == ("June 1st", "六月一号")
    assert _plain(q.clock(rng, 6, "half")) == ("half past six", "六点半")
    assert _plain(q.clock(rng, 2, "oclock")) == ("two o'clock", "两点")
    assert _plain(q.clock(rng, 7, "quarter")) == ("a quarter past seven", "七点一刻")


def _all_plain(fn, n: int = 6000) -> set[tuple[str, str]]:
    rng = random.Random(fn.__name__ + "/plain")
    return {_plain(fn(rng)) for _ in range(n)}


@pytest.mark.parametrize("fn,en,zh", [
    (q.duration_done, "we played football for two hours .", "我们踢了两个小时足球。"),
    (q.how_long, "how long did you play basketball ?", "你打了多长时间篮球？"),
    (q.takes_time, "it takes twenty minutes by bike .", "骑自行车要二十分钟。"),
    (q.in_and_ago, "the train leaves in five minutes .", "火车五分钟后出发。"),
    (q.times_per, "she brushes her teeth twice a day .", "她一天刷两次牙。"),
    (q.dates, "what is the date today ?", "今天几号？"),
    (q.dates, "when is your birthday ?", "你的生日是几月几号？"),
])
def test_hand_written_examples(fn, en, zh):
    assert (en, zh) in _all_plain(fn)


def test_from_to():
    pairs = _all_plain(q.clock_times)
    assert any(en.endswith("work from nine to five .") and zh.endswith("从九点到五点工作。")
               for en, zh in pairs)
    assert any(en.endswith("from monday to friday .".replace("monday", "Monday")
                           .replace("friday", "Friday")) and "从星期一到星期五" in zh
               for en, zh in pairs)


def test_some_known_chinese_forms():
    zh = {z for fn in (q.duration_habit, q.times_per, q.clock_times, q.in_and_ago)
          for _, z in _all_plain(fn)}
    assert any(z.endswith("每天学习两个小时。") for z in zh)
    assert any(z.endswith("一个星期去游泳三次。") for z in zh)
    assert any("六点前到家" in z for z in zh)
    assert any(z.endswith("十分钟后回来。") for z in zh)
