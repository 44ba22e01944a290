"""Reading a number the way a recruiter would: 400k, 400 тыс., $400,000, полтора, 5 лет и 3 месяца, since 2019.

Pure functions. ``read_number(text)`` returns a ``Reading`` whose value is a ``Decimal`` (or None).
Given the rule (``at_least`` / ``at_most``), a qualified answer ("more than 5") or a range ("2-3")
is ``unsure`` unless every number the words allow gets the same verdict as the value returned.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .result import Reading
from .text import collapse, nfkc

# Inputs from outside are bounded: a number answer is a short text.
MAX_NUMBER_TEXT = 200
EARLIEST_YEAR = 1950

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "ноль": 0, "нуль": 0, "один": 1, "одна": 1, "одно": 1, "одного": 1, "одной": 1, "два": 2, "две": 2,
    "двух": 2, "три": 3, "трех": 3, "четыре": 4, "четырех": 4,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "сорок": 40, "сорока": 40, "девяносто": 90, "девяноста": 90,
}  # fmt: skip
# Russian numerals from five on inflect at the end ("пять", "пяти"; "двадцать", "двадцати"): matched by stem.
_RU_STEMS = [
    ("одиннадцат", 11), ("двенадцат", 12), ("тринадцат", 13), ("четырнадцат", 14), ("пятнадцат", 15),
    ("шестнадцат", 16), ("семнадцат", 17), ("восемнадцат", 18), ("девятнадцат", 19),
    ("пятьдесят", 50), ("пятидесят", 50), ("шестьдесят", 60), ("шестидесят", 60), ("семьдесят", 70),
    ("семидесят", 70), ("восемьдесят", 80), ("восьмидесят", 80), ("двадцат", 20), ("тридцат", 30),
    ("пят", 5), ("шест", 6), ("сем", 7), ("восем", 8), ("восьм", 8), ("девят", 9), ("десят", 10),
]  # fmt: skip
_RU_STEM_RE = re.compile("^(?:" + "|".join(stem for stem, _v in _RU_STEMS) + ")(?:ь|и|ью)?$")
_HUNDRED = {"hundred", "сто", "ста"}

_QUALIFIERS = [
    ("le", r"(?<![\w-])(?:up to|at most|no more than|not more than|max(?:imum)?|не более|не больше|максимум|"
     r"не выше|до)\s*(?=[\d$€₽])|(?<=\d)\s*(?:or less|or fewer|и меньше|или меньше|и менее|max)\b"),
    ("ge", r"(?<![\w-])(?:at least|no less than|not less than|min(?:imum)?|не менее|не меньше|минимум|"
     r"от)\s*(?=[\d$€₽])|(?<=\d)\s*(?:\+|or more|and more|and above|и более|и больше|или больше|и выше)"),
    ("lt", r"\b(?:less than|fewer than|under|below|nearly|almost|not quite|менее|меньше|ниже|почти|"
     r"без малого|чуть меньше|неполных)\b"),
    ("gt", r"\b(?:more than|over|above|больше|более|свыше|выше|с лишним|с небольшим|чуть больше)\b"),
    ("about", r"\b(?:about|around|approximately|approx|roughly|circa|some|около|примерно|приблизительно|"
     r"порядка|где-то|где то|в районе)\b|[~≈]"),
]  # fmt: skip
_QUALIFIER_RES = [(code, re.compile(pattern)) for code, pattern in _QUALIFIERS]
_HEDGE_RE = re.compile(r"\b(?:not sure|don't know|dont know|no idea|не уверен\w*|не знаю|сложно сказать|"
                       r"затрудняюсь)\b")  # fmt: skip

_MAGNITUDES = [
    (Decimal(1_000_000), r"млн\.?|миллион\w*|millions?|mln|mio|kk|кк|m(?![a-zа-я])"),
    (Decimal(1000), r"тыс\.?|тысяч\w*|thousands?|тр\b|т\.\s?р\.?|k(?![a-zа-я])|к(?![a-zа-я])"),
]
# A grouped number uses one separator between groups of three; the decimal part, if any, the other one.
_NUMBER = (
    r"(?P<num>[1-9]\d{0,2}(?P<sep>[ ,.'’])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d+)?(?!\d)"
    r"|\d+(?:[.,]\d+)?)"
)
_MAG = "|".join(f"(?P<mag{i}>{pattern})" for i, (_value, pattern) in enumerate(_MAGNITUDES))
_TOKEN_RE = re.compile(rf"{_NUMBER}(?:\s?(?:{_MAG}))?")
_YEAR_WORD = r"(?:years?|yrs?|год\w*|лет|г\.?)"
_MONTH_WORD = r"(?:months?|mos?|месяц\w*|мес\.?)"
_YEAR_AFTER_RE = re.compile(rf"^\s*{_YEAR_WORD}(?![a-zа-я])")
_MONTH_AFTER_RE = re.compile(rf"^\s*{_MONTH_WORD}(?![a-zа-я])")
_RANGE_JOIN_RE = re.compile(r"^\s*(?:-|to|till|until|до|or|или|and|и|\.\.\.?|…|/)\s*$")
_SINCE_RE = re.compile(
    r"\b(?:since|from|starting|с|со|начиная с)\s+(?:[a-zа-я]+\s+)?(?P<year>(?:19|20)\d\d)"
    r"(?:\s*(?:года?|г\.?|year))?(?!\s*(?:-|to|till|until|до|по)\s*\d)(?![\d.,])"
)
_WORD_RE = re.compile(r"[a-zа-я]+(?:-[a-zа-я]+)?")


def _prepare(text: str) -> str:
    text = nfkc(text).casefold().replace("ё", "е")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return collapse(text)


def _word_value(word: str) -> int | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    if _RU_STEM_RE.match(word):
        for stem, value in _RU_STEMS:
            if word.startswith(stem):
                return value
    return None


def _words_to_digits(text: str) -> tuple[str, bool]:
    """Number words replaced by digits ("двадцать пять" → "25", "полтора" → "1.5"); True when any was."""
    original = text
    text = re.sub(r"\bполгода\b", "0.5 года", text)
    text = re.sub(r"\b(?:half a year|half-year)\b", "0.5 year", text)
    text = re.sub(r"\bполтор(?:а|ы|ух)\b", "1.5", text)
    text = re.sub(r"\b(?:a|one) and a half\b", "1.5", text)
    out: list[str] = []
    used = False
    pos = 0
    matches = list(_WORD_RE.finditer(text))
    i = 0
    while i < len(matches):
        match = matches[i]
        words = match.group(0).split("-")
        total = None
        j = i
        # Compose a numeral from consecutive number words: "twenty five", "сто двадцать", "a hundred".
        consumed_end = match.start()
        while j < len(matches):
            parts = matches[j].group(0).split("-")
            values = [_word_value(p) if p not in _HUNDRED else 100 for p in parts]
            if any(v is None for v in values):
                if matches[j].group(0) in ("a", "and") and total is not None and j + 1 < len(matches):
                    j += 1
                    continue
                break
            gap = text[consumed_end : matches[j].start()]
            if total is not None and gap.strip():
                break
            for value in values:
                if total is None:
                    total = value
                elif value == 100 and total < 10:
                    total *= 100
                else:
                    total += value
            consumed_end = matches[j].end()
            j += 1
        if total is None and words[0] in ("a", "an") and i + 1 < len(matches) and matches[i + 1].group(0) in _HUNDRED:
            total, consumed_end, j = 100, matches[i + 1].end(), i + 2
        if total is None:
            i += 1
            continue
        used = True
        out.append(text[pos : match.start()])
        out.append(str(total))
        pos = consumed_end
        i = j
    out.append(text[pos:])
    text = "".join(out)
    # "2 с половиной", "2 and a half"
    text, halves = re.subn(r"(\d+)\s+(?:с половиной|and a half)", lambda m: f"{m.group(1)}.5", text)
    text, alone = re.subn(r"\b(?:half|половина|пол)\b", "0.5", text)
    return text, used or bool(halves or alone) or text != original


def _to_decimal(match: re.Match) -> tuple[Decimal, bool]:
    """The token's value and whether a magnitude multiplied it."""
    raw = match.group("num")
    sep = match.group("sep")
    if sep:
        groups = raw.split(sep)
        last, decimal_part = groups[-1], ""
        for mark in ".,":
            if mark != sep and mark in last:
                last, decimal_part = last.split(mark, 1)
        number = "".join([*groups[:-1], last]) + (f".{decimal_part}" if decimal_part else "")
    else:
        number = raw.replace(",", ".")
    value = Decimal(number)
    for i, (magnitude, _pattern) in enumerate(_MAGNITUDES):
        if match.group(f"mag{i}"):
            return value * magnitude, True
    return value, False


def _interval(
    value: Decimal, qualifier: str, floor: Decimal | None
) -> tuple[Decimal | None, bool, Decimal | None, bool]:
    """The numbers the words allow: (low, low open, high, high open); None is unbounded."""
    if qualifier == "lt":
        return floor, False, value, True
    if qualifier == "le":
        return floor, False, value, False
    if qualifier == "gt":
        return value, True, None, False
    if qualifier == "ge":
        return value, False, None, False
    if qualifier == "about":
        spread = abs(value) / 10
        return value - spread, False, value + spread, False
    return value, False, value, False


def _verdicts(interval, at_least: Decimal | None, at_most: Decimal | None) -> set[bool]:
    """The verdicts the rule can give to the numbers in ``interval`` ({True}, {False} or both)."""
    low, low_open, high, high_open = interval
    if at_least is not None:
        all_pass = low is not None and low >= at_least
        all_fail = high is not None and (high < at_least or (high == at_least and high_open))
    else:
        all_pass = high is not None and high <= at_most
        all_fail = low is not None and (low > at_most or (low == at_most and low_open))
    if all_pass:
        return {True}
    if all_fail:
        return {False}
    return {True, False}


def _passes(value: Decimal, at_least: Decimal | None, at_most: Decimal | None) -> bool:
    return value >= at_least if at_least is not None else value <= at_most


def _settle(value, interval, at_least, at_most) -> bool:
    """True when every allowed number gets the verdict ``value`` gets."""
    if at_least is None and at_most is None:
        return False
    return _verdicts(interval, at_least, at_most) == {_passes(value, at_least, at_most)}


def _qualifier(text: str) -> str:
    for code, regex in _QUALIFIER_RES:
        if regex.search(text):
            return code
    return ""


def read_number(
    text: str,
    *,
    today: date | None = None,
    at_least: Decimal | None = None,
    at_most: Decimal | None = None,
    allow_negative: bool = False,
    unit: str = "years",
) -> Reading:
    """Read one number from ``text``; see ``Reading`` for the result's fields.

    - ``today``: the date "since 2019" counts from (default ``date.today()``).
    - ``at_least`` / ``at_most``: the rule the number is judged by, if any. With a rule, a qualified
      number or a range is ``unsure`` unless all the numbers it allows get the value's verdict;
      without one, any qualifier or range is ``unsure`` (the words do not give one number).
    - ``allow_negative``: counts and amounts are never negative; "-2" is then ``unsure``
      (``how="negative"``, value None).
    - ``unit``: ``"years"`` or ``"months"``, the unit a duration ("5 лет и 3 месяца") is given in.

    Examples: "400k", "400 тыс.", "$400,000", "400.000", "0.4 млн" → 400000; "2,5" → 2.5;
    "полтора" → 1.5; "5 лет и 3 месяца" → 5.25; "since 2019" on 2026-06-01 → 7;
    "less than 2 years" → value 2, qualifier "lt", unsure; "2-3" → value None, low 2, high 3, unsure.
    Never raises: an unreadable text gives ``value=None, how="unknown"``.
    """
    try:
        return _read(text, today=today, at_least=at_least, at_most=at_most, allow_negative=allow_negative, unit=unit)
    except (InvalidOperation, OverflowError):
        # Digits beyond Decimal's precision: not a number anyone means.
        return Reading(value=None, how="unknown", words=collapse(str(text or "")[:MAX_NUMBER_TEXT]))


def _read(text, *, today, at_least, at_most, allow_negative, unit) -> Reading:
    raw = str(text or "")[:MAX_NUMBER_TEXT]
    words = collapse(raw)
    prepared = _prepare(raw)
    today = today or date.today()
    if not prepared:
        return Reading(value=None, how="unknown")
    if _HEDGE_RE.search(prepared) and not re.search(r"\d", prepared):
        return Reading(value=None, how="hedge", unsure=True, words=words)

    since = _SINCE_RE.search(prepared)
    if since and EARLIEST_YEAR <= int(since.group("year")) <= today.year:
        years = Decimal(today.year - int(since.group("year")))
        value = years * 12 if unit == "months" else years
        return Reading(value=value, how="since_year", words=collapse(since.group(0)))

    converted, used_words = _words_to_digits(prepared)
    if not re.search(r"\d", converted) and re.search(r"\b(?:a year|one year|год|года)\b", converted):
        converted, used_words = re.sub(r"\b(?:a year|one year|год|года)\b", "1 год", converted, count=1), True
    tokens = list(_TOKEN_RE.finditer(converted))
    if not tokens:
        return Reading(value=None, how="unknown", words=words)

    values = []
    magnitude = False
    for token in tokens:
        try:
            number, scaled = _to_decimal(token)
        except InvalidOperation:
            return Reading(value=None, how="unknown", words=words)
        values.append(number)
        magnitude = magnitude or scaled

    how = "words" if used_words else "magnitude" if magnitude else "literal"
    floor = None if allow_negative else Decimal(0)

    # Durations: "5 лет и 3 месяца", "1 year 6 months", "6 months".
    years_months = _duration(converted, tokens, values)
    if years_months is not None:
        years, months = years_months
        value = years * 12 + months if unit == "months" else years + months / Decimal(12)
        value = value.quantize(Decimal("0.01")).normalize() if value != value.to_integral() else value
        return _finish(value, "duration", converted, words, at_least=at_least, at_most=at_most, floor=floor)

    if len(tokens) == 2 and _RANGE_JOIN_RE.match(converted[tokens[0].end() : tokens[1].start()]):
        low, high = (_plain(v) for v in values)
        if _to_decimal(tokens[1])[1] and not _to_decimal(tokens[0])[1]:
            # "от 250 до 300 тысяч", "250-300k": the magnitude belongs to both ends.
            for i, (factor, _pattern) in enumerate(_MAGNITUDES):
                if tokens[1].group(f"mag{i}") and low * factor <= high:
                    low = _plain(low * factor)
        if low > high:
            return Reading(value=None, how="range", unsure=True, words=words, low=high, high=low)
        return _range(low, high, words, at_least=at_least, at_most=at_most)
    if len(tokens) != 1:
        # "about 5 years with Python 3", "5 лет опыта на Django 4": one number is a count of years, the others
        # name a version or a thing; the years are the answer. Two counts of years stay a question to ask.
        counted = [i for i, token in enumerate(tokens) if _YEAR_AFTER_RE.match(converted[token.end() :])]
        if len(counted) != 1 or _joined_to_previous(converted, tokens, counted[0]):
            return Reading(value=None, how="unknown", unsure=True, words=words)
        value = values[counted[0]] * 12 if unit == "months" else values[counted[0]]
        return _finish(value, how, converted, words, at_least=at_least, at_most=at_most, floor=floor)

    value = values[0]
    start = tokens[0].start()
    # A minus sign, not a hyphen joining a word ("опыт-3"): at the start or after a space or a sign.
    negative = start > 0 and converted[start - 1] == "-" and (start == 1 or not converted[start - 2].isalnum())
    if negative and not allow_negative:
        return Reading(value=None, how="negative", unsure=True, words=words)
    if negative:
        value = -value
    return _finish(value, how, converted, words, at_least=at_least, at_most=at_most, floor=floor)


def _joined_to_previous(converted: str, tokens, index: int) -> bool:
    """Whether token ``index`` ends a range or a choice with the number before it ("3-4 года", "3 или 4 года"):
    then both numbers count the years."""
    if index == 0:
        return False
    between = converted[tokens[index - 1].end() : tokens[index].start()]
    return bool(_RANGE_JOIN_RE.match(between))


def _duration(converted: str, tokens, values) -> tuple[Decimal, Decimal] | None:
    years = months = None
    for token, value in zip(tokens, values, strict=True):
        after = converted[token.end() :]
        if _MONTH_AFTER_RE.match(after) and months is None:
            months = value
        elif _YEAR_AFTER_RE.match(after) and years is None and months is None:
            years = value
        else:
            return None
    if months is None:
        return None
    return years or Decimal(0), months


def _range(low: Decimal, high: Decimal, words: str, *, at_least, at_most) -> Reading:
    """A range settles the rule when both ends get the same verdict; the value is then the end nearest the limit."""
    if low == high:
        return Reading(value=low, how="range", words=words, low=low, high=high)
    if at_least is not None or at_most is not None:
        limit = at_least if at_least is not None else at_most
        value = min((low, high), key=lambda end: abs(end - limit))
        if _settle(value, (low, False, high, False), at_least, at_most):
            return Reading(value=value, how="range", words=words, low=low, high=high)
    return Reading(value=None, how="range", unsure=True, words=words, low=low, high=high)


def _plain(value: Decimal) -> Decimal:
    """``Decimal("400000.0")`` and ``Decimal("4E+5")`` as ``Decimal("400000")``: no exponent, no trailing zeros."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _finish(value, how, converted, words, *, at_least, at_most, floor) -> Reading:
    value = _plain(value)
    qualifier = _qualifier(converted)
    if not qualifier:
        return Reading(value=value, how=how, certain=how == "literal", words=words)
    interval = _interval(value, qualifier, floor)
    unsure = not _settle(value, interval, at_least, at_most)
    return Reading(value=value, how="qualified", unsure=unsure, words=words, qualifier=qualifier)
