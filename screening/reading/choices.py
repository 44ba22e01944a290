"""Reading a choice among the question's options: case, punctuation, look-alike letters, aliases, misspellings.

Pure functions. ``read_choice(text, options)`` reads one option; ``read_choices(parts, options)``
several (in the question's order). A close misspelling comes back as ``how="suggestion"`` (``unsure``),
to be offered to the candidate, never accepted silently.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

from .result import Reading
from .text import collapse, fold, skeleton

MAX_CHOICE_TEXT = 500
# A misspelling is offered back when it is this similar to one option (difflib's ratio) and no other.
SUGGESTION_RATIO = 0.8
SUGGESTION_MIN_LENGTH = 4

# Names that mean the same place or arrangement; an option in a group is matched by any of its names.
BUILTIN_ALIASES: tuple[tuple[str, ...], ...] = (
    ("Санкт-Петербург", "СПб", "Питер", "Петербург", "St. Petersburg", "Saint Petersburg", "St Petersburg",
     "Sankt-Peterburg", "Petersburg", "SPb"),
    ("Москва", "Moscow", "Мск", "Msk", "Moskva"),
    ("Екатеринбург", "Екб", "Ekaterinburg", "Yekaterinburg", "Ekb"),
    ("Новосибирск", "Новосиб", "Novosibirsk"),
    ("Нижний Новгород", "Нижний", "Nizhny Novgorod", "Nizhniy Novgorod"),
    ("Казань", "Kazan"),
    ("Ростов-на-Дону", "Ростов", "Rostov-on-Don", "Rostov"),
    ("Удалённо", "Удаленка", "Удалёнка", "Удалённая работа", "Remote", "Remotely", "Remote work"),
    ("Гибрид", "Гибридный формат", "Hybrid"),
)  # fmt: skip
_LIST_SPLIT_RE = re.compile(r"[,;\n]+")


def _names(options: Sequence[str], aliases: Mapping[str, Iterable[str]] | None) -> list[set[str]]:
    """For each option, the skeletons of every name it answers to (itself, its aliases, its built-in group)."""
    groups = [{skeleton(name) for name in group} for group in BUILTIN_ALIASES]
    names = []
    for option in options:
        own = {skeleton(option)}
        for alias in (aliases or {}).get(option, ()):
            own.add(skeleton(alias))
        for group in groups:
            if own & group:
                own |= group
        names.append(own)
    return names


def _unique(options: Sequence[str], hits: list[int]) -> str | None:
    return options[hits[0]] if len(hits) == 1 else None


def read_choice(text: str, options: Sequence[str], *, aliases: Mapping[str, Iterable[str]] | None = None) -> Reading:
    """Read one of ``options`` from ``text``; see ``Reading``. Never raises.

    In order: the option's text in any case (``how="literal"``, certain); its 1-based number
    (``"index"``, certain; an option spelled like a number wins); the text with punctuation, "ё" and
    look-alike letters folded (``"folded"``: "Москва.", "Mосква" with a Latin M); a name from
    ``aliases`` (option → names, recruiter-edited) or the built-in table (``"alias"``: "Питер" →
    "Санкт-Петербург" when that option exists, and only when one option matches); a close misspelling
    (``"suggestion"``, unsure: "Мсоква" offers "Москва"). Otherwise value None.
    """
    options = list(options)
    words = collapse(str(text or "")[:MAX_CHOICE_TEXT])
    if not words or not options:
        return Reading(value=None, how="unknown", words=words)
    lowered = words.casefold()
    hits = [i for i, option in enumerate(options) if collapse(option).casefold() == lowered]
    if hits:
        return Reading(value=options[hits[0]], how="literal", certain=True, words=words)
    bare = words.rstrip(".!?)")
    if bare.isdigit() and 1 <= int(bare) <= len(options):
        return Reading(value=options[int(bare) - 1], how="index", certain=True, words=words)

    folded, shape = fold(words), skeleton(words)
    if not shape:
        return Reading(value=None, how="unknown", words=words)
    for how, matches in (
        ("folded", lambda i, option: fold(option) == folded),
        ("folded", lambda i, option: skeleton(option) == shape),
    ):
        option = _unique(options, [i for i, o in enumerate(options) if matches(i, o)])
        if option is not None:
            return Reading(value=option, how=how, words=words)
    names = _names(options, aliases)
    option = _unique(options, [i for i, own in enumerate(names) if shape in own])
    if option is not None:
        return Reading(value=option, how="alias", words=words)
    if len(shape) >= SUGGESTION_MIN_LENGTH:
        scores = [max(difflib.SequenceMatcher(None, shape, name).ratio() for name in own) for own in names]
        best = max(scores)
        close = [i for i, score in enumerate(scores) if score >= SUGGESTION_RATIO and score == best]
        option = _unique(options, close)
        if option is not None:
            return Reading(value=option, how="suggestion", unsure=True, words=words)
    return Reading(value=None, how="unknown", words=words)


def split_choices(raw) -> list[str]:
    """The parts of a multiple-choice answer: a list as given (the chat's buttons), or text split on , ; and lines."""
    if isinstance(raw, list | tuple):
        return [collapse(item) for item in raw if collapse(item)]
    return [collapse(part) for part in _LIST_SPLIT_RE.split(str(raw or "")[:MAX_CHOICE_TEXT]) if collapse(part)]


def read_choices(raw, options: Sequence[str], *, aliases: Mapping[str, Iterable[str]] | None = None) -> Reading:
    """Read several of ``options`` from a list or a text split on , ; and new lines; see ``read_choice``.

    ``value`` is a tuple of options in the question's order (duplicates once). The reading is as weak
    as its weakest part: any part not understood gives value None (``words`` is that part); any
    suggestion gives ``how="suggestion"``, unsure, with the suggested options in ``value`` and the
    misspelt part in ``words``. All literal parts make a certain reading.
    """
    options = list(options)
    chosen: set[str] = set()
    hows = []
    suggested = None
    for part in split_choices(raw):
        reading = read_choice(part, options, aliases=aliases)
        if reading.value is None:
            return Reading(value=None, how="unknown", words=part)
        if reading.how == "suggestion" and suggested is None:
            suggested = part
        chosen.add(reading.value)
        hows.append(reading.how)
    value = tuple(o for o in options if o in chosen)
    if not value:
        return Reading(value=None, how="unknown")
    if suggested is not None:
        return Reading(value=value, how="suggestion", unsure=True, words=suggested)
    certain = all(how in ("literal", "index") for how in hows)
    how = next((h for h in ("alias", "folded", "index") if h in hows), "literal")
    return Reading(value=value, how=how, certain=certain, words=", ".join(split_choices(raw)))
