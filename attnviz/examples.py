"""Example sentences one click away: a handful across the grammar's constructions, and a
random sentence from the corpus's test split (never seen in training)."""

from __future__ import annotations

import random
from functools import lru_cache

from models.corpus import read_split

EXAMPLES = [
    "I love you.",
    "She bought three red apples at the market yesterday.",
    "Where is my phone?",
    "There is a cat under the table.",
    "My brother is taller than me.",
    "Don't eat my cake!",
    "What do you want to eat tonight?",
    "It's very cold today.",
    "Can you help me?",
    "We're going to visit our grandmother next week.",
    "I brush my teeth twice a day.",
    "It takes twenty minutes by bike.",
    "Put your bag under the chair.",
    "My mom bought me a new bag.",
    "I think it's going to rain.",
]


@lru_cache(maxsize=1)
def _test_sources() -> tuple[str, ...]:
    return tuple(p.src for p in read_split("test"))


def random_test_sentence(rng: random.Random | None = None) -> str:
    """A source sentence from the test split."""
    return (rng or random).choice(_test_sources())
