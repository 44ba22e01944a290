"""A person's name in every spelling we know: both scripts, Russian case forms and the usual diminutives.

Pure functions, no ORM. The redactor (``redaction.redact``) and the leak check
(``leaks.find_leaks``) share ``NameMatcher``, so "what counts as the candidate's
name" is decided in one place. docs/llm.md, "Redaction and the leak check".

How a word is compared: both the word and the name are reduced to a *skeleton*,
a folded Latin spelling in which the usual transliteration variants collide
(Юлия, Yuliya, Iuliia, Julia -> ``iulia``; Александр, Aleksandr, Alexander ->
``alexandr``). A word is the name when its skeleton is the name's skeleton, or
the name's stem plus a Russian case ending (Петров -> Петрова, Петрову,
Петровым; Мария -> Марией; also in Latin: Petrova). Words are matched whole, one
token at a time: linear in the text, no backtracking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from unidecode import unidecode

# Groups of names that stand for one another: the full form, its diminutives, and the usual English
# equivalents. A candidate whose name is in a group is also looked for under every other member of it
# (capitalised only: "Max" the name, not "max" the word). Latin spellings of the Cyrillic members need not
# be listed: the skeleton makes Ваня and Vanya the same word.
NAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Александр", "Саша", "Саня", "Шура", "Алекс", "Alexander", "Alex", "Sasha"),
    ("Александра", "Саша", "Шура", "Alexandra", "Sasha"),
    ("Алексей", "Лёша", "Алёша", "Лёха", "Alex", "Alyosha"),
    ("Анастасия", "Настя", "Nastya"),
    ("Анна", "Аня", "Анечка", "Нюра", "Anne", "Ann", "Annie"),
    ("Андрей", "Андрюша", "Андрюха", "Andrew"),
    ("Антон", "Антоша", "Тоша"),
    ("Артём", "Тёма"),
    ("Борис", "Боря"),
    ("Вадим", "Вадик"),
    ("Валентина", "Валя"),
    ("Валерий", "Валера"),
    ("Василий", "Вася"),
    ("Виктор", "Витя"),
    ("Виктория", "Вика", "Victoria"),
    ("Владимир", "Вова", "Володя", "Влад"),
    ("Владислав", "Влад", "Слава"),
    ("Вячеслав", "Слава"),
    ("Галина", "Галя"),
    ("Георгий", "Жора", "Гоша", "George"),
    ("Григорий", "Гриша", "Gregory"),
    ("Дарья", "Даша"),
    ("Денис", "Дэн", "Den"),
    ("Дмитрий", "Дима", "Митя"),
    ("Евгений", "Женя", "Eugene"),
    ("Евгения", "Женя", "Eugenia"),
    ("Екатерина", "Катя", "Катерина", "Katya", "Kate", "Catherine", "Katherine"),
    ("Елена", "Лена", "Алёна", "Helen", "Helena"),
    ("Елизавета", "Лиза", "Elizabeth"),
    ("Иван", "Ваня", "Ванечка"),
    ("Игорь", "Игорёк"),
    ("Илья", "Илюша"),
    ("Ирина", "Ира"),
    ("Кирилл", "Кирюша"),
    ("Константин", "Костя"),
    ("Ксения", "Ксюша"),
    ("Людмила", "Люда", "Мила"),
    ("Любовь", "Люба"),
    ("Максим", "Макс", "Max"),
    ("Маргарита", "Рита"),
    ("Мария", "Маша", "Маня", "Mary", "Marie"),
    ("Михаил", "Миша", "Michael", "Mike"),
    ("Надежда", "Надя"),
    ("Наталья", "Наталия", "Наташа", "Natalie"),
    ("Николай", "Коля", "Nicholas", "Nick"),
    ("Ольга", "Оля"),
    ("Павел", "Паша", "Paul"),
    ("Пётр", "Петя", "Peter"),
    ("Полина", "Поля"),
    ("Роман", "Рома"),
    ("Светлана", "Света"),
    ("Сергей", "Серёжа", "Серёга", "Serge"),
    ("Софья", "София", "Соня", "Sophia"),
    ("Станислав", "Стас", "Слава"),
    ("Степан", "Стёпа"),
    ("Татьяна", "Таня"),
    ("Тимофей", "Тима"),
    ("Фёдор", "Федя"),
    ("Юлия", "Юля", "Julia", "Julie"),
    ("Юрий", "Юра"),
    ("Яков", "Яша", "Jacob"),
    ("Ярослав", "Ярик", "Слава"),
)

# Russian case endings of names (nouns and adjective-like surnames), in Cyrillic; folded like the words are.
_ENDINGS_RU = (
    "", "а", "я", "у", "ю", "е", "и", "ы", "ь", "й", "ом", "ем", "ём", "ой", "ей", "ёй", "ою", "ею", "ым", "им",
    "ых", "их", "ыми", "ими", "ого", "его", "ому", "ему", "ая", "яя", "ую", "юю", "ие", "ые",
)  # fmt: skip

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_VOWELS = "aeiou"
_FOLDS = (
    ("w", "v"),
    ("shch", "Q"),
    ("sch", "Q"),
    ("tch", "C"),
    ("zh", "Z"),
    ("kh", "h"),
    ("ch", "C"),
    ("sh", "S"),
    ("ts", "c"),
    ("tz", "c"),
    ("ks", "x"),
    ("ph", "f"),
    ("y", "i"),
    ("j", "i"),
    ("io", "e"),  # Фёдор: Fyodor, Fiodor, Fedor
)
_IE_RE = re.compile(r"(?:^|(?<=[aeiou]))ie")  # Yelena, Andreyev -> elena, andreev
_ER_RE = re.compile(r"(?<=[^aeiou])er$")  # Alexander, Peter -> alexandr, petr


def skeleton(word: str) -> str:
    """The folded Latin spelling of one word (any script, any case), for comparing names across spellings."""
    latin = unidecode(word.lower().replace("ё", "е"))
    latin = re.sub(r"[^a-z]", "", latin)
    for old, new in _FOLDS:
        latin = latin.replace(old, new)
    while "ii" in latin:
        latin = latin.replace("ii", "i")
    latin = _IE_RE.sub("e", latin)
    return _ER_RE.sub("r", latin)


def _ending_skeletons() -> frozenset[str]:
    endings = {skeleton("б" + e)[1:] for e in _ENDINGS_RU}
    # After a stem ending in и/й (Дмитрий, Мария) the ending follows an "i": Дмитрием, Марией.
    return frozenset(endings | {"i" + e for e in endings})


_ENDINGS = _ending_skeletons()
_MAX_ENDING = max(len(e) for e in _ENDINGS)


def _stem(folded: str) -> str:
    stem = folded[:-1] if folded and folded[-1] in _VOWELS else folded
    return stem if len(stem) >= 3 else ""


@dataclass(frozen=True)
class NameMatcher:
    """The skeletons of one person's name. ``own``: any case; ``related``: diminutives, capitalised words only."""

    own_words: frozenset[str] = field(default_factory=frozenset)
    own_stems: frozenset[str] = field(default_factory=frozenset)
    related_words: frozenset[str] = field(default_factory=frozenset)
    related_stems: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.own_words)

    def matches(self, word: str, *, related: bool = True) -> bool:
        """True when ``word`` (one token) is the person's name, in any spelling or case form we know.

        ``related=False`` leaves the diminutives and equivalents out (the leak check: "Max" or "Alex" in a
        vacancy's text must not block every Maxim's evaluation).
        """
        folded = skeleton(word)
        if len(folded) < 2:
            return False
        if self._hit(folded, self.own_words, self.own_stems):
            return True
        return related and word[:1].isupper() and self._hit(folded, self.related_words, self.related_stems)

    @staticmethod
    def _hit(folded: str, words: frozenset[str], stems: frozenset[str]) -> bool:
        if folded in words:
            return True
        for cut in range(0, min(_MAX_ENDING, len(folded) - 3) + 1):
            if folded[len(folded) - cut :] in _ENDINGS and folded[: len(folded) - cut] in stems:
                return True
        return False


def _group_index() -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for group in NAME_GROUPS:
        folded = {skeleton(name) for name in group}
        for key in folded:
            index.setdefault(key, set()).update(folded)
    return index


_GROUPS = _group_index()


def name_parts(full_name: str) -> list[str]:
    """The words of a name worth looking for (two letters or more; initials are left out)."""
    return [w for w in WORD_RE.findall(full_name or "") if len(w) >= 2]


def name_matcher(full_name: str) -> NameMatcher:
    """The ``NameMatcher`` for a name as typed on the form ("Ivan Petrov", "Петрова Анна Сергеевна")."""
    own = {skeleton(p) for p in name_parts(full_name)}
    own = {w for w in own if len(w) >= 2}
    related: set[str] = set()
    for word in own:
        related |= _GROUPS.get(word, set())
    related -= own
    return NameMatcher(
        own_words=frozenset(own),
        own_stems=frozenset(s for s in map(_stem, own) if s),
        related_words=frozenset(related),
        related_stems=frozenset(s for s in map(_stem, related) if s),
    )


_POSSESSIVE_RE = re.compile(r"^(?P<base>.+?)(?P<suffix>['’][sS])$")


def word_forms(word: str) -> tuple[str, str]:
    """``(base, suffix)``: an English possessive split off ("Sidorov's" → ("Sidorov", "'s"), "Ивану’s" →
    ("Ивану", "’s")), else ``(word, "")``. O'Brien stays whole: only a final 's is a possessive."""
    match = _POSSESSIVE_RE.match(word)
    return (match.group("base"), match.group("suffix")) if match else (word, "")


def matches_word(matcher: NameMatcher, word: str, *, related: bool = True) -> bool:
    """``matcher.matches`` for a word as written or without an English possessive ("Petrov's")."""
    base, suffix = word_forms(word)
    return matcher.matches(word, related=related) or bool(suffix and matcher.matches(base, related=related))


def replace_names(text: str, matcher: NameMatcher, placeholder: str) -> str:
    """``text`` with every word ``matcher`` recognises replaced by ``placeholder`` (a possessive kept: "[NAME]'s")."""
    if not matcher:
        return text

    def sub(match: re.Match) -> str:
        word = match.group(0)
        if matcher.matches(word):
            return placeholder
        base, suffix = word_forms(word)
        return placeholder + suffix if suffix and matcher.matches(base) else word

    return WORD_RE.sub(sub, text)


def has_cyrillic(text: str) -> bool:
    """True when ``text`` has a Cyrillic letter."""
    return bool(_CYRILLIC_RE.search(text))
