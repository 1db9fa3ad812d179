"""Verb groups: tense, aspect, negation, modals and question auxiliaries, both languages.

`inflect` gives the English tokens of a verb group split where a question puts its
auxiliary (before the subject) and the Chinese words around the verb: pre-verbal
(不, 没, 会, 在, 想 ...), post-verbal on the verb's first word (了, 过), and sentence-final
(吗). English auxiliaries carry the Chinese that marks what they mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .bits import Bit, Tok
from .lexicon import Verb

STATEMENT_FORMS = ("present", "past", "prog", "perfect", "future", "going_to", "can",
                   "want", "need", "must", "should", "like_to")
NEGATIVE_FORMS = ("neg_present", "neg_past", "neg_prog", "neg_perfect", "neg_future",
                  "neg_going_to", "neg_can", "neg_want", "neg_need", "neg_should")
QUESTION_FORMS = ("q_present", "q_past", "q_prog", "q_perfect", "q_future", "q_going_to",
                  "q_can", "q_want", "q_should", "q_anot")
STATIVE_OK = {"present", "neg_present", "q_present", "future", "neg_future", "q_future",
              "q_anot", "past", "neg_past", "q_past"}
MODAL_FORMS = {"can", "want", "need", "must", "should", "like_to", "neg_can", "neg_want",
               "neg_need", "neg_should", "q_can", "q_want", "q_should"}
# Which time expressions each form takes (phrases.time_phrase pools).
TIME_POOL = {"present": "habit", "neg_present": "habit", "q_present": "habit",
             "q_anot": "habit", "past": "past", "neg_past": "past", "q_past": "past",
             "prog": "now", "neg_prog": "now", "q_prog": "now", "future": "future",
             "neg_future": "future", "q_future": "future", "going_to": "future",
             "neg_going_to": "future", "q_going_to": "future", "want": "future",
             "q_want": "future", "can": "today", "q_can": "today", "need": "today",
             "must": "today"}


def be(person: str, past: bool = False) -> str:
    if past:
        return "was" if person in ("1s", "3s") else "were"
    return {"1s": "am", "3s": "is"}.get(person, "are")


def do(person: str) -> str:
    return "does" if person == "3s" else "do"


def have(person: str) -> str:
    return "has" if person == "3s" else "have"


@dataclass
class VerbGroup:
    front: list[Tok] = field(default_factory=list)       # question auxiliary, before subject
    mid: list[Tok] = field(default_factory=list)         # after the subject, before the verb
    verb: list[Tok] = field(default_factory=list)        # the verb's own words
    pre: list[tuple[str, Tok]] = field(default_factory=list)
    verb_zh: list[tuple[str, Tok]] = field(default_factory=list)
    post: list[tuple[str, Tok]] = field(default_factory=list)   # after the verb's first word
    final: list[tuple[str, Tok]] = field(default_factory=list)  # 吗
    question: bool = False

    @property
    def en_after_subject(self) -> list[Tok]:
        return self.mid + self.verb

    def zh_verb(self) -> list[tuple[str, Tok]]:
        """pre + first verb word + post + the verb's other words (a fixed object)."""
        return self.pre + self.zh_core()

    def zh_core(self) -> list[tuple[str, Tok]]:
        """The verb without its pre-verbal words: they go before place and companion
        (我想在公园踢足球), which go before the verb."""
        return self.verb_zh[:1] + self.post + self.verb_zh[1:]


def verb_bit(verb: Verb, form_name: str) -> Bit:
    """The verb's words in one form ("base", "s3", "past", "ing", "pp") with its Chinese."""
    toks = [Tok(t) for t in verb.form(form_name).split()]
    return Bit(toks, [(z, toks[i]) for z, i in zip(verb.zh, verb.links, strict=True)])


def _verb_toks(verb: Verb, form_name: str) -> tuple[list[Tok], list[tuple[str, Tok]]]:
    bit = verb_bit(verb, form_name)
    return bit.en, bit.zh


def _toks(text: str) -> list[Tok]:
    return [Tok(t) for t in text.split()]


def inflect(verb: Verb, form: str, person: str, has_place: bool = False,
            can_zh: str = "会", progressive_zh: str = "在") -> VerbGroup:
    """The verb group of `verb` in `form` for a subject of `person`; `progressive_zh` is
    在 or 正在."""
    g = VerbGroup(question=form.startswith("q_"))
    third = person == "3s"
    neg_word = "没" if verb.zh[0] == "有" else "不"
    if form == "present":
        g.verb, g.verb_zh = _verb_toks(verb, "s3" if third else "base")
    elif form == "past":
        g.verb, g.verb_zh = _verb_toks(verb, "past")
        if verb.kind != "stative":
            g.post = [("了", g.verb[0])]
    elif form in ("prog", "neg_prog", "q_prog"):
        aux = Tok(be(person))
        g.verb, g.verb_zh = _verb_toks(verb, "ing")
        marker = [] if has_place else [(progressive_zh, aux)]
        if form == "prog":
            g.mid, g.pre = [aux], marker
        elif form == "neg_prog":
            neg = Tok("not")
            g.mid = [aux, neg]
            # 没在, never 没正在
            g.pre = [("没", neg)] + ([("在", aux)] if marker else [])
        else:
            g.front = [aux]
            g.pre = marker
            g.final = [("吗", aux)]
    elif form in ("perfect", "neg_perfect", "q_perfect"):
        aux = Tok(have(person))
        g.verb, g.verb_zh = _verb_toks(verb, "pp")
        if form == "perfect":
            g.mid = [aux]
            g.post = [("过", aux)]
        elif form == "neg_perfect":
            never = Tok("never")
            g.mid = [aux, never]
            g.pre = [("从来", never), ("没", never)]
            g.post = [("过", aux)]
        else:
            ever = Tok("ever")
            g.front, g.mid = [aux], [ever]
            g.post = [("过", ever)]
            g.final = [("吗", aux)]
    elif form in ("future", "neg_future", "q_future"):
        aux = Tok("will")
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form == "future":
            g.mid, g.pre = [aux], [("会", aux)]
        elif form == "neg_future":
            neg = Tok("not")
            g.mid, g.pre = [aux, neg], [("不", neg), ("会", aux)]
        else:
            g.front, g.pre, g.final = [aux], [("会", aux)], [("吗", aux)]
    elif form in ("going_to", "neg_going_to", "q_going_to"):
        aux = Tok(be(person))
        going, to = Tok("going"), Tok("to")
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form == "going_to":
            g.mid, g.pre = [aux, going, to], [("要", going)]
        elif form == "neg_going_to":
            neg = Tok("not")
            g.mid, g.pre = [aux, neg, going, to], [("不", neg), ("打算", going)]
        else:
            g.front, g.mid = [aux], [going, to]
            g.pre, g.final = [("要", going)], [("吗", aux)]
    elif form in ("can", "neg_can", "q_can"):
        aux = Tok("can")
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form == "can":
            g.mid, g.pre = [aux], [(can_zh, aux)]
        elif form == "neg_can":
            neg = Tok("not")
            g.mid, g.pre = [aux, neg], [("不", neg), (can_zh, aux)]
        else:
            g.front, g.pre, g.final = [aux], [(can_zh, aux)], [("吗", aux)]
    elif form in ("want", "need", "like_to", "neg_want", "neg_need", "q_want"):
        key = form.removeprefix("neg_").removeprefix("q_")
        en_verb, zh = {"want": ("want", "想"), "need": ("need", "需要"),
                       "like_to": ("like", "喜欢")}[key]
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form.startswith("neg_"):
            aux, neg, main, to = Tok(do(person)), Tok("not"), Tok(en_verb), Tok("to")
            g.mid, g.pre = [aux, neg, main, to], [("不", neg), (zh, main)]
        elif form.startswith("q_"):
            aux, main, to = Tok(do(person)), Tok(en_verb), Tok("to")
            g.front, g.mid = [aux], [main, to]
            g.pre, g.final = [(zh, main)], [("吗", aux)]
        else:
            main, to = Tok(en_verb + ("s" if third else "")), Tok("to")
            g.mid, g.pre = [main, to], [(zh, main)]
    elif form in ("must", "should", "neg_should", "q_should"):
        aux = Tok("must" if form == "must" else "should")
        zh = "必须" if form == "must" else "应该"
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form == "neg_should":
            neg = Tok("not")
            g.mid, g.pre = [aux, neg], [("不", neg), (zh, aux)]
        elif form == "q_should":
            g.front, g.pre, g.final = [aux], [(zh, aux)], [("吗", aux)]
        else:
            g.mid, g.pre = [aux], [(zh, aux)]
    elif form in ("neg_present", "q_present", "q_anot"):
        aux = Tok(do(person))
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form == "neg_present":
            neg = Tok("not")
            g.mid, g.pre = [aux, neg], [(neg_word, neg)]
        elif form == "q_present":
            g.front, g.final = [aux], [("吗", aux)]
        else:
            # A-not-A: 你喝不喝茶？ (one-character verbs only; 有 takes 没).
            g.front = [aux]
            first, tok = g.verb_zh[0]
            g.post = [(neg_word, aux), (first, tok)]
    elif form in ("neg_past", "q_past"):
        aux = Tok("did")
        g.verb, g.verb_zh = _verb_toks(verb, "base")
        if form == "neg_past":
            neg = Tok("not")
            g.mid, g.pre = [aux, neg], [("没", neg)]
        else:
            g.front, g.final = [aux], [("吗", aux)]
            if verb.kind != "stative":
                g.post = [("了", aux)]
    else:
        raise ValueError(f"unknown verb form {form!r}")
    g.question = bool(g.front)
    return g


def allowed(verb: Verb, form: str) -> bool:
    """Whether `form` reads naturally for `verb`."""
    if verb.kind == "stative" and form not in STATIVE_OK:
        return False
    if verb.kind == "stative" and form in ("past", "neg_past", "q_past") and \
            verb.zh[0] not in ("有", "喜欢", "爱", "需要", "想要", "讨厌"):
        return False
    if form == "q_anot" and (len(verb.zh) != 1 or len(verb.zh[0]) != 1):
        return False
    return True
