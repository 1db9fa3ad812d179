"""Everyday conversation: the past of "be", two objects with 给, object pronouns,
"I think / hope / know" + clause, time phrases (after school, before bed, when I was a
child), whose, how one gets somewhere, "would like", family size, "It's time to ...",
and introductions.

Each function returns one sentence as a `Bit` with its final mark, like `clauses.py`.
"""

from __future__ import annotations

import random

from .bits import Bit, Tok, arrange, headed, linked, w, zh_on
from .clauses import clause
from .lexicon import Noun, Verb, lexicon
from .lexicon.closed import PRONOUNS, number_en, number_zh
from .phrases import Subject, article, noun_phrase, person, place, place_noun, subject
from .verbs import allowed, be, do

# ---------------------------------------------------------------- helpers


def _pronoun(rng: random.Random, exclude: str = "", keys: tuple[str, ...] = ()
             ) -> tuple[str, str, str, str, str]:
    rows = [p for p in PRONOUNS if p[3] != exclude and (not keys or p[4] in keys)]
    return rng.choice(rows)


def _object_person(rng: random.Random, exclude: str = "", pronoun_p: float = 0.6) -> Bit:
    """A person as an object: mostly a pronoun (me, him, us), else a name or my sister."""
    bit, _, _ = person(rng, exclude=exclude, pronoun_p=pronoun_p)
    return bit


def _things(*tags: str) -> list[Noun]:
    lex = lexicon()
    seen: dict[str, Noun] = {}
    for t in tags:
        for n in lex.by_tag.get(t, []):
            if not n.mass and "person" not in n.tags:
                seen.setdefault(n.sg, n)
    return list(seen.values())


# ---------------------------------------------------------------- past of "be"

# States that read well with 很 in the past ("I was very busy yesterday." -> 我昨天很忙。)
PAST_STATES = [("tired", "累"), ("busy", "忙"), ("happy", "高兴"), ("sad", "难过"),
               ("hungry", "饿"), ("nervous", "紧张"), ("bored", "无聊"), ("sleepy", "困"),
               ("excited", "兴奋"), ("angry", "生气"), ("thirsty", "渴")]
# ... and those whose question takes 了 ("Were you tired?" -> 你累了吗？)
CHANGE_STATES = {"累", "饿", "渴", "困"}
PAST_WEATHER = [("sunny", ["晴天"]), ("cold", ["冷"]), ("hot", ["热"]), ("warm", ["暖和"]),
                ("cool", ["凉快"]), ("windy", ["风", "大"]), ("cloudy", ["阴天"]),
                ("rainy", ["下雨", "天"]), ("nice", ["天气", "好"])]
PAST_WHEN = [("yesterday", "昨天", "0"), ("last night", "昨天 晚上", "0 1"),
             ("last week", "上周", "1"), ("last weekend", "上 周末", "0 1"),
             ("yesterday morning", "昨天 早上", "0 1"),
             ("yesterday afternoon", "昨天 下午", "0 1"), ("on Monday", "星期一", "1"),
             ("last Sunday", "上 星期天", "0 1"), ("this morning", "今天 早上", "0 1"),
             ("last year", "去年", "1"), ("last summer", "去年 夏天", "0 1")]
# Where there was something: (english, chinese words, links)
THERE_PLACES = [("in the garden", "花园 里", "2-0 0-1"), ("in the park", "公园 里", "2-0 0-1"),
                ("in the room", "房间 里", "2-0 0-1"),
                ("in the classroom", "教室 里", "2-0 0-1"),
                ("in the kitchen", "厨房 里", "2-0 0-1"), ("on the street", "街 上", "2-0 0-1"),
                ("on the bus", "公共汽车 上", "2-0 0-1"), ("in the car", "车 里", "2-0 0-1"),
                ("in front of the house", "房子 前面", "4-0 1-1")]
SMALL_PLACES = [("in the box", "盒子 里", "2-0 0-1"), ("on the table", "桌子 上", "2-0 0-1"),
                ("under the bed", "床 下面", "2-0 0-1"), ("on the desk", "书桌 上", "2-0 0-1"),
                ("in the bag", "包 里", "2-0 0-1"), ("on the chair", "椅子 上", "2-0 0-1")]


def _past_when(rng: random.Random) -> Bit:
    en, zh, heads = rng.choice(PAST_WHEN)
    return headed(en, zh, heads)


def _negated(subj: Subject, aux: Tok, pred: Bit, when: Bit) -> Bit:
    """"S <aux> not <pred> <when>." -> S <when> 不 <pred>。 ("She was not at home
    yesterday." -> 她昨天不在家。)"""
    neg = Tok("not")
    return arrange([subj.bit, Bit([aux, neg], []), pred, when],
                   [subj.bit, when, zh_on(neg, "不"), pred], ".")


def _asked(subj: Subject, aux: Tok, pred: Bit, when: Bit) -> Bit:
    """"<aux> S <pred> <when>?" -> S <when> <pred> 吗？ ("Were you at home yesterday?" ->
    你昨天在家吗？)"""
    return arrange([Bit([aux], []), subj.bit, pred, when],
                   [subj.bit, when, pred, zh_on(aux, "吗")], "?")


def past_be(rng: random.Random) -> Bit:
    """"I was at home yesterday." -> 我昨天在家。; "Were you tired?" -> 你累了吗？;
    "It was sunny yesterday." -> 昨天是晴天。; "There was a cat in the garden." """
    r = rng.random()
    if r < 0.3:                                     # somewhere, yesterday
        subj = subject(rng, pronoun_p=0.6)
        where, _ = place(rng)
        when = _past_when(rng)
        aux = Tok(be(subj.person, past=True))
        form = rng.choice(["s", "s", "neg", "q", "where"])
        if form == "where":
            wh = Tok("where")
            return arrange([Bit([wh, aux], []), subj.bit, when],
                           [subj.bit, when, zh_on(aux, "在"), zh_on(wh, "哪里")], "?")
        if form == "q":
            return _asked(subj, aux, where, when)
        if form == "neg":
            return _negated(subj, aux, where, when)
        return arrange([subj.bit, Bit([aux], []), where, when],
                       [subj.bit, when, where], ".")
    if r < 0.55:                                    # how someone was
        subj = subject(rng, pronoun_p=0.7)
        en, zh = rng.choice(PAST_STATES)
        adj = w(en, zh)
        aux = Tok(be(subj.person, past=True))
        form = rng.choice(["s", "s", "very", "neg", "q"])
        when = _past_when(rng) if form != "q" or zh not in CHANGE_STATES or \
            rng.random() < 0.4 else Bit()
        if form == "q":
            if not when.en:                         # "Were you tired?" -> 你累了吗？
                return arrange([Bit([aux], []), subj.bit, adj],
                               [subj.bit, adj, zh_on(aux, "了", "吗")], "?")
            return _asked(subj, aux, adj, when)
        if form == "neg":
            return _negated(subj, aux, adj, when)
        if form == "very":
            very = Tok("very")
            return arrange([subj.bit, Bit([aux, very], []), adj, when],
                           [subj.bit, when, zh_on(very, "非常"), adj], ".")
        return arrange([subj.bit, Bit([aux], []), adj, when],
                       [subj.bit, when, zh_on(aux, "很"), adj], ".")
    if r < 0.75:                                    # the weather
        it, was = Tok("it"), Tok("was")
        en, weather_zh = rng.choice(PAST_WEATHER)
        weather = Tok(en)
        when = _past_when(rng)
        if weather_zh[0] in ("晴天", "阴天", "下雨"):  # 昨天是晴天。
            pred = zh_on(was, "是") + zh_on(weather, *weather_zh)
        elif weather_zh[0] == "风":                 # 昨天风很大。
            pred = zh_on(weather, "风") + zh_on(was, "很") + zh_on(weather, "大")
        elif weather_zh[0] == "天气":               # 昨天天气很好。
            pred = zh_on(weather, "天气") + zh_on(was, "很") + zh_on(weather, "好")
        else:
            pred = zh_on(was, "很") + zh_on(weather, *weather_zh)
        return arrange([Bit([it, was, weather], []), when], [when, pred], ".")
    # "There was a cat in the garden." -> 花园里有一只猫。
    if rng.random() < 0.2:
        en, zh, links = rng.choice(THERE_PLACES[:2] + THERE_PLACES[5:6] + THERE_PLACES[-1:])
        nouns = _things("animal")
    elif rng.random() < 0.4:
        en, zh, links = rng.choice(THERE_PLACES)
        nouns = [n for n in lexicon().person_nouns if n.sg in (
            "man", "woman", "boy", "girl", "child", "kid", "person", "baby", "stranger")]
    else:
        en, zh, links = rng.choice(SMALL_PLACES)
        nouns = _things("thing", "toy", "fruit", "read", "electronic")
    loc = linked(en, zh, links)
    noun = rng.choice(nouns)
    there = Tok("there")
    form = rng.choice(["s", "s", "s", "neg", "q"])
    when = _past_when(rng) if rng.random() < 0.3 else Bit()
    if form == "neg":
        no = Tok("no")
        head = w(noun.pl, noun.zh)
        aux = Tok("were")
        return arrange([Bit([there, aux, no], []), head, loc, when],
                       [when, loc, zh_on(no, "没"), zh_on(aux, "有"), head], ".")
    kind = rng.choice(["a", "a", "num"]) if form == "s" else "a"
    np, plural = noun_phrase(rng, noun, kind, adj_p=0.2)
    aux = Tok("were" if plural else "was")
    if form == "q":
        return arrange([Bit([aux, there], []), np, loc, when],
                       [when, loc, zh_on(aux, "有"), np, zh_on(aux, "吗")], "?")
    return arrange([Bit([there, aux], []), np, loc, when],
                   [when, loc, zh_on(aux, "有"), np], ".")


# ---------------------------------------------------------------- two objects with 给

def _gift(rng: random.Random, kinds: tuple[str, ...] = ("a", "a", "num", "some", "this",
                                                         "that", "my")) -> Bit:
    noun = rng.choice(_things("thing", "toy", "read", "clothes", "electronic", "fruit"))
    np, _ = noun_phrase(rng, noun, rng.choice(kinds), adj_p=0.25)
    return np


def give(rng: random.Random) -> Bit:
    """"Give me the book." -> 给我那本书。; "She gave her brother a present." ->
    她给了她弟弟一个礼物。; "I will give you a book." -> 我会给你一本书。"""
    r = rng.random()
    if r < 0.3:                                     # imperative
        verb = Tok("give")
        rec = w(*rng.choice([("me", "我"), ("me", "我"), ("us", "我们"), ("him", "他"),
                             ("her", "她")]))
        noun = rng.choice(_things("thing", "toy", "read", "fruit", "electronic"))
        kind = rng.choice(["the", "this", "that", "a", "your"])
        if kind == "the":                           # "the book" -> 那本书
            det = Tok("the")
            head = w(noun.sg, noun.zh)
            obj = Bit([det] + head.en, [("那", det), (noun.mw, det)] + head.zh)
        elif kind == "your":
            det = Tok("your")
            head = w(noun.sg if rng.random() < 0.7 else noun.pl, noun.zh)
            obj = Bit([det] + head.en, [("你", det), ("的", det)] + head.zh)
        else:
            obj, _ = noun_phrase(rng, noun, kind, adj_p=0.1)
        if rng.random() < 0.4:
            please = Tok("please")
            return arrange([Bit([please, verb], []), rec, obj],
                           [zh_on(please, "请"), zh_on(verb, "给"), rec, obj], ".")
        return arrange([Bit([verb], []), rec, obj], [zh_on(verb, "给"), rec, obj],
                       rng.choice(".!"))
    subj = subject(rng, pronoun_p=0.6)
    rec = _object_person(rng, exclude=subj.zh)
    obj = _gift(rng)
    form = rng.choice(["past", "past", "future", "going_to", "q_past", "want"])
    if form == "past":
        verb = Tok("gave")
        return arrange([subj.bit, Bit([verb], []), rec, obj],
                       [subj.bit, zh_on(verb, "给", "了"), rec, obj], ".")
    if form == "future":
        will, verb = Tok("will"), Tok("give")
        return arrange([subj.bit, Bit([will, verb], []), rec, obj],
                       [subj.bit, zh_on(will, "会"), zh_on(verb, "给"), rec, obj], ".")
    if form == "going_to":
        aux, going, to, verb = Tok(be(subj.person)), Tok("going"), Tok("to"), Tok("give")
        return arrange([subj.bit, Bit([aux, going, to, verb], []), rec, obj],
                       [subj.bit, zh_on(going, "要"), zh_on(verb, "给"), rec, obj], ".")
    if form == "want":
        want, to, verb = Tok("wants" if subj.person == "3s" else "want"), Tok("to"), \
            Tok("give")
        return arrange([subj.bit, Bit([want, to, verb], []), rec, obj],
                       [subj.bit, zh_on(want, "想"), zh_on(verb, "给"), rec, obj], ".")
    did, verb = Tok("did"), Tok("give")
    return arrange([Bit([did], []), subj.bit, Bit([verb], []), rec, obj],
                   [subj.bit, zh_on(verb, "给", "了"), rec, obj, zh_on(did, "吗")], "?")


# Verbs done for someone: "bought me a bag" -> 给我买了一个包.
# (english base, past, chinese, object nouns as (sg, pl, zh, mw) or tags)
FOR_VERBS: list[tuple[str, str, str, list[tuple[str, str, str, str]] | tuple[str, ...]]] = [
    ("send", "sent", "发", [("message", "messages", "信息", "条"),
                           ("email", "emails", "邮件", "封"),
                           ("photo", "photos", "照片", "张")]),
    ("send", "sent", "寄", [("letter", "letters", "信", "封"),
                           ("postcard", "postcards", "明信片", "张"),
                           ("parcel", "parcels", "包裹", "个")]),
    ("buy", "bought", "买", ("thing", "toy", "read", "clothes", "electronic", "fruit")),
    ("make", "made", "做", [("cake", "cakes", "蛋糕", "个"),
                           ("sandwich", "sandwiches", "三明治", "个"),
                           ("kite", "kites", "风筝", "个"),
                           ("dress", "dresses", "连衣裙", "条")]),
    ("write", "wrote", "写", [("letter", "letters", "信", "封"),
                             ("card", "cards", "卡片", "张"),
                             ("song", "songs", "歌", "首"),
                             ("poem", "poems", "诗", "首")]),
    ("bring", "brought", "带", ("thing", "toy", "read", "fruit")),
    ("draw", "drew", "画", [("picture", "pictures", "画", "幅"),
                           ("map", "maps", "地图", "张")]),
    ("cook", "cooked", "做", [("meal", "meals", "饭", "顿")]),
]


def do_for(rng: random.Random) -> Bit:
    """"My mom bought me a new bag." -> 我妈妈给我买了一个新包。; "I sent my friend a
    message." -> 我给我的朋友发了一条信息。"""
    subj = subject(rng, pronoun_p=0.6)
    en, past_en, zh, objs = rng.choice(FOR_VERBS)
    if isinstance(objs, tuple):
        noun = rng.choice(_things(*objs))
    else:
        sg, pl, nzh, mw = rng.choice(objs)
        noun = Noun(sg, pl, nzh, mw, frozenset({"thing"}))
    kind = rng.choice(["a", "a", "a", "num", "some"] if noun.sg != "meal" else ["a"])
    obj, _ = noun_phrase(rng, noun, kind, adj_p=0.2 if isinstance(objs, tuple) else 0.0)
    rec = _object_person(rng, exclude=subj.zh)
    form = rng.choice(["past", "past", "past", "future", "want", "q_past", "neg_past"])
    if form == "past":
        verb = Tok(past_en)
        return arrange([subj.bit, Bit([verb], []), rec, obj],
                       [subj.bit, zh_on(verb, "给"), rec, zh_on(verb, zh, "了"), obj], ".")
    if form == "future":
        will, verb = Tok("will"), Tok(en)
        return arrange([subj.bit, Bit([will, verb], []), rec, obj],
                       [subj.bit, zh_on(will, "会"), zh_on(verb, "给"), rec, zh_on(verb, zh),
                        obj], ".")
    if form == "want":
        want, to, verb = Tok("wants" if subj.person == "3s" else "want"), Tok("to"), Tok(en)
        return arrange([subj.bit, Bit([want, to, verb], []), rec, obj],
                       [subj.bit, zh_on(want, "想"), zh_on(verb, "给"), rec, zh_on(verb, zh),
                        obj], ".")
    did, verb = Tok("did"), Tok(en)
    if form == "neg_past":                          # "She didn't buy me a bag." -> 没给我买包
        neg = Tok("not")
        head = Bit([Tok(article(noun.sg))], []) + w(noun.sg, noun.zh)
        return arrange([subj.bit, Bit([did, neg, verb], []), rec, head],
                       [subj.bit, zh_on(neg, "没"), zh_on(verb, "给"), rec, zh_on(verb, zh),
                        head], ".")
    return arrange([Bit([did], []), subj.bit, Bit([verb], []), rec, obj],
                   [subj.bit, zh_on(verb, "给"), rec, zh_on(verb, zh, "了"), obj,
                    zh_on(did, "吗")], "?")


# Things one tells (告诉 takes two objects) and shows (给 ... 看看).
TELL_OBJECTS = [("name", "名字"), ("phone number", "电话 号码"), ("address", "地址"),
                ("email address", "邮箱 地址"), ("answer", "答案"), ("plan", "计划"),
                ("birthday", "生日"), ("idea", "想法")]
SHOW_OBJECTS = [("photos", "照片"), ("photo", "照片"), ("pictures", "图片"),
                ("new phone", "新 手机"), ("new bike", "新 自行车"), ("room", "房间"),
                ("homework", "作业"), ("drawing", "画"), ("new dress", "新 裙子"),
                ("ticket", "票"), ("passport", "护照"), ("notes", "笔记")]


def _poss_obj(rng: random.Random, rows: list[tuple[str, str]], owner: tuple[str, str, str]
              ) -> Bit:
    """"your phone number" -> 你的电话号码."""
    en, zh = rng.choice(rows)
    poss, pzh, _ = owner
    det = Tok(poss)
    words = en.split()
    zws = zh.split()
    toks = [Tok(x) for x in words]
    # a two-word English head: the first Chinese word on the first English word, the
    # rest on the last
    zh_links = [(z, toks[0] if (k == 0 and len(toks) > 1) else toks[-1])
                for k, z in enumerate(zws)]
    return Bit([det] + toks, [(pzh, det), ("的", det)] + zh_links)


def tell_show(rng: random.Random) -> Bit:
    """"Tell me your name." -> 告诉我你的名字。; "Can you show me your photos?" ->
    你能给我看看你的照片吗？; "Can you teach me Chinese?" -> 你能教我中文吗？"""
    verb_kind = rng.choice(["tell", "tell", "show", "show", "teach", "story"])
    addr = rng.random() < 0.65                      # spoken to "you"
    if addr:
        subj = Subject(w("you", "你"), "2", "你")
        rec_row = _pronoun(rng, keys=("1s", "p", "3s"), exclude="你")
    else:
        subj = subject(rng, pronoun_p=0.6)
        rec_row = _pronoun(rng, exclude=subj.zh)
    rec = w(rec_row[1], rec_row[3])
    if verb_kind in ("tell", "show"):
        if addr:
            owner = ("your", "你", "")
        else:
            own = rng.choice(PRONOUNS)
            owner = (own[2], own[3], "")
        obj = _poss_obj(rng, TELL_OBJECTS if verb_kind == "tell" else SHOW_OBJECTS, owner)
    elif verb_kind == "teach":
        lang = rng.choice(lexicon().languages)
        obj = w(lang[0], lang[1])
    else:
        a, story = Tok("a"), Tok(rng.choice(["story", "joke"]))
        obj = Bit([a, story], [("一", a), ("个", a),
                               ("故事" if story.text == "story" else "笑话", story)])

    def vp(verb: Tok, done: bool = False, redup: bool = True) -> tuple[Bit, Bit]:
        """English verb + recipient + object; Chinese in its order."""
        le = ["了"] if done else []
        if verb_kind == "tell":
            return Bit([verb], []) + rec + obj, zh_on(verb, "告诉", *le) + rec + obj
        if verb_kind == "teach":
            return Bit([verb], []) + rec + obj, zh_on(verb, "教", *le) + rec + obj
        if verb_kind == "story":
            return Bit([verb], []) + rec + obj, zh_on(verb, "给") + rec + \
                zh_on(verb, "讲", *le) + obj
        look = ["看", "了"] if done else (["看", "看"] if redup else ["看"])
        return Bit([verb], []) + rec + obj, zh_on(verb, "给") + rec + zh_on(verb, *look) + obj

    base = {"tell": "tell", "show": "show", "teach": "teach", "story": "tell"}[verb_kind]
    past = {"tell": "told", "show": "showed", "teach": "taught"}[base]
    if addr:
        form = rng.choice(["imp", "please", "can", "can", "could"])
        verb = Tok(base)
        en, zh = vp(verb)
        if form == "imp":
            return arrange([en], [zh], rng.choice(".!"))
        if form == "please":
            please = Tok("please")
            return arrange([Bit([please], []), en], [zh_on(please, "请"), zh], ".")
        aux = Tok("can" if form == "can" else "could")
        return arrange([Bit([aux], []), subj.bit, en],
                       [subj.bit, zh_on(aux, "能" if form == "can" else "可以"), zh,
                        zh_on(aux, "吗")], "?")
    form = rng.choice(["past", "past", "future", "neg_future"])
    if form == "past":
        verb = Tok(past)
        en, zh = vp(verb, done=True)
        return arrange([subj.bit, en], [subj.bit, zh], ".")
    will = Tok("will")
    verb = Tok(base)
    en, zh = vp(verb, redup=False)
    if form == "future":
        return arrange([subj.bit, Bit([will], []), en],
                       [subj.bit, zh_on(will, "会"), zh], ".")
    neg = Tok("not")
    return arrange([subj.bit, Bit([will, neg], []), en],
                   [subj.bit, zh_on(neg, "不"), zh_on(will, "会"), zh], ".")


# ---------------------------------------------------------------- object pronouns

LATER = [("later", "一会儿", "0"), ("tomorrow", "明天", "0"), ("tonight", "今天 晚上", "0 0"),
         ("this evening", "今天 晚上", "0 1"), ("tomorrow morning", "明天 早上", "0 1"),
         ("this weekend", "这个 周末", "0 1"), ("on Sunday", "星期天", "1")]


def _times(rows: list[tuple[str, str, str]], rng: random.Random) -> Bit:
    en, zh, heads = rng.choice(rows)
    return headed(en, zh, heads)


def object_pronoun(rng: random.Random) -> Bit:
    """"Call me tomorrow." -> 明天给我打电话。; "I'll call you later." ->
    我一会儿给你打电话。; "Help me, please!" -> 请帮帮我！; "Wait for me!" -> 等等我！;
    "I miss you." -> 我想你。; "Listen to me." -> 听我说。"""
    kind = rng.choice(["call", "call", "call_imp", "help", "wait", "miss", "listen",
                       "follow", "look"])
    if kind in ("call", "call_imp"):
        call = Tok("call")
        if kind == "call_imp":
            obj = w(*rng.choice([("me", "我"), ("me", "我"), ("us", "我们")]))
            when = _times(LATER, rng) if rng.random() < 0.7 else Bit()
            please = Tok("please") if rng.random() < 0.3 else None
            en = [Bit([please], []) if please else Bit(), Bit([call], []), obj, when]
            zh = [zh_on(please, "请") if please else Bit(), when, zh_on(call, "给"), obj,
                  zh_on(call, "打", "电话")]
            return arrange(en, zh, ".")
        subj = subject(rng, pronoun_p=0.7)
        obj = _object_person(rng, exclude=subj.zh, pronoun_p=0.7)
        form = rng.choice(["future", "future", "past", "q_past", "neg_past"])
        if form == "future":
            when = _times(LATER, rng)
            will = Tok("will")
            return arrange([subj.bit, Bit([will, call], []), obj, when],
                           [subj.bit, when, zh_on(call, "给"), obj, zh_on(call, "打", "电话")],
                           ".")
        if form == "past":
            called = Tok("called")
            when = _past_when(rng) if rng.random() < 0.6 else Bit()
            return arrange([subj.bit, Bit([called], []), obj, when],
                           [subj.bit, when, zh_on(called, "给"), obj,
                            zh_on(called, "打", "了", "电话")], ".")
        did = Tok("did")
        if form == "q_past" and subj.person == "1s":
            subj = Subject(w("you", "你"), "2", "你")
            obj = _object_person(rng, exclude="你", pronoun_p=0.7)
        if form == "q_past":
            return arrange([Bit([did], []), subj.bit, Bit([call], []), obj],
                           [subj.bit, zh_on(call, "给"), obj, zh_on(call, "打", "电话"),
                            zh_on(did, "了", "吗")], "?")
        neg = Tok("not")
        return arrange([subj.bit, Bit([did, neg, call], []), obj],
                       [subj.bit, zh_on(neg, "没"), zh_on(call, "给"), obj,
                        zh_on(call, "打", "电话")], ".")
    if kind in ("help", "wait"):
        obj_row = _pronoun(rng, keys=("1s", "p", "3s"))
        obj = w(obj_row[1], obj_row[3])
        verb = [Tok("help")] if kind == "help" else [Tok("wait"), Tok("for")]
        vzh = ["帮", "帮"] if kind == "help" else ["等", "等"]
        v = Bit(verb, [(z, verb[0]) for z in vzh])
        r = rng.random()
        if r < 0.4:
            return arrange([v, obj], [v, obj], "!")
        if r < 0.7:
            please = Tok("please")
            return arrange([Bit([please], []), v, obj], [zh_on(please, "请"), v, obj],
                           rng.choice(".!"))
        comma, please = Tok(","), Tok("please")
        return arrange([v, obj, Bit([comma, please], [])], [zh_on(please, "请"), v, obj], "!")
    if kind == "miss":
        subj = subject(rng, pronoun_p=0.8)
        obj = _object_person(rng, exclude=subj.zh, pronoun_p=0.7)
        form = rng.choice(["s", "s", "very", "q"])
        miss = Tok("misses" if subj.person == "3s" and form != "q" else "miss")
        if form == "q":
            aux = Tok(do(subj.person))
            return arrange([Bit([aux], []), subj.bit, Bit([miss], []), obj],
                           [subj.bit, zh_on(miss, "想"), obj, zh_on(aux, "吗")], "?")
        if form == "very":
            so, much = Tok("so"), Tok("much")
            return arrange([subj.bit, Bit([miss], []), obj, Bit([so, much], [])],
                           [subj.bit, zh_on(much, "很"), zh_on(miss, "想"), obj], ".")
        return arrange([subj.bit, Bit([miss], []), obj], [subj.bit, zh_on(miss, "想"), obj],
                       rng.choice(".!"))
    obj_row = _pronoun(rng, keys=("1s",) if kind != "look" else ("1s", "3s", "p"))
    obj = w(obj_row[1], obj_row[3])
    if kind == "listen":                            # "Listen to me." -> 听我说。
        listen, to = Tok("listen"), Tok("to")
        return arrange([Bit([listen, to], []), obj],
                       [zh_on(listen, "听"), obj, zh_on(to, "说")], rng.choice(".!"))
    if kind == "follow":                            # "Follow me!" / "Come with me." -> 跟我来
        if rng.random() < 0.5:
            follow = Tok("follow")
            return arrange([Bit([follow], []), obj],
                           [zh_on(follow, "跟"), obj, zh_on(follow, "来")], rng.choice(".!"))
        come, with_ = Tok("come"), Tok("with")
        return arrange([Bit([come, with_], []), obj],
                       [zh_on(with_, "跟"), obj, zh_on(come, "来")], rng.choice(".!"))
    look, at = Tok("look"), Tok("at")                # "Look at me!" -> 看着我！
    return arrange([Bit([look, at], []), obj], [zh_on(look, "看"), zh_on(at, "着"), obj], "!")


# ---------------------------------------------------------------- think / hope / know

def _think_clause(rng: random.Random) -> Bit:
    """A simple statement for "I think ...": it's going to rain; he is right; she is
    kind; this X is too expensive; or a clause from clauses.py."""
    lex = lexicon()
    r = rng.random()
    if r < 0.15:
        it, aux, going, to = Tok("it"), Tok("is"), Tok("going"), Tok("to")
        v = Tok(rng.choice(["rain", "snow"]))
        return arrange([Bit([it, aux, going, to, v], [])],
                       [zh_on(going, "要"), zh_on(v, "下", "雨" if v.text == "rain" else "雪"),
                        zh_on(aux, "了")])
    if r < 0.3:                                     # "he is right" -> 他是对的
        subj = subject(rng, pronoun_p=0.8)
        aux, right = Tok(be(subj.person)), Tok(rng.choice(["right", "wrong"]))
        if right.text == "wrong":
            return arrange([subj.bit, Bit([aux, right], [])],
                           [subj.bit, zh_on(aux, "是"), zh_on(right, "错", "的")])
        return arrange([subj.bit, Bit([aux, right], [])],
                       [subj.bit, zh_on(aux, "是"), zh_on(right, "对", "的")])
    if r < 0.5:                                     # "she is very kind" -> 她很善良
        subj = subject(rng, pronoun_p=0.6)
        a = rng.choice(lex.adj_by_tag["person"])
        aux = Tok(be(subj.person))
        adj = w(a.en, a.zh)
        if rng.random() < 0.5:
            very = Tok("very")
            return arrange([subj.bit, Bit([aux, very], []), adj],
                           [subj.bit, zh_on(very, "很"), adj])
        return arrange([subj.bit, Bit([aux], []), adj], [subj.bit, zh_on(aux, "很"), adj])
    if r < 0.7:                                     # "this dress is too expensive"
        pool = [n for n in lex.nouns if lex.adjectives_for(n) and "person" not in n.tags]
        noun = rng.choice(pool)
        subj_bit, plural = noun_phrase(rng, noun, rng.choice(["the", "this", "that", "my"]),
                                       adj_p=0.0)
        a = rng.choice([x for x in lex.adjectives_for(noun) if "color" not in x.tags]
                       or lex.adjectives_for(noun))
        aux = Tok("are" if plural else "is")
        adj = w(a.en, a.zh)
        if rng.random() < 0.4:
            too = Tok("too")
            return arrange([subj_bit, Bit([aux, too], []), adj],
                           [subj_bit, zh_on(too, "太"), adj, zh_on(too, "了")])
        return arrange([subj_bit, Bit([aux], []), adj], [subj_bit, zh_on(aux, "很"), adj])
    form = rng.choice(["present", "future", "future", "can", "going_to", "past",
                       "neg_future", "neg_present", "should"])
    for _ in range(10):
        verb = rng.choice(lex.transitive + lex.activities + lex.stative)
        if allowed(verb, form):
            break
    else:
        form = "present"
    bit, _ = clause(rng, verb=verb, form=form, extras=False)
    return bit


HOPE = [  # (english after "i hope", chinese words, links), spoken to "you"
    ("you like it", "你 喜欢", "0-0 1-1"),
    ("you can come", "你 能 来", "0-0 1-1 2-2"),
    ("you have a good time", "你 玩 得 开心", "0-0 1-1 1-2 3-3"),
    ("it does not rain tomorrow", "明天 不 下雨", "4-0 2-1 3-2"),
    ("it will be sunny tomorrow", "明天 是 晴天", "4-0 2-1 3-2"),
    ("you get well soon", "你 早日 康复", "0-0 3-1 2-2"),
    ("we can meet again", "我们 能 再 见面", "0-0 1-1 3-2 2-3"),
    ("you pass the exam", "你 能 通过 考试", "0-0 1-1 1-2 3-3"),
    ("everything goes well", "一切 顺利", "0-0 2-1"),
    ("you will come back soon", "你 早点 回来", "0-0 4-1 2-2"),
]


def think_hope(rng: random.Random) -> Bit:
    """"I think it's going to rain." -> 我觉得要下雨了。; "I think he is right." ->
    我觉得他是对的。; "I hope you like it." -> 我希望你喜欢。"""
    if rng.random() < 0.3:
        i, hope = Tok("i"), Tok("hope")
        en, zh, links = rng.choice(HOPE)
        body = linked(en, zh, links)
        return arrange([Bit([i, hope], []), body],
                       [zh_on(i, "我"), zh_on(hope, "希望"), body], rng.choice(".!"))
    body = _think_clause(rng)
    if rng.random() < 0.25:                         # "Do you think ...?" -> 你觉得...吗？
        do_, you, think = Tok("do"), Tok("you"), Tok("think")
        return arrange([Bit([do_, you, think], []), body],
                       [zh_on(you, "你"), zh_on(think, "觉得"), body, zh_on(do_, "吗")], "?")
    subj = subject(rng, pronoun_p=0.8) if rng.random() < 0.35 else \
        Subject(w("i", "我"), "1s", "我")
    think = Tok("thinks" if subj.person == "3s" else "think")
    that = [Tok("that")] if rng.random() < 0.15 else []
    return arrange([subj.bit, Bit([think] + that, []), body],
                   [subj.bit, zh_on(think, "觉得"), body], ".")


def know_wh(rng: random.Random) -> Bit:
    """"I don't know where he is." -> 我不知道他在哪里。; "Do you know what she wants?" """
    lex = lexicon()
    kind = rng.choice(["where", "where", "what_want", "who", "when", "why", "what_doing",
                       "where_live"])
    if kind == "where" and rng.random() < 0.4:
        noun = rng.choice(_things("thing", "electronic", "toy", "read"))
        subj_bit, plural = noun_phrase(rng, noun, rng.choice(["the", "my", "name", "the_pl"]),
                                       adj_p=0.0)
        who = Subject(subj_bit, "p" if plural else "3s", "")
    else:
        bit, key, who_zh = person(rng, pronoun_p=0.65, object_case=False)
        who = Subject(bit, key, who_zh)
    if kind == "where":                             # "where he is" -> 他在哪里
        wh, aux = Tok("where"), Tok(be(who.person))
        en = Bit([wh], []) + who.bit + Bit([aux], [])
        zh = who.bit + zh_on(aux, "在") + zh_on(wh, "哪里")
    elif kind == "where_live":                      # "where she lives" -> 她住在哪里
        wh, v = Tok("where"), Tok("lives" if who.person == "3s" else "live")
        en = Bit([wh], []) + who.bit + Bit([v], [])
        zh = who.bit + zh_on(v, "住") + zh_on(wh, "在", "哪里")
    elif kind == "what_want":                       # "what he wants" -> 他想要什么
        wh, v = Tok("what"), Tok("wants" if who.person == "3s" else "want")
        en = Bit([wh], []) + who.bit + Bit([v], [])
        zh = who.bit + zh_on(v, "想要") + zh_on(wh, "什么")
    elif kind == "who":                             # "who she is" -> 她是谁
        wh, aux = Tok("who"), Tok(be(who.person))
        en = Bit([wh], []) + who.bit + Bit([aux], [])
        zh = who.bit + zh_on(aux, "是") + zh_on(wh, "谁")
    elif kind == "when":                            # "when he will come" -> 他什么时候来
        wh, will = Tok("when"), Tok("will")
        act = rng.choice([v for v in lex.activities if v.base in (
            "come", "leave", "arrive", "come back", "come home", "go home", "get up",
            "go to bed", "graduate", "get married", "retire")])
        vb = Bit([Tok(t) for t in act.base.split()], [])
        vb = Bit(vb.en, [(z, vb.en[i]) for z, i in zip(act.zh, act.links, strict=True)])
        en = Bit([wh], []) + who.bit + Bit([will], []) + vb
        zh = who.bit + zh_on(wh, "什么时候") + zh_on(will, "会") + vb
    elif kind == "why":                             # "why she is sad" -> 她为什么难过
        wh, aux = Tok("why"), Tok(be(who.person))
        en_adj, zh_adj = rng.choice([("sad", "难过"), ("angry", "生气"), ("late", "迟到"),
                                     ("unhappy", "不高兴"), ("upset", "难过"),
                                     ("so happy", "这么 高兴"), ("tired", "累")])
        adj = linked(en_adj, zh_adj, " ".join(
            f"{min(k, len(en_adj.split()) - 1)}-{k}" for k in range(len(zh_adj.split()))))
        en = Bit([wh], []) + who.bit + Bit([aux], []) + adj
        zh = who.bit + zh_on(wh, "为什么") + adj
    else:                                           # "what she is doing" -> 她在做什么
        wh, aux, doing = Tok("what"), Tok(be(who.person)), Tok("doing")
        en = Bit([wh], []) + who.bit + Bit([aux, doing], [])
        zh = who.bit + zh_on(aux, "在") + zh_on(doing, "做") + zh_on(wh, "什么")
    form = rng.choice(["know", "dont", "dont", "q", "q"])
    if form == "q":
        do_, you, know = Tok("do"), Tok("you"), Tok("know")
        return arrange([Bit([do_, you, know], []), en],
                       [zh_on(you, "你"), zh_on(know, "知道"), zh, zh_on(do_, "吗")], "?")
    subj = subject(rng, pronoun_p=0.85)
    if form == "dont":
        aux, neg, know = Tok(do(subj.person)), Tok("not"), Tok("know")
        return arrange([subj.bit, Bit([aux, neg, know], []), en],
                       [subj.bit, zh_on(neg, "不"), zh_on(know, "知道"), zh], ".")
    know = Tok("knows" if subj.person == "3s" else "know")
    return arrange([subj.bit, Bit([know], []), en], [subj.bit, zh_on(know, "知道"), zh], ".")


# ---------------------------------------------------------------- time phrases

# (english, chinese words, links, activities it rules out)
WHEN_PHRASES = [
    ("after school", "放学 后", "1-0 0-1", {"go to school"}),
    ("after dinner", "晚饭 后", "1-0 0-1", {"have dinner", "cook dinner", "make dinner", "eat"}),
    ("after lunch", "午饭 后", "1-0 0-1", {"have lunch", "eat"}),
    ("after breakfast", "早饭 后", "1-0 0-1", {"have breakfast", "eat breakfast",
                                             "make breakfast", "eat"}),
    ("after class", "下课 后", "1-0 0-1", {"have a class"}),
    ("after work", "下班 后", "1-0 0-1", {"go to work", "work"}),
    ("before bed", "睡觉 前", "1-0 0-1", {"go to bed", "sleep", "go to sleep"}),
    ("before class", "上课 前", "1-0 0-1", {"have a class"}),
    ("before dinner", "晚饭 前", "1-0 0-1", {"have dinner", "eat"}),
    ("before breakfast", "早饭 前", "1-0 0-1", {"have breakfast", "eat breakfast", "eat"}),
    ("before school", "上学 前", "1-0 0-1", {"go to school"}),
    ("before work", "上班 前", "1-0 0-1", {"go to work", "work"}),
]
ROUTINE = {"do homework", "watch TV", "take a shower", "take a bath", "read books",
           "play football", "play basketball", "take a walk", "go for a walk", "listen to music",
           "play the piano", "wash the dishes", "do housework", "walk the dog", "play games",
           "have a rest", "take a nap", "play video games", "read the newspaper", "run",
           "practice", "revise", "exercise", "rest", "study", "brush my teeth",
           "keep a diary", "feed the cat", "water the flowers", "clean the room",
           "watch the news", "go home", "make tea", "chat", "take medicine", "do yoga",
           "have breakfast", "eat breakfast", "have lunch", "have dinner", "go to bed",
           "get dressed", "pack", "sweep the floor", "set the table", "go swimming",
           "go running"}
IMPERATIVE_ROUTINE = {"do homework", "take a shower", "wash the dishes", "take medicine",
                      "clean the room", "feed the cat", "walk the dog", "go home",
                      "set the table", "have a rest", "go to bed", "pack", "revise"}


def _routine(rng: random.Random, phrase_excl: set[str], pool: set[str]) -> Verb:
    return rng.choice([v for v in lexicon().activities
                       if v.base in pool and v.base not in phrase_excl])


def time_phrases(rng: random.Random) -> Bit:
    """"I do my homework after school." -> 我放学后做作业。; "Wash your hands before
    dinner." -> 晚饭前洗手。; "When I was a child, I lived in Beijing." -> 我小时候住在北京。"""
    r = rng.random()
    if r < 0.25:
        return _childhood(rng)
    en, zh, links, excl = rng.choice(WHEN_PHRASES)
    when = linked(en, zh, links)
    front = rng.random() < 0.3
    comma = Tok(",")
    if r < 0.45:                                    # imperative
        if rng.random() < 0.35:                     # "Wash your hands before dinner."
            wash, your, hands = Tok("wash"), Tok("your"), Tok("hands")
            vp = Bit([wash, your, hands], [("洗", wash), ("手", hands)])
            en, zh, links, excl = rng.choice([x for x in WHEN_PHRASES if x[0] in (
                "before dinner", "before breakfast", "before class", "after school")])
            when = linked(en, zh, links)
        else:
            vp = _vp(_routine(rng, excl, IMPERATIVE_ROUTINE), "base", "you")
        if rng.random() < 0.3:                      # "Don't watch TV before bed." -> 别
            do_, neg = Tok("do"), Tok("not")
            v = _vp(_routine(rng, excl, {"watch TV", "play games", "play video games",
                                         "go out", "play the piano"}), "base")
            return arrange([Bit([do_, neg], []), v, when],
                           [when, zh_on(neg, "别"), v], rng.choice(".!"))
        if front:
            return arrange([when, Bit([comma], []), vp], [when, vp], ".")
        return arrange([vp, when], [when, vp], rng.choice(".!"))
    subj = subject(rng, pronoun_p=0.65)
    subj_en = subj.bit.en[0].text if len(subj.bit.en) == 1 else ""
    act = _routine(rng, excl, ROUTINE)
    form = rng.choice(["present", "present", "usually", "past", "neg_present", "q_present"])
    if form in ("present", "usually"):
        vp = _vp(act, "s3" if subj.person == "3s" else "base", subj_en)
        usually = w("usually", "通常") if form == "usually" else Bit()
        if front:
            return arrange([when, Bit([comma], []), subj.bit, usually, vp],
                           [when, subj.bit, usually, vp], ".")
        return arrange([subj.bit, usually, vp, when], [subj.bit, usually, when, vp], ".")
    if form == "past":
        vp = _vp(act, "past", subj_en, le=True)
        tail = rng.choice([linked("yesterday", "昨天", "0-0"), Bit(),
                           linked("on Monday", "星期一", "1-0")])
        if front:
            return arrange([when, Bit([comma], []), subj.bit, vp, tail],
                           [subj.bit, tail, when, vp], ".")
        return arrange([subj.bit, vp, when, tail], [subj.bit, tail, when, vp], ".")
    aux = Tok(do(subj.person))
    vp = _vp(act, "base", subj_en)
    if form == "neg_present":
        return _negated(subj, aux, vp, when)
    return _asked(subj, aux, vp, when)


POSS = {"i": "my", "you": "your", "we": "our", "they": "their"}


def _vp(verb: Verb, form: str, subj_en: str = "", le: bool = False) -> Bit:
    """An activity's words; "do homework" becomes "do my homework" after a pronoun
    subject (the possessive has no Chinese); `le` marks a past action with 了 (做了作业,
    散步了)."""
    toks = [Tok(t) for t in verb.form(form).split()]
    zh = [(z, toks[i]) for z, i in zip(verb.zh, verb.links, strict=True)]
    if le:
        zh = zh[:1] + [("了", toks[0])] + zh[1:] if len(zh) > 1 else zh + [("了", toks[0])]
    if verb.base == "do homework" and subj_en in POSS:
        toks = toks[:1] + [Tok(POSS[subj_en])] + toks[1:]
    return Bit(toks, zh)


def _childhood(rng: random.Random) -> Bit:
    """"When I was a child, I lived in Beijing." -> 我小时候住在北京。"""
    lex = lexicon()
    row = _pronoun(rng, keys=("1s", "3s", "p", "2"))
    subj_en, _, _, pzh, key = row
    when, subj_tok, was = Tok("when"), Tok(subj_en), Tok(be(key, past=True))
    art = Tok("a") if key != "p" else None
    child = Tok("child" if key != "p" else "children")
    intro = Bit([when, subj_tok, was] + ([art] if art else []) + [child],
                [(pzh, subj_tok), ("小时候", child)])
    main_subj = Tok(subj_en)
    r = rng.random()
    if r < 0.4:                                     # liked / hated X
        verb_en, verb_zh = rng.choice([("liked", ["很", "喜欢"]), ("liked", ["喜欢"]),
                                       ("loved", ["很", "喜欢"]), ("hated", ["讨厌"])])
        verb = Tok(verb_en)
        noun = rng.choice(_things("food", "fruit", "animal"))
        obj = w(noun.pl, noun.zh)
        pred_en = Bit([verb], []) + obj
        pred_zh = zh_on(verb, *verb_zh) + obj
    elif r < 0.65:                                  # lived in X
        lived, in_ = Tok("lived"), Tok("in")
        pl = rng.choice([p for p in lex.places if p.en[:1].isupper()])
        where = w(pl.en, pl.zh)
        pred_en = Bit([lived, in_], []) + where
        pred_zh = zh_on(lived, "住") + zh_on(in_, "在") + where
    elif r < 0.85:                                  # was very shy
        adj = rng.choice([a for a in lex.adj_by_tag["person"] if a.en in (
            "shy", "naughty", "quiet", "active", "fat", "thin", "short", "cute", "lazy",
            "brave", "clever", "funny", "talkative", "curious")])
        was2, very = Tok(be(key, past=True)), Tok("very")
        a = w(adj.en, adj.zh)
        pred_en = Bit([was2, very], []) + a
        pred_zh = zh_on(very, "很") + a
    else:                                           # often played X
        act = rng.choice([v for v in lex.activities if v.base in (
            "play football", "play basketball", "play games", "play the piano", "swim",
            "climb trees", "fly a kite", "play hide and seek", "draw", "sing", "dance",
            "watch TV", "read books", "play chess", "go fishing", "ride a bike")])
        often = Tok("often")
        vp = _vp(act, "past", subj_en)
        pred_en = Bit([often], []) + vp
        pred_zh = zh_on(often, "经常") + vp
    comma = Tok(",")
    if rng.random() < 0.5:
        return arrange([intro, Bit([comma, main_subj], []), pred_en], [intro, pred_zh], ".")
    return arrange([Bit([main_subj], []), pred_en, intro], [intro, pred_zh], ".")


# ---------------------------------------------------------------- whose / how / would like

def whose(rng: random.Random) -> Bit:
    """"Whose book is this?" -> 这是谁的书？; "Whose shoes are those?" -> 那些是谁的鞋？"""
    noun = rng.choice(_things("thing", "toy", "read", "clothes", "electronic", "vehicle",
                              "pet"))
    plural = rng.random() < 0.3
    whose_tok = Tok("whose")
    head = w(noun.pl if plural else noun.sg, noun.zh)
    r = rng.random()
    if r < 0.15:                                    # "Whose is this?" -> 这是谁的？
        aux, dem = Tok("is"), Tok(rng.choice(["this", "that"]))
        return arrange([Bit([whose_tok, aux, dem], [])],
                       [zh_on(dem, "这" if dem.text == "this" else "那"), zh_on(aux, "是"),
                        zh_on(whose_tok, "谁", "的")], "?")
    if r < 0.3:                                     # "Whose bag is on the table?"
        aux = Tok("are" if plural else "is")
        en_l, zh_l, links = rng.choice(SMALL_PLACES)
        loc = linked(en_l, zh_l, links)
        return _whose_there(whose_tok, head, aux, loc)
    dem_en = rng.choice(["this", "that"]) if not plural else rng.choice(["these", "those"])
    dem_zh = {"this": "这", "that": "那", "these": "这些", "those": "那些"}[dem_en]
    aux, dem = Tok("are" if plural else "is"), Tok(dem_en)
    was = rng.random() < 0.1
    if was:
        aux.text = "were" if plural else "was"
    return arrange([Bit([whose_tok], []), head, Bit([aux, dem], [])],
                   [zh_on(dem, dem_zh), zh_on(aux, "是"), zh_on(whose_tok, "谁", "的"), head],
                   "?")


def _whose_there(whose_tok: Tok, head: Bit, aux: Tok, loc: Bit) -> Bit:
    """"Whose bag is on the table?" -> 桌子上的包是谁的？"""
    return arrange([Bit([whose_tok], []), head, Bit([aux], []), loc],
                   [loc, zh_on(loc.en[0], "的"), head, zh_on(aux, "是"),
                    zh_on(whose_tok, "谁", "的")], "?")


def how_go(rng: random.Random) -> Bit:
    """"How do you go to school?" -> 你怎么去学校？; "How did you get here?" ->
    你是怎么来的？"""
    subj = subject(rng, pronoun_p=0.75)
    how = Tok("how")
    form = rng.choice(["present", "present", "past", "future", "here"])
    if form == "here":                              # "How did you get here?"
        did, get, here = Tok("did"), Tok("get"), Tok("here")
        return arrange([Bit([how, did], []), subj.bit, Bit([get, here], [])],
                       [subj.bit, zh_on(did, "是"), zh_on(how, "怎么"), zh_on(get, "来"),
                        zh_on(did, "的")], "?")
    verb = Tok(rng.choice(["go", "go", "get"]))
    r = rng.random()
    if r < 0.15:
        dest = Bit([Tok("home")], [])
        dest_zh = [("回", verb), ("家", dest.en[0])]
    elif r < 0.4:
        to, work = Tok("to"), Tok(rng.choice(["work", "school", "school"]))
        dest = Bit([to, work], [])
        dest_zh = [("去", verb), ("上班" if work.text == "work" else "学校", work)]
    else:
        to = Tok("to")
        noun = rng.choice([n for n in (place_noun(rng) for _ in range(3))
                           if n.en[0].text != "home"] or [w("the park", "公园", 1)])
        dest = Bit([to] + noun.en, [])
        dest_zh = [("去", verb)] + noun.zh
    dest_zh_bit = Bit([], dest_zh)
    if form == "present":
        aux = Tok(do(subj.person))
        return arrange([Bit([how, aux], []), subj.bit, Bit([verb], []), dest],
                       [subj.bit, zh_on(how, "怎么"), dest_zh_bit], "?")
    if form == "past":
        aux = Tok("did")
        return arrange([Bit([how, aux], []), subj.bit, Bit([verb], []), dest],
                       [subj.bit, zh_on(aux, "是"), zh_on(how, "怎么"), dest_zh_bit,
                        zh_on(aux, "的")], "?")
    will = Tok("will")
    return arrange([Bit([how, will], []), subj.bit, Bit([verb], []), dest],
                   [subj.bit, zh_on(how, "怎么"), dest_zh_bit], "?")


# (english container phrase, chinese measure word) for drinks and food
DRINKS = [("tea", "茶"), ("coffee", "咖啡"), ("water", "水"), ("milk", "牛奶"),
          ("juice", "果汁"), ("cola", "可乐"), ("orange juice", "橙汁"), ("hot water", "热水")]
CUPS = [("cup", "杯"), ("glass", "杯"), ("bottle", "瓶")]
FOODS = [("bowl of rice", "碗", "米饭"), ("bowl of noodles", "碗", "面条"),
         ("bowl of soup", "碗", "汤"), ("piece of cake", "块", "蛋糕"),
         ("slice of bread", "片", "面包"), ("plate of dumplings", "盘", "饺子")]


def _order(rng: random.Random) -> tuple[Bit, str]:
    """"a cup of tea" -> 一杯茶; "some water" -> 一点水; "a hamburger" -> 一个汉堡.
    Returns the phrase and 喝 or 吃."""
    r = rng.random()
    if r < 0.45:
        en, zh = rng.choice(DRINKS)
        if rng.random() < 0.35:
            some = Tok("some")
            d = w(en, zh)
            return Bit([some] + d.en, [("点", some)] + d.zh), "喝"
        cup_en, mw = rng.choice(CUPS)
        if en in ("tea", "coffee", "hot water") and cup_en == "bottle":
            cup_en = "cup"
        a, cup, of = Tok("a"), Tok(cup_en), Tok("of")
        d = w(en, zh)
        return Bit([a, cup, of] + d.en, [("一", a), (mw, cup)] + d.zh), "喝"
    if r < 0.65:
        en, mw, zh = rng.choice(FOODS)
        toks = [Tok("a")] + [Tok(t) for t in en.split()]
        return Bit(toks, [("一", toks[0]), (mw, toks[1]), (zh, toks[-1])]), "吃"
    noun = rng.choice([n for n in lexicon().by_tag.get("food", []) + lexicon().by_tag.get(
        "fruit", []) if not n.mass and n.sg not in ("meal", "dish")])
    np, _ = noun_phrase(rng, noun, "some" if noun.mw == "颗" else rng.choice(["a", "a", "some"]),
                        adj_p=0.0)
    return np, "吃"


def would_like(rng: random.Random) -> Bit:
    """"Would you like some tea?" -> 你想喝点茶吗？; "I'd like a glass of water." ->
    我想要一杯水。; "I want a new phone." -> 我想要一个新手机。"""
    r = rng.random()
    if r < 0.3:                                     # "Would you like some tea?"
        would, you, like = Tok("would"), Tok("you"), Tok("like")
        obj, eat = _order(rng)
        return arrange([Bit([would, you, like], []), obj],
                       [zh_on(you, "你"), zh_on(would, "想"), zh_on(like, eat), obj,
                        zh_on(would, "吗")], "?")
    if r < 0.55:                                    # "I'd like a glass of water."
        obj, _ = _order(rng)
        please = rng.random() < 0.3
        if rng.random() < 0.5:
            i_d, like = Tok("i'd"), Tok("like")
            en = [Bit([i_d, like], []), obj]
            zh = [zh_on(i_d, "我", "想"), zh_on(like, "要"), obj]
        else:
            sub = rng.choice([("i", "我"), ("we", "我们")])
            s, would, like = Tok(sub[0]), Tok("would"), Tok("like")
            en = [Bit([s, would, like], []), obj]
            zh = [zh_on(s, sub[1]), zh_on(would, "想"), zh_on(like, "要"), obj]
        if please:                                  # ", please" has no Chinese of its own
            en = en + [Bit([Tok(","), Tok("please")], [])]
        return arrange(en, zh, ".")
    if r < 0.7:                                     # "What would you like to drink?"
        what, would, you, like, to = (Tok(t) for t in ("what", "would", "you", "like", "to"))
        verb = Tok(rng.choice(["eat", "drink", "eat", "drink", "do", "buy"]))
        vzh = {"eat": "吃", "drink": "喝", "do": "做", "buy": "买"}[verb.text]
        return arrange([Bit([what, would, you, like, to, verb], [])],
                       [zh_on(you, "你"), zh_on(would, "想"), zh_on(verb, vzh),
                        zh_on(what, "什么")], "?")
    # "I want / need a new phone." -> 我想要 / 需要一个新手机。
    subj = subject(rng, pronoun_p=0.7)
    noun = rng.choice(_things("thing", "electronic", "clothes", "toy", "vehicle", "pet",
                              "furniture"))
    kind = rng.choice(["a", "a", "some", "num"])
    obj, _ = noun_phrase(rng, noun, kind, adj_p=0.4)
    vkey = rng.choice(["want", "want", "need"])
    vzh = "想要" if vkey == "want" else "需要"
    form = rng.choice(["s", "s", "neg", "q"])
    if form == "neg":
        # "I don't need any bags." -> 我不需要包。
        aux, neg, v, any_ = Tok(do(subj.person)), Tok("not"), Tok(vkey), Tok("any")
        head = w(noun.pl, noun.zh)
        return arrange([subj.bit, Bit([aux, neg, v, any_], []), head],
                       [subj.bit, zh_on(neg, "不"), zh_on(v, vzh), head], ".")
    if form == "q":
        aux, v = Tok(do(subj.person)), Tok(vkey)
        return arrange([Bit([aux], []), subj.bit, Bit([v], []), obj],
                       [subj.bit, zh_on(v, vzh), obj, zh_on(aux, "吗")], "?")
    v = Tok(vkey + ("s" if subj.person == "3s" else ""))
    return arrange([subj.bit, Bit([v], []), obj], [subj.bit, zh_on(v, vzh), obj], ".")


# ---------------------------------------------------------------- family, time, introductions

SIBLINGS = [("an older brother", "一 个 哥哥", "0-0 0-1 2-2"),
            ("an older sister", "一 个 姐姐", "0-0 0-1 2-2"),
            ("a younger brother", "一 个 弟弟", "0-0 0-1 2-2"),
            ("a younger sister", "一 个 妹妹", "0-0 0-1 2-2"),
            ("a little brother", "一 个 弟弟", "0-0 0-1 2-2"),
            ("a little sister", "一 个 妹妹", "0-0 0-1 2-2"),
            ("a brother", "一 个 哥哥", "0-0 0-1 1-2"), ("a sister", "一 个 姐姐", "0-0 0-1 1-2")]


def family(rng: random.Random) -> Bit:
    """"There are four people in my family." -> 我家有四口人。; "How many people are
    there in your family?" -> 你家有几口人？; "I have a brother and a sister." """
    row = rng.choice(PRONOUNS)
    subj_en, _, poss, pzh, key = row
    r = rng.random()
    if r < 0.5:
        n = rng.randint(2, 8)
        num = Tok(number_en(n) if rng.random() < 0.85 else str(n))
        there, are, people, in_, det, fam = (Tok(t) for t in (
            "there", "are", "people", "in", poss, "family"))
        return arrange([Bit([there, are, num, people, in_, det, fam], [])],
                       [zh_on(det, pzh), zh_on(fam, "家"), zh_on(are, "有"),
                        zh_on(num, number_zh(n, True)), zh_on(num, "口"),
                        zh_on(people, "人")], ".")
    if r < 0.7:
        how, many, people, are, there, in_, det, fam = (Tok(t) for t in (
            "how", "many", "people", "are", "there", "in", poss, "family"))
        return arrange([Bit([how, many, people, are, there, in_, det, fam], [])],
                       [zh_on(det, pzh), zh_on(fam, "家"), zh_on(are, "有"),
                        zh_on(how, "几"), zh_on(many, "口"), zh_on(people, "人")], "?")
    s = Tok(subj_en)
    have = Tok("has" if key == "3s" else "have")
    a_en, a_zh, a_links = rng.choice(SIBLINGS)
    first = linked(a_en, a_zh, a_links)
    if rng.random() < 0.5:
        b_en, b_zh, b_links = rng.choice([x for x in SIBLINGS if x[0] != a_en and
                                           x[1] != a_zh])
        and_ = Tok("and")
        second = Bit([and_], [("和", and_)]) + linked(b_en, b_zh, b_links)
    else:
        second = Bit()
    return arrange([Bit([s, have], []), first, second],
                   [zh_on(s, pzh), zh_on(have, "有"), first, second], ".")


TIME_FOR = [("bed", ["睡觉"]), ("dinner", ["吃", "晚饭"]), ("lunch", ["吃", "午饭"]),
            ("breakfast", ["吃", "早饭"]), ("class", ["上课"]), ("school", ["上学"])]
TIME_TO = {"go", "go home", "get up", "go to bed", "sleep", "go to school", "go to work",
           "leave", "eat", "have dinner", "have lunch", "do homework", "take a shower",
           "study", "start", "begin", "rest", "take a break", "have a rest", "wake up",
           "stop", "say goodbye", "pack", "go out", "clean the room", "practice"}
HURRY = [("hurry up , we are late !", "快 点 ， 我们 迟到 了 ！", "0-0 1-1 2-2 3-3 5-4 5-5 6-6"),
         ("hurry up , it is late !", "快 点 ， 不 早 了 ！", "0-0 1-1 2-2 5-3 5-4 5-5 6-6"),
         ("come on , let us go !", "快 点 ， 我们 走 吧 ！", "0-0 1-1 2-2 4-3 5-4 3-5 6-6"),
         ("it is late .", "不 早 了 。", "2-0 2-1 2-2 3-3"),
         ("we are late !", "我们 迟到 了 ！", "0-0 2-1 2-2 3-3")]


def time_to(rng: random.Random) -> Bit:
    """"It's time to go." -> 该走了。; "It's time for bed." -> 该睡觉了。;
    "It's time for you to go to bed." -> 你该睡觉了。; "Hurry up, we're late!" """
    if rng.random() < 0.15:
        en, hurry_zh, links = rng.choice(HURRY)
        return linked(en, hurry_zh, links)
    it, is_, time = Tok("it"), Tok("is"), Tok("time")
    if rng.random() < 0.5:
        en, zh = rng.choice(TIME_FOR)
        f, noun = Tok("for"), Tok(en)
        if rng.random() < 0.25:
            you = rng.choice([("you", "你"), ("us", "我们"), ("the children", "孩子们")])
            for_ = Tok("for")
            ye = w(you[0], you[1])
            to = Tok("to")
            vb = {"bed": ("go to bed", ["睡觉"]), "dinner": ("have dinner", ["吃", "晚饭"]),
                  "lunch": ("have lunch", ["吃", "午饭"]),
                  "breakfast": ("have breakfast", ["吃", "早饭"]),
                  "class": ("go to class", ["上课"]), "school": ("go to school", ["上学"])}
            ven, vzh = vb[en]
            vt = [Tok(t) for t in ven.split()]
            vbit = Bit(vt, [(z, vt[0] if k == 0 and len(vzh) > 1 else vt[-1])
                            for k, z in enumerate(vzh)])
            return arrange([Bit([it, is_, time, for_], []), ye, Bit([to], []), vbit],
                           [ye, zh_on(time, "该"), vbit, zh_on(is_, "了")], ".")
        body = Bit([f, noun], [(z, noun) for z in zh])
        return arrange([Bit([it, is_, time], []), body],
                       [zh_on(time, "该"), body, zh_on(is_, "了")], rng.choice(".!"))
    acts = [v for v in lexicon().activities if v.base in TIME_TO]
    if rng.random() < 0.2:
        verb = Bit([Tok("go")], [])
        verb.zh = [("走", verb.en[0])]
    else:
        act = rng.choice(acts)
        toks = [Tok(t) for t in act.base.split()]
        verb = Bit(toks, [(z, toks[i]) for z, i in zip(act.zh, act.links, strict=True)])
    to = Tok("to")
    if rng.random() < 0.2:
        you = rng.choice([("you", "你"), ("us", "我们")])
        for_ = Tok("for")
        ye = w(you[0], you[1])
        return arrange([Bit([it, is_, time, for_], []), ye, Bit([to], []), verb],
                       [ye, zh_on(time, "该"), verb, zh_on(is_, "了")], ".")
    return arrange([Bit([it, is_, time, to], []), verb],
                   [zh_on(time, "该"), verb, zh_on(is_, "了")], rng.choice(".!"))


# relation, plural, chinese, plural chinese, gender of a named one ("" any)
RELATIONS = [("friend", "friends", "朋友", "朋友", ""),
             ("classmate", "classmates", "同学", "同学", ""),
             ("neighbor", "neighbors", "邻居", "邻居", ""),
             ("colleague", "colleagues", "同事", "同事", ""),
             ("roommate", "roommates", "室友", "室友", ""),
             ("teacher", "teachers", "老师", "老师", ""),
             ("brother", "brothers", "哥哥", "兄弟", "m"),
             ("sister", "sisters", "姐姐", "姐妹", "f"),
             ("cousin", "cousins", "表哥", "表兄弟", "m"),
             ("son", "sons", "儿子", "儿子", "m"), ("daughter", "daughters", "女儿", "女儿", "f"),
             ("boyfriend", "boyfriends", "男朋友", "", "m"),
             ("girlfriend", "girlfriends", "女朋友", "", "f"),
             ("husband", "husbands", "丈夫", "", "m"), ("wife", "wives", "妻子", "", "f")]
FAMILY_REL = {"brother", "sister", "son", "daughter", "husband", "wife", "cousin"}


def introduce(rng: random.Random) -> Bit:
    """"This is my friend Tom." -> 这是我的朋友汤姆。; "These are my parents." ->
    这是我的父母。; "Mom, this is my classmate Lucy." """
    lex = lexicon()
    _, _, poss, pzh, _ = rng.choice([p for p in PRONOUNS[:1] * 3 + PRONOUNS if p[2] != "your"])
    det = Tok(poss)
    r = rng.random()
    if r < 0.3:                                     # plural
        rows = [x for x in RELATIONS if x[3]] + [("parent", "parents", "", "父母", ""),
                                                 ("parent", "parents", "", "父母", ""),
                                                 ("grandparent", "grandparents", "",
                                                  "爷爷 奶奶", ""),
                                                 ("child", "children", "", "孩子", "")]
        _, pl, _, pzh_pl, _ = rng.choice(rows)
        these, are = Tok("these"), Tok("are")
        head = Tok(pl)
        de = [] if pl in ("parents", "grandparents", "children", "brothers", "sisters") \
            and pzh in ("我", "你", "他", "她") and rng.random() < 0.6 else [("的", det)]
        zh_head = [(z, head) for z in pzh_pl.split()]
        body = Bit([these, are, det, head],
                   [("这些" if rng.random() < 0.5 else "这", these), ("是", are), (pzh, det)]
                   + de + zh_head)
        return _with_vocative(rng, body, ".")
    rel, _, rzh, _, gender = rng.choice(RELATIONS)
    this, is_ = Tok(rng.choice(["this", "this", "that"])), Tok("is")
    de = [] if rel in FAMILY_REL and rng.random() < 0.6 else [("的", det)]
    head = Tok(rel)
    names = [n for n in lex.names if not gender or n[2] == gender]
    name, nzh, _ = rng.choice(names)
    name_tok = Tok(name)
    named = rng.random() < 0.75
    comma = [Tok(",")] if named and rng.random() < 0.3 else []
    en = [this, is_, det, head] + comma + ([name_tok] if named else [])
    zh = [("这" if this.text == "this" else "那", this), ("是", is_), (pzh, det)] + de + \
        [(rzh, head)] + ([(nzh, name_tok)] if named else [])
    return _with_vocative(rng, Bit(en, zh), ".")


INTRO_VOCATIVES = [("mom", "妈妈"), ("dad", "爸爸"), ("everyone", "大家"),
                   ("grandma", "奶奶"), ("teacher", "老师")]


def _with_vocative(rng: random.Random, body: Bit, final: str) -> Bit:
    if rng.random() < 0.25:
        voc_en, voc_zh = rng.choice(INTRO_VOCATIVES + [(n, z) for n, z, _ in
                                                       lexicon().names[:20]])
        v = Tok(voc_en.lower() if voc_en in ("mom", "dad") else voc_en)
        comma = Tok(",")
        return arrange([Bit([v, comma], []), body],
                       [Bit([], [(voc_zh, v), ("，", comma)]), body], final)
    return arrange([body], [body], final)


CONVERSATION_CONSTRUCTIONS = [
    (past_be, 1.5), (give, 1), (do_for, 1), (tell_show, 1), (object_pronoun, 1),
    (think_hope, 1), (know_wh, 1), (time_phrases, 1), (whose, 0.5), (how_go, 0.5),
    (would_like, 1), (family, 0.5), (time_to, 0.5), (introduce, 0.5),
]
