"""Sentence constructions. Each returns one sentence as a `Bit` with its final mark.

English word order is written out in each function; the Chinese order follows the
textbook rules: time and place before the verb (我昨天在公园踢了足球), wh-words stay where
the answer would be (你吃什么？), 吗 ends a yes/no question, 比 compares, 有 says
"there is", adjectives need no 是 (她很高), and 吧 softens "let's".
"""

from __future__ import annotations

import random

from .bits import Bit, Tok, arrange, concat, en_only, linked, mark, w, zh_on
from .lexicon import Noun, Verb, lexicon
from .lexicon.closed import (
    DAYS,
    DEGREE,
    FREQUENCY,
    MONTHS,
    PRONOUNS,
    SEASONS,
    SET_PHRASES,
    TRANSPORT,
    number_en,
    number_zh,
)
from .phrases import (
    Subject,
    animal_subject,
    article,
    location,
    noun_phrase,
    person,
    place,
    place_noun,
    subject,
    time_phrase,
)
from .verbs import (
    MODAL_FORMS,
    NEGATIVE_FORMS,
    QUESTION_FORMS,
    STATEMENT_FORMS,
    TIME_POOL,
    allowed,
    be,
    do,
    inflect,
    verb_bit,
)

MINE = {"my": "mine", "your": "yours", "his": "his", "her": "hers", "our": "ours",
        "their": "theirs"}
GO = Verb("go", "goes", "went", "going", "gone", ("去",), (0,), "motion")
COME = Verb("come", "comes", "came", "coming", "come", ("来",), (0,), "motion")
# Animals can do these on their own ("The cat is sleeping.").
ANIMAL_VERBS = {"sleep", "run", "swim", "jump", "fly", "play", "eat", "walk", "climb", "sit down"}
# Activities that take "V 得很 ADV" with a one-character Chinese verb.
MANNER_VERBS = {"run": "跑", "swim": "游", "sing": "唱", "dance": "跳", "walk": "走",
                "speak": "说", "write": "写", "drive": "开", "cook": "做", "read": "看",
                "work": "工作", "study": "学习", "draw": "画", "jump": "跳", "talk": "说",
                "sleep": "睡", "eat": "吃", "play": "玩", "learn": "学"}


def _pick_form(rng: random.Random, verb: Verb, question_p: float = 0.25,
               negative_p: float = 0.2) -> str:
    r = rng.random()
    pool = QUESTION_FORMS if r < question_p else (
        NEGATIVE_FORMS if r < question_p + negative_p else STATEMENT_FORMS)
    for _ in range(20):
        form = rng.choice(pool)
        if allowed(verb, form):
            return form
    return "present"


def object_for(rng: random.Random, verb: Verb, subj: Subject, form: str) -> Bit:
    lex = lexicon()
    tags = verb.tags
    wants_person = bool(tags & {"person", "family", "job"})
    nouns = lex.objects_for(tags)
    if wants_person and (not nouns or rng.random() < 0.6):
        if "family" in tags and "person" not in tags:
            noun = rng.choice(lex.by_tag["family"])
            return noun_phrase(rng, noun, rng.choice(["my", "a", "num", "bare"]), adj_p=0.1)[0]
        return person(rng, exclude=subj.zh)[0]
    if not nouns:
        return person(rng, exclude=subj.zh)[0]
    noun = rng.choice(nouns)
    kind = None
    if form.startswith("neg_") or form in ("q_present", "q_anot"):
        kind = rng.choice(["the", "my", "bare", "any"] if not noun.mass else ["the", "bare"])
        if kind == "any":
            det = Tok("any")
            head = w(noun.pl, noun.zh)
            return Bit([det] + head.en, head.zh)
    if verb.kind == "stative" and kind is None and rng.random() < 0.5:
        kind = "bare"       # "I like apples." -> 我喜欢苹果。
    return noun_phrase(rng, noun, kind)[0]


def _activity(rng: random.Random) -> Verb:
    return rng.choice(lexicon().activities)


def clause(rng: random.Random, subj: Subject | None = None, verb: Verb | None = None,
           form: str | None = None, extras: bool = True) -> tuple[Bit, bool]:
    """Subject, verb group, object, place, time: a statement or a yes/no question.
    Returns the clause (without its final mark) and whether it is a question."""
    lex = lexicon()
    r = rng.random()
    if verb is None:
        verb = rng.choice(lex.transitive if r < 0.45 else lex.stative if r < 0.6
                          else lex.activities)
    if subj is None:
        subj = animal_subject(rng) if (verb.base in ANIMAL_VERBS and rng.random() < 0.25) \
            else subject(rng)
    form = form or _pick_form(rng, verb)
    dynamic = verb.kind != "stative" and form not in MODAL_FORMS
    place_bit = Bit()
    if extras and verb.kind != "stative" and rng.random() < 0.3:
        place_bit, _ = place(rng)
    g = inflect(verb, form, subj.person, has_place=bool(place_bit.en),
                can_zh="会" if verb.kind in ("intransitive", "fixed") else "能",
                progressive_zh="正在" if rng.random() < 0.3 else "在")
    obj = object_for(rng, verb, subj, form) if verb.kind in ("transitive", "stative") \
        else Bit()
    pool = TIME_POOL.get(form)
    time_bit = time_phrase(rng, pool) if (extras and pool and dynamic or pool == "future") \
        and rng.random() < 0.4 else Bit()
    freq = Bit()
    if form == "present" and extras and not time_bit.en and rng.random() < 0.3:
        en, zh = rng.choice(FREQUENCY)
        freq = w(en, zh)
    companion = Bit()
    if extras and dynamic and verb.kind != "stative" and rng.random() < 0.12:
        with_tok = Tok("with")
        other, _, _ = person(rng, exclude=subj.zh, pronoun_p=0.2)
        companion = Bit([with_tok] + other.en,
                        [("和", with_tok)] + other.zh + [("一起", with_tok)])
    en_parts = [Bit(g.front, []), subj.bit, freq, Bit(g.en_after_subject, []), obj, companion,
                place_bit, time_bit]
    time_first = time_bit.en and rng.random() < 0.25
    zh_parts = ([time_bit, subj.bit] if time_first else [subj.bit, time_bit]) + [
        freq, Bit([], g.pre), companion, place_bit, Bit([], g.zh_core()), obj,
        Bit([], g.final)]
    return arrange(en_parts, zh_parts), g.question


def statement_or_question(rng: random.Random) -> Bit:
    bit, q = clause(rng)
    return bit + mark("?" if q else rng.choice(".....!"))


def wh_question(rng: random.Random) -> Bit:
    """what / who (object), where, when, why, what time, how (transport)."""
    lex = lexicon()
    subj = subject(rng, pronoun_p=0.6)
    kind = rng.choice(["what", "what", "who", "where", "where", "when", "why", "what_time",
                       "what_doing"])
    if kind == "what_doing":
        form = rng.choice(["q_prog", "q_present", "q_past", "q_future", "q_going_to", "q_want"])
        verb = Verb("do", "does", "did", "doing", "done", ("做",), (0,), "transitive")
        g = inflect(verb, form, subj.person)
        what = w("what", "什么")
        return arrange([what, Bit(g.front, []), subj.bit, Bit(g.en_after_subject, [])],
                       [subj.bit, Bit([], g.zh_verb()), what], "?")
    if kind in ("what", "who"):
        verb = rng.choice([v for v in lex.transitive + lex.stative
                           if ("person" in v.tags) == (kind == "who")] or lex.transitive)
        form = rng.choice(["q_present", "q_past", "q_future", "q_can", "q_want", "q_prog"])
        if not allowed(verb, form):
            form = "q_present"
        g = inflect(verb, form, subj.person, can_zh="能")
        wh = w(kind, "什么" if kind == "what" else "谁")
        return arrange([wh, Bit(g.front, []), subj.bit, Bit(g.en_after_subject, [])],
                       [subj.bit, Bit([], g.zh_verb()), wh], "?")
    verb = rng.choice(lex.activities + lex.transitive)
    form = rng.choice(["q_present", "q_present", "q_past", "q_future", "q_going_to", "q_can"
                       ] if kind != "why" else ["q_present", "q_past", "q_prog"])
    if not allowed(verb, form):
        form = "q_present"
    g = inflect(verb, form, subj.person, has_place=kind == "where")
    obj = object_for(rng, verb, subj, "present") if verb.kind == "transitive" else Bit()
    wh_en, wh_zh = {"where": ("where", ["在", "哪里"]), "when": ("when", ["什么时候"]),
                    "why": ("why", ["为什么"]), "what_time": ("what time", ["几点"])}[kind]
    wh = w(wh_en, wh_zh)
    zh_verb = [Bit([], g.pre), wh, Bit([], g.zh_core())] if kind == "where" else \
        [wh, Bit([], g.zh_verb())]
    return arrange([wh, Bit(g.front, []), subj.bit, Bit(g.en_after_subject, []), obj],
                   [subj.bit, *zh_verb, obj], "?")


def who_subject(rng: random.Random) -> Bit:
    """"Who likes tea?" -> 谁喜欢茶？"""
    verb = rng.choice(lexicon().stative + lexicon().activities + lexicon().transitive)
    who = Subject(w("who", "谁"), "3s", "")
    form = rng.choice(["present", "past", "prog", "future", "can"])
    if not allowed(verb, form):
        form = "present"
    bit, _ = clause(rng, who, verb, form, extras=False)
    return bit + mark("?")


def copula_noun(rng: random.Random) -> Bit:
    """"Tom is a doctor." / "This is my book." / "Is she your sister?" / "I'm Chinese." """
    lex = lexicon()
    r = rng.random()
    if r < 0.35:
        subj = subject(rng, pronoun_p=0.6)
        noun = rng.choice(lex.person_nouns)
        plural = subj.person == "p" or (subj.person == "2" and rng.random() < 0.2)
        if rng.random() < 0.5 and not plural:
            head = w(noun.sg, noun.zh)
            pred = Bit([Tok(article(noun.sg))] + head.en, head.zh)   # "a doctor" -> 医生
        else:
            pred = person_pred(rng, noun, plural)
    elif r < 0.55:
        subj_word = rng.choice(["this", "that", "it"])
        subj = Subject(w(subj_word, {"this": "这", "that": "那", "it": "它"}[subj_word]),
                       "3s", "")
        noun = rng.choice([n for n in lex.nouns if not n.mass and "person" not in n.tags])
        pred, _ = noun_phrase(rng, noun, rng.choice(["a", "a", "my", "name"]), adj_p=0.3)
    elif r < 0.7:
        subj = subject(rng, pronoun_p=0.8)
        nat, zh = rng.choice(lex.nationalities)
        pred = w(nat, zh)
    else:
        noun = rng.choice([n for n in lex.nouns if not n.mass and "person" not in n.tags])
        subj_bit, plural = noun_phrase(rng, noun, rng.choice(["this", "that", "the"]), adj_p=0.2)
        subj = Subject(subj_bit, "p" if plural else "3s", "")
        poss = rng.choice(PRONOUNS)
        pred = w(MINE[poss[2]], [poss[3], "的"], 0)   # "This book is mine." -> 这本书是我的。
    aux = Tok(be(subj.person))
    form = rng.choice(["s", "s", "s", "neg", "q"])
    if form == "s":
        return arrange([subj.bit, Bit([aux], []), pred],
                       [subj.bit, zh_on(aux, "是"), pred], ".")
    if form == "neg":
        neg = Tok("not")
        return arrange([subj.bit, Bit([aux, neg], []), pred],
                       [subj.bit, zh_on(neg, "不"), zh_on(aux, "是"), pred], ".")
    return arrange([Bit([aux], []), subj.bit, pred],
                   [subj.bit, zh_on(aux, "是"), pred, zh_on(aux, "吗")], "?")


def person_pred(rng: random.Random, noun: Noun, plural: bool) -> Bit:
    if rng.random() < 0.5:
        _, _, poss, pzh, _ = rng.choice(PRONOUNS)
        det = Tok(poss)
        head = w(noun.pl if plural else noun.sg, noun.zh)
        return Bit([det] + head.en, [(pzh, det), ("的", det)] + head.zh)
    return w(noun.pl if plural else noun.sg, noun.zh)


def copula_adjective(rng: random.Random) -> Bit:
    """"The soup is very hot." -> 汤很热。; "Is it expensive?"; "I'm hungry." -> 我饿了。"""
    lex = lexicon()
    r = rng.random()
    if r < 0.2:
        subj = subject(rng, pronoun_p=0.7)
        en, zh = rng.choice(lex.states)
        aux = Tok(be(subj.person))
        adj = w(en, zh)
        if rng.random() < 0.3:
            return arrange([Bit([aux], []), subj.bit, adj],
                           [subj.bit, adj, zh_on(aux, "了", "吗")], "?")
        return arrange([subj.bit, Bit([aux], []), adj],
                       [subj.bit, adj, zh_on(aux, "了")], rng.choice("..!"))
    if r < 0.45:
        subj = subject(rng, pronoun_p=0.6)
        adjs = lex.adj_by_tag["person"]
    else:
        pool = [n for n in lex.nouns if lex.adjectives_for(n) and "person" not in n.tags]
        noun = rng.choice(pool)
        subj_bit, plural = noun_phrase(rng, noun, rng.choice(["the", "the", "this", "that", "my",
                                                               "these", "name"]), adj_p=0.0)
        subj = Subject(subj_bit, "p" if plural else "3s", "")
        adjs = lex.adjectives_for(noun)
    a = rng.choice(adjs)
    aux = Tok(be(subj.person, past=rng.random() < 0.2))
    adj = w(a.en, a.zh)
    color = "color" in a.tags
    form = rng.choice(["s", "s", "deg", "deg", "too", "neg", "q"])
    if color:
        shi_de = (zh_on(aux, "是"), zh_on(adj.head, "的"))
        if form == "q":
            return arrange([Bit([aux], []), subj.bit, adj],
                           [subj.bit, shi_de[0], adj, shi_de[1], zh_on(aux, "吗")], "?")
        return arrange([subj.bit, Bit([aux], []), adj],
                       [subj.bit, shi_de[0], adj, shi_de[1]], ".")
    if form == "s":
        return arrange([subj.bit, Bit([aux], []), adj],
                       [subj.bit, zh_on(aux, "很"), adj], rng.choice("..!"))
    if form == "deg":
        en, zh = rng.choice(DEGREE)
        deg = w(en, zh)
        return arrange([subj.bit, Bit([aux], []), deg, adj],
                       [subj.bit, deg, adj, zh_on(aux, *(["了"] if zh == "太" else []))],
                       rng.choice("..!"))
    if form == "too":
        too = Tok("too")
        return arrange([subj.bit, Bit([aux, too], []), adj],
                       [subj.bit, zh_on(too, "太"), adj, zh_on(too, "了")], rng.choice("..!"))
    if form == "neg":
        neg = Tok("not")
        return arrange([subj.bit, Bit([aux, neg], []), adj],
                       [subj.bit, zh_on(neg, "不"), adj], ".")
    return arrange([Bit([aux], []), subj.bit, adj],
                   [subj.bit, adj, zh_on(aux, "吗")], "?")


def existential(rng: random.Random) -> Bit:
    """"There are two books on the desk." -> 书桌上有两本书。"""
    lex = lexicon()
    loc, _ = location(rng)
    things = [n for t in ("thing", "animal", "food", "fruit", "toy", "clothes", "electronic",
                          "plant", "read") for n in lex.by_tag.get(t, [])]
    noun = rng.choice(things)
    form = rng.choice(["s", "s", "s", "neg", "q"])
    there = Tok("there")
    if form == "neg":
        no = Tok("no")
        head = w(noun.pl if not noun.mass and rng.random() < 0.5 else noun.sg, noun.zh)
        aux = Tok("are" if head.en[0].text != noun.sg else "is")
        return arrange([Bit([there, aux, no], []), head, loc],
                       [loc, zh_on(no, "没"), zh_on(aux, "有"), head], ".")
    kind = rng.choice(["a", "a", "num", "some", "a_lot"]) if not noun.mass else \
        rng.choice(["some", "bare", "a_lot"])
    np, plural = noun_phrase(rng, noun, kind, adj_p=0.25)
    aux = Tok("are" if plural else "is")
    if form == "q":
        if kind == "some":
            np = Bit([Tok("any")] + np.en[1:], np.zh[1:])
        return arrange([Bit([aux, there], []), np, loc],
                       [loc, zh_on(aux, "有"), np, zh_on(aux, "吗")], "?")
    return arrange([Bit([there, aux], []), np, loc],
                   [loc, zh_on(aux, "有"), np], ".")


def locative_be(rng: random.Random) -> Bit:
    """"The cat is under the bed." -> 猫在床下面。; "Where is my phone?" -> 我的手机在哪里？"""
    lex = lexicon()
    r = rng.random()
    if r < 0.4:
        subj = subject(rng, pronoun_p=0.5)
        where, _ = place(rng)
    else:
        things = [n for t in ("thing", "animal", "pet", "toy", "clothes", "electronic", "read")
                  for n in lex.by_tag.get(t, []) if not n.mass]
        noun = rng.choice(things)
        bit, plural = noun_phrase(rng, noun, rng.choice(["the", "the", "my", "name", "the_pl"]),
                                  adj_p=0.15)
        subj = Subject(bit, "p" if plural else "3s", "")
        loc, _ = location(rng)
        where = Bit(loc.en, [("在", loc.en[0])] + loc.zh)
    aux = Tok(be(subj.person, past=rng.random() < 0.15))
    form = rng.choice(["s", "s", "where", "where", "neg", "q"])
    if form == "where":
        wh = w("where", "哪里")
        return arrange([wh, Bit([aux], []), subj.bit],
                       [subj.bit, zh_on(aux, "在"), wh], "?")
    # 在 comes from the preposition's token; the copula itself has no Chinese here.
    if form == "neg":
        neg = Tok("not")
        return arrange([subj.bit, Bit([aux, neg], []), where],
                       [subj.bit, zh_on(neg, "不"), where], ".")
    if form == "q":
        return arrange([Bit([aux], []), subj.bit, where],
                       [subj.bit, where, zh_on(aux, "吗")], "?")
    return arrange([subj.bit, Bit([aux], []), where],
                   [subj.bit, where], ".")


def motion(rng: random.Random) -> Bit:
    """"I go to school by bus." -> 我坐公共汽车去学校。; "Let's go home." ..."""
    subj = subject(rng, pronoun_p=0.6)
    verb = GO if rng.random() < 0.75 else COME
    form = rng.choice(["present", "past", "past", "future", "going_to", "want", "neg_past",
                       "neg_present", "q_past", "q_present", "q_future", "can", "q_want",
                       "prog", "q_prog"])
    g = inflect(verb, form, subj.person, has_place=True, can_zh="能")
    if form in ("prog", "q_prog"):
        g.pre = []          # "I'm going to the park." -> 我去公园。
    if rng.random() < 0.12:
        home = Tok("home")
        dest = Bit([home], [])
        g.verb_zh = [("回" if verb is GO else "回", g.verb[0]), ("家", home)]
    else:
        to = Tok("to")
        noun = place_noun(rng)
        dest = Bit([to] + noun.en, noun.zh)
    how = Bit()
    if rng.random() < 0.25:
        en, zh, links = rng.choice(TRANSPORT)
        how = linked(en, zh, links)
    purpose = Bit()
    if rng.random() < 0.2:
        act = _activity(rng)
        if act.base not in ("go", "come") and not act.base.startswith("go "):
            purpose = en_only("to") + verb_bit(act, "base")
    pool = TIME_POOL.get(form)
    time_bit = time_phrase(rng, pool) if pool and rng.random() < 0.45 else Bit()
    en_parts = [Bit(g.front, []), subj.bit, Bit(g.en_after_subject, []), dest, how, purpose,
                time_bit]
    zh_parts = [subj.bit, time_bit, how, Bit([], g.zh_verb()), dest, purpose,
                Bit([], g.final)]
    return arrange(en_parts, zh_parts) + mark("?" if g.question else ".")


def imperative(rng: random.Random) -> Bit:
    """"Please open the door." -> 请打开门。; "Don't run!" -> 别跑！; "Let's eat." -> 我们吃饭吧。
    """
    lex = lexicon()
    verb = rng.choice(lex.transitive + lex.activities)
    vp = verb_bit(verb, "base")
    if verb.kind == "transitive":
        fake = Subject(Bit(), "2", "你")
        vp = vp + object_for(rng, verb, fake, "present")
    kind = rng.choice(["plain", "please", "please_end", "dont", "lets", "lets"])
    if kind == "plain":
        return vp + mark(rng.choice(".!"))
    if kind == "please":
        please_bit = w("please", "请")
        return concat(please_bit, vp, mark("."))
    if kind == "please_end":
        comma, please = Tok(","), Tok("please")
        return arrange([vp, Bit([comma, please], [])],
                       [zh_on(please, "请"), vp], ".")
    if kind == "dont":
        dont, neg = Tok("do"), Tok("not")
        return arrange([Bit([dont, neg], []), vp],
                       [zh_on(neg, rng.choice(["别", "不要"])), vp], "!")
    let, us = Tok("let"), Tok("us")
    return arrange([Bit([let, us], []), vp],
                   [zh_on(us, "我们"), vp, zh_on(let, "吧")], rng.choice(".!"))


def comparative(rng: random.Random) -> Bit:
    """"My brother is taller than me." -> 我哥哥比我高。"""
    lex = lexicon()
    if rng.random() < 0.5:
        a = subject(rng, pronoun_p=0.3)
        b, _, _ = person(rng, exclude=a.zh, pronoun_p=0.4)
        adj = rng.choice(lex.adj_by_tag["person"])
    else:
        noun = rng.choice([n for n in lex.nouns if not n.mass and lex.adjectives_for(n)
                           and "person" not in n.tags])
        abit, _ = noun_phrase(rng, noun, rng.choice(["this", "my", "the"]), adj_p=0.0)
        a = Subject(abit, "3s", "")
        if rng.random() < 0.3:
            _, _, poss, pzh, _ = rng.choice(PRONOUNS)
            b = w(MINE[poss], [pzh, "的"], 0)       # "... than yours" -> 比你的
        else:
            b, _ = noun_phrase(rng, noun, rng.choice(["that", "name", "the"]), adj_p=0.0)
        adj = rng.choice([x for x in lex.adjectives_for(noun) if "color" not in x.tags]
                         or lex.adjectives_for(noun))
    aux = Tok(be(a.person))
    comp = [Tok(t) for t in adj.comparative.split()]
    than = Tok("than")
    comp_bit = Bit(comp, [(adj.zh, comp[-1])])
    return arrange([a.bit, Bit([aux], []), comp_bit, Bit([than], []), b],
                   [a.bit, zh_on(than, "比"), b, comp_bit], ".")


def weather(rng: random.Random) -> Bit:
    """"It's very cold today." -> 今天很冷。; "It is raining." -> 在下雨。"""
    lex = lexicon()
    r = rng.random()
    it, aux = Tok("it"), Tok("is")
    if r < 0.3:
        verb = rng.choice([("raining", "雨"), ("snowing", "雪")])
        v = Tok(verb[0])
        when = time_phrase(rng, "now") if rng.random() < 0.3 else Bit()
        return arrange([Bit([it, aux, v], []), when],
                       [when, zh_on(aux, "在"), zh_on(v, "下", verb[1])], ".")
    if r < 0.45:
        v = Tok(rng.choice(["rained", "snowed"]))
        when = time_phrase(rng, "past")
        return arrange([Bit([it, v], []), when],
                       [when, zh_on(v, "下", "雨" if v.text == "rained" else "雪", "了")], ".")
    adj = rng.choice(lex.adj_by_tag["weather"])
    a = w(adj.en, adj.zh)
    when = Bit()
    if rng.random() < 0.6:
        when = time_phrase(rng, "today") if rng.random() < 0.6 else w(
            *(lambda s: ("in " + s[0], s[1]))(rng.choice(SEASONS)))
    if rng.random() < 0.4:
        the, weather_tok = Tok("the"), Tok("weather")
        subj = Bit([the, weather_tok], [("天气", weather_tok)])
        return arrange([subj, Bit([aux], []), a, when],
                       [when, subj, zh_on(aux, "很"), a], ".")
    if rng.random() < 0.2:
        return arrange([Bit([aux, it], []), a, when],
                       [when, a, zh_on(aux, "吗")], "?")
    return arrange([Bit([it, aux], []), a, when],
                   [when, zh_on(aux, "很"), a], rng.choice("..!"))


VOCATIVES = [("Mom", "妈妈"), ("Dad", "爸爸"), ("everyone", "大家"), ("teacher", "老师"),
             ("my friend", "我的 朋友"), ("guys", "大家"), ("children", "孩子们"),
             ("grandma", "奶奶"), ("grandpa", "爷爷")]
GREETINGS = {"hello", "hi", "good", "goodbye", "bye", "thank", "thanks", "see", "sorry",
             "happy", "welcome", "congratulations"}


def how_is(rng: random.Random) -> Bit:
    """"How was your trip?" -> 你的旅行怎么样？; "What's the weather like today?" """
    lex = lexicon()
    how = Tok("how")
    if rng.random() < 0.25:
        what, is_, the, weather_tok, like = (Tok(t) for t in ("what", "is", "the", "weather",
                                                               "like"))
        when = time_phrase(rng, "today") if rng.random() < 0.6 else Bit()
        return arrange([Bit([what, is_, the, weather_tok, like], []), when],
                       [when, zh_on(weather_tok, "天气"), zh_on(like, "怎么样")], "?")
    r = rng.random()
    if r < 0.4:
        things = [("trip", "旅行"), ("day", "一天"), ("weekend", "周末"), ("holiday", "假期"),
                  ("vacation", "假期"), ("class", "课"), ("test", "考试"), ("exam", "考试"),
                  ("birthday", "生日"), ("party", "派对"), ("work", "工作"),
                  ("school", "学校"), ("family", "家人"), ("life", "生活")]
        en, zh = rng.choice(things)
        _, _, poss, pzh, _ = rng.choice(PRONOUNS)
        det, head = Tok(poss), Tok(en)
        np = Bit([det, head], [(pzh, det), ("的", det), (zh, head)])
        plural = False
    elif r < 0.7:
        noun = rng.choice([n for t in ("food", "watch", "read", "place", "building")
                           for n in lex.by_tag.get(t, [])])
        np, plural = noun_phrase(rng, noun, rng.choice(["the", "the", "this", "that", "my"]),
                                 adj_p=0.0)
    else:
        np, key, _ = person(rng, pronoun_p=0.3, object_case=False)
        plural = key == "p"
    aux = Tok(("were" if plural else "was") if rng.random() < 0.5 else
              ("are" if plural else "is"))
    return arrange([Bit([how, aux], []), np], [np, zh_on(how, "怎么样")], "?")


def set_phrase(rng: random.Random) -> Bit:
    """A set phrase, now and then addressed to someone ("Good night, Mom!")."""
    en, zh, links = rng.choice(SET_PHRASES)
    bit = linked(en, zh, links)
    if en.split()[0] in GREETINGS and rng.random() < 0.3:
        if rng.random() < 0.5:
            name, nzh, _ = rng.choice(lexicon().names)
            who = w(name, nzh)
        else:
            voc_en, voc_zh = rng.choice(VOCATIVES)
            who = w(voc_en, voc_zh)
        comma = Tok(",")
        body, final = Bit(bit.en[:-1], bit.zh[:-1]), Bit(bit.en[-1:], bit.zh[-1:])
        return arrange([body, Bit([comma], []), who, final],
                       [body, Bit([], [("，", comma)]), who, final])
    return bit


def about_me(rng: random.Random) -> Bit:
    """Names, ages, origins, birthdays, the day and the time."""
    lex = lexicon()
    r = rng.random()
    if r < 0.2:
        name, zh, _ = rng.choice(lex.names)
        poss, pzh = rng.choice([("my", "我"), ("his", "他"), ("her", "她"), ("your", "你")])
        toks = [Tok(poss), Tok("name"), Tok("is")]
        name_bit = w(name, zh)
        return arrange([Bit(toks, []), name_bit],
                       [zh_on(toks[0], pzh), zh_on(toks[2], "叫"), name_bit], ".")
    if r < 0.4:
        subj = subject(rng, pronoun_p=0.6)
        n = rng.randint(1, 90)
        num = Tok(str(n) if rng.random() < 0.3 else number_en(n))
        aux = Tok(be(subj.person))
        years, old = Tok("year" if n == 1 else "years"), Tok("old")
        if rng.random() < 0.3:
            how, old_q = Tok("how"), Tok("old")
            return arrange([Bit([how, old_q, aux], []), subj.bit],
                           [subj.bit, zh_on(how, "几"), zh_on(old_q, "岁")], "?")
        return arrange([subj.bit, Bit([aux, num, years, old], [])],
                       [subj.bit, zh_on(num, number_zh(n)), zh_on(years, "岁")], ".")
    if r < 0.55:
        subj = subject(rng, pronoun_p=0.7)
        p = rng.choice([p for p in lex.places if p.en[:1].isupper()])
        aux, frm = Tok(be(subj.person)), Tok("from")
        where = w(p.en, p.zh)
        if rng.random() < 0.3:
            wh = Tok("where")
            return arrange([Bit([wh, aux], []), subj.bit, Bit([frm], [])],
                           [subj.bit, zh_on(frm, "来自"), zh_on(wh, "哪里")], "?")
        return arrange([subj.bit, Bit([aux, frm], []), where],
                       [subj.bit, zh_on(frm, "来自"), where], ".")
    if r < 0.7:
        today, is_ = Tok("today"), Tok("is")
        day = w(*rng.choice(DAYS))
        tomorrow = rng.random() < 0.3
        if tomorrow:
            today.text = "tomorrow"
        return arrange([Bit([today, is_], []), day],
                       [zh_on(today, "明天" if tomorrow else "今天"), zh_on(is_, "是"), day], ".")
    if r < 0.8:
        my, bday, is_, in_ = Tok("my"), Tok("birthday"), Tok("is"), Tok("in")
        month = w(*rng.choice(MONTHS))
        return arrange([Bit([my, bday, is_, in_], []), month],
                       [zh_on(my, "我", "的"), zh_on(bday, "生日"), zh_on(in_, "在"), month], ".")
    # Clock times: "It's seven o'clock." / "I get up at six."
    n = rng.randint(1, 12)
    num = Tok(str(n) if rng.random() < 0.3 else number_en(n))
    oclock = Tok("o'clock")
    if rng.random() < 0.4:
        it, is_ = Tok("it"), Tok("is")
        return arrange([Bit([it, is_, num, oclock], [])],
                       [zh_on(it, "现在"), zh_on(num, number_zh(n, True)), zh_on(oclock, "点")],
                       ".")
    at = Tok("at")
    subj = subject(rng, pronoun_p=0.6)
    verb = _activity(rng)
    form = rng.choice(["present", "past", "future"])
    g = inflect(verb, form, subj.person)
    clock = Bit([at, num] + ([oclock] if rng.random() < 0.5 else []),
                [(number_zh(n, True), num), ("点", at)])
    return arrange([subj.bit, Bit(g.en_after_subject, []), clock],
                   [subj.bit, clock, Bit([], g.zh_verb())], ".")


def how_much(rng: random.Random) -> Bit:
    """"How much is this shirt?" -> 这件衬衫多少钱？; "How many cats do you have?" """
    lex = lexicon()
    how = Tok("how")
    if rng.random() < 0.45:
        noun = rng.choice([n for t in ("thing", "clothes", "food", "fruit", "electronic", "toy")
                           for n in lex.by_tag.get(t, []) if not n.mass])
        much = Tok("much")
        np, plural = noun_phrase(rng, noun, rng.choice(["this", "that", "the", "these"]),
                                 adj_p=0.15)
        aux = Tok("are" if plural else "is")
        return arrange([Bit([how, much, aux], []), np],
                       [np, zh_on(much, "多少"), zh_on(how, "钱")], "?")
    many = Tok("many")
    subj = subject(rng, pronoun_p=0.7)
    have = [v for v in lex.stative if v.zh[0] == "有"] or lex.stative
    verb = have[0] if rng.random() < 0.6 else rng.choice(
        [v for v in lex.transitive if v.tags & {"food", "fruit", "thing", "read", "animal"}])
    noun = rng.choice([n for n in lex.objects_for(verb.tags) if not n.mass] or lex.nouns[:50])
    aux = Tok(do(subj.person))
    form_toks = [Tok(t) for t in verb.base.split()]
    head = w(noun.pl, noun.zh)
    past = verb.kind != "stative" and rng.random() < 0.4
    if past:
        aux.text = "did"
    return arrange([Bit([how, many], []), head, Bit([aux], []), subj.bit,
                    Bit(form_toks, [])],
                   [subj.bit, zh_on(form_toks[0], verb.zh[0]),
                    *([zh_on(aux, "了")] if past else []),
                    zh_on(many, "几"), zh_on(how, noun.mw), head], "?")


def manner(rng: random.Random) -> Bit:
    """"She runs very fast." -> 她跑得很快。"""
    lex = lexicon()
    verbs = [v for v in lex.activities + lex.transitive if v.base in MANNER_VERBS]
    verb = rng.choice(verbs)
    subj = subject(rng, pronoun_p=0.6)
    form = rng.choice(["present", "present", "past", "neg_present"])
    en_adv, zh_adv = rng.choice(lex.manner)
    adv = w(en_adv, zh_adv)
    vzh = MANNER_VERBS[verb.base]
    if form == "neg_present":
        aux, neg = Tok(do(subj.person)), Tok("not")
        v = [Tok(t) for t in verb.base.split()]
        return arrange([subj.bit, Bit([aux, neg] + v, []), adv],
                       [subj.bit, zh_on(v[0], vzh, "得"), zh_on(neg, "不"), adv], ".")
    v = [Tok(t) for t in verb.form("past" if form == "past" else
                                   ("s3" if subj.person == "3s" else "base")).split()]
    very = Tok("very") if rng.random() < 0.4 else None
    return arrange([subj.bit, Bit(v, []), Bit([very] if very else [], []), adv],
                   [subj.bit, zh_on(v[0], vzh, "得"),
                    zh_on(very or adv.head, "非常" if very else "很"), adv], ".")


def like_doing(rng: random.Random) -> Bit:
    """"I like swimming." / "Do you like reading?" -> 你喜欢看书吗？"""
    lex = lexicon()
    subj = subject(rng, pronoun_p=0.6)
    act = _activity(rng)
    stat = rng.choice([v for v in lex.stative if v.base in ("like", "love", "hate", "enjoy",
                                                              "prefer")] or lex.stative[:1])
    vp = verb_bit(act, "ing")
    form = rng.choice(["present", "present", "neg_present", "q_present"])
    g = inflect(stat, form, subj.person)
    return arrange([Bit(g.front, []), subj.bit, Bit(g.en_after_subject, []), vp],
                   [subj.bit, Bit([], g.zh_verb()), vp, Bit([], g.final)],
                   "?" if g.question else ".")


def compound(rng: random.Random) -> Bit:
    """Two statements joined by and / but / because / so."""
    a, qa = clause(rng, extras=rng.random() < 0.5)
    b, qb = clause(rng, extras=False)
    if qa or qb:
        return statement_or_question(rng)
    conj_en, conj_zh = rng.choice([("but", "但是"), ("and", ""), ("because", "因为"),
                                   ("so", "所以")])
    comma, conj = Tok(","), Tok(conj_en)
    zh = [("，", comma)] + ([(conj_zh, conj)] if conj_zh else [])
    return arrange([a, Bit([comma, conj], []), b], [a, Bit([], zh), b], ".")


def live_in(rng: random.Random) -> Bit:
    """"They live in London." -> 他们住在伦敦。; "Where do you live?" -> 你住在哪里？"""
    subj = subject(rng, pronoun_p=0.6)
    form = rng.choice(["present", "present", "neg_present", "q_present", "where", "past"])
    third = subj.person == "3s"
    verb = Tok({"past": "lived"}.get(form, "lives" if third and form == "present" else "live"))
    in_ = Tok("in")
    where = place_noun(rng)
    if form == "where":
        wh, aux = Tok("where"), Tok(do(subj.person))
        return arrange([Bit([wh, aux], []), subj.bit, Bit([verb], [])],
                       [subj.bit, zh_on(verb, "住"), zh_on(wh, "在", "哪里")], "?")
    if form == "q_present":
        aux = Tok(do(subj.person))
        return arrange([Bit([aux], []), subj.bit, Bit([verb, in_], []), where],
                       [subj.bit, zh_on(verb, "住"), zh_on(in_, "在"), where, zh_on(aux, "吗")],
                       "?")
    neg = []
    if form == "neg_present":
        aux, no = Tok(do(subj.person)), Tok("not")
        neg = [aux, no]
    zh_neg = [zh_on(neg[1], "不")] if neg else []
    return arrange([subj.bit, Bit(neg + [verb, in_], []), where],
                   [subj.bit, *zh_neg, zh_on(verb, "住"), zh_on(in_, "在"), where], ".")


def what_color(rng: random.Random) -> Bit:
    """"What color is your car?" -> 你的车是什么颜色的？; favourites."""
    lex = lexicon()
    if rng.random() < 0.5:
        noun = rng.choice([n for t in ("thing", "clothes", "vehicle", "animal", "fruit",
                                       "electronic", "plant") for n in lex.by_tag.get(t, [])
                           if not n.mass])
        np, plural = noun_phrase(rng, noun, rng.choice(["the", "my", "the_pl", "name", "this"]),
                                 adj_p=0.0)
        what, color, aux = Tok("what"), Tok("color"), Tok("are" if plural else "is")
        return arrange([Bit([what, color, aux], []), np],
                       [np, zh_on(aux, "是"), zh_on(what, "什么"), zh_on(color, "颜色", "的")],
                       "?")
    kinds = [("food", "食物"), ("color", "颜色"), ("animal", "动物"), ("sport", "运动"),
             ("fruit", "水果"), ("movie", "电影"), ("song", "歌"), ("book", "书"),
             ("subject", "科目"), ("season", "季节"), ("drink", "饮料")]
    en, zh = rng.choice(kinds)
    poss = rng.choice(PRONOUNS)
    det, fav, kind, aux = Tok(poss[2]), Tok("favorite"), Tok(en), Tok("is")
    what = Tok("what")
    return arrange([Bit([what, aux, det, fav, kind], [])],
                   [zh_on(det, poss[3]), zh_on(fav, "最", "喜欢", "的"), zh_on(kind, zh),
                    zh_on(aux, "是"), zh_on(what, "什么")], "?")


CLAUSE_CONSTRUCTIONS = [
    (statement_or_question, 30), (wh_question, 9), (who_subject, 2), (copula_noun, 7),
    (copula_adjective, 9), (existential, 5), (locative_be, 5), (motion, 7), (imperative, 5),
    (comparative, 3), (weather, 3), (set_phrase, 3), (about_me, 4), (how_much, 3),
    (manner, 2), (like_doing, 2), (compound, 4), (live_in, 2), (what_color, 1),
    (how_is, 1),
]
