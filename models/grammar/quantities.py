"""Time and numbers: durations, "it takes", "in / ago", how often, sums, dates and clocks.

Each construction returns one sentence `Bit` with its final mark, like those in
`clauses.py`; `QUANTITY_CONSTRUCTIONS` lists them with relative weights (about 12 in all).

Chinese follows the textbook rules: a duration follows the verb and its 了 and comes
before the object of a verb-object compound (我打了一个小时篮球), a count of times does
the same (我一天刷两次牙) except after 去 + activity (她一个星期去游泳三次), "in ten
minutes" is 十分钟后 and "ten minutes ago" 十分钟前 before the verb, 两 counts before a
measure word (两个小时, 两点) while sums read 二.
"""

from __future__ import annotations

import random

from .bits import Bit, Tok, arrange, w, zh_on
from .lexicon import Verb, lexicon
from .lexicon.closed import DAYS, MONTHS, PAST_TIMES, PRONOUNS, TRANSPORT, number_en, number_zh
from .phrases import Subject, subject
from .verbs import be, do, verb_bit

# unit -> (english singular, plural, chinese measure word or "", chinese noun)
UNITS = {"minute": ("minute", "minutes", "", "分钟"), "hour": ("hour", "hours", "个", "小时"),
         "day": ("day", "days", "", "天"), "week": ("week", "weeks", "个", "星期"),
         "month": ("month", "months", "个", "月"), "year": ("year", "years", "", "年")}
MINUTES = [2, 3, 5, 5, 10, 10, 10, 15, 15, 20, 20, 25, 30, 30, 40, 45, 50]
SHORT = ("minute", "hour", "hour")
LONG = ("day", "week", "month", "year")

# Activities that take a duration or a count of times: (lexicon verb, chinese verb,
# chinese object or "", english word index of each chinese word (verb first), units).
# The duration goes between verb (+了) and object: 我打了一个小时篮球。
ACTIVITIES = [
    ("sleep", "睡", "", "0", ("hour",)), ("study", "学习", "", "0", SHORT + LONG),
    ("work", "工作", "", "0", SHORT + LONG), ("wait", "等", "", "0", SHORT),
    ("rest", "休息", "", "0", SHORT + ("day",)), ("walk", "走", "", "0", SHORT),
    ("run", "跑", "步", "0 0", SHORT), ("swim", "游", "泳", "0 0", SHORT),
    ("dance", "跳", "舞", "0 0", SHORT), ("sing", "唱", "歌", "0 0", SHORT),
    ("read", "看", "书", "0 0", SHORT),
    ("exercise", "锻炼", "", "0", SHORT), ("practice", "练习", "", "0", SHORT),
    ("cry", "哭", "", "0", SHORT), ("drive", "开", "车", "0 0", SHORT),
    ("travel", "旅行", "", "0", ("day", "week", "month")),
    ("play basketball", "打", "篮球", "0 1", SHORT), ("play football", "踢", "足球", "0 1", SHORT),
    ("play tennis", "打", "网球", "0 1", SHORT), ("play the piano", "弹", "钢琴", "0 2", SHORT),
    ("play the guitar", "弹", "吉他", "0 2", SHORT), ("play games", "玩", "游戏", "0 1", SHORT),
    ("play chess", "下", "棋", "0 1", SHORT), ("watch TV", "看", "电视", "0 1", SHORT),
    ("listen to music", "听", "音乐", "0 2", SHORT), ("do homework", "做", "作业", "0 1", SHORT),
    ("learn Chinese", "学", "中文", "0 1", SHORT + ("month", "year")),
    ("learn English", "学", "英语", "0 1", SHORT + ("month", "year")),
]

# Things done a number of times: (base, third person, chinese words, links "i-j", where the
# count goes among the chinese words). {poss} agrees with a pronoun subject.
ROUTINES = [
    ("brush {poss} teeth", "brushes {poss} teeth", "刷 牙", "0-0 2-1", 1),
    ("wash {poss} hair", "washes {poss} hair", "洗 头", "0-0 2-1", 1),
    ("take a shower", "takes a shower", "洗 澡", "2-0 2-1", 1),
    ("take a bath", "takes a bath", "洗 澡", "2-0 2-1", 1),
    ("play basketball", "plays basketball", "打 篮球", "0-0 1-1", 1),
    ("play football", "plays football", "踢 足球", "0-0 1-1", 1),
    ("play tennis", "plays tennis", "打 网球", "0-0 1-1", 1),
    ("go to the supermarket", "goes to the supermarket", "去 超市", "0-0 3-1", 1),
    ("go to the library", "goes to the library", "去 图书馆", "0-0 3-1", 1),
    ("go to the cinema", "goes to the cinema", "去 电影院", "0-0 3-1", 1),
    ("go to the gym", "goes to the gym", "去 健身房", "0-0 3-1", 1),
    ("go swimming", "goes swimming", "去 游泳", "0-0 1-1", 2),
    ("go running", "goes running", "去 跑步", "0-0 1-1", 2),
    ("go shopping", "goes shopping", "去 购物", "0-0 1-1", 2),
    ("walk the dog", "walks the dog", "遛 狗", "0-0 2-1", 1),
    ("feed the fish", "feeds the fish", "喂 鱼", "0-0 2-1", 1),
    ("water the flowers", "waters the flowers", "浇 花", "0-0 2-1", 1),
    ("take medicine", "takes medicine", "吃 药", "0-0 1-1", 1),
    ("do the laundry", "does the laundry", "洗 衣服", "0-0 2-1", 1),
    ("clean {poss} room", "cleans {poss} room", "打扫 房间", "0-0 2-1", 1),
    ("have English class", "has English class", "上 英语 课", "0-0 1-1 2-2", 1),
    ("have Chinese class", "has Chinese class", "上 中文 课", "0-0 1-1 2-2", 1),
]
# "a day" -> 一天: (english unit, chinese words after 一 / 每)
PERIODS = [("day", ["天"]), ("day", ["天"]), ("week", ["个", "星期"]),
           ("week", ["个", "星期"]), ("month", ["个", "月"])]

ORDINALS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
            "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
# (english, chinese, month, day)
HOLIDAYS = [("Children's Day", "儿童节", 6, 1), ("Christmas", "圣诞节", 12, 25),
            ("New Year's Day", "元旦", 1, 1), ("National Day", "国庆节", 10, 1),
            ("Teachers' Day", "教师节", 9, 10), ("Valentine's Day", "情人节", 2, 14),
            ("Christmas Eve", "平安夜", 12, 24), ("Halloween", "万圣节", 10, 31)]


def ordinal_en(n: int, digits: bool = False) -> str:
    """1 -> "first" (or "1st"), 22 -> "twenty-second" ("22nd"), for 1 <= n < 100."""
    if digits:
        suffix = "th" if 10 <= n % 100 < 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if n < 20:
        return ORDINALS[n]
    tens, unit = divmod(n, 10)
    if not unit:
        return number_en(n)[:-1] + "ieth"          # twenty -> twentieth
    return number_en(tens * 10) + "-" + ORDINALS[unit]


def _count_en(rng: random.Random, n: int) -> str:
    return str(n) if rng.random() < 0.2 else number_en(n)


def _lex_verb(base: str) -> Verb:
    for v in lexicon().activities:
        if v.base == base:
            return v
    raise KeyError(base)


# Activities one may do for many hours; the others take at most three.
LONG_HOURS = {"sleep": 10, "study": 8, "work": 10, "drive": 6, "wait": 4, "rest": 4}
# Objects that are bound to their verb (跑步, 游泳): fine in 跑了半个小时步, odd in questions.
BOUND = {"步", "泳"}


def duration(rng: random.Random, units: tuple[str, ...], max_hours: int = 3) -> Bit:
    """"two hours" -> 两个小时, "an hour" -> 一个小时, "half an hour" -> 半个小时,
    "ten minutes" -> 十分钟, "three years" -> 三年."""
    unit = rng.choice(units)
    sg, pl, mw, noun = UNITS[unit]
    r = rng.random()
    if unit == "hour" and r < 0.1:
        half, an, hour = Tok("half"), Tok("an"), Tok("hour")
        return Bit([half, an, hour], [("半", half), ("个", an), ("小时", hour)])
    if unit == "hour" and r < 0.16:
        an, hour, and_, a, half = (Tok(t) for t in ("an", "hour", "and", "a", "half"))
        return Bit([an, hour, and_, a, half],
                   [("一", an), ("个", an), ("半", half), ("小时", hour)])
    if unit == "minute":
        n = rng.choice(MINUTES)
    elif unit == "hour":
        n = rng.choice([h for h in (1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 8, 9, 10)
                        if h <= max_hours])
    else:
        n = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 10])
    head = Tok(pl if n != 1 else sg)
    if n == 1:
        num = Tok("an" if sg == "hour" else "a")
        zh_num = "一"
    else:
        num = Tok(_count_en(rng, n))
        zh_num = number_zh(n, True)
    return Bit([num, head], [(zh_num, num)] + ([(mw, num)] if mw else []) + [(noun, head)])


def _activity(rng: random.Random, units: tuple[str, ...] | None = None,
              question: bool = False) -> tuple[Verb, str, str, list[int], tuple[str, ...]]:
    rows = [r for r in ACTIVITIES if (units is None or set(r[4]) & set(units))
            and not (question and r[2] in BOUND)]
    base, v_zh, o_zh, links, row_units = rng.choice(rows)
    return _lex_verb(base), v_zh, o_zh, [int(x) for x in links.split()], \
        tuple(u for u in row_units if units is None or u in units)


def _verb_parts(verb: Verb, form: str, v_zh: str, o_zh: str, links: list[int]
                ) -> tuple[list[Tok], Bit, Bit]:
    """The English tokens of the verb in `form`, its Chinese verb and its Chinese object
    (the object is empty for a plain verb)."""
    toks = [Tok(t) for t in verb.form(form).split()]
    verb_bit = Bit([], [(v_zh, toks[links[0]])])
    obj_bit = Bit([], [(o_zh, toks[links[1]])]) if o_zh else Bit()
    return toks, verb_bit, obj_bit


def _past_time(rng: random.Random) -> Bit:
    en, zh, heads = rng.choice([r for r in PAST_TIMES if r[0] in (
        "yesterday", "last night", "this morning", "yesterday morning", "yesterday afternoon",
        "last Sunday", "last Saturday", "on Monday")])
    toks = [Tok(t) for t in en.split()]
    return Bit(toks, [(z, toks[int(h)]) for z, h in zip(zh.split(), heads.split(),
                                                          strict=True)])


def duration_done(rng: random.Random) -> Bit:
    """"I studied for two hours." -> 我学习了两个小时。; "He played basketball for an hour
    yesterday." -> 他昨天打了一个小时篮球。; "I want to sleep for ten hours." """
    subj = subject(rng, pronoun_p=0.6)
    verb, v_zh, o_zh, links, units = _activity(rng)
    form = rng.choice(["past", "past", "past", "past", "want", "going_to"])
    if form != "past":      # "I'm going to study for two hours", not "for two years"
        units = tuple(u for u in units if u in SHORT) or units
    dur = duration(rng, units, LONG_HOURS.get(verb.base, 3))
    for_ = Bit([Tok("for")], [])
    if form == "past":
        toks, v, o = _verb_parts(verb, "past", v_zh, o_zh, links)
        when = _past_time(rng) if rng.random() < 0.35 else Bit()
        le = zh_on(toks[0], "了")
        first = [when, subj.bit] if when.en and rng.random() < 0.3 else [subj.bit, when]
        return arrange([subj.bit, Bit(toks, []), for_, dur, when],
                       first + [v, le, dur, o], ".")
    toks, v, o = _verb_parts(verb, "base", v_zh, o_zh, links)
    if form == "want":
        want, to = Tok("wants" if subj.person == "3s" else "want"), Tok("to")
        return arrange([subj.bit, Bit([want, to] + toks, []), for_, dur],
                       [subj.bit, zh_on(want, "想"), v, dur, o], ".")
    aux, going, to = Tok(be(subj.person)), Tok("going"), Tok("to")
    when = Bit()
    if rng.random() < 0.4:
        when = w(*rng.choice([("tomorrow", "明天"), ("tonight", ["今天", "晚上"]),
                              ("this afternoon", ["今天", "下午"])]))
    return arrange([subj.bit, Bit([aux, going, to] + toks, []), for_, dur, when],
                   [subj.bit, when, zh_on(going, "打算"), v, dur, o], ".")


HABIT = [("every day", ["每", "天"], [0, 1]), ("every night", ["每天", "晚上"], [0, 1]),
         ("every morning", ["每天", "早上"], [0, 1]), ("on weekends", ["周末"], [1]),
         ("every evening", ["每天", "晚上"], [0, 1])]


def _habit_time(rng: random.Random) -> Bit:
    en, zh, heads = rng.choice(HABIT)
    toks = [Tok(t) for t in en.split()]
    return Bit(toks, [(z, toks[h]) for z, h in zip(zh, heads, strict=True)])


def duration_habit(rng: random.Random) -> Bit:
    """"She studies for two hours every day." -> 她每天学习两个小时。;
    "Do you play basketball for an hour every day?" -> 你每天打一个小时篮球吗？"""
    subj = subject(rng, pronoun_p=0.6)
    verb, v_zh, o_zh, links, units = _activity(rng, SHORT)
    dur = duration(rng, units, LONG_HOURS.get(verb.base, 3))
    for_ = Bit([Tok("for")], [])
    when = _habit_time(rng) if rng.random() < 0.75 else w("usually", "通常")
    r = rng.random()
    if r < 0.3 and when.en[0].text != "usually":
        aux = Tok(do(subj.person))
        toks, v, o = _verb_parts(verb, "base", v_zh, o_zh, links)
        return arrange([Bit([aux], []), subj.bit, Bit(toks, []), for_, dur, when],
                       [subj.bit, when, v, dur, o, zh_on(aux, "吗")], "?")
    toks, v, o = _verb_parts(verb, "s3" if subj.person == "3s" else "base", v_zh, o_zh, links)
    if when.en[0].text == "usually":
        return arrange([subj.bit, when, Bit(toks, []), for_, dur],
                       [subj.bit, when, v, dur, o], ".")
    return arrange([subj.bit, Bit(toks, []), for_, dur, when],
                   [subj.bit, when, v, dur, o], ".")


def _how_long() -> tuple[Bit, Bit]:
    """("how long" English, 多长时间 Chinese): 多长 on "how", 时间 on "long"."""
    how, long_ = Tok("how"), Tok("long")
    return Bit([how, long_], []), Bit([], [("多长", how), ("时间", long_)])


def how_long(rng: random.Random) -> Bit:
    """"How long did you sleep?" -> 你睡了多长时间？; "How many hours do you sleep every
    night?" -> 你每天晚上睡几个小时？"""
    subj = subject(rng, pronoun_p=0.75)
    verb, v_zh, o_zh, links, units = _activity(rng, SHORT, question=True)
    toks, v, o = _verb_parts(verb, "base", v_zh, o_zh, links)
    past = rng.random() < 0.5
    aux = Tok("did" if past else do(subj.person))
    when = (_past_time(rng) if rng.random() < 0.4 else Bit()) if past else \
        (_habit_time(rng) if rng.random() < 0.8 else Bit())
    le = zh_on(aux, "了") if past else Bit()
    if rng.random() < 0.5:
        en_q, zh_q = _how_long()
    else:
        unit = rng.choice(units)
        sg, pl, mw, noun = UNITS[unit]
        how, many, head = Tok("how"), Tok("many"), Tok(pl)
        en_q = Bit([how, many, head], [])
        zh_q = Bit([], [("几", many)] + ([(mw, how)] if mw else []) + [(noun, head)])
    return arrange([en_q, Bit([aux], []), subj.bit, Bit(toks, []), when],
                   [subj.bit, when, v, le, zh_q, o], "?")


def _local_place(rng: random.Random, home: bool) -> Bit:
    """A place in town ("the park", "school"), not a country or a city."""
    places = [p for p in lexicon().places if p.en.islower() and (home or p.zh != "家")]
    p = rng.choice(places)
    return w((p.article + " " + p.en).strip(), p.zh)


def takes_time(rng: random.Random) -> Bit:
    """"It takes twenty minutes by bike." -> 骑自行车要二十分钟。; "How long does it take to
    get there by bus?" -> 坐公共汽车到那里要多长时间？"""
    it = Tok("it")
    dest_en, dest_zh = Bit(), Bit()
    r = rng.random()
    walking = False
    if r < 0.2:
        to, get, there = Tok("to"), Tok("get"), Tok("there")
        dest_en, dest_zh = Bit([to, get, there], []), Bit([], [("到", get), ("那里", there)])
    elif r < 0.35:
        to, get, home = Tok("to"), Tok("get"), Tok("home")
        dest_en, dest_zh = Bit([to, get, home], []), Bit([], [("到", get), ("家", home)])
    elif r < 0.65:
        to, get, to2 = Tok("to"), Tok("get"), Tok("to")
        where = _local_place(rng, home=False)
        dest_en, dest_zh = Bit([to, get, to2] + where.en, []), \
            Bit([], [("到", get)] + where.zh)
    elif r < 0.75:
        to, walk, to2 = Tok("to"), Tok("walk"), Tok("to")
        where = _local_place(rng, home=True)
        walking = True
        walk_zh = [("走路", walk), ("回", to2)] + where.zh if where.zh[0][0] == "家" else \
            [("走路", walk), ("去", to2)] + where.zh
        dest_en, dest_zh = Bit([to, walk, to2] + where.en, []), Bit([], walk_zh)
    by = Bit()
    if not walking and (not dest_en.en or rng.random() < 0.5):
        en, zh, links = rng.choice(TRANSPORT)
        toks = [Tok(t) for t in en.split()]
        by_j = {int(j): int(i) for i, j in (link.split("-") for link in links.split())}
        by = Bit(toks, [(z, toks[by_j[j]]) for j, z in enumerate(zh.split())])
    zh_head = [by, dest_zh] if by.en else [dest_zh]
    if rng.random() < 0.3:
        does, take = Tok("does"), Tok("take")
        en_q, zh_q = _how_long()
        return arrange([en_q, Bit([does, it, take], []), dest_en, by],
                       zh_head + [zh_on(take, "要"), zh_q], "?")
    takes = Tok("takes")
    dur = duration(rng, ("minute", "minute", "hour"), 2)
    adv = rng.choice([None, None, "about", "only"])
    if adv == "only":
        only = Tok("only")
        return arrange([Bit([it, only, takes], []), dur, dest_en, by],
                       zh_head + [zh_on(only, "只"), zh_on(takes, "要"), dur], ".")
    if adv == "about":
        about = Tok("about")
        return arrange([Bit([it, takes, about], []), dur, dest_en, by],
                       zh_head + [zh_on(about, "大概"), zh_on(takes, "要"), dur], ".")
    return arrange([Bit([it, takes], []), dur, dest_en, by],
                   zh_head + [zh_on(takes, "要"), dur], ".")


# "I'll be back in ten minutes." -> 我十分钟后回来。: (english after "will", chinese words,
# english index of each chinese word, units)
PERSON_FUTURE = [("be back", ["回来"], [1], SHORT + ("day",)),
                 ("come back", ["回来"], [1], SHORT + ("day",)),
                 ("be there", ["到"], [1], SHORT), ("be home", ["到", "家"], [0, 1], SHORT),
                 ("arrive", ["到"], [0], SHORT + ("day",)), ("leave", ["走"], [0], SHORT),
                 ("call you", ["给", "你", "打", "电话"], [1, 1, 0, 0], SHORT)]
# "The train leaves in five minutes." -> 火车五分钟后出发。: (subject, chinese, base, s3,
# past, chinese verb, chinese after a past verb)
EVENTS = [("the train", "火车", "leave", "leaves", "left", "出发"),
          ("the bus", "公共汽车", "arrive", "arrives", "arrived", "到"),
          ("the plane", "飞机", "take off", "takes off", "took off", "起飞"),
          ("the movie", "电影", "start", "starts", "started", "开始"),
          ("the concert", "音乐会", "start", "starts", "started", "开始"),
          ("the game", "比赛", "start", "starts", "started", "开始"),
          ("the meeting", "会议", "start", "starts", "started", "开始"),
          ("the party", "派对", "start", "starts", "started", "开始"),
          ("the shop", "商店", "open", "opens", "opened", "开门")]
# "He left ten minutes ago." -> 他十分钟前走了。: (past, chinese, units)
PERSON_PAST = [("left", "走", SHORT), ("arrived", "到", SHORT + ("day",)),
               ("came back", "回来", SHORT + ("day", "week")), ("got up", "起床", SHORT),
               ("went out", "出去", SHORT), ("got married", "结婚", ("year",)),
               ("graduated", "毕业", ("year", "month")), ("moved", "搬家", ("year", "month")),
               ("came to China", "来 中国", ("year", "month", "week"))]


def in_and_ago(rng: random.Random) -> Bit:
    """"I'll be back in ten minutes." -> 我十分钟后回来。; "The train leaves in five minutes."
    -> 火车五分钟后出发。; "He left ten minutes ago." -> 他十分钟前走了。"""
    r = rng.random()
    if r < 0.35:
        subj = subject(rng, pronoun_p=0.7)
        en, zh, heads, units = rng.choice(PERSON_FUTURE)
        if en == "call you" and subj.zh in ("你", ""):
            en, zh, heads, units = PERSON_FUTURE[0]
        will, in_ = Tok("will"), Tok("in")
        toks = [Tok(t) for t in en.split()]
        dur = duration(rng, units, 2)
        return arrange([subj.bit, Bit([will] + toks + [in_], []), dur],
                       [subj.bit, dur, zh_on(in_, "后"),
                        Bit([], [(z, toks[h]) for z, h in zip(zh, heads, strict=True)])], ".")
    if r < 0.65:
        np_en, np_zh, base, s3, past, v_zh = rng.choice(EVENTS)
        np = w(np_en, np_zh)
        in_ = Tok("in")
        dur = duration(rng, ("minute", "minute", "hour"), 2)
        if rng.random() < 0.25:
            ago = Tok("ago")
            toks = [Tok(t) for t in past.split()]
            return arrange([np, Bit(toks, []), dur, Bit([ago], [])],
                           [np, dur, zh_on(ago, "前"), zh_on(toks[0], v_zh, "了")], ".")
        if rng.random() < 0.3:
            will = Tok("will")
            toks = [Tok(t) for t in base.split()]
            pre = [will]
        else:
            toks, pre = [Tok(t) for t in s3.split()], []
        return arrange([np, Bit(pre + toks + [in_], []), dur],
                       [np, dur, zh_on(in_, "后"), zh_on(toks[0], v_zh)], ".")
    subj = subject(rng, pronoun_p=0.6)
    past, past_zh, units = rng.choice(PERSON_PAST)
    toks = [Tok(t) for t in past.split()]
    dur = duration(rng, units)
    ago = Tok("ago")
    zh_words = past_zh.split()
    verb = Bit([], [(zh_words[0], toks[0])] + ([(zh_words[1], toks[-1])] if len(zh_words) > 1
                                                 else []) + [("了", toks[0])])
    return arrange([subj.bit, Bit(toks, []), dur, Bit([ago], [])],
                   [subj.bit, dur, zh_on(ago, "前"), verb], ".")


TIMES_EN = {1: "once", 2: "twice"}


def _times(rng: random.Random, n: int) -> Bit:
    """"twice" -> 两次, "three times" -> 三次."""
    if n in TIMES_EN and rng.random() < 0.9:
        tok = Tok(TIMES_EN[n])
        return Bit([tok], [(number_zh(n, True), tok), ("次", tok)])
    num, times = Tok(_count_en(rng, n)), Tok("time" if n == 1 else "times")
    return Bit([num, times], [(number_zh(n, True), num), ("次", times)])


def _period(rng: random.Random, every: bool) -> Bit:
    """"a week" -> 一个星期, "every week" -> 每个星期."""
    unit, zh = rng.choice(PERIODS)
    det, head = Tok("every" if every else "a"), Tok(unit)
    words = zh if not every or unit != "day" else ["天"]
    first = "每" if every else "一"
    if every and unit == "week" and rng.random() < 0.5:
        words = ["周"]
    return Bit([det, head], [(first, det)] + [(words[0], det if len(words) > 1 else head)]
               + [(z, head) for z in words[1:]])


def times_per(rng: random.Random) -> Bit:
    """"I brush my teeth twice a day." -> 我一天刷两次牙。; "She goes swimming three times a
    week." -> 她一个星期去游泳三次。; "How often do you wash your hair?" -> 你多久洗一次头？"""
    base, s3, zh, links, k = rng.choice(ROUTINES)
    if "{poss}" in base:
        s_en, _, poss, s_zh, key = rng.choice(PRONOUNS)
        subj = Subject(w(s_en, s_zh), key, s_zh)
    else:
        subj, poss = subject(rng, pronoun_p=0.6), ""
    q = rng.random()
    text = (base if q < 0.35 or subj.person != "3s" else s3).format(poss=poss)
    toks = [Tok(t) for t in text.split()]
    by_j = {int(j): int(i) for i, j in (link.split("-") for link in links.split())}
    words = [(z, toks[by_j[j]]) for j, z in enumerate(zh.split())]
    head, tail = Bit([], words[:k]), Bit([], words[k:])
    if q < 0.2:
        aux, how, often = Tok(do(subj.person)), Tok("how"), Tok("often")
        once = zh_on(often, "一", "次")
        return arrange([Bit([how, often, aux], []), subj.bit, Bit(toks, [])],
                       [subj.bit, zh_on(how, "多久"), head, once, tail], "?")
    if q < 0.35:
        aux, how, many, times = Tok(do(subj.person)), Tok("how"), Tok("many"), Tok("times")
        per = _period(rng, every=False)
        count = Bit([], [("几", many), ("次", times)])
        return arrange([Bit([how, many, times], []), per, Bit([aux], []), subj.bit,
                        Bit(toks, [])], [subj.bit, per, head, count, tail], "?")
    n = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])
    count = _times(rng, n)
    per = _period(rng, every=rng.random() < 0.25)
    usually = w("usually", "通常") if rng.random() < 0.1 else Bit()
    return arrange([subj.bit, usually, Bit(toks, []), count, per],
                   [subj.bit, usually, per, head, count, tail], ".")


OPS = [("plus", "加"), ("minus", "减"), ("times", "乘以"), ("divided by", "除以")]


def sums(rng: random.Random, a: int | None = None, op: str | None = None,
         b: int | None = None, question: bool | None = None) -> Bit:
    """"Two plus three is five." -> 二加三等于五。; "What is ten minus four?" -> 十减四等于多少？"""
    if op is None:
        op = rng.choice(["plus", "plus", "minus", "minus", "times", "divided by"])
    if a is None or b is None:
        if op == "plus":
            a, b = rng.randint(1, 50), rng.randint(1, 49)
        elif op == "minus":
            a = rng.randint(2, 99)
            b = rng.randint(1, a)
        elif op == "times":
            a, b = rng.randint(1, 10), rng.randint(1, 9)
        else:
            b, c = rng.randint(2, 9), rng.randint(1, 10)
            a = b * c
    result = {"plus": a + b, "minus": a - b, "times": a * b,
              "divided by": a // b if b else 0}[op]
    assert 0 <= result < 100 and a < 100 and b < 100
    op_toks = [Tok(t) for t in op.split()]
    zh_op = dict(OPS)[op]
    ta, tb = Tok(number_en(a)), Tok(number_en(b))
    expr_en = Bit([ta] + op_toks + [tb], [])
    expr_zh = Bit([], [(number_zh(a), ta), (zh_op, op_toks[0]), (number_zh(b), tb)])
    if question is None:
        question = rng.random() < 0.3
    if question:
        what, is_ = Tok("what"), Tok("is")
        return arrange([Bit([what, is_], []), expr_en],
                       [expr_zh, zh_on(is_, "等于"), zh_on(what, "多少")], "?")
    verb = Tok(rng.choice(["is", "is", "equals"]))
    tr = Tok(number_en(result))
    return arrange([expr_en, Bit([verb, tr], [])],
                   [expr_zh, zh_on(verb, "等于"), zh_on(tr, number_zh(result))], ".")


def date(rng: random.Random, month: int | None = None, day: int | None = None,
         style: str | None = None) -> Bit:
    """"June 1st" / "June first" / "the first of June" -> 六月一号."""
    if month is None:
        month = rng.randint(1, 12)
    if day is None:
        day = rng.randint(1, MONTH_DAYS[month - 1])
    style = style or rng.choice(["digits", "digits", "words", "of"])
    m = w(*MONTHS[month - 1])
    if style == "of":
        the, nth, of = Tok("the"), Tok(ordinal_en(day)), Tok("of")
        return arrange([Bit([the, nth, of], []), m],
                       [m, zh_on(nth, number_zh(day), "号")])
    nth = Tok(ordinal_en(day, digits=style == "digits"))
    return arrange([m, Bit([nth], [])], [m, zh_on(nth, number_zh(day), "号")])


def dates(rng: random.Random) -> Bit:
    """"My birthday is on June 1st." -> 我的生日是六月一号。; "Children's Day is on the first
    of June."; "What's the date today?" -> 今天几号？; "What day is it tomorrow?" """
    r = rng.random()
    is_ = Tok("is")
    if r < 0.3:
        if rng.random() < 0.7:
            _, _, poss, pzh, _ = rng.choice(PRONOUNS)
            det = Tok(poss)
            owner = Bit([det], [(pzh, det), ("的", det)])
        else:
            name, nzh, _ = rng.choice(lexicon().names)
            det = Tok(name + "'s")
            owner = Bit([det], [(nzh, det), ("的", det)])
        bday = Tok("birthday")
        subj = arrange([owner, Bit([bday], [])], [owner, zh_on(bday, "生日")])
        if rng.random() < 0.2:
            when = Tok("when")
            return arrange([Bit([when, is_], []), subj],
                           [subj, zh_on(is_, "是"), zh_on(when, "几", "月", "几", "号")], "?")
        on = Bit([Tok("on")], [])
        when_bit = date(rng) if rng.random() < 0.8 else w(*rng.choice(DAYS))
        return arrange([subj, Bit([is_], []), on, when_bit],
                       [subj, zh_on(is_, "是"), when_bit], ".")
    if r < 0.5:
        en, zh, month, day = rng.choice(HOLIDAYS)
        hol = w(en, zh)
        if rng.random() < 0.2:
            when = Tok("when")
            return arrange([Bit([when, is_], []), hol],
                           [hol, zh_on(is_, "是"), zh_on(when, "几", "月", "几", "号")], "?")
        on = Bit([Tok("on")], [])
        d = date(rng, month, day)
        return arrange([hol, Bit([is_], []), on, d], [hol, zh_on(is_, "是"), d], ".")
    day_en, day_zh = rng.choice([("today", "今天"), ("today", "今天"), ("tomorrow", "明天"),
                                 ("yesterday", "昨天")])
    day_tok = Tok(day_en)
    past = day_en == "yesterday"
    verb = Tok("was" if past else "is")
    if r < 0.65:
        what, the, date_tok = Tok("what"), Tok("the"), Tok("date")
        return arrange([Bit([what, verb, the, date_tok, day_tok], [])],
                       [zh_on(day_tok, day_zh), zh_on(what, "几"), zh_on(date_tok, "号")], "?")
    if r < 0.75 and day_en != "today":
        what, day_w, it = Tok("what"), Tok("day"), Tok("it")
        return arrange([Bit([what, day_w, verb, it, day_tok], [])],
                       [zh_on(day_tok, day_zh), zh_on(day_w, "星期"), zh_on(what, "几")], "?")
    when_bit = date(rng) if r < 0.85 else w(*rng.choice(DAYS))
    form = rng.choice(["s", "s", "s", "neg", "q"])
    if form == "q":
        return arrange([Bit([verb, day_tok], []), when_bit],
                       [zh_on(day_tok, day_zh), zh_on(verb, "是"), when_bit,
                        zh_on(verb, "吗")], "?")
    if form == "neg":
        neg = Tok("not")
        return arrange([Bit([day_tok, verb, neg], []), when_bit],
                       [zh_on(day_tok, day_zh), zh_on(neg, "不"), zh_on(verb, "是"), when_bit],
                       ".")
    return arrange([Bit([day_tok, verb], []), when_bit],
                   [zh_on(day_tok, day_zh), zh_on(verb, "是"), when_bit], ".")


def clock(rng: random.Random, hour: int | None = None, style: str | None = None) -> Bit:
    """"six" / "six o'clock" / "6" -> 六点, "half past six" / "six thirty" -> 六点半,
    "a quarter past seven" -> 七点一刻, "seven twenty" -> 七点二十."""
    if hour is None:
        hour = rng.randint(1, 12)
    style = style or rng.choice(["plain", "oclock", "digits", "half", "thirty", "quarter",
                                 "minutes"])
    h_zh = number_zh(hour, True)
    if style in ("plain", "digits"):
        tok = Tok(str(hour) if style == "digits" else number_en(hour))
        return Bit([tok], [(h_zh, tok), ("点", tok)])
    if style == "oclock":
        tok, oclock = Tok(number_en(hour)), Tok("o'clock")
        return Bit([tok, oclock], [(h_zh, tok), ("点", oclock)])
    if style == "half":
        half, past, tok = Tok("half"), Tok("past"), Tok(number_en(hour))
        return Bit([half, past, tok], [(h_zh, tok), ("点", tok), ("半", half)])
    if style == "quarter":
        a, quarter, past, tok = Tok("a"), Tok("quarter"), Tok("past"), Tok(number_en(hour))
        return Bit([a, quarter, past, tok], [(h_zh, tok), ("点", tok), ("一刻", quarter)])
    tok = Tok(number_en(hour))
    mins = 30 if style == "thirty" else rng.choice([10, 15, 20, 40, 45, 50])
    m = Tok(number_en(mins))
    return Bit([tok, m], [(h_zh, tok), ("点", tok), ("半" if mins == 30 else number_zh(mins), m)])


# "by six": (english after the subject, chinese words, english index of each, kind)
BY_RULES = [("{be} usually home", ["通常", "到", "家"], [1, 2, 2]),
            ("{be} always home", ["总是", "到", "家"], [1, 2, 2]),
            ("must be home", ["必须", "到", "家"], [0, 2, 2]),
            ("will be back", ["回来"], [2]), ("will be home", ["到", "家"], [2, 2]),
            ("must go to bed", ["必须", "睡觉"], [0, 1]),
            ("must finish the homework", ["必须", "做完", "作业"], [0, 1, 3]),
            ("should be there", ["应该", "到"], [0, 2])]
# Where the clock goes among those chinese words (after the modal or adverb).
BY_SPLIT = {"通常": 1, "总是": 1, "必须": 1, "应该": 1}
ROUTINE_VERBS = ["get up", "go to bed", "have breakfast", "have lunch", "have dinner",
                 "go to school", "go to work", "come home", "take a shower", "do homework",
                 "watch TV", "go home"]
FROM_TO = [("work", "works", "工作"), ("study", "studies", "学习"),
           ("have classes", "has classes", "上课"), ("go to school", "goes to school", "上学")]


def clock_times(rng: random.Random) -> Bit:
    """"My father is usually home by six." -> 我爸爸通常六点前到家。; "I get up at half past
    six." -> 我六点半起床。; "I work from nine to five." -> 我从九点到五点工作。"""
    r = rng.random()
    if r < 0.35:
        by = Tok("by")
        hour = rng.choice([5, 6, 6, 7, 8, 9, 10, 10, 11, 12])
        t = clock(rng, hour, rng.choice(["plain", "plain", "oclock", "digits", "thirty"]))
        before = Bit([by], [("前", by)])
        if rng.random() < 0.15:
            please = Tok("please")
            en, zh, link = rng.choice([("come back", "回来", 1), ("be home", "到 家", 1),
                                       ("be back", "回来", 1), ("go to bed", "睡觉", 0)])
            toks = [Tok(x) for x in en.split()]
            return arrange([Bit([please] + toks, []), Bit([by], []), t],
                           [zh_on(please, "请"), t, before,
                            Bit([], [(z, toks[link]) for z in zh.split()])], ".")
        subj = subject(rng, pronoun_p=0.5)
        en, by_zh, heads = rng.choice(BY_RULES)
        toks = [Tok(x) for x in en.format(be=be(subj.person)).split()]
        words = [(z, toks[h]) for z, h in zip(by_zh, heads, strict=True)]
        k = BY_SPLIT.get(by_zh[0], 0)
        return arrange([subj.bit, Bit(toks + [by], []), t],
                       [subj.bit, Bit([], words[:k]), t, before, Bit([], words[k:])], ".")
    if r < 0.7:
        t = clock(rng, style=rng.choice(["half", "half", "thirty", "quarter", "minutes",
                                         "oclock"]))
        if rng.random() < 0.25:
            it, is_ = Tok("it"), Tok("is")
            return arrange([Bit([it, is_], []), t], [zh_on(it, "现在"), t], ".")
        subj = subject(rng, pronoun_p=0.6)
        verb = _lex_verb(rng.choice(ROUTINE_VERBS))
        at = Bit([Tok("at")], [])
        extra = Bit()
        x = rng.random()
        if x < 0.25:
            extra = w(*rng.choice([("usually", "通常"), ("always", "总是"), ("often", "经常")]))
        elif x < 0.5:
            extra = _habit_time(rng)
        if rng.random() < 0.15 and not extra.en:
            aux = Tok(do(subj.person))
            vb = verb_bit(verb, "base")
            return arrange([Bit([aux], []), subj.bit, vb, at, t],
                           [subj.bit, t, vb, zh_on(aux, "吗")], "?")
        vb = verb_bit(verb, "s3" if subj.person == "3s" else "base")
        adverb = extra.en and extra.en[0].text in ("usually", "always", "often")
        if adverb:
            return arrange([subj.bit, extra, vb, at, t], [subj.bit, extra, t, vb], ".")
        return arrange([subj.bit, vb, at, t, extra], [subj.bit, extra, t, vb], ".")
    subj = subject(rng, pronoun_p=0.6)
    base, s3, v_zh = rng.choice(FROM_TO)
    toks = [Tok(x) for x in (s3 if subj.person == "3s" else base).split()]
    v = Bit([], [(v_zh, toks[0] if v_zh != "上课" else toks[-1])])
    from_, to = Tok("from"), Tok("to")
    if rng.random() < 0.35:
        a, b = rng.choice([(0, 4), (0, 5), (0, 6), (0, 4), (0, 5)])
        start, end = w(*DAYS[a]), w(*DAYS[b])
    else:
        h1 = rng.choice([7, 8, 8, 9, 9, 10])
        h2 = rng.choice([h for h in (11, 12, 1, 2, 3, 4, 5, 5, 6) if h != h1])
        style = "oclock" if rng.random() < 0.15 else "plain"
        start, end = clock(rng, h1, style), clock(rng, h2, style)
    return arrange([subj.bit, Bit(toks + [from_], []), start, Bit([to], []), end],
                   [subj.bit, zh_on(from_, "从"), start, zh_on(to, "到"), end, v], ".")


QUANTITY_CONSTRUCTIONS = [
    (duration_done, 2), (duration_habit, 1), (how_long, 1), (takes_time, 1), (in_and_ago, 1),
    (times_per, 2), (sums, 1), (dates, 1), (clock_times, 2),
]
