"""Open word lists: adjectives, names, manner adverbs, nationalities, languages, states.

The lists live in data/<name>.tsv (see tables.py).
"""

from .tables import table

# chinese is the bare adjective, without 很 or 的
ADJECTIVES = table("adjectives", ("english", "comparative", "chinese", "tags"))
NAMES = table("names", ("english", "chinese", "gender"))                  # gender: m or f
MANNER_ADVERBS = table("manner_adverbs", ("english", "chinese"))   # He runs quickly.
NATIONALITIES = table("nationalities", ("english", "chinese"))     # I am Chinese.
LANGUAGES = table("languages", ("english", "chinese"))             # I speak Chinese.
STATES = table("states", ("english", "chinese"))                   # I am hungry. (了)
