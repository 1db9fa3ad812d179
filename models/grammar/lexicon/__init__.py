"""The lexicon, indexed for the grammar: nouns and adjectives by tag, verbs by kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .closed import PRONOUNS
from .nouns import MASS_NOUNS, NOUNS, PLACES
from .verbs import FIXED, INTRANSITIVE, STATIVE, TRANSITIVE
from .words import ADJECTIVES, LANGUAGES, MANNER_ADVERBS, NAMES, NATIONALITIES, STATES

__all__ = ["lexicon", "Lexicon", "Noun", "Verb", "Adjective", "Place", "PRONOUNS"]

# Object tags "any" stands for: what one likes, wants or hates.
ANY_TAGS = frozenset({"food", "fruit", "vegetable", "drink", "animal", "pet", "thing",
                      "clothes", "electronic", "toy", "music", "sport", "vehicle", "read"})


# Nouns whose colour one can name ("a red car", "The apple is green.").
COLOURED = frozenset({"thing", "clothes", "vehicle", "fruit", "animal", "plant", "furniture",
                      "toy", "electronic", "building", "read"})


@dataclass(frozen=True)
class Noun:
    sg: str
    pl: str            # == sg for mass nouns
    zh: str
    mw: str            # measure word, "" for mass nouns
    tags: frozenset[str]

    @property
    def mass(self) -> bool:
        return not self.mw


@dataclass(frozen=True)
class Adjective:
    en: str
    comparative: str
    zh: str
    tags: frozenset[str]


@dataclass(frozen=True)
class Place:
    en: str
    zh: str
    prep: str
    article: str


@dataclass(frozen=True)
class Verb:
    base: str
    s3: str
    past: str
    ing: str
    pp: str
    zh: tuple[str, ...]        # Chinese words; the first is the verb proper
    links: tuple[int, ...]     # English word (of any form) each Chinese word links to
    kind: str                  # "transitive", "stative", "intransitive", "fixed", "motion"
    tags: frozenset[str] = frozenset()

    def form(self, name: str) -> str:
        return getattr(self, name)


def _verb(row: tuple, kind: str) -> Verb:
    base, s3, past, ing, pp, zh, rest = row
    if kind in ("transitive", "stative"):
        tags = frozenset(ANY_TAGS if rest == "any" else rest.split("|"))
        return Verb(base, s3, past, ing, pp, (zh,), (0,), kind, tags)
    zh_words = tuple(zh.split())
    by_j = {int(j): int(i) for i, j in (link.split("-") for link in rest.split())}
    return Verb(base, s3, past, ing, pp, zh_words, tuple(by_j[j] for j in range(len(zh_words))),
                kind)


class Lexicon:
    def __init__(self) -> None:
        self.nouns = [Noun(sg, pl, zh, mw, frozenset(t.split("|")))
                      for sg, pl, zh, mw, t in NOUNS]
        # Languages are proper nouns in English ("English", "Chinese").
        self.nouns += [Noun(en.capitalize() if "language" in t else en,
                            en.capitalize() if "language" in t else en, zh, "",
                            frozenset(t.split("|"))) for en, zh, t in MASS_NOUNS]
        self.by_tag: dict[str, list[Noun]] = {}
        for n in self.nouns:
            for t in n.tags:
                self.by_tag.setdefault(t, []).append(n)
        self.adjectives = [Adjective(a, c, z, frozenset(t.split("|")))
                           for a, c, z, t in ADJECTIVES]
        self.adj_by_tag: dict[str, list[Adjective]] = {}
        for a in self.adjectives:
            for t in a.tags:
                self.adj_by_tag.setdefault(t, []).append(a)
        self.places = [Place(*p) for p in PLACES]
        self.verbs = ([_verb(r, "transitive") for r in TRANSITIVE]
                      + [_verb(r, "stative") for r in STATIVE]
                      + [_verb(r, "intransitive") for r in INTRANSITIVE]
                      + [_verb(r, "fixed") for r in FIXED])
        self.transitive = [v for v in self.verbs if v.kind == "transitive"]
        self.stative = [v for v in self.verbs if v.kind == "stative"]
        self.activities = [v for v in self.verbs if v.kind in ("intransitive", "fixed")]
        self.names = NAMES
        self.manner = MANNER_ADVERBS
        self.nationalities = NATIONALITIES
        self.languages = LANGUAGES
        self.states = STATES
        self.person_nouns = [n for n in self.by_tag.get("person", []) if not n.mass]
        self._objects: dict[frozenset[str], list[Noun]] = {}
        self._adjectives: dict[tuple, list[Adjective]] = {}

    def objects_for(self, tags: frozenset[str]) -> list[Noun]:
        """Nouns carrying any of `tags` (people are chosen separately)."""
        if tags not in self._objects:
            seen: dict[str, Noun] = {}
            for t in sorted(tags - {"person", "family", "job"}):
                for n in self.by_tag.get(t, []):
                    seen.setdefault(n.sg, n)
            self._objects[tags] = list(seen.values())
        return self._objects[tags]

    def adjectives_for(self, noun: Noun) -> list[Adjective]:
        """Adjectives that fit `noun` by its tags (remembered: constructions ask often)."""
        key = (noun.sg, noun.zh, noun.tags)
        if key not in self._adjectives:
            self._adjectives[key] = self._fitting_adjectives(noun)
        return self._adjectives[key]

    def _fitting_adjectives(self, noun: Noun) -> list[Adjective]:
        tags = set(noun.tags) | ({"thing"} if "electronic" in noun.tags else set())
        if tags & COLOURED and not noun.mass:
            tags.add("color")
        seen: dict[str, Adjective] = {}
        for t in sorted(tags):
            for a in self.adj_by_tag.get(t, []):
                seen.setdefault(a.en, a)
        return list(seen.values())


@cache
def lexicon() -> Lexicon:
    """The one indexed lexicon, built on first use."""
    return Lexicon()
