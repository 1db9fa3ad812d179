"""Everyday constructions: social phrases, health, directions and travel, requests,
把 imperatives, "too ... to", both / all, "which ... or ...", meals, lost and forgotten
things, and adjectives with prepositions (angry with, afraid of, good at, interested in,
late for).

Each function returns one sentence `Bit` with its final mark, like those in clauses.py.
Most are written with `tpl`, a small template helper: English tokens in English order with
"$X" slots, Chinese words in Chinese order, each "word@token" linked to a template token
(by its text) or to a slot's head ("word@$X").
"""

from __future__ import annotations

import random
from functools import cache

from .bits import Bit, Tok, linked, w
from .lexicon import Noun, lexicon
from .lexicon.closed import DAYS, FREQUENCY, PRONOUNS, number_en, number_zh
from .phrases import Subject, article, person, subject, time_phrase
from .verbs import be, do, have

# ---------------------------------------------------------------------------------------
# Helpers


def tpl(en: str, zh: str, final: str = "", **slots: Bit) -> Bit:
    """A sentence from a template.

    `en`: space-separated tokens; "$X" inserts slot X's English. `zh`: space-separated
    items; "$X" inserts slot X's Chinese, "word@ref" is a Chinese word linked to the
    template token whose text is `ref` ("ref#2" for its second occurrence) or, for
    "word@$X", to slot X's head. `final` (". ? !") adds the mark and its Chinese."""
    toks: list[Tok] = []
    by_text: dict[str, list[Tok]] = {}
    for item in en.split():
        if item.startswith("$"):
            toks += slots[item[1:]].en
        else:
            tok = Tok(item)
            toks.append(tok)
            by_text.setdefault(item, []).append(tok)
    zh_words: list[tuple[str, Tok]] = []
    for item in zh.split():
        if item.startswith("$"):
            zh_words += slots[item[1:]].zh
            continue
        word, ref = item.rsplit("@", 1)
        if ref.startswith("$"):
            zh_words.append((word, slots[ref[1:]].head))
            continue
        text, _, nth = ref.partition("#")
        zh_words.append((word, by_text[text][int(nth or 1) - 1]))
    if final:
        mark_tok = Tok(final)
        toks.append(mark_tok)
        zh_words.append(({".": "。", "?": "？", "!": "！"}[final], mark_tok))
    return Bit(toks, zh_words)


@cache
def _nouns_by_name() -> dict[str, Noun]:
    """The lexicon's nouns by singular (the first of a name wins)."""
    out: dict[str, Noun] = {}
    for n in lexicon().nouns:
        out.setdefault(n.sg, n)
    return out


def _noun(sg: str) -> Noun:
    return _nouns_by_name()[sg]


def _nouns(names: str) -> list[Noun]:
    """The lexicon's nouns among space-separated singular names (missing ones skipped)."""
    found = _nouns_by_name()
    return [found[x] for x in names.split() if x in found]


def _agent(rng: random.Random, pronoun_p: float = 0.7) -> tuple[Subject, str]:
    """A pronoun or a name as subject, and the possessive that refers back to it."""
    if rng.random() < pronoun_p:
        s, _, poss, zh, key = rng.choice(PRONOUNS)
        return Subject(w(s, zh), key, zh), poss
    name, zh, gender = rng.choice(lexicon().names)
    return Subject(w(name, zh), "3s", ""), "his" if gender == "m" else "her"


def _np(rng: random.Random, noun: Noun, kind: str, poss_zh: bool = True) -> Bit:
    """the / the_pl / this / these / your / my + noun. With `poss_zh` False a possessive
    has no Chinese of its own ("Put on your coat." -> 把外套穿上。)."""
    plural = kind in ("the_pl", "these") and not noun.mass
    head = w(noun.pl if plural else noun.sg, noun.zh)
    if kind in ("the", "the_pl") or (kind in ("this", "these") and noun.mass):
        return Bit([Tok("the")] + head.en, head.zh)
    det = Tok(kind)
    if kind == "this":
        return Bit([det] + head.en, [("这", det), (noun.mw, det)] + head.zh)
    if kind == "these":
        return Bit([det] + head.en, [("这些", det)] + head.zh)
    zh = {"your": "你", "my": "我"}[kind]
    return Bit([det] + head.en, ([(zh, det), ("的", det)] if poss_zh else []) + head.zh)


def _poss_np(rng: random.Random, noun: Noun, poss: str, plural: bool = False) -> Bit:
    """"her umbrella" -> 她的伞, the possessive's Chinese from its pronoun."""
    zh = {p[2]: p[3] for p in PRONOUNS}[poss]
    det = Tok(poss)
    head = w(noun.pl if plural else noun.sg, noun.zh)
    return Bit([det] + head.en, [(zh, det), ("的", det)] + head.zh)


def _landmark(rng: random.Random, article_word: str = "the") -> Bit:
    """A place in town: "the bank" -> 银行 (or "a bank")."""
    p = rng.choice(_landmarks())
    head = w(p.en, p.zh)
    det = Tok(article(p.en) if article_word == "a" else "the")
    return Bit([det] + head.en, head.zh)


LANDMARK_NAMES = ("bank supermarket hotel station hospital library park museum cinema "
                  "restaurant cafe bookstore bakery pharmacy mall market church square "
                  "stadium gym zoo theater temple clinic university school post-office "
                  "airport").split()


def _landmarks() -> list:
    return [p for p in lexicon().places if p.en in LANDMARK_NAMES]


def _city(rng: random.Random, countries: bool = False) -> Bit:
    """A city (the lexicon lists cities before countries), or a city or country."""
    proper = [p for p in lexicon().places if p.en[:1].isupper()]
    if not countries:
        proper = proper[:[p.en for p in proper].index("China")]
    p = rng.choice(proper)
    return w(p.en, p.zh)


def _be(subj: Subject, past: bool = False) -> str:
    return be(subj.person, past)


# ---------------------------------------------------------------------------------------
# Set phrases

# (english tokens, chinese words, links "i-j"), in the format of closed.SET_PHRASES.
EVERYDAY_PHRASES = [
    ("have a good weekend !", "祝 你 周末 愉快 ！", "0-0 0-1 3-2 2-3 4-4"),
    ("have a good trip !", "一路 顺风 ！", "3-0 2-1 4-2"),
    ("have fun !", "玩 得 开心 ！", "0-0 0-1 1-2 2-3"),
    ("have a good time !", "玩 得 开心 ！", "0-0 0-1 2-2 4-3"),
    ("congratulations on your new job !", "祝贺 你 找到 新 工作 ！",
     "0-0 2-1 1-2 3-3 4-4 5-5"),
    ("excuse me , is this seat free ?", "请问 ， 这个 座位 有 人 吗 ？",
     "0-0 2-1 4-2 5-3 6-4 6-5 3-6 7-7"),
    ("excuse me , where is the toilet ?", "请问 ， 厕所 在 哪里 ？", "0-0 2-1 6-2 4-3 3-4 7-5"),
    ("can you say that again ?", "你 能 再 说 一 遍 吗 ？", "1-0 0-1 4-2 2-3 4-4 4-5 0-6 5-7"),
    ("please speak slowly .", "请 说 慢 一点 。", "0-0 1-1 2-2 2-3 3-4"),
    ("please speak more slowly .", "请 说 慢 一点 。", "0-0 1-1 3-2 2-3 4-4"),
    ("what does this mean ?", "这 是 什么 意思 ？", "2-0 1-1 0-2 3-3 4-4"),
    ("what does it mean ?", "这 是 什么 意思 ？", "2-0 1-1 0-2 3-3 4-4"),
    ("welcome back !", "欢迎 回来 ！", "0-0 1-1 2-2"),
    ("happy Spring Festival !", "春节 快乐 ！", "2-0 0-1 3-2"),
    ("happy Mid-Autumn Festival !", "中秋节 快乐 ！", "1-0 0-1 3-2"),
    ("happy holidays !", "节日 快乐 ！", "1-0 0-1 2-2"),
    ("happy Mother's Day !", "母亲节 快乐 ！", "1-0 0-1 3-2"),
    ("enjoy your meal !", "请 慢用 ！", "0-0 2-1 3-2"),
    ("get well soon !", "早日 康复 ！", "2-0 1-1 3-2"),
    ("what is wrong ?", "怎么 了 ？", "0-0 2-1 3-2"),
    ("never mind .", "没 关系 。", "0-0 1-1 2-2"),
    ("that is ok .", "没 关系 。", "2-0 2-1 3-2"),
    ("i see .", "我 明白 了 。", "0-0 1-1 1-2 2-3"),
    ("i think so .", "我 觉得 是 。", "0-0 1-1 2-2 3-3"),
    ("i do not think so .", "我 不 这么 认为 。", "0-0 2-1 4-2 3-3 5-4"),
    ("i hope so .", "希望 如此 。", "1-0 2-1 3-2"),
    ("i agree .", "我 同意 。", "0-0 1-1 2-2"),
    ("i am not sure .", "我 不 确定 。", "0-0 2-1 3-2 4-3"),
    ("i have no idea .", "我 不 知道 。", "0-0 2-1 3-2 4-3"),
    ("i am lost .", "我 迷路 了 。", "0-0 2-1 1-2 3-3"),
    ("i am full .", "我 吃 饱 了 。", "0-0 2-1 2-2 1-3 3-4"),
    ("i am busy .", "我 很 忙 。", "0-0 1-1 2-2 3-3"),
    ("i am home !", "我 回来 了 ！", "0-0 2-1 1-2 3-3"),
    ("i am coming !", "我 来 了 ！", "0-0 2-1 1-2 3-3"),
    ("i am ready .", "我 准备 好 了 。", "0-0 2-1 2-2 1-3 3-4"),
    ("i am on my way .", "我 在 路上 了 。", "0-0 2-1 4-2 1-3 5-4"),
    ("i will be right back .", "我 马上 回来 。", "0-0 3-1 4-2 5-3"),
    ("it is delicious !", "真 好吃 ！", "1-0 2-1 3-2"),
    ("how much does it cost ?", "多少 钱 ？", "1-0 4-1 5-2"),
    ("can i pay by card ?", "我 可以 刷卡 吗 ？", "1-0 0-1 4-2 0-3 5-4"),
    ("can i see the menu ?", "我 可以 看看 菜单 吗 ？", "1-0 0-1 2-2 4-3 0-4 5-5"),
    ("the bill , please .", "请 结账 。", "3-0 1-1 4-2"),
    ("do you speak English ?", "你 会 说 英语 吗 ？", "1-0 0-1 2-2 3-3 0-4 4-5"),
    ("i speak a little Chinese .", "我 会 说 一点 中文 。", "0-0 1-1 1-2 3-3 4-4 5-5"),
    ("i am learning Chinese .", "我 在 学 中文 。", "0-0 1-1 2-2 3-3 4-4"),
    ("what is this in Chinese ?", "这个 用 中文 怎么 说 ？", "2-0 3-1 4-2 0-3 0-4 5-5"),
    ("please write it down .", "请 把 它 写 下来 。", "0-0 1-1 2-2 1-3 3-4 4-5"),
    ("please wait a moment .", "请 稍 等 。", "0-0 3-1 1-2 4-3"),
    ("just a moment , please .", "请 稍 等 。", "4-0 0-1 2-2 5-3"),
    ("after you .", "您 先 请 。", "1-0 0-1 0-2 2-3"),
    ("same to you !", "你 也 一样 ！", "2-0 1-1 0-2 3-3"),
    ("me neither .", "我 也 不 。", "0-0 1-1 1-2 2-3"),
    ("sounds good !", "听 起来 不错 ！", "0-0 0-1 1-2 2-3"),
    ("good idea !", "好 主意 ！", "0-0 1-1 2-2"),
    ("not bad .", "还 不错 。", "0-0 1-1 2-2"),
    ("well done !", "干 得 好 ！", "1-0 1-1 0-2 2-3"),
    ("take your time .", "慢慢 来 。", "2-0 0-1 3-2"),
    ("be quiet , please .", "请 安静 。", "3-0 1-1 4-2"),
    ("nice to see you again !", "很 高兴 再 见到 你 ！", "0-0 0-1 4-2 2-3 3-4 5-5"),
    ("long time no see !", "好久 不 见 ！", "0-0 2-1 3-2 4-3"),
    ("what a pity !", "真 可惜 ！", "0-0 2-1 3-2"),
    ("all right .", "好 吧 。", "1-0 0-1 2-2"),
    ("no , thank you .", "不 用 了 ， 谢谢 。", "0-0 0-1 0-2 1-3 2-4 4-5"),
    ("yes , please .", "好 的 ， 谢谢 。", "0-0 0-1 1-2 2-3 3-4"),
    ("i am so sorry .", "真 对不起 。", "2-0 3-1 4-2"),
    ("sorry , i am late .", "对不起 ， 我 来 晚 了 。", "0-0 1-1 2-2 4-3 4-4 3-5 5-6"),
    ("sorry to bother you .", "不 好意思 ， 打扰 你 了 。", "0-0 0-1 1-2 2-3 3-4 2-5 4-6"),
    ("where are you going ?", "你 去 哪里 ？", "2-0 3-1 0-2 4-3"),
    ("are you sure ?", "你 确定 吗 ？", "1-0 2-1 0-2 3-3"),
    ("really ?", "真 的 吗 ？", "0-0 0-1 0-2 1-3"),
    ("is it far ?", "远 吗 ？", "2-0 0-1 3-2"),
    ("is it free ?", "是 免费 的 吗 ？", "0-0 2-1 2-2 0-3 3-4"),
    ("call a doctor !", "快 叫 医生 ！", "0-0 0-1 2-2 3-3"),
    ("i need a doctor .", "我 需要 看 医生 。", "0-0 1-1 3-2 3-3 4-4"),
    ("i need help .", "我 需要 帮助 。", "0-0 1-1 2-2 3-3"),
    ("i am allergic to peanuts .", "我 对 花生 过敏 。", "0-0 3-1 4-2 2-3 5-4"),
    ("good luck with your exam !", "祝 你 考试 顺利 ！", "0-0 3-1 4-2 1-3 5-4"),
    ("sweet dreams !", "做 个 好 梦 ！", "1-0 1-1 0-2 1-3 2-4"),
    ("let me see .", "让 我 看看 。", "0-0 1-1 2-2 3-3"),
    ("let me help you .", "我 来 帮 你 。", "1-0 0-1 2-2 3-3 4-4"),
    ("what a surprise !", "真 是 个 惊喜 ！", "0-0 0-1 1-2 2-3 3-4"),
    ("could you help me ?", "你 能 帮 我 吗 ？", "1-0 0-1 2-2 3-3 0-4 4-5"),
    ("may i come in ?", "我 可以 进来 吗 ？", "1-0 0-1 3-2 0-3 4-4"),
]


def everyday_phrase(rng: random.Random) -> Bit:
    """A social phrase ("Never mind." -> 没关系。), "Welcome to Beijing!" or "See you on
    Friday!"."""
    r = rng.random()
    if r < 0.12:
        return tpl("welcome to $C", "欢迎@welcome 来到@to $C", "!", C=_city(rng, True))
    if r < 0.2:
        day_en, day_zh = rng.choice(DAYS)
        return tpl(f"see you on {day_en}", f"{day_zh}@{day_en} 见@see", "!")
    en, zh, links = rng.choice(EVERYDAY_PHRASES)
    return linked(en, zh, links)


# ---------------------------------------------------------------------------------------
# Feelings and health

# (english after "have", chinese words with links; "HAVE" stands for the verb's token)
AILMENTS = [
    ("a headache", "头疼@headache"), ("a stomachache", "肚子疼@stomachache"),
    ("a toothache", "牙疼@toothache"), ("a sore throat", "嗓子疼@throat"),
    ("a cough", "咳嗽@cough"), ("a fever", "发烧@fever 了@HAVE"),
    ("a cold", "感冒@cold 了@HAVE"), ("a runny nose", "流@runny 鼻涕@nose"),
]
# (singular, plural or "", chinese)
BODY_PARTS = [("head", "", "头"), ("stomach", "", "肚子"), ("back", "", "背"),
              ("throat", "", "嗓子"), ("neck", "", "脖子"), ("leg", "legs", "腿"),
              ("arm", "arms", "胳膊"), ("foot", "feet", "脚"), ("knee", "knees", "膝盖"),
              ("eye", "eyes", "眼睛"), ("ear", "ears", "耳朵"), ("tooth", "teeth", "牙"),
              ("shoulder", "shoulders", "肩膀"), ("hand", "hands", "手")]
# (english, chinese, takes 很, verb: 觉得 for moods, 感觉 for the body)
FEELINGS = [("tired", "累", True, "觉得"), ("sleepy", "困", True, "觉得"),
            ("cold", "冷", True, "觉得"), ("hot", "热", True, "觉得"),
            ("happy", "开心", True, "觉得"), ("sad", "难过", True, "觉得"),
            ("nervous", "紧张", True, "觉得"), ("lonely", "孤独", True, "觉得"),
            ("bored", "无聊", True, "觉得"), ("sick", "不舒服", False, "感觉"),
            ("dizzy", "头晕", False, "感觉")]


def _asked(subj: Subject) -> Subject:
    """Questions about how one feels go to someone else: "Do I ...?" becomes "Do you ...?"."""
    return Subject(w("you", "你"), "2", "你") if subj.person == "1s" else subj


def health(rng: random.Random) -> Bit:
    """"I have a headache." -> 我头疼。; "My stomach hurts." -> 我肚子疼。;
    "She feels tired." -> 她觉得很累。; "He is not feeling well." -> 他感觉不舒服。"""
    r = rng.random()
    if r < 0.35:
        subj, _ = _agent(rng, 0.75)
        en, zh = rng.choice(AILMENTS)
        form = rng.choice(["present", "present", "past", "q"])
        if form == "q":
            subj = _asked(subj)
            aux = do(subj.person)
            return tpl(f"{aux} $S have {en}", f"$S {zh.replace('HAVE', 'have')} 吗@{aux}",
                       "?", S=subj.bit)
        verb = "had" if form == "past" else have(subj.person)
        when = time_phrase(rng, "past") if form == "past" and rng.random() < 0.6 else Bit()
        return tpl(f"$S {verb} {en} $T", f"$S $T {zh.replace('HAVE', verb)}", ".",
                   S=subj.bit, T=when)
    if r < 0.6:
        part, plural_en, zh = rng.choice(BODY_PARTS)
        plural = bool(plural_en) and rng.random() < 0.4
        part_en = plural_en if plural else part
        if rng.random() < 0.75:
            _, _, poss, pzh, _ = rng.choice(PRONOUNS[:4])
        else:
            name, pzh, _ = rng.choice(lexicon().names)
            poss = name + "'s"
        if rng.random() < 0.25:
            aux = "do" if plural else "does"
            return tpl(f"{aux} {poss} {part_en} hurt", f"{pzh}@{poss} {zh}@{part_en} 疼@hurt "
                       f"吗@{aux}", "?")
        verb = "hurt" if plural else "hurts"
        return tpl(f"{poss} {part_en} {verb}", f"{pzh}@{poss} {zh}@{part_en} 疼@{verb}",
                   rng.choice("..!"))
    subj, _ = _agent(rng, 0.75)
    if r < 0.72:
        aux = _be(subj)
        if rng.random() < 0.5:
            return tpl(f"$S {aux} not feeling well", "$S 感觉@feeling 不@not 舒服@well", ".",
                       S=subj.bit)
        aux = do(subj.person)
        return tpl(f"$S {aux} not feel well", "$S 感觉@feel 不@not 舒服@well", ".", S=subj.bit)
    if r < 0.8:
        if rng.random() < 0.5:
            subj = _asked(subj)
            aux = do(subj.person)
            return tpl(f"{aux} $S feel better", "$S 感觉@feel 好@better 点@better 了@better "
                       f"吗@{aux}", "?", S=subj.bit)
        verb = "feels" if subj.person == "3s" else "feel"
        return tpl(f"$S {verb} better now", f"$S 现在@now 感觉@{verb} 好@better 多@better "
                   "了@better", ".", S=subj.bit)
    en, zh, hen, verb_zh = rng.choice(FEELINGS)
    form = rng.choice(["present", "present", "past", "q", "neg"])
    if form == "q":
        subj = _asked(subj)
        aux = do(subj.person)
        return tpl(f"{aux} $S feel {en}", f"$S {verb_zh}@feel {zh}@{en} 吗@{aux}", "?",
                   S=subj.bit)
    if form == "neg" and en not in ("sick", "dizzy", "great"):
        aux = do(subj.person)
        return tpl(f"$S {aux} not feel {en}", f"$S 不@not {verb_zh}@feel {zh}@{en}", ".",
                   S=subj.bit)
    verb = "felt" if form == "past" else ("feels" if subj.person == "3s" else "feel")
    if hen and rng.random() < 0.3:
        return tpl(f"$S {verb} very {en}", f"$S {verb_zh}@{verb} 非常@very {zh}@{en}", ".",
                   S=subj.bit)
    deg = f"很@{verb} " if hen else ""
    return tpl(f"$S {verb} {en}", f"$S {verb_zh}@{verb} {deg}{zh}@{en}", ".", S=subj.bit)


# ---------------------------------------------------------------------------------------
# Directions and travel


def directions(rng: random.Random) -> Bit:
    """"Turn left at the bank." -> 在银行那里左转。; "Is the hotel far from here?";
    "How do I get to the station?" -> 去车站怎么走？"""
    r = rng.random()
    if r < 0.3:
        d, dz = rng.choice([("left", "左转"), ("right", "右转")])
        turn_zh = f"在@at $P 那里@at {dz}@{d}"
        k = rng.random()
        if k < 0.25:
            return tpl(f"go straight and turn {d} at $P", f"一直@straight 走@go ，@and "
                       f"然后@and {turn_zh}", ".", P=_landmark(rng))
        if k < 0.4:
            return tpl(f"please turn {d} at $P", f"请@please {turn_zh}", ".", P=_landmark(rng))
        if k < 0.55:
            return tpl(f"turn {d} here", f"在@here 这里@here {dz}@{d}", ".")
        return tpl(f"turn {d} at $P", turn_zh, ".", P=_landmark(rng))
    if r < 0.35:
        return tpl("go straight", "一直@straight 走@go", rng.choice(".!"))
    place = _landmark(rng)
    if r < 0.55:
        k = rng.random()
        if k < 0.35:
            return tpl("is $P far from here", "$P 离@from 这里@here 远@far 吗@is", "?", P=place)
        if k < 0.55:
            return tpl("is $P near here", "$P 离@near 这里@here 近@near 吗@is", "?", P=place)
        if k < 0.75:
            return tpl("how far is $P from here", "$P 离@from 这里@here 有@is 多@how 远@far",
                       "?", P=place)
        if k < 0.88:
            return tpl("$P is near here", "$P 离@near 这里@here 很@is 近@near", ".", P=place)
        return tpl("$P is not far from here", "$P 离@from 这里@here 不@not 远@far", ".",
                   P=place)
    if r < 0.7:
        if rng.random() < 0.35:
            return tpl("excuse me , how do i get to $P", "请问@excuse ，@, 去@to $P 怎么@how "
                       "走@get", "?", P=place)
        return tpl("how do i get to $P", "去@to $P 怎么@how 走@get", "?", P=place)
    if r < 0.82:
        return tpl("excuse me , where is $P", "请问@excuse ，@, $P 在@is 哪里@where", "?",
                   P=place)
    if r < 0.92:
        return tpl("is there $P near here", "这@here 附近@near 有@there $P 吗@is", "?",
                   P=_landmark(rng, "a"))
    return tpl("can you tell me the way to $P", "你@you 能@can 告诉@tell 我@me 去@to $P 的@way "
               "路@way 吗@can", "?", P=place)


def travel(rng: random.Random) -> Bit:
    """"One ticket to Shanghai, please." -> 请给我一张去上海的票。; "When does the train
    to Beijing leave?" -> 去北京的火车什么时候开？"""
    city = _city(rng)
    r = rng.random()
    if r < 0.35:
        n = rng.choice([1, 1, 2, 2, 3, 4])
        num = rng.choice(["one", "a"]) if n == 1 else number_en(n)
        tickets = "ticket" if n == 1 else "tickets"
        return tpl(f"{num} {tickets} to $C , please", f"请@please 给@please 我@please "
                   f"{number_zh(n, True)}@{num} 张@{num} 去@to $C 的@to 票@{tickets}", ".",
                   C=city)
    vehicle, vzh, leave = rng.choice([("train", "火车", "开"), ("train", "火车", "开"),
                                      ("bus", "大巴", "开"), ("plane", "飞机", "起飞")])
    if r < 0.55:
        wh, wzh = rng.choice([("when", "什么时候@when"), ("what time", "几@what 点@time")])
        return tpl(f"{wh} does the {vehicle} to $C leave", f"去@to $C 的@to {vzh}@{vehicle} "
                   f"{wzh} {leave}@leave", "?", C=city)
    if r < 0.75:
        return tpl(f"is this the {vehicle} to $C", f"这@this 是@is 去@to $C 的@to "
                   f"{vzh}@{vehicle} 吗@is", "?", C=city)
    return tpl("how long does it take to get to $C", "去@get $C 要@take 多@how 长@long "
               "时间@long", "?", C=city)


# ---------------------------------------------------------------------------------------
# Requests

# (container, measure word, drinks or foods it holds)
CONTAINERS = [("cup", "杯", "coffee tea cocoa"), ("glass", "杯", "water milk juice cola beer "
                                                                   "wine lemonade"),
              ("bottle", "瓶", "water cola beer juice"), ("bowl", "碗", "rice noodles soup "
                                                                      "porridge")]
COUNT_FOODS = "apple banana orange pear sandwich hamburger egg cookie cake bun donut muffin"
HELP_TASKS = [  # (english verb, chinese verb, object nouns, determiners)
    ("find", "找", "key phone wallet passport bag ticket umbrella dog cat watch", "my"),
    ("carry", "拿", "bag basket backpack box", "this my the"),
    ("carry", "搬", "suitcase table chair", "this my the"),
    ("open", "打开", "bottle jar box door window suitcase", "this the"),
    ("fix", "修", "bike car computer phone watch clock lamp", "my this"),
    ("move", "搬", "table desk sofa bed chair", "this the"),
    ("wash", "洗", "car dog cup bowl plate", "my the these"),
]
MAY_I = [  # (english verb phrase, chinese with links)
    ("come in", "进来@come"), ("sit here", "坐@sit 这里@here"),
    ("go home", "回@go 家@home"), ("go to the toilet", "去@go 厕所@toilet"),
    ("open the window", "开@open 窗户@window"), ("close the door", "关@close 门@door"),
    ("turn on the light", "开@turn 灯@light"), ("ask a question", "问@ask 一个@a 问题@question"),
    ("ask you a question", "问@ask 你@you 一个@a 问题@question"),
    ("take a photo", "拍照@photo"), ("have a look", "看@look 一下@have"),
    ("watch TV", "看@watch 电视@TV"), ("play outside", "在@outside 外面@outside 玩@play"),
    ("go out", "出去@go"), ("sit next to you", "坐@sit 在@next 你@you 旁边@next"),
]
BORROWABLE = "pen pencil eraser ruler dictionary phone computer umbrella bike car calculator " \
             "book notebook map"


def _some_food_or_drink(rng: random.Random) -> tuple[Bit, str]:
    """"a cup of coffee" -> 一杯咖啡; "two apples" -> 两个苹果. Also returns 吃 or 喝."""
    if rng.random() < 0.6:
        cont, mw, items = rng.choice(CONTAINERS)
        noun = _noun(rng.choice(items.split()))
        n = 1 if rng.random() < 0.75 else rng.choice([2, 3])
        num = "a" if n == 1 else number_en(n)
        conts = cont if n == 1 else (cont + "es" if cont.endswith("ss") else cont + "s")
        drink = "drink" in noun.tags
        return tpl(f"{num} {conts} of {noun.sg}", f"{number_zh(n, True)}@{num} {mw}@{conts} "
                   f"{noun.zh}@{noun.sg}"), "喝" if drink else "吃"
    noun = rng.choice(_nouns(COUNT_FOODS))
    n = 1 if rng.random() < 0.7 else rng.choice([2, 3])
    num = article(noun.sg) if n == 1 else number_en(n)
    form = noun.sg if n == 1 else noun.pl
    return tpl(f"{num} {form}", f"{number_zh(n, True)}@{num} {noun.mw}@{num} "
               f"{noun.zh}@{form}"), "吃"


def requests(rng: random.Random) -> Bit:
    """"Can I have a cup of coffee?" -> 我可以要一杯咖啡吗？; "Can you help me carry this
    box?" -> 你能帮我拿这个盒子吗？; "May I come in?" -> 我可以进来吗？"""
    r = rng.random()
    if r < 0.35:
        thing, _ = _some_food_or_drink(rng)
        k = rng.random()
        if k < 0.5:
            modal = rng.choice(["can", "can", "could", "may"])
            who, who_zh = ("we", "我们") if rng.random() < 0.2 else ("i", "我")
            please = " , please" if rng.random() < 0.25 else ""
            return tpl(f"{modal} {who} have $X{please}", f"{who_zh}@{who} 可以@{modal} "
                       f"要@have $X 吗@{modal}", "?", X=thing)
        if k < 0.75:
            return tpl("i would like $X", "我@i 想@would 要@like $X", ".", X=thing)
        return tpl("$X , please", "请@please 给@please 我@please $X", ".", X=thing)
    if r < 0.65:
        verb, vzh, objs, dets = rng.choice(HELP_TASKS)
        noun = rng.choice(_nouns(objs))
        kind = rng.choice(dets.split())
        obj = _np(rng, noun, kind)
        vp = tpl(f"{verb} $O", f"{vzh}@{verb} $O", O=obj)
        k = rng.random()
        if k < 0.6:
            modal = rng.choice(["can", "could"])
            return tpl(f"{modal} you help me $V", f"你@you 能@{modal} 帮@help 我@me $V "
                       f"吗@{modal}", "?", V=vp)
        return tpl("please help me $V", "请@please 帮@help 我@me $V", ".", V=vp)
    modal = rng.choice(["can", "may", "may", "could"])
    who, who_zh = ("we", "我们") if rng.random() < 0.2 else ("i", "我")
    if rng.random() < 0.3:
        verb, vzh = rng.choice([("borrow", "借"), ("use", "用")])
        noun = rng.choice(_nouns(BORROWABLE))
        vp = tpl(f"{verb} your {noun.sg}", f"{vzh}@{verb} 你@your 的@your {noun.zh}@{noun.sg}")
    else:
        en, zh = rng.choice(MAY_I)
        vp = tpl(en, zh)
    return tpl(f"{modal} {who} $V", f"{who_zh}@{who} 可以@{modal} $V 吗@{modal}", "?", V=vp)


# ---------------------------------------------------------------------------------------
# 把 imperatives

SURFACES = "table desk chair bed sofa shelf bookshelf"
CONTAINER_GROUNDS = "drawer cupboard box basket bag schoolbag backpack wardrobe"
PUT_THINGS = ("book key phone cup bag pen pencil notebook toy ball hat box bottle "
              "umbrella wallet dictionary watch glass plate bowl towel coat jacket backpack "
              "schoolbag photo ticket passport comic magazine")
SURFACE_PREPS = [("on", "上"), ("on", "上"), ("under", "下面"), ("next to", "旁边"),
                 ("behind", "后面"), ("in front of", "前面")]
# (english verb, chinese verb words, objects (own nouns as "en/zh/mw"), keeps "your" 你的,
#  may take "don't")
BA_VERBS = [
    ("open", "打开", "door window box suitcase drawer fridge book bag bottle jar", True, True),
    ("close", "关上", "door window drawer fridge", True, True),
    ("turn on", "打开", "light/灯/盏 TV/电视/台 computer radio fan lamp "
                       "air-conditioner/空调/台", True, True),
    ("turn off", "关掉", "light/灯/盏 TV/电视/台 computer radio fan lamp phone "
                        "air-conditioner/空调/台", True, True),
    ("put on", "穿上", "coat jacket sweater raincoat shoe/pl sock/pl", False, False),
    ("put on", "戴上", "hat cap glove/pl scarf mask helmet", False, False),
    ("take off", "脱掉", "coat jacket sweater shoe/pl sock/pl", False, True),
    ("take off", "摘掉", "hat cap glove/pl mask", False, True),
    ("wash", "洗 干净", "cup/pl bowl/pl plate/pl apple/pl grape/pl tomato/pl hand/pl", False,
     False),
    ("give me", "给 我", "book pen key bag ball ticket phone cup box map", True, False),
    ("pass me", "递 给 我", "salt sugar bread butter ketchup chopstick/pl spoon cup water",
     False, False),
    ("finish", "喝完", "milk juice water soup tea", False, False),
    ("finish", "吃完", "breakfast lunch dinner rice noodles carrot/pl", False, False),
    ("finish", "做完", "homework", False, False),
]


def _ba_object(rng: random.Random, spec: str, keep_poss: bool, plural_ok: bool = True) -> Bit:
    """One object from a BA_VERBS spec item: a lexicon noun, "noun/pl" (always plural) or
    "english/chinese/measure" (a noun of our own)."""
    parts = spec.split("/")
    if len(parts) == 3:
        en, zh, mw = parts
        noun = Noun(en.replace("-", " "), en.replace("-", " ") + "s", zh, mw, frozenset())
    else:
        noun = _noun(parts[0])
    if len(parts) == 2:            # always plural: shoes, gloves, hands
        kind = rng.choice(["the_pl", "your", "your"])
        if kind == "your":
            det, head = Tok("your"), w(noun.pl, noun.zh)
            return Bit([det] + head.en, head.zh)      # 把手洗干净 / 把鞋脱掉
        return _np(rng, noun, "the_pl")
    kinds = ["the", "the", "this", "your"] + (["the_pl"] if plural_ok and not noun.mass else [])
    if noun.sg in ("breakfast", "lunch", "dinner", "homework"):
        kinds = ["your"]
    return _np(rng, noun, rng.choice(kinds), poss_zh=keep_poss)


def _spot(rng: random.Random, food: bool) -> Bit:
    """"on the table" -> 在桌子上; "in the fridge" -> 在冰箱里."""
    if food:
        ground, prep, post = _noun("fridge"), "in", "里"
    elif rng.random() < 0.35:
        ground, prep, post = rng.choice(_nouns(CONTAINER_GROUNDS)), "in", "里"
    else:
        ground = rng.choice(_nouns(SURFACES))
        prep, post = rng.choice(SURFACE_PREPS)
    kind = rng.choice(["the", "the", "the", "my", "this"])
    g = _np(rng, ground, kind)
    ptoks = [Tok(x) for x in prep.split()]
    return Bit(ptoks + g.en, [("在", ptoks[0])] + g.zh
               + [(post, ptoks[-1 if len(ptoks) < 3 else 1])])


def ba_imperative(rng: random.Random) -> Bit:
    """"Put your bag under the chair." -> 把你的包放在椅子下面。; "Close the door, please."
    -> 请把门关上。; "Turn off the light." -> 把灯关掉。"""
    if rng.random() < 0.3:
        food = rng.random() < 0.2
        if food:
            noun = rng.choice(_nouns("milk juice cake butter cheese egg apple meat fish "
                                     "watermelon"))
            obj = _np(rng, noun, rng.choice(["the", "the", "this"]))
        else:
            noun = rng.choice(_nouns(PUT_THINGS))
            obj = _np(rng, noun, rng.choice(["the", "the", "this", "your", "the_pl"]))
        vp_en, vp_zh, dont_ok = "put $O $L", "把@put $O 放@put $L", True
        slots = {"O": obj, "L": _spot(rng, food)}
    else:
        verb, vzh, objs, keep, dont_ok = rng.choice(BA_VERBS)
        obj = _ba_object(rng, rng.choice(objs.split()), keep,
                         plural_ok=verb not in ("put on", "take off"))
        v = verb.split()
        if v[-1] == "me":           # give me / pass me: 把 X 给我 / 把 X 递给我
            main = v[0]
            zh_words = vzh.split()
            vzh_linked = " ".join(f"{z}@{'me' if z == '我' else main}" for z in zh_words)
        else:
            main = v[0]      # 把 on the verb, the Chinese verb on its particle (on / off)
            vzh_linked = " ".join(f"{z}@{v[-1]}" for z in vzh.split())
        vp_en, vp_zh = f"{verb} $O", f"把@{main} $O {vzh_linked}"
        slots = {"O": obj}
    kind = rng.choice(["plain", "plain", "please", "please_end"]
                      + (["dont"] if dont_ok else []))
    if kind == "please":
        return tpl(f"please {vp_en}", f"请@please {vp_zh}", ".", **slots)
    if kind == "please_end":
        return tpl(f"{vp_en} , please", f"请@please {vp_zh}", ".", **slots)
    if kind == "dont":
        return tpl(f"do not {vp_en}", f"别@not {vp_zh}", rng.choice(".!"), **slots)
    return tpl(vp_en, vp_zh, rng.choice("..!"), **slots)


# ---------------------------------------------------------------------------------------
# too ... to ...

# (adjective, chinese, english verb phrase, chinese result with links, past allowed)
TOO_PERSON = [
    ("tired", "累", "walk", "走不动@walk 了@walk", True),
    ("tired", "累", "run", "跑不动@run 了@run", True),
    ("full", "饱", "eat any more", "吃不下@eat 了@more", True),
    ("busy", "忙", "come", "来不了@come", False),
    ("busy", "忙", "go", "去不了@go", False),
    ("young", "小", "drive", "还@to 不@to 能@to 开车@drive", False),
]


def too_to(rng: random.Random) -> Bit:
    """"I'm too tired to walk." -> 我太累了，走不动了。; "The box is too heavy to carry."
    -> 盒子太重了，搬不动。; "It's too cold to go out." -> 太冷了，不能出去。"""
    r = rng.random()
    if r < 0.5:
        subj, _ = _agent(rng, 0.7)
        adj, zh, vp, res, past_ok = rng.choice(TOO_PERSON)
        aux = _be(subj, past=past_ok and rng.random() < 0.3)
        return tpl(f"$S {aux} too {adj} to {vp}", f"$S 太@too {zh}@{adj} 了@{aux} ，@to {res}",
                   ".", S=subj.bit)
    if r < 0.8:
        if rng.random() < 0.5:
            noun = rng.choice(_nouns("box suitcase table bed sofa desk bag basket"))
            adj, zh, vp, res = "heavy", "重", "carry", "搬不动@carry"
        else:
            noun = rng.choice(_nouns("tea coffee soup milk cocoa"))
            adj, zh, vp, res = "hot", "烫", "drink", "没法@to 喝@drink"
        thing = _np(rng, noun, rng.choice(["the", "the", "this", "my"]))
        return tpl(f"$S is too {adj} to {vp}", f"$S 太@too {zh}@{adj} 了@is ，@to {res}", ".",
                   S=thing)
    adj, zh = rng.choice([("cold", "冷"), ("hot", "热"), ("late", "晚")])
    vp, vzh = rng.choice([("go out", "出去@go"), ("play outside", "在@outside 外面@outside "
                                                               "玩@play")]
                         + ([("swim", "游泳@swim")] if adj != "late" else []))
    return tpl(f"it is too {adj} to {vp}", f"太@too {zh}@{adj} 了@is ，@to 不@to 能@to {vzh}",
               ".")


# ---------------------------------------------------------------------------------------
# both / all

# (english plural, chinese, two people?)
GROUPS = [("parents", "父母", True), ("grandparents", "爷爷 奶奶", True),
          ("brothers", "兄弟 们", False), ("sisters", "姐妹 们", False),
          ("friends", "朋友 们", False), ("classmates", "同学 们", False),
          ("children", "孩子 们", False)]


def _group(rng: random.Random) -> tuple[Bit, bool]:
    """A plural subject and whether it is two people (for "both")."""
    r = rng.random()
    if r < 0.35:
        s, zh = rng.choice([("we", "我们"), ("they", "他们"), ("you", "你们")])
        return w(s, zh), rng.random() < 0.4
    if r < 0.5:
        a, b = rng.sample(lexicon().names, 2)
        return tpl(f"{a[0]} and {b[0]}", f"{a[1]}@{a[0]} 和@and {b[1]}@{b[0]}"), True
    en, zh, two = rng.choice(GROUPS)
    if rng.random() < 0.2 and en in ("children", "classmates", "friends"):
        return tpl(f"the {en}", " ".join(f"{z}@{en}" for z in zh.split())), False
    _, _, poss, pzh, _ = rng.choice(PRONOUNS)
    zh_words = " ".join(f"{z}@{en}" for z in zh.split())
    return tpl(f"{poss} {en}", f"{pzh}@{poss} 的@{poss} {zh_words}"), two


def both_all(rng: random.Random) -> Bit:
    """"Her parents are both teachers." -> 她的父母都是老师。; "We all like music." ->
    我们都喜欢音乐。"""
    lex = lexicon()
    subj, two = _group(rng)
    q = "both" if two else "all"
    r = rng.random()
    if r < 0.3:
        noun = rng.choice([n for n in lex.person_nouns if "job" in n.tags])
        return tpl(f"$S are {q} {noun.pl}", f"$S 都@{q} 是@are {noun.zh}@{noun.pl}", ".",
                   S=subj)
    if r < 0.5:
        adj = rng.choice(lex.adj_by_tag["person"])
        if len(adj.en.split()) > 1 or "color" in adj.tags:
            adj = lex.adj_by_tag["person"][0]
        return tpl(f"$S are {q} {adj.en}", f"$S 都@{q} 很@are {adj.zh}@{adj.en}", ".", S=subj)
    if r < 0.8:
        verb, vzh = rng.choice([("like", "喜欢"), ("like", "喜欢"), ("love", "爱"),
                                ("hate", "讨厌")])
        pool = [n for t in ("fruit", "animal", "subject", "drink") for n in
                lex.by_tag.get(t, []) if "language" not in n.tags]
        noun = rng.choice(pool)
        obj = noun.sg if noun.mass else noun.pl
        return tpl(f"$S {q} {verb} {obj}", f"$S 都@{q} {vzh}@{verb} {noun.zh}@{obj}", ".",
                   S=subj)
    return tpl(f"$S {q} live in $C", f"$S 都@{q} 住@live 在@in $C", ".", S=subj,
               C=_city(rng))


# ---------------------------------------------------------------------------------------
# which ... or ...

WHICH_SETS = [  # (nouns, comparatives as "english/chinese")
    ("tea coffee milk juice cola water", "cheaper/便宜 healthier/健康 sweeter/甜 better/好 "
                                         "more-expensive/贵"),
    ("apple banana orange pear mango watermelon grape strawberry peach",
     "cheaper/便宜 sweeter/甜 bigger/大 better/好 more-expensive/贵"),
    ("elephant horse cow pig dog cat tiger lion rabbit",
     "bigger/大 faster/快 heavier/重 smaller/小 stronger/强壮"),
]


def which_or(rng: random.Random) -> Bit:
    """"Which is cheaper, tea or coffee?" -> 茶和咖啡，哪个更便宜？; "Which do you like,
    apples or bananas?" -> 苹果和香蕉，你喜欢哪个？"""
    nouns, comps = rng.choice(WHICH_SETS)
    a, b = rng.sample(_nouns(nouns), 2)
    animal = "animal" in a.tags
    if a.mass:
        ea, eb = a.sg, b.sg
    elif animal:
        ea, eb = f"{article(a.sg)} {a.sg}", f"{article(b.sg)} {b.sg}"
    else:
        ea, eb = a.pl, b.pl
    pair_en = f"{ea} or {eb}"
    la, lb = ea.split()[-1], eb.split()[-1]
    pair_zh = f"{a.zh}@{la} 和@or {b.zh}@{lb}"
    if rng.random() < 0.5 and not animal:
        verb, vzh = rng.choice([("like", "喜欢"), ("want", "想要"),
                                ("prefer", "更@prefer 喜欢@prefer")])
        subj, zh = rng.choice([("you", "你"), ("you", "你"), ("they", "他们"), ("we", "我们")])
        aux = "do"
        if rng.random() < 0.2:
            subj, zh, aux = rng.choice([("he", "他"), ("she", "她")]) + ("does",)
        vzh_l = vzh if "@" in vzh else f"{vzh}@{verb}"
        return tpl(f"which {aux} {subj} {verb} , {pair_en}", f"{pair_zh} ，@, {zh}@{subj} "
                   f"{vzh_l} 哪个@which", "?")
    comp, czh = rng.choice(comps.split()).split("/")
    ctoks = comp.split("-")
    comp_zh = f"更@more {czh}@{ctoks[1]}" if len(ctoks) == 2 else f"更@{comp} {czh}@{comp}"
    return tpl(f"which is {' '.join(ctoks)} , {pair_en}", f"{pair_zh} ，@, 哪个@which {comp_zh}",
               "?")


# ---------------------------------------------------------------------------------------
# Meals

MEALS = [("breakfast", "早饭"), ("lunch", "午饭"), ("dinner", "晚饭")]
MEAL_FOODS = ("rice noodles porridge bread toast cereal dumpling bun wonton egg sandwich "
              "pizza hamburger salad steak chicken beef fish sushi soup pancake coffee tea "
              "milk juice noodles rice dumpling")


def meals(rng: random.Random) -> Bit:
    """"We had noodles for dinner." -> 我们晚饭吃了面条。; "What did you have for
    breakfast?" -> 你早饭吃了什么？"""
    meal, mzh = rng.choice(MEALS)
    subj, _ = _agent(rng, 0.8)
    noun = rng.choice(_nouns(MEAL_FOODS))
    drink = "drink" in noun.tags
    vzh = "喝" if drink else "吃"
    if noun.mass:
        food = w(noun.sg, noun.zh)
    elif noun.sg in ("sandwich", "hamburger", "pizza", "salad", "steak"):
        det = Tok(article(noun.sg))
        food = Bit([det, Tok(noun.sg)], [])
        food.zh = [("一", det), (noun.mw, det), (noun.zh, food.en[1])]
    else:
        food = w(noun.pl, noun.zh)
    r = rng.random()
    if r < 0.35:
        when = Bit()
        if rng.random() < 0.3:
            when = w("yesterday", "昨天")
        return tpl(f"$S had $F for {meal} $T", f"$S $T {mzh}@{meal} {vzh}@had 了@had $F", ".",
                   S=subj.bit, F=food, T=when)
    if r < 0.55:
        aux = rng.choice(["did", "did", do(subj.person)])
        if aux == "did":
            return tpl(f"what did $S have for {meal}", f"$S {mzh}@{meal} 吃@have 了@did "
                       "什么@what", "?", S=subj.bit)
        return tpl(f"what {aux} $S usually have for {meal}", f"$S {mzh}@{meal} 通常@usually "
                   "吃@have 什么@what", "?", S=subj.bit)
    if r < 0.75:
        freq_en, freq_zh = rng.choice(FREQUENCY)
        verb = "has" if subj.person == "3s" else "have"
        return tpl(f"$S {freq_en} {verb} $F for {meal}", f"$S {mzh}@{meal} "
                   f"{freq_zh}@{freq_en} {vzh}@{verb} $F", ".", S=subj.bit, F=food)
    if r < 0.88:
        return tpl(f"let us have $F for {meal}", f"我们@us {mzh}@{meal} {vzh}@have $F 吧@let",
                   rng.choice(".!"), F=food)
    aux = do(subj.person)
    return tpl(f"what {aux} $S want for {meal}", f"$S {mzh}@{meal} 想@want 吃@want 什么@what",
               "?", S=subj.bit)


# ---------------------------------------------------------------------------------------
# Lost and forgotten things

LOSABLE = "umbrella key phone wallet passport bag ticket watch backpack notebook hat glove " \
          "book schoolbag"
FORGETTABLE = "homework key umbrella passport wallet phone ticket book pen schoolbag " \
              "dictionary lunchbox"
LOST_PLACES = [("on the bus", "在@on 公交车@bus 上@on"), ("on the train", "在@on 火车@train 上@on"),
               ("in the taxi", "在@in 出租车@taxi 上@in"),
               ("on the subway", "在@on 地铁@subway 上@on"), ("at school", "在@at 学校@school"),
               ("in the park", "在@in 公园@park"), ("at the station", "在@at 车站@station"),
               ("at the airport", "在@at 机场@airport")]


def lost_forgot(rng: random.Random) -> Bit:
    """"She lost her umbrella on the bus." -> 她的伞丢在公交车上了。; "I forgot my
    homework." -> 我忘了带作业。; "I can't find my keys." -> 我找不到我的钥匙。"""
    subj, poss = _agent(rng, 0.75)
    r = rng.random()
    if r < 0.35:
        noun = rng.choice(_nouns(LOSABLE))
        plural = noun.sg in ("key", "glove") and rng.random() < 0.5
        thing_en = noun.pl if plural else noun.sg
        owner = f"$S 的@{poss}"
        if rng.random() < 0.55:
            where_en, where_zh = rng.choice(LOST_PLACES)
            return tpl(f"$S lost {poss} {thing_en} {where_en}",
                       f"{owner} {noun.zh}@{thing_en} 丢@lost {where_zh} 了@lost", ".",
                       S=subj.bit)
        return tpl(f"$S lost {poss} {thing_en}",
                   f"{owner} {noun.zh}@{thing_en} 丢@lost 了@lost", ".", S=subj.bit)
    noun = rng.choice(_nouns(FORGETTABLE))
    plural = noun.sg == "key" and rng.random() < 0.5
    thing_en = noun.pl if plural else noun.sg
    if r < 0.6:
        return tpl(f"$S forgot {poss} {thing_en}", f"$S 忘@forgot 了@forgot 带@forgot "
                   f"{noun.zh}@{thing_en}", ".", S=subj.bit)
    if r < 0.7:
        return tpl(f"do not forget your {thing_en}", f"别@not 忘@forget 了@forget 带@forget "
                   f"{noun.zh}@{thing_en}", "!")
    if r < 0.78:
        return tpl(f"did you forget your {thing_en}", f"你@you 忘@forget 了@did 带@forget "
                   f"{noun.zh}@{thing_en} 吗@did", "?")
    if r < 0.9:
        thing = _poss_np(rng, noun, poss, plural)
        return tpl("$S can not find $O", "$S 找@find 不@not 到@can $O", ".", S=subj.bit,
                   O=thing)
    _, _, my, _, _ = rng.choice(PRONOUNS[:1] + PRONOUNS[2:4])
    thing = _poss_np(rng, noun, my, plural)
    return tpl("have you seen $O", "你@you 看到@seen $O 了@have 吗@have", "?", O=thing)


# ---------------------------------------------------------------------------------------
# Adjectives with prepositions

FEARS = "dog snake spider mouse bee tiger lion bear wolf shark cat"
GOOD_AT_ACTS = [("swimming", "游泳"), ("singing", "唱歌"), ("dancing", "跳舞"),
                ("drawing", "画画"), ("cooking", "做饭"), ("skiing", "滑雪"),
                ("running", "跑步"), ("playing football", "踢 足球"),
                ("playing basketball", "打 篮球"), ("playing the piano", "弹 钢琴"),
                ("playing chess", "下 棋")]
INTERESTS = [("Chinese culture", "中国 文化"), ("movies", "电影"), ("animals", "动物"),
             ("football", "足球"), ("cooking", "烹饪"), ("computers", "电脑"),
             ("photography", "摄影"), ("sports", "体育")]


def _topic(rng: random.Random, extra: list[tuple[str, str]]) -> Bit:
    """A school subject or language from the lexicon, or one of `extra`, linked word by
    word (the last English word takes the rest)."""
    if rng.random() < 0.5:
        noun = rng.choice(lexicon().by_tag["subject"])
        return w(noun.sg, noun.zh)
    en, zh = rng.choice(extra)
    toks = [Tok(t) for t in en.split()]
    zhw = zh.split()
    if len(toks) == len(zhw):
        return Bit(toks, list(zip(zhw, toks, strict=True)))
    if len(zhw) == 2:           # "playing the piano" -> 弹 钢琴
        return Bit(toks, [(zhw[0], toks[0]), (zhw[1], toks[-1])])
    return Bit(toks, [(z, toks[-1]) for z in zhw])


def angry_afraid(rng: random.Random) -> Bit:
    """"She is angry with me." -> 她生我的气了。; "Are you afraid of dogs?" -> 你怕狗吗？"""
    subj = subject(rng, pronoun_p=0.65)
    if rng.random() < 0.45:
        other, _, _ = person(rng, exclude=subj.zh, pronoun_p=0.7)
        form = rng.choice(["s", "s", "neg", "q"])
        aux = _be(subj, past=form != "q" and rng.random() < 0.2)
        if form == "q":
            return tpl(f"{aux} $S angry with $P", f"$S 生@angry $P 的@with 气@angry 了@{aux} "
                       f"吗@{aux}", "?", S=subj.bit, P=other)
        if form == "neg":
            return tpl(f"$S {aux} not angry with $P", "$S 没@not 生@angry $P 的@with "
                       "气@angry", ".", S=subj.bit, P=other)
        return tpl(f"$S {aux} angry with $P", f"$S 生@angry $P 的@with 气@angry 了@{aux}", ".",
                   S=subj.bit, P=other)
    aux = _be(subj)
    adj = rng.choice(["afraid", "afraid", "scared"])
    if rng.random() < 0.15:
        return tpl(f"what {aux} $S {adj} of", f"$S 怕@{adj} 什么@what", "?", S=subj.bit)
    if rng.random() < 0.15:
        thing = tpl("the dark", "黑@dark")
    else:
        noun = rng.choice(_nouns(FEARS))
        thing = w(noun.pl, noun.zh)
    form = rng.choice(["s", "s", "neg", "q"])
    if form == "q":
        return tpl(f"{aux} $S {adj} of $X", f"$S 怕@{adj} $X 吗@{aux}", "?", S=subj.bit, X=thing)
    if form == "neg":
        return tpl(f"$S {aux} not {adj} of $X", f"$S 不@not 怕@{adj} $X", ".", S=subj.bit,
                   X=thing)
    return tpl(f"$S {aux} {adj} of $X", f"$S 怕@{adj} $X", ".", S=subj.bit, X=thing)


def good_interested(rng: random.Random) -> Bit:
    """"She is good at swimming." -> 她很擅长游泳。; "I'm interested in history." ->
    我对历史很感兴趣。"""
    form = rng.choice(["s", "s", "very", "neg", "q"])
    subj = subject(rng, pronoun_p=0.65)
    if form == "q":
        subj = _asked(subj)
    aux = _be(subj)
    if rng.random() < 0.5:
        x = _topic(rng, GOOD_AT_ACTS)
        if form == "q":
            return tpl(f"{aux} $S good at $X", f"$S 擅长@good $X 吗@{aux}", "?", S=subj.bit, X=x)
        if form == "neg":
            return tpl(f"$S {aux} not good at $X", "$S 不@not 擅长@good $X", ".", S=subj.bit,
                       X=x)
        if form == "very":
            return tpl(f"$S {aux} very good at $X", "$S 非常@very 擅长@good $X", ".",
                       S=subj.bit, X=x)
        return tpl(f"$S {aux} good at $X", f"$S 很@{aux} 擅长@good $X", ".", S=subj.bit, X=x)
    x = _topic(rng, INTERESTS)
    if form == "q":
        if rng.random() < 0.3:
            return tpl(f"what {aux} $S interested in", "$S 对@in 什么@what 感兴趣@interested",
                       "?", S=subj.bit)
        return tpl(f"{aux} $S interested in $X", f"$S 对@in $X 感兴趣@interested 吗@{aux}",
                   "?", S=subj.bit, X=x)
    if form == "neg":
        return tpl(f"$S {aux} not interested in $X", "$S 对@in $X 不@not 感兴趣@interested",
                   ".", S=subj.bit, X=x)
    if form == "very":
        return tpl(f"$S {aux} very interested in $X", "$S 对@in $X 非常@very "
                   "感兴趣@interested", ".", S=subj.bit, X=x)
    return tpl(f"$S {aux} interested in $X", f"$S 对@in $X 很@{aux} 感兴趣@interested", ".",
               S=subj.bit, X=x)


LATE_FOR = [("school", "上学@school"), ("work", "上班@work"), ("class", "上课@class"),
            ("the meeting", "开会@meeting")]


def late_for(rng: random.Random) -> Bit:
    """"I was late for school yesterday." -> 我昨天上学迟到了。; "Don't be late for class!"
    -> 上课别迟到！"""
    event, ezh = rng.choice(LATE_FOR)
    r = rng.random()
    if r < 0.15:
        return tpl(f"do not be late for {event}", f"{ezh} 别@not 迟到@late", "!")
    subj = subject(rng, pronoun_p=0.7)
    if r < 0.35:
        aux = _be(subj, past=True)
        return tpl(f"why {aux} $S late for {event}", f"$S 为什么@why {ezh} 迟到@late 了@{aux}",
                   "?", S=subj.bit)
    if r < 0.5:
        aux = _be(subj, past=True)
        return tpl(f"$S {aux} not late for {event}", f"$S {ezh} 没@not 迟到@late", ".",
                   S=subj.bit)
    past = rng.random() < 0.7
    aux = _be(subj, past=past)
    when = time_phrase(rng, "past") if past and rng.random() < 0.5 else Bit()
    return tpl(f"$S {aux} late for {event} $T", f"$S $T {ezh} 迟到@late 了@{aux}", ".",
               S=subj.bit, T=when)


EVERYDAY_CONSTRUCTIONS = [
    (everyday_phrase, 1.5), (health, 1.5), (directions, 1.5), (travel, 0.7),
    (requests, 1.5), (ba_imperative, 1.5), (too_to, 0.6), (both_all, 1.0),
    (which_or, 0.8), (meals, 1.0), (lost_forgot, 0.8), (angry_afraid, 0.6),
    (good_interested, 0.6), (late_for, 0.4),
]
