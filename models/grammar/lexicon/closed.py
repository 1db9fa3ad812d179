"""Closed word classes: pronouns, numbers, times, adverbs, locatives, transport, set phrases.

The word lists live in data/<name>.tsv (see tables.py); the numbers are spelled here.
"""

from .tables import table

PRONOUNS = table("pronouns", ("subject", "object", "possessive", "chinese", "person"))

DIGITS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_en(n: int) -> str:
    """English words for 0 <= n < 100 ("twenty-one")."""
    if n < 20:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] + ("-" + UNITS[unit] if unit else "")


def number_zh(n: int, before_measure: bool = False) -> str:
    """Chinese numeral for 0 <= n < 100; 2 before a measure word is 两."""
    if n == 0:
        return "零"
    if n == 2 and before_measure:
        return "两"
    if n < 10:
        return DIGITS[n]
    tens, unit = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[unit] if unit else "")


# Time expressions: the English, the Chinese words, for each Chinese word the English word
# it links to.
_TIME = ("english", "chinese", "heads")
PAST_TIMES = table("past_times", _TIME)
FUTURE_TIMES = table("future_times", _TIME)
HABIT_TIMES = table("habit_times", _TIME)
NOW_TIMES = table("now_times", _TIME)
TODAY = table("today", _TIME)
_WORD = ("english", "chinese")
FREQUENCY = table("frequency", _WORD)     # before the verb, in English and in Chinese
DAYS = table("days", _WORD)
MONTHS = table("months", _WORD)
SEASONS = table("seasons", _WORD)
LOCATIVES = table("locatives", _WORD)     # chinese: the postposition after the noun
DEGREE = table("degree", _WORD)           # before a predicate adjective
# Links "i-j": English word i, Chinese word j.
TRANSPORT = table("transport", ("english", "chinese", "links"))
SET_PHRASES = table("set_phrases", ("english", "chinese", "links"))
