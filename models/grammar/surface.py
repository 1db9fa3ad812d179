"""From a construction's tokens to English as people type it, and back to one form.

The grammar builds lower-case tokens with punctuation as tokens of its own; `realise`
contracts (do not -> don't, I am -> I'm), attaches punctuation to the word before it,
capitalises the first word and, for a share of sentences, types them casually (all lower
case, or without the final mark), keeping every alignment link on the word it lands in.
`normalise` is the one place that cleans typed text for the model (training and app).
"""

from __future__ import annotations

import random
import re
import unicodedata
from functools import cache

from .bits import Bit, Tok

PUNCT = {".", "?", "!", ","}
ZH_PUNCT = {"。", "？", "！", "，"}

# (first, second) -> contracted form; only applied where the pair is one unit.
NOT_CONTRACTIONS = {
    ("do", "not"): "don't", ("does", "not"): "doesn't", ("did", "not"): "didn't",
    ("is", "not"): "isn't", ("are", "not"): "aren't", ("was", "not"): "wasn't",
    ("were", "not"): "weren't", ("can", "not"): "can't", ("will", "not"): "won't",
    ("have", "not"): "haven't", ("has", "not"): "hasn't", ("should", "not"): "shouldn't",
    ("must", "not"): "mustn't", ("could", "not"): "couldn't",
}
BE_CONTRACTIONS = {
    ("i", "am"): "i'm", ("you", "are"): "you're", ("we", "are"): "we're",
    ("they", "are"): "they're", ("he", "is"): "he's", ("she", "is"): "she's",
    ("it", "is"): "it's", ("that", "is"): "that's", ("what", "is"): "what's",
    ("where", "is"): "where's", ("who", "is"): "who's", ("there", "is"): "there's",
    ("how", "is"): "how's", ("i", "will"): "i'll", ("you", "will"): "you'll",
    ("we", "will"): "we'll", ("they", "will"): "they'll", ("he", "will"): "he'll",
    ("she", "will"): "she'll", ("it", "will"): "it'll",
}
ALWAYS = {("let", "us"): "let's"}
_CAPITALISED = {"i", "i'm", "i'll", "i've", "i'd"}
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                         "\uff0c": ",", "\uff1f": "?", "\uff01": "!"})


def _merge(toks: list[Tok], groups: list[list[int]], texts: list[str]) -> tuple[list[Tok],
                                                                                 dict]:
    """Replace each group of consecutive token positions by one token; returns the new
    tokens and old token -> new token."""
    start = {g[0]: (g, t) for g, t in zip(groups, texts, strict=True)}
    out: list[Tok] = []
    remap: dict[int, Tok] = {}
    k = 0
    while k < len(toks):
        if k in start:
            g, text = start[k]
            new = Tok(text)
            for m in g:
                remap[id(toks[m])] = new
            out.append(new)
            k = g[-1] + 1
        else:
            remap[id(toks[k])] = toks[k]
            out.append(toks[k])
            k += 1
    return out, remap


def _contract(toks: list[Tok], rng: random.Random, p: float) -> tuple[list[Tok], dict]:
    groups, texts = [], []
    k = 0
    while k + 1 < len(toks):
        pair = (toks[k].text.lower(), toks[k + 1].text.lower())
        nxt = toks[k + 2].text if k + 2 < len(toks) else "."
        form = ALWAYS.get(pair)
        if form is None and rng.random() < p:
            form = NOT_CONTRACTIONS.get(pair)
            # "it's" cannot end a clause ("I know where it is.").
            if form is None and nxt not in PUNCT:
                form = BE_CONTRACTIONS.get(pair)
        if form is not None:
            if toks[k].text[:1].isupper():
                form = form[0].upper() + form[1:]
            groups.append([k, k + 1])
            texts.append(form)
            k += 2
        else:
            k += 1
    return _merge(toks, groups, texts)


def _attach_punctuation(toks: list[Tok]) -> tuple[list[Tok], dict]:
    groups: list[list[int]] = []
    texts: list[str] = []
    k = 0
    while k < len(toks):
        end = k + 1
        while end < len(toks) and toks[end].text in PUNCT:
            end += 1
        if end - k > 1 and toks[k].text not in PUNCT:
            groups.append(list(range(k, end)))
            texts.append("".join(t.text for t in toks[k:end]))
        k = end
    return _merge(toks, groups, texts)


def realise(bit: Bit, rng: random.Random, contract_p: float = 0.5,
            casual_p: float = 0.15) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """English words, Chinese words and links (english index, chinese index)."""
    toks = list(bit.en)
    refs = {id(t): t for t in toks}
    zh = [(z, refs[id(t)]) for z, t in bit.zh]
    toks, remap = _contract(toks, rng, contract_p)
    zh = [(z, remap[id(t)]) for z, t in zh]
    casual = rng.random() < casual_p
    if casual and rng.random() < 0.6 and toks[-1].text in PUNCT and len(toks) > 1:
        # Typed without the final mark: what it carried (。？！) stays on the last word.
        last, toks = toks[-1], toks[:-1]
        zh = [(z, toks[-1] if t is last else t) for z, t in zh]
    toks, remap = _attach_punctuation(toks)
    zh = [(z, remap[id(t)]) for z, t in zh]
    words = [t.text for t in toks]
    if casual and rng.random() < 0.7:
        words = [x.lower() for x in words]
    else:
        # ("Where am I?": the mark is attached by now)
        words = [x[0].upper() + x[1:] if x.rstrip(".?!,").lower() in _CAPITALISED else x
                 for x in words]
        words[0] = words[0][0].upper() + words[0][1:]
    index = {id(t): i for i, t in enumerate(toks)}
    return words, [z for z, _ in zh], [(index[id(t)], j) for j, (_, t) in enumerate(zh)]


# A sentence typed without its final mark is a question when it starts so.
QUESTION_STARTS = {"what", "what's", "where", "where's", "who", "who's", "when", "why", "how",
                   "how's", "which", "whose", "do", "does", "did", "is", "are", "am", "was",
                   "were", "can", "could", "will", "would", "should", "shall", "have", "has",
                   "may", "isn't", "aren't", "don't", "doesn't", "didn't", "can't", "won't"}
# A negative start asks only before its subject ("Don't you like it?"); else it is an
# imperative or a statement ("Don't run.").
_NEGATIVE_STARTS = {"isn't", "aren't", "don't", "doesn't", "didn't", "can't", "won't"}
_SUBJECTS = {"i", "you", "he", "she", "it", "we", "they", "there", "that", "this"}


# Words as people type them that the corpus spells otherwise: contractions without their
# apostrophe, British spellings, texting forms. None is an English word itself ("its",
# "well", "were" are, so they stay), and none occurs in the corpus (tested).
RESPELLINGS = {
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't",
    "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "cant": "can't",
    "wont": "won't", "havent": "haven't", "hasnt": "hasn't", "shouldnt": "shouldn't",
    "mustnt": "mustn't", "couldnt": "couldn't", "wouldnt": "wouldn't",
    "im": "i'm", "ive": "i've", "youre": "you're", "theyre": "they're", "youll": "you'll",
    "theyll": "they'll", "hes": "he's", "shes": "she's", "thats": "that's",
    "whats": "what's", "wheres": "where's", "whos": "who's", "theres": "there's",
    "hows": "how's",
    "colour": "color", "favourite": "favorite", "theatre": "theater", "harbour": "harbor",
    "travelling": "traveling", "travelled": "traveled", "aeroplane": "airplane",
    "maths": "math", "tyre": "tire", "apologise": "apologize", "recognise": "recognize",
    "learnt": "learned", "dreamt": "dreamed", "spelt": "spelled", "mummy": "mommy",
    "film": "movie", "films": "movies", "motorway": "highway", "sweets": "candy",
    "u": "you", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "gonna": "going to", "wanna": "want to", "gotta": "have to", "dunno": "don't know",
    "gimme": "give me", "lemme": "let me", "alot": "a lot", "cuz": "because",
    "coz": "because", "bday": "birthday", "tmrw": "tomorrow", "tmr": "tomorrow",
    "pic": "photo", "ppl": "people", "msg": "message", "hey": "hi", "yeah": "yes",
}


def _respell(word: str, first: bool) -> str:
    """`word` as the corpus spells it (see RESPELLINGS; a first "lets" is "let's"),
    keeping its capital and the marks around it."""
    core = word.strip(".,?!")
    key = core.lower()
    new = RESPELLINGS.get(key) or ("let's" if first and key == "lets" else None)
    if new is None:
        return word
    if core[:1].isupper():
        new = new[0].upper() + new[1:]
    return word.replace(core, new, 1)


@cache
def _proper_forms() -> dict[str, str]:
    """Lower case -> capitalised, for the lexicon's proper nouns that are never also
    common words ("will" stays a verb even though Will is a name)."""
    from .lexicon import lexicon
    from .lexicon.closed import DAYS, MONTHS

    lex = lexicon()
    proper = [n for n, _, _ in lex.names] + [p.en for p in lex.places if p.en[:1].isupper()]
    proper += [en for en, _ in lex.nationalities + lex.languages + DAYS + MONTHS]
    proper += ["I", "TV", "Christmas", "Mom", "Dad"]
    common = {w for n in lex.nouns if n.sg.islower() for w in (n.sg, n.pl)}
    common |= {w for v in lex.verbs for f in (v.base, v.s3, v.past, v.ing, v.pp)
               for w in f.split()}
    common |= {a.en for a in lex.adjectives} | {p.en for p in lex.places if p.en.islower()}
    return {w.lower(): w for w in proper if w.lower() not in common}


_ACRONYMS = {"TV", "OK", "PE", "DVD", "CD", "USA", "UK"}


def _shouted(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and \
        word.strip(".,?!") not in _ACRONYMS


def _truecase(word: str, proper: dict[str, str]) -> str:
    core = word.strip(".,?!")
    key = core.lower()
    for suffix in ("", "'s", "'m", "'ll", "'d", "'ve"):
        stem = key.removesuffix(suffix) if suffix else key
        if stem in proper and (not suffix or key.endswith(suffix)):
            return word.replace(core, proper[stem] + core[len(stem):], 1)
    return word


# Emoji and other pictographs (and the joiners and selectors inside emoji sequences): the
# corpus has none, and a model reading one loses the rest of the sentence.
_EMOJI_PARTS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}


def _is_symbol(ch: str) -> bool:
    return ch in _EMOJI_PARTS or (ord(ch) > 127 and unicodedata.category(ch) in ("So", "Sk"))


def symbols_in(text: str) -> list[str]:
    """The emoji and pictographs `normalise` leaves out of `text`, once each, in order
    (not the joiners, selectors and skin tones inside emoji sequences)."""
    return list(dict.fromkeys(ch for ch in text
                              if ord(ch) > 127 and unicodedata.category(ch) == "So"))


# Words ending in "." that do not end a sentence.
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "st.", "a.m.", "p.m.", "e.g.", "i.e.", "vs.", "u.s.",
                  "u.s.a.", "u.k."}


def _sentences_of(words: list[str]) -> list[list[str]]:
    """Words grouped into sentences: a group ends at a word ending in ".", "?" or "!"."""
    groups: list[list[str]] = [[]]
    for w in words:
        groups[-1].append(w)
        if w[-1] in ".?!" and w.lower() not in _ABBREVIATIONS:
            groups.append([])
    return [g for g in groups if g]


def split_sentences(text: str) -> list[str]:
    """The sentences of a text (of `normalise`'s output: one per final mark)."""
    return [" ".join(g) for g in _sentences_of(text.split())]


# A sentence opening with one of these and a comma ("Hi, how are you?") is read as two:
# the corpus rarely joins them, and the models translate each part far better alone.
INTERJECTIONS = {"hi", "hello", "hey", "thanks", "ok", "okay", "yes", "sorry"}
# Typed without their comma too ("hi how are you").
GREETINGS = {"hi", "hello", "hey"}


def translation_units(text: str) -> list[tuple[str, bool]]:
    """What the models translate one at a time for a normalised text: its sentences, a
    leading interjection split off its sentence. Each unit comes with whether its
    translation ends in a comma (joining the next) instead of its final mark."""
    units: list[tuple[str, bool]] = []
    for sentence in split_sentences(text):
        words = sentence.split()
        if len(words) >= 3 and words[0].endswith(",") and \
                words[0][:-1].lower() in INTERJECTIONS:
            units += [(words[0][:-1] + "!", True), (_normalise_sentence(words[1:]), False)]
        else:
            units.append((sentence, False))
    return units

def normalise(text: str) -> str:
    """Typed text as the model reads it, in one canonical form: emoji and pictographs
    left out, typographic quotes and full-width marks made ASCII, spaces before
    punctuation removed and a missing space after it added, repeated final marks made
    one, whitespace collapsed, shouted (all-capital) words lower-cased, typed variants
    spelled as the corpus does ("dont", "colour": RESPELLINGS), proper nouns and "I"
    capitalised, and in each sentence the first letter capitalised, a leading
    interjection given its comma, and a missing final mark added ("?" when the sentence
    starts like a question)."""
    text = "".join(" " if _is_symbol(ch) else ch for ch in text.translate(_QUOTES))
    text = re.sub(r"\s+([.,?!])", r"\1", text)
    text = re.sub(r"([.?!])[.?!]+", r"\1", text)          # "!!!" -> "!", "?!" -> "?"
    # A mark typed without its space: "Hi,how are you" (not "3,000"), "Hi!How" (not "a.m.").
    text = re.sub(r",(?=[A-Za-z])|(?<=[a-z]{2})([.?!])(?=[A-Z])",
                  lambda m: (m.group(1) or ",") + " ", text)
    return " ".join(_normalise_sentence(g) for g in _sentences_of(text.split()))


def _normalise_sentence(words: list[str]) -> str:
    proper = _proper_forms()
    # Shouted words ("I LOVE YOU") are read as lower case, then proper nouns restored.
    words = [w.lower() if _shouted(w) else w for w in words]
    words = [_respell(w, i == 0) for i, w in enumerate(words)]
    words = [_truecase(w, proper) for w in words]
    words[0] = words[0][0].upper() + words[0][1:]
    # A leading interjection gets its comma; the rest decides whether the sentence asks.
    opener = len(words) >= 3 and words[0].rstrip(",").lower() in INTERJECTIONS and \
        (words[0].endswith(",") or words[0].lower() in GREETINGS)
    if opener and not words[0].endswith(","):
        words[0] += ","
    if words[-1][-1] not in ".?!":
        first, second = (w.strip(".,?!").lower() for w in [*words[opener:opener + 2], ""][:2])
        asks = first in QUESTION_STARTS and (first not in _NEGATIVE_STARTS or
                                             second in _SUBJECTS)
        words[-1] += "?" if asks else "."
    return " ".join(words)
