"""A seeded English -> Chinese parallel corpus with gold word alignments.

Sentences come from a small grammar whose constructions reorder words between the
languages (time and place move before the verb, measure words appear, 的 marks
adjectives and possessors, 了/过/在 mark aspect, 吗 ends questions), so the
cross-attention has something worth showing. Because the generator builds both
sides together it knows which words correspond: every Chinese word gets exactly one
gold link to the English word it translates (English words may have zero or several).
One link per Chinese word keeps the alignment error rate of "each target word's
most-attended source word" able to reach zero.

File format, one pair per line (a user may swap in any corpus of this shape):
    english \\t chinese \\t chinese words space-separated \\t alignment "0-0 1-2 ..."
alignment pairs are (english word index, chinese word index).

    python -m models.corpus --out models/data      # regenerates the files bit-for-bit
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("train", "valid", "test")
DEFAULT_SIZES = {"train": 100_000, "valid": 2_000, "test": 2_000}
DEFAULT_SEED = 1234
MIN_WORDS, MAX_WORDS = 3, 12


@dataclass
class Pair:
    src: str
    tgt: str
    tgt_words: list[str]
    alignment: list[tuple[int, int]]

    def to_line(self) -> str:
        links = " ".join(f"{i}-{j}" for i, j in self.alignment)
        return f"{self.src}\t{self.tgt}\t{' '.join(self.tgt_words)}\t{links}"

    @classmethod
    def from_line(cls, line: str) -> Pair:
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 4:
            raise ValueError(f"expected 4 tab-separated columns, got {len(cols)}: {line!r}")
        links = [tuple(int(x) for x in link.split("-")) for link in cols[3].split()]
        return cls(cols[0], cols[1], cols[2].split(), [(a, b) for a, b in links])


@dataclass
class Phrase:
    """Aligned fragment: English words, Chinese words, links (en index, zh index)."""

    en: list[str] = field(default_factory=list)
    zh: list[str] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)


def word(en: str | list[str], zh: str | list[str], links: list[tuple[int, int]] | None = None
         ) -> Phrase:
    en_l = en.split() if isinstance(en, str) else list(en)
    zh_l = [zh] if isinstance(zh, str) else list(zh)
    if links is None:
        # Default: every Chinese word links to the last English word (the head).
        links = [(len(en_l) - 1, j) for j in range(len(zh_l))]
    return Phrase(en_l, zh_l, links)


# --------------------------------------------------------------------------- lexicon
# (English singular, plural, Chinese, measure word)
FOODS = [
    ("apple", "apples", "苹果", "个"), ("banana", "bananas", "香蕉", "根"),
    ("orange", "oranges", "橙子", "个"), ("cake", "cakes", "蛋糕", "块"),
    ("egg", "eggs", "鸡蛋", "个"), ("sandwich", "sandwiches", "三明治", "个"),
    ("pear", "pears", "梨", "个"), ("peach", "peaches", "桃子", "个"),
    ("watermelon", "watermelons", "西瓜", "个"), ("cookie", "cookies", "饼干", "块"),
    ("tomato", "tomatoes", "西红柿", "个"), ("potato", "potatoes", "土豆", "个"),
]
# mass nouns: (English, Chinese)
DRINKS = [("tea", "茶"), ("coffee", "咖啡"), ("milk", "牛奶"), ("water", "水"),
          ("juice", "果汁"), ("beer", "啤酒"), ("wine", "葡萄酒"), ("soup", "汤")]
CONTAINERS = [("cup", "cups", "杯"), ("bottle", "bottles", "瓶"), ("bowl", "bowls", "碗"),
              ("glass", "glasses", "杯")]
THINGS = [
    ("book", "books", "书", "本"), ("pen", "pens", "笔", "支"), ("car", "cars", "车", "辆"),
    ("bike", "bikes", "自行车", "辆"), ("phone", "phones", "手机", "部"),
    ("computer", "computers", "电脑", "台"), ("bag", "bags", "包", "个"),
    ("hat", "hats", "帽子", "顶"), ("shirt", "shirts", "衬衫", "件"),
    ("coat", "coats", "外套", "件"), ("letter", "letters", "信", "封"),
    ("photo", "photos", "照片", "张"), ("ticket", "tickets", "票", "张"),
    ("map", "maps", "地图", "张"), ("table", "tables", "桌子", "张"),
    ("chair", "chairs", "椅子", "把"), ("key", "keys", "钥匙", "把"),
    ("umbrella", "umbrellas", "伞", "把"), ("box", "boxes", "盒子", "个"),
    ("watch", "watches", "手表", "块"), ("newspaper", "newspapers", "报纸", "份"),
    ("movie", "movies", "电影", "部"), ("song", "songs", "歌", "首"),
    ("picture", "pictures", "画", "幅"), ("house", "houses", "房子", "座"),
    ("dress", "dresses", "裙子", "条"), ("shoe", "shoes", "鞋", "只"),
    ("cup", "cups", "杯子", "个"), ("gift", "gifts", "礼物", "份"),
    ("lamp", "lamps", "灯", "盏"), ("camera", "cameras", "相机", "台"),
    ("desk", "desks", "书桌", "张"), ("magazine", "magazines", "杂志", "本"),
]
ANIMALS = [
    ("dog", "dogs", "狗", "只"), ("cat", "cats", "猫", "只"), ("bird", "birds", "鸟", "只"),
    ("horse", "horses", "马", "匹"), ("fish", "fish", "鱼", "条"),
    ("rabbit", "rabbits", "兔子", "只"), ("duck", "ducks", "鸭子", "只"),
]
PEOPLE_NOUNS = [
    ("teacher", "teachers", "老师"), ("doctor", "doctors", "医生"),
    ("student", "students", "学生"), ("friend", "friends", "朋友"),
    ("child", "children", "孩子"), ("mother", "mothers", "妈妈"),
    ("father", "fathers", "爸爸"), ("brother", "brothers", "哥哥"),
    ("sister", "sisters", "姐姐"), ("boss", "bosses", "老板"),
    ("neighbor", "neighbors", "邻居"), ("driver", "drivers", "司机"),
    ("nurse", "nurses", "护士"), ("classmate", "classmates", "同学"),
    ("grandmother", "grandmothers", "奶奶"), ("uncle", "uncles", "叔叔"),
]
NAMES = [("Tom", "汤姆"), ("Mary", "玛丽"), ("John", "约翰"), ("Anna", "安娜"),
         ("David", "大卫"), ("Lucy", "露西"), ("Peter", "彼得"), ("Emma", "艾玛"),
         ("Jack", "杰克"), ("Linda", "琳达"), ("Mike", "迈克"), ("Sarah", "莎拉"),
         ("Xiaoming", "小明"), ("Lili", "丽丽"), ("Wang", "小王"), ("Alice", "爱丽丝")]
# (subject form, object form, possessive, Chinese, person key for agreement)
PRONOUNS = [("I", "me", "my", "我", "1s"), ("you", "you", "your", "你", "2"),
            ("he", "him", "his", "他", "3s"), ("she", "her", "her", "她", "3s"),
            ("we", "us", "our", "我们", "p"), ("they", "them", "their", "他们", "p")]
ADJECTIVES = [("big", "大"), ("small", "小"), ("red", "红色"), ("blue", "蓝色"),
              ("green", "绿色"), ("white", "白色"), ("black", "黑色"), ("yellow", "黄色"),
              ("new", "新"), ("old", "旧"), ("beautiful", "漂亮"), ("cheap", "便宜"),
              ("expensive", "昂贵"), ("good", "好"), ("pretty", "好看"), ("heavy", "重")]
FOOD_ADJECTIVES = [("big", "大"), ("small", "小"), ("fresh", "新鲜"), ("sweet", "甜"),
                   ("delicious", "好吃"), ("red", "红色"), ("green", "绿色")]
PLACES = [("in the park", "公园"), ("at school", "学校"), ("in the library", "图书馆"),
          ("at home", "家"), ("in the office", "办公室"), ("in the restaurant", "餐厅"),
          ("in the store", "商店"), ("in the kitchen", "厨房"), ("at the hospital", "医院"),
          ("at the station", "车站"), ("in the market", "市场"), ("in the garden", "花园"),
          ("in the classroom", "教室"), ("at the hotel", "酒店"), ("at the airport", "机场"),
          ("on the beach", "海边"), ("in the city", "城市"), ("in Beijing", "北京"),
          ("in Shanghai", "上海"), ("in London", "伦敦"), ("at the cafe", "咖啡馆"),
          ("in the bedroom", "卧室")]
NUMBERS = [("two", "两"), ("three", "三"), ("four", "四"), ("five", "五"), ("six", "六"),
           ("seven", "七"), ("eight", "八"), ("nine", "九"), ("ten", "十")]
# times: (English words, Chinese words, link of each Chinese word to an English word index)
PAST_TIMES = [("yesterday", ["昨天"], [0]), ("last night", ["昨天", "晚上"], [0, 1]),
              ("this morning", ["今天", "早上"], [0, 1]), ("last week", ["上周"], [1]),
              ("last year", ["去年"], [1]), ("on Sunday", ["星期天"], [1]),
              ("two days ago", ["两", "天", "前"], [0, 1, 2])]
FUTURE_TIMES = [("tomorrow", ["明天"], [0]), ("next week", ["下周"], [1]),
                ("next year", ["明年"], [1]), ("tonight", ["今天", "晚上"], [0, 0]),
                ("tomorrow morning", ["明天", "早上"], [0, 1])]
HABIT_TIMES = [("every day", ["每", "天"], [0, 1]), ("every morning", ["每", "天", "早上"],
                                                        [0, 0, 1]),
               ("often", ["经常"], [0]), ("usually", ["通常"], [0]),
               ("on weekends", ["周末"], [1])]
NOW_TIMES = [("now", ["现在"], [0]), ("right now", ["现在"], [1])]


@dataclass
class Verb:
    base: str
    s3: str
    past: str
    ing: str
    pp: str
    zh: str
    objects: str        # "food", "drink", "thing", "person", "animal", "any", "" (intransitive)
    stative: bool = False  # stative verbs take no progressive / past / experiential forms
    neg_zh: str = "不"     # negation of the present (有 takes 没)


def V(base: str, s3: str, past: str, ing: str, pp: str, zh: str, objects: str,
      stative: bool = False, neg_zh: str = "不") -> Verb:
    return Verb(base, s3, past, ing, pp, zh, objects, stative, neg_zh)


VERBS = [
    V("eat", "eats", "ate", "eating", "eaten", "吃", "food"),
    V("drink", "drinks", "drank", "drinking", "drunk", "喝", "drink"),
    V("buy", "buys", "bought", "buying", "bought", "买", "any"),
    V("sell", "sells", "sold", "selling", "sold", "卖", "any"),
    V("read", "reads", "read", "reading", "read", "读", "read"),
    V("watch", "watches", "watched", "watching", "watched", "看", "watch"),
    V("see", "sees", "saw", "seeing", "seen", "看见", "seeable"),
    V("write", "writes", "wrote", "writing", "written", "写", "write"),
    V("wash", "washes", "washed", "washing", "washed", "洗", "wash"),
    V("open", "opens", "opened", "opening", "opened", "打开", "open"),
    V("find", "finds", "found", "finding", "found", "找到", "thing"),
    V("take", "takes", "took", "taking", "taken", "拿", "thing"),
    V("borrow", "borrows", "borrowed", "borrowing", "borrowed", "借", "thing"),
    V("bring", "brings", "brought", "bringing", "brought", "带", "any"),
    V("draw", "draws", "drew", "drawing", "drawn", "画", "animal"),
    V("sing", "sings", "sang", "singing", "sung", "唱", "song"),
    V("cook", "cooks", "cooked", "cooking", "cooked", "做", "food"),
    V("carry", "carries", "carried", "carrying", "carried", "提", "carry"),
    V("feed", "feeds", "fed", "feeding", "fed", "喂", "animal"),
    V("help", "helps", "helped", "helping", "helped", "帮助", "person"),
    V("call", "calls", "called", "calling", "called", "打电话给", "person"),
    V("visit", "visits", "visited", "visiting", "visited", "拜访", "person"),
    V("teach", "teaches", "taught", "teaching", "taught", "教", "person"),
    V("meet", "meets", "met", "meeting", "met", "见", "person"),
    V("wait for", "waits for", "waited for", "waiting for", "waited for", "等", "person"),
    V("look for", "looks for", "looked for", "looking for", "looked for", "找", "any"),
    V("love", "loves", "loved", "loving", "loved", "爱", "person", stative=True),
    V("like", "likes", "liked", "liking", "liked", "喜欢", "any", stative=True),
    V("know", "knows", "knew", "knowing", "known", "认识", "person", stative=True),
    V("want", "wants", "wanted", "wanting", "wanted", "想要", "any", stative=True),
    V("have", "has", "had", "having", "had", "有", "own", stative=True, neg_zh="没"),
    V("miss", "misses", "missed", "missing", "missed", "想念", "person", stative=True),
    V("need", "needs", "needed", "needing", "needed", "需要", "any", stative=True),
    V("sleep", "sleeps", "slept", "sleeping", "slept", "睡觉", ""),
    V("swim", "swims", "swam", "swimming", "swum", "游泳", ""),
    V("run", "runs", "ran", "running", "run", "跑步", ""),
    V("dance", "dances", "danced", "dancing", "danced", "跳舞", ""),
    V("work", "works", "worked", "working", "worked", "工作", ""),
    V("study", "studies", "studied", "studying", "studied", "学习", ""),
    V("rest", "rests", "rested", "resting", "rested", "休息", ""),
    V("cry", "cries", "cried", "crying", "cried", "哭", ""),
    V("laugh", "laughs", "laughed", "laughing", "laughed", "笑", ""),
    V("walk", "walks", "walked", "walking", "walked", "散步", ""),
]

# Which countable nouns each object class draws from.
_READABLE = [t for t in THINGS if t[0] in ("book", "letter", "newspaper", "magazine", "map")]
_WATCHABLE = [t for t in THINGS if t[0] in ("movie",)]
_WRITABLE = [t for t in THINGS if t[0] in ("book", "letter", "song")]
_WASHABLE = [t for t in THINGS if t[0] in ("car", "shirt", "coat", "cup", "dress", "hat")]
_OPENABLE = [t for t in THINGS if t[0] in ("box", "book", "bag", "letter", "umbrella")]
_CARRY = [t for t in THINGS if t[0] in ("bag", "box", "umbrella", "chair", "camera")]
_SONGS = [t for t in THINGS if t[0] == "song"]


def all_lexicon_words() -> tuple[set[str], set[str]]:
    """Every English and Chinese word the generator can emit (for the tokenizer and segmenter)."""
    rng = random.Random(0)
    en: set[str] = set()
    zh: set[str] = set()
    for _ in range(20000):
        p = generate_pair(rng)
        en.update(p.src.split())
        zh.update(p.tgt_words)
    return en, zh


# --------------------------------------------------------------------------- phrases
def _article(next_word: str) -> str:
    return "an" if next_word[0] in "aeiou" else "a"


def _counted(rng: random.Random, noun: tuple[str, str, str, str], adjs: list[tuple[str, str]],
             allow_number: bool = True) -> Phrase:
    """A countable noun phrase: a / two / this / the / my / Tom's, optional adjective."""
    sg, pl, zh, mw = noun
    adj = rng.choice(adjs) if rng.random() < 0.35 else None
    kinds = ["a", "num", "this", "that", "the", "poss", "name"] if allow_number else \
        ["this", "that", "the", "poss", "name"]
    kind = rng.choice(kinds)
    plural = kind == "num"
    head = pl if plural else sg
    adj_en = [adj[0]] if adj else []
    adj_zh = [adj[1], "的"] if adj else []
    if kind in ("a", "num", "this", "that"):
        if kind == "a":
            det_en, det_zh = _article((adj_en + [head])[0]), "一"
        elif kind == "num":
            det_en, det_zh = rng.choice(NUMBERS)
        else:
            det_en, det_zh = kind, "这" if kind == "this" else "那"
        en = [det_en] + adj_en + [head]
        zh_words = [det_zh, mw] + adj_zh + [zh]
        links = [(0, 0), (0, 1)]
        if adj:
            links += [(1, 2), (1, 3)]
        links.append((len(en) - 1, len(zh_words) - 1))
        return Phrase(en, zh_words, links)
    if kind == "the":
        en = ["the"] + adj_en + [head]
        zh_words = adj_zh + [zh]
        links = [(1, 0), (1, 1)] if adj else []
        links.append((len(en) - 1, len(zh_words) - 1))
        return Phrase(en, zh_words, links)
    if kind == "poss":
        _, _, poss, pzh, _ = rng.choice(PRONOUNS)
        det_en, det_zh = [poss], [pzh, "的"]
    else:
        name, nzh = rng.choice(NAMES)
        det_en, det_zh = [name + "'s"], [nzh, "的"]
    en = det_en + adj_en + [head]
    zh_words = det_zh + adj_zh + [zh]
    links = [(0, 0), (0, 1)]
    if adj:
        links += [(1, 2), (1, 3)]
    links.append((len(en) - 1, len(zh_words) - 1))
    return Phrase(en, zh_words, links)


def _drink(rng: random.Random, allow_number: bool = True) -> Phrase:
    d_en, d_zh = rng.choice(DRINKS)
    r = rng.random()
    if r < 0.45 or not allow_number:
        return word(d_en, d_zh)
    c_sg, c_pl, c_zh = rng.choice(CONTAINERS)
    if r < 0.75:
        art = _article(c_sg)
        return Phrase([art, c_sg, "of", d_en], ["一", c_zh, d_zh], [(0, 0), (1, 1), (3, 2)])
    n_en, n_zh = rng.choice(NUMBERS)
    return Phrase([n_en, c_pl, "of", d_en], [n_zh, c_zh, d_zh], [(0, 0), (1, 1), (3, 2)])


def _person(rng: random.Random, exclude: str = "") -> tuple[Phrase, str]:
    """A person as object; returns the phrase and its pronoun key ('' if not a pronoun)."""
    r = rng.random()
    if r < 0.35:
        choices = [p for p in PRONOUNS if p[3] != exclude]
        _, obj, _, zh, _ = rng.choice(choices)
        return word(obj, zh), zh
    if r < 0.65:
        name, zh = rng.choice(NAMES)
        return word(name, zh), ""
    sg, _, zh = rng.choice(PEOPLE_NOUNS)
    if r < 0.8:
        return Phrase(["the", sg], [zh], [(1, 0)]), ""
    if r < 0.92:
        _, _, poss, pzh, _ = rng.choice(PRONOUNS)
        return Phrase([poss, sg], [pzh, "的", zh], [(0, 0), (0, 1), (1, 2)]), ""
    name, nzh = rng.choice(NAMES)
    return Phrase([name + "'s", sg], [nzh, "的", zh], [(0, 0), (0, 1), (1, 2)]), ""


def _generic(rng: random.Random, pool: list[tuple[str, str, str, str]]) -> Phrase:
    """A bare plural for habits and likes: 'I like apples' -> 我喜欢苹果."""
    _, pl, zh, _ = rng.choice(pool)
    return word(pl, zh)


def _object(rng: random.Random, verb: Verb, subject_zh: str, allow_number: bool,
            generic_ok: bool) -> Phrase:
    cls = verb.objects
    if cls == "person":
        return _person(rng, exclude=subject_zh)[0]
    pools = {
        "food": FOODS, "thing": THINGS, "animal": ANIMALS, "read": _READABLE,
        "watch": _WATCHABLE, "write": _WRITABLE, "wash": _WASHABLE, "open": _OPENABLE,
        "carry": _CARRY, "song": _SONGS, "own": THINGS + ANIMALS,
        "seeable": ANIMALS + THINGS, "any": FOODS + THINGS + ANIMALS,
    }
    if cls == "drink" or (cls in ("any", "own") and rng.random() < 0.15):
        return _drink(rng, allow_number)
    if cls == "any" and rng.random() < 0.1:
        return _person(rng, exclude=subject_zh)[0]
    pool = pools[cls]
    if generic_ok and rng.random() < 0.3:
        return _generic(rng, pool)
    adjs = FOOD_ADJECTIVES if pool is FOODS else ADJECTIVES
    return _counted(rng, rng.choice(pool), adjs, allow_number)


def _subject(rng: random.Random) -> tuple[Phrase, str, str]:
    """Returns (phrase, person key for agreement, Chinese of a pronoun subject or '')."""
    r = rng.random()
    if r < 0.5:
        subj, _, _, zh, person = rng.choice(PRONOUNS)
        return word(subj, zh), person, zh
    if r < 0.78:
        name, zh = rng.choice(NAMES)
        return word(name, zh), "3s", ""
    sg, pl, zh = rng.choice(PEOPLE_NOUNS)
    r2 = rng.random()
    if r2 < 0.4:
        return Phrase(["the", sg], [zh], [(1, 0)]), "3s", ""
    if r2 < 0.55:
        return Phrase(["the", pl], [zh, "们"], [(1, 0), (1, 1)]), "p", ""
    _, _, poss, pzh, _ = rng.choice(PRONOUNS)
    return Phrase([poss, sg], [pzh, "的", zh], [(0, 0), (0, 1), (1, 2)]), "3s", ""


def _time(choice: tuple[str, list[str], list[int]]) -> Phrase:
    en, zh, heads = choice
    return Phrase(en.split(), list(zh), [(h, j) for j, h in enumerate(heads)])


def _place(rng: random.Random) -> Phrase:
    en, zh = rng.choice(PLACES)
    en_l = en.split()
    return Phrase(en_l, ["在", zh], [(0, 0), (len(en_l) - 1, 1)])


# --------------------------------------------------------------------------- sentences
# A cross link ties an English word of one part to a Chinese word of another part
# (a question's auxiliary "did" -> 了 in the verb part and -> the final 吗).
CrossLink = tuple[str, int, str, int]


def _verb_forms(verb: Verb, form: str, person: str, intrans: bool, has_place: bool
                ) -> tuple[Phrase, Phrase, list[CrossLink]]:
    """(auxiliary fronted in questions, verb phrase, cross links aux -> verb/吗)."""
    third = person == "3s"
    vw = verb.base.split()
    aux = Phrase()
    cross: list[CrossLink] = []
    if form == "present":
        return aux, word((verb.s3 if third else verb.base).split(), verb.zh, [(0, 0)]), cross
    if form == "past":
        return aux, Phrase(verb.past.split(), [verb.zh, "了"], [(0, 0), (0, 1)]), cross
    if form == "prog":
        ven = [_be(person)] + verb.ing.split()
        # With a place, 在公园 already says "in progress"; otherwise 在 marks it.
        if has_place:
            return aux, Phrase(ven, [verb.zh], [(1, 0)]), cross
        return aux, Phrase(ven, ["在", verb.zh], [(0, 0), (1, 1)]), cross
    if form == "perfect":
        ven = ["has" if third else "have"] + verb.pp.split()
        return aux, Phrase(ven, [verb.zh, "过"], [(1, 0), (0, 1)]), cross
    if form == "future":
        return aux, Phrase(["will"] + vw, ["会", verb.zh], [(0, 0), (1, 1)]), cross
    if form == "neg_present":
        ven = ["does" if third else "do", "not"] + vw
        return aux, Phrase(ven, [verb.neg_zh, verb.zh], [(1, 0), (2, 1)]), cross
    if form == "neg_past":
        return aux, Phrase(["did", "not"] + vw, ["没", verb.zh], [(1, 0), (2, 1)]), cross
    if form == "neg_future":
        return aux, Phrase(["will", "not"] + vw, ["不", "会", verb.zh],
                           [(1, 0), (0, 1), (2, 2)]), cross
    if form == "neg_perfect":
        ven = ["has" if third else "have", "never"] + verb.pp.split()
        return aux, Phrase(ven, ["没", verb.zh, "过"], [(1, 0), (2, 1), (0, 2)]), cross
    # Questions: the English auxiliary moves to the front, Chinese adds a final 吗.
    cross.append(("A", 0, "Q", 0))
    if form == "q_present":
        aux = Phrase(["does" if third else "do"], [], [])
        return aux, Phrase(vw, [verb.zh], [(0, 0)]), cross
    if form == "q_past":
        aux = Phrase(["did"], [], [])
        cross.append(("A", 0, "V", 1))
        return aux, Phrase(vw, [verb.zh, "了"], [(0, 0)]), cross
    if form == "q_future":
        aux = Phrase(["will"], [], [])
        cross.append(("A", 0, "V", 0))
        return aux, Phrase(vw, ["会", verb.zh], [(0, 1)]), cross
    if form == "q_prog":
        aux = Phrase([_be(person)], [], [])
        if has_place:
            return aux, Phrase(verb.ing.split(), [verb.zh], [(0, 0)]), cross
        cross.append(("A", 0, "V", 0))
        return aux, Phrase(verb.ing.split(), ["在", verb.zh], [(0, 1)]), cross
    raise ValueError(f"unknown form {form}")


FORMS = ["present", "present", "past", "past", "prog", "perfect", "future", "neg_present",
         "neg_past", "neg_future", "neg_perfect", "q_present", "q_past", "q_prog", "q_future"]
STATIVE_FORMS = ("present", "neg_present", "q_present", "future", "neg_future", "q_future")
TIME_POOLS = {
    "present": HABIT_TIMES, "neg_present": HABIT_TIMES, "q_present": HABIT_TIMES,
    "past": PAST_TIMES, "neg_past": PAST_TIMES, "q_past": PAST_TIMES,
    "prog": NOW_TIMES, "q_prog": NOW_TIMES, "future": FUTURE_TIMES,
    "neg_future": FUTURE_TIMES, "q_future": FUTURE_TIMES,
}


def generate_pair(rng: random.Random) -> Pair:
    """One random sentence pair (may fall outside the length limits; the caller filters)."""
    subj, person, subj_zh = _subject(rng)
    verb = rng.choice(VERBS)
    form = rng.choice(FORMS)
    if verb.stative and form not in STATIVE_FORMS:
        form = rng.choice(STATIVE_FORMS)
    if form == "past" and verb.past == verb.base and person != "3s":
        # "I read a book" would be either tense; keep the corpus unambiguous.
        form = "perfect"
    intrans = verb.objects == ""
    allow_number = form not in ("neg_past", "neg_present", "neg_perfect")
    generic_ok = form in ("present", "neg_present", "q_present")
    obj = Phrase() if intrans else _object(rng, verb, subj_zh, allow_number, generic_ok)
    place = _place(rng) if (not verb.stative and rng.random() < 0.35) else Phrase()
    pool = TIME_POOLS.get(form)
    time = (_time(rng.choice(pool)) if pool and not verb.stative and rng.random() < 0.45
            else Phrase())
    aux, vp, cross = _verb_forms(verb, form, person, intrans, bool(place.en))
    q = Phrase([], ["吗"], []) if form.startswith("q_") else Phrase()
    parts = {"A": aux, "S": subj, "V": vp, "O": obj, "P": place, "T": time, "Q": q}
    en_order = ["A", "S", "V", "O", "P", "T"]
    # Chinese: subject, time, place, verb, object, question particle. An intransitive
    # past puts 了 sentence-finally, which the verb part already ends with.
    zh_order = ["S", "T", "P", "V", "O", "Q"]
    return _finish(parts, cross, en_order, zh_order)


def _finish(parts: dict[str, Phrase], cross: list[CrossLink], en_order: list[str],
            zh_order: list[str]) -> Pair:
    en_off: dict[str, int] = {}
    zh_off: dict[str, int] = {}
    en: list[str] = []
    zh: list[str] = []
    for name in en_order:
        en_off[name] = len(en)
        en.extend(parts[name].en)
    for name in zh_order:
        zh_off[name] = len(zh)
        zh.extend(parts[name].zh)
    links = [(en_off[n] + i, zh_off[n] + j) for n, ph in parts.items() for i, j in ph.links]
    links += [(en_off[a] + i, zh_off[b] + j) for a, i, b, j in cross]
    links.sort(key=lambda t: (t[1], t[0]))
    return Pair(" ".join(en), "".join(zh), zh, links)


def _be(person: str) -> str:
    return {"1s": "am", "3s": "is"}.get(person, "are")


def check_pair(p: Pair) -> None:
    """Raise if the pair breaks the corpus invariants (used by generation and tests)."""
    n_en, n_zh = len(p.src.split()), len(p.tgt_words)
    if "".join(p.tgt_words) != p.tgt:
        raise ValueError(f"segmentation does not spell the target: {p}")
    for i, j in p.alignment:
        if not (0 <= i < n_en and 0 <= j < n_zh):
            raise ValueError(f"link {i}-{j} out of range: {p}")
    targets = sorted(j for _, j in p.alignment)
    if targets != list(range(n_zh)):
        raise ValueError(f"every Chinese word needs exactly one link: {p}")


def generate(seed: int = DEFAULT_SEED, sizes: dict[str, int] | None = None
             ) -> dict[str, list[Pair]]:
    """Distinct pairs, split by sentence. "I love you" is always in the training split."""
    sizes = sizes or DEFAULT_SIZES
    total = sum(sizes.values())
    rng = random.Random(seed)
    seen: set[str] = set()
    pairs: list[Pair] = []
    anchor = Pair("I love you", "我爱你", ["我", "爱", "你"], [(0, 0), (1, 1), (2, 2)])
    seen.add(anchor.src)
    while len(pairs) < total - 1:
        p = generate_pair(rng)
        if p.src in seen or not (MIN_WORDS <= len(p.src.split()) <= MAX_WORDS):
            continue
        check_pair(p)
        seen.add(p.src)
        pairs.append(p)
    rng.shuffle(pairs)
    out: dict[str, list[Pair]] = {}
    start = 0
    for split in ("valid", "test"):
        out[split] = pairs[start:start + sizes[split]]
        start += sizes[split]
    out["train"] = [anchor] + pairs[start:]
    return out


def split_path(directory: Path, split: str) -> Path:
    """The file of a split: `<split>.tsv.gz` if present, else `<split>.tsv`."""
    gz = Path(directory) / f"{split}.tsv.gz"
    return gz if gz.exists() else Path(directory) / f"{split}.tsv"


def read_split(split: str, directory: Path | str = DATA_DIR) -> list[Pair]:
    path = split_path(Path(directory), split)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [Pair.from_line(line) for line in f if line.strip()]


def iter_lines(pairs: list[Pair]) -> Iterator[str]:
    for p in pairs:
        yield p.to_line() + "\n"


def write(splits: dict[str, list[Pair]], directory: Path | str) -> list[Path]:
    """Train is gzipped with a zero timestamp so that the bytes depend only on the content."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for split, pairs in splits.items():
        text = "".join(iter_lines(pairs)).encode("utf-8")
        if split == "train":
            path = directory / "train.tsv.gz"
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0,
                               compresslevel=9) as gz:
                gz.write(text)
            path.write_bytes(buf.getvalue())
        else:
            path = directory / f"{split}.tsv"
            path.write_bytes(text)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default=str(DATA_DIR))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--train", type=int, default=DEFAULT_SIZES["train"])
    ap.add_argument("--valid", type=int, default=DEFAULT_SIZES["valid"])
    ap.add_argument("--test", type=int, default=DEFAULT_SIZES["test"])
    args = ap.parse_args(argv)
    splits = generate(args.seed, {"train": args.train, "valid": args.valid, "test": args.test})
    for path in write(splits, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
