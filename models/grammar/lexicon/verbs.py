"""Verb lexicon for the English -> Chinese sentence generator (CEFR A1-A2, HSK 1-3).

The lists live in data/transitive.tsv, stative.tsv, intransitive.tsv and fixed.tsv (see
tables.py): base, 3rd person singular, past, -ing, past participle, the Chinese, then the
object tags (transitive, stative: "|"-joined, or "any") or the links "i-j" from English word
i of the verb to Chinese word j (intransitive, fixed: Chinese words space-separated).
"""

from .tables import table

_FORMS = ("base", "s3", "past", "ing", "pp", "chinese")
TRANSITIVE = table("transitive", (*_FORMS, "objects"))
STATIVE = table("stative", (*_FORMS, "objects"))            # no progressive
INTRANSITIVE = table("intransitive", (*_FORMS, "links"))
FIXED = table("fixed", (*_FORMS, "links"))                  # the object is in every form

# The generator assumes every form has as many words as the base, the verb word first.
assert all(
    len({len(form.split()) for form in row[:5]}) == 1
    for rows in (TRANSITIVE, STATIVE, INTRANSITIVE, FIXED)
    for row in rows
), "every English form of a verb must have the same number of words"
