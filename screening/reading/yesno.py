"""Reading yes or no from a phrase, in English and Russian: idioms, double negatives and hedges.

Pure functions. ``read_yes_no(text)`` gives a ``Reading`` whose value is ``"yes"``, ``"no"`` or None;
an answer that hedges ("не уверен", "maybe", "it depends") or says both ("да нет", "No, but I could")
is ``unsure`` and never guessed.
"""

from __future__ import annotations

import re

from .result import Reading
from .text import collapse, nfkc

MAX_YES_NO_TEXT = 500

# One word (or sign) on its own that is a plain answer.
YES_WORDS = {"yes", "y", "yeah", "yep", "sure", "true", "1", "+", "да", "д", "ага", "конечно", "есть"}
NO_WORDS = {"no", "n", "nope", "false", "0", "-", "нет", "н", "неа", "не"}

# Phrases, matched longest first so "of course not" wins over "of course" and "нет проблем" over "нет".
_YES_PHRASES = [
    # Idioms whose words look negative but mean yes.
    "no problem", "no problems", "not a problem", "no worries", "no doubt", "without a doubt", "no question",
    "no questions", "no objection", "no objections", "why not", "don't mind", "do not mind", "i don't mind",
    "нет проблем", "без проблем", "никаких проблем", "не проблема", "нет вопросов", "без вопросов", "не вопрос",
    "не против", "не возражаю", "ничего не имею против", "почему бы и нет", "без сомнений", "без сомнения",
    "нет сомнений", "несомненно", "само собой", "а как же", "возражений нет", "нет возражений",
    "i wouldn't say no", "i would not say no", "can't say no", "cannot say no", "no reason not to",
    # Plain yes.
    "yes", "yeah", "yep", "yup", "ya", "sure", "of course", "certainly", "absolutely", "definitely", "indeed",
    "correct", "right", "affirmative", "ok", "okay", "i do", "i am", "i can", "i could", "could",
    "i have", "i will", "i'd love to",
    "да", "ага", "угу", "конечно", "разумеется", "естественно", "безусловно", "точно", "верно", "ок", "окей",
    "ладно", "хорошо", "могу", "готов", "готова", "есть", "имею", "смогу", "согласен", "согласна", "👍",
]  # fmt: skip
_NO_PHRASES = [
    "of course not", "certainly not", "absolutely not", "definitely not", "surely not", "no way", "not really",
    "i don't", "i do not", "i am not", "i'm not", "i can't", "i cannot", "i can not", "i haven't",
    "i have not", "don't have", "do not have", "i won't", "i will not", "never", "nope", "nah", "no",
    "конечно нет", "конечно же нет", "разумеется нет", "точно нет", "ни в коем случае", "ни за что",
    "не могу", "не смогу", "не готов", "не готова", "не имею", "не согласен", "не согласна", "нету", "неа",
    "нет", "никогда", "отнюдь", "👎",
]  # fmt: skip
_HEDGE_PHRASES = [
    "not sure", "i'm not sure", "unsure", "maybe", "perhaps", "possibly", "probably", "it depends", "depends",
    "don't know", "do not know", "dunno", "no idea", "hard to say", "i think so", "i guess", "not at all",
    "sort of", "kind of", "we'll see", "50/50", "не уверен", "не уверена", "не знаю", "может быть", "может",
    "возможно", "наверное", "наверно", "вероятно", "зависит", "смотря", "посмотрим", "сложно сказать",
    "трудно сказать", "затрудняюсь", "скорее да", "скорее нет", "не совсем", "частично", "отчасти",
]  # fmt: skip


def _pattern(phrases: list[str]) -> re.Pattern:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(rf"(?<![\w']){re.escape(p)}(?![\w'])" for p in ordered))


_ALL = [("hedge", p) for p in _HEDGE_PHRASES] + [("yes", p) for p in _YES_PHRASES] + [("no", p) for p in _NO_PHRASES]
_ALL.sort(key=lambda item: len(item[1]), reverse=True)
_ANY_RE = re.compile("|".join(rf"(?<![\w'])({re.escape(p)})(?![\w'])" for _side, p in _ALL))
_SIDE_BY_PHRASE = {}
for _side, _phrase in _ALL:
    _SIDE_BY_PHRASE.setdefault(_phrase, _side)
# Plain answers that are idioms (their words alone would point the other way).
_IDIOMS = set(_YES_PHRASES[: _YES_PHRASES.index("yes")]) | {"of course not", "certainly not", "конечно нет"}


def _prepare(text: str) -> str:
    text = nfkc(text).casefold().replace("ё", "е").replace("’", "'").replace("`", "'")
    text = re.sub(r"\b(can|don|won|haven|isn|aren|didn|doesn)t\b", r"\1't", text)  # "dont" → "don't"
    return collapse(text)


def read_yes_no(text: str) -> Reading:
    """Read yes or no; see ``Reading``. Never raises.

    - ``value``: ``"yes"``, ``"no"`` or None.
    - ``how``: ``"literal"`` (one plain word: "да", "No."), ``"idiom"`` ("No problem", "не против",
      "of course not"), ``"phrase"`` (a longer answer that says one thing: "Yes, I do"), ``"hedge"``
      ("не уверен", "maybe": ``unsure``), ``"mixed"`` ("да нет": ``unsure``), ``"unknown"``.

    Examples: "No problem" → yes (idiom); "Нет вопросов, могу" → yes; "of course not" → no;
    "Yes, I do" → yes (phrase); "it depends" → None, unsure.
    """
    raw = str(text or "")[:MAX_YES_NO_TEXT]
    words = collapse(raw)
    prepared = _prepare(raw)
    bare = prepared.strip(" .!?…)(")
    if bare in YES_WORDS:
        return Reading(value="yes", how="literal", certain=True, words=words)
    if bare in NO_WORDS:
        return Reading(value="no", how="literal", certain=True, words=words)

    found = [(m.group(0), _SIDE_BY_PHRASE[m.group(0)]) for m in _ANY_RE.finditer(prepared)]
    sides = {side for _phrase, side in found}
    relied = ", ".join(phrase for phrase, _side in found)
    if "hedge" in sides:
        return Reading(value=None, how="hedge", unsure=True, words=relied)
    if sides == {"yes"} or sides == {"no"}:
        side = sides.pop()
        how = "idiom" if any(phrase in _IDIOMS for phrase, _side in found) else "phrase"
        return Reading(value=side, how=how, words=relied)
    if sides:
        return Reading(value=None, how="mixed", unsure=True, words=relied)
    return Reading(value=None, how="unknown", words=words)
