"""A grammar of beginner English (about CEFR A1-A2) with its Chinese (about HSK 1-3).

`generate` builds one sentence pair and its gold word alignment from a random stream;
see models/README.md for the constructions it covers, with an example of each.
"""

from __future__ import annotations

import random

from .clauses import CONSTRUCTIONS, sentence
from .surface import normalise, realise

__all__ = ["CONSTRUCTIONS", "generate", "normalise"]


def generate(rng: random.Random) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """(English words as typed, Chinese words, links (english index, chinese index))."""
    return realise(sentence(rng), rng)
