"""Beginner English nouns with Chinese words, measure words and tags (CEFR A1-A2, HSK 1-3).

The lists live in data/nouns.tsv, data/mass_nouns.tsv and data/places.tsv (see tables.py).
"""

from .tables import table

NOUNS = table("nouns", ("singular", "plural", "chinese", "measure_word", "tags"))
# Uncountable: used without a/an and without plural.
MASS_NOUNS = table("mass_nouns", ("english", "chinese", "tags"))
# article: "the" or "" (none); preposition: for "be at/in/on it".
PLACES = table("places", ("english", "chinese", "preposition", "article"))
