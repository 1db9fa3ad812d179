"""A grammar of beginner English (about CEFR A1-A2) with its Chinese (about HSK 1-3).

`generate` builds one sentence pair and its gold word alignment from a random stream;
see models/README.md for the constructions it covers, with an example of each. Each
module's constructions come with weights: the share of the corpus each one makes.
"""

from __future__ import annotations

import random

from .bits import Bit
from .clauses import CLAUSE_CONSTRUCTIONS
from .conversation import CONVERSATION_CONSTRUCTIONS
from .everyday import EVERYDAY_CONSTRUCTIONS
from .quantities import QUANTITY_CONSTRUCTIONS
from .surface import normalise, realise

__all__ = ["CONSTRUCTIONS", "generate", "normalise", "sentence"]

CONSTRUCTIONS = (CLAUSE_CONSTRUCTIONS + QUANTITY_CONSTRUCTIONS + EVERYDAY_CONSTRUCTIONS
                 + CONVERSATION_CONSTRUCTIONS)


def sentence(rng: random.Random) -> Bit:
    """One construction, drawn by weight, and the sentence it builds."""
    fns = [f for f, _ in CONSTRUCTIONS]
    weights = [k for _, k in CONSTRUCTIONS]
    return rng.choices(fns, weights)[0](rng)


def generate(rng: random.Random) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """(English words as typed, Chinese words, links (english index, chinese index))."""
    return realise(sentence(rng), rng)
