"""Question lint: does a screening question ask about a protected attribute or a proxy for one?

``lint_question(text, options)`` returns a ``Finding`` per attribute it asks about, in English and Russian:
age or date of birth, marital status, children or pregnancy, nationality or citizenship (asking for the
right to work is fine), religion, health or disability, union membership, appearance (photo, height,
weight). Pure: no Django request or ORM, so the table of cases in the tests can be long.

Matching is on a normalised copy of the text of the same length (lower case, "ё" read as "е", Latin letters
that look Cyrillic read as Cyrillic inside Cyrillic words, punctuation as spaces), so the words reported are
the words as the recruiter wrote them. Phrases that only look alike ("race condition", "European Union",
"медицинская книжка", "карьерный рост") are blanked out before the attributes are looked for.

A finding is a warning for a person, not a verdict: the recruiter may publish anyway with a reason
(``vacancies.services.vacancy_publish``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The attribute codes, in the order findings are reported, with what the recruiter reads.
MESSAGES = {
    "age": _("Asks about age or date of birth."),
    "marital_status": _("Asks about marital status."),
    "children": _("Asks about children, pregnancy or family plans."),
    "nationality": _("Asks about nationality, citizenship or origin: ask only whether the candidate may work here."),
    "religion": _("Asks about religion or belief."),
    "health": _("Asks about health or disability."),
    "union": _("Asks about trade union membership."),
    "appearance": _("Asks about appearance (a photo, height, weight)."),
}
ATTRIBUTES = tuple(MESSAGES)

# Cyrillic words stay alike (and dodge matching) with Latin look-alikes: "вoзраст" with a Latin "o".
_LOOKALIKES = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_CYRILLIC = re.compile(r"[а-я]")
_WORD = re.compile(r"\w+")

_TECH_CHILDREN = (
    "process|processes|element|elements|node|nodes|component|components|class|classes|thread|threads|window|"
    "windows|table|tables|theme|themes|record|records|entity|entities|widget|widgets|view|views"
)
_EN_CHILD_TECH = rf"(?!\s+(?:{_TECH_CHILDREN})\b)"

# attribute -> patterns on the normalised text (lower case, "е" for "ё", punctuation as spaces).
_PATTERNS: dict[str, tuple[str, ...]] = {
    "age": (
        r"\bhow old\b",
        r"\bage\b",
        r"\bages\b",
        r"\baged\b",
        r"\byears? old\b",
        r"\b(?:date|year|place) of birth\b",
        r"\bbirth ?(?:date|day|year)s?\b",
        r"\bborn\b",
        r"\bd ?o ?b\b",
        r"\bover (?:the age of )?(?:1[68]|21|\d\d) ?(?:years)?\b",
        r"\bgraduation year\b",
        r"\bwhat year did you (?:graduate|finish school)\b",
        r"\bretire(?:d|e|ment)?\b",
        r"\bpensioner\b",
        r"\bсколько (?:вам|тебе) (?:полных )?лет\b",
        r"\bвам (?:уже |есть |исполнилось )*\d+ (?:лет|год)",
        r"\bисполнилось\b",
        r"\bвозраст\w*",
        r"\b(?:дата|даты|дату|год|года|день|дня|место|места) рождения\b",
        r"\bрожден\w*",
        r"\bродил(?:ись|ся|ась)\b",
        r"\bпенсион\w*",
        r"\bлет вам\b",
    ),
    "marital_status": (
        r"\bmarri(?:ed|age)\b",
        r"\bmarital\b",
        r"\bspouses?\b",
        r"\bhusband\b",
        r"\bwife\b",
        r"\bdivorc\w*",
        r"\bwidow\w*",
        r"\bsingle or (?:married|in a relationship)\b",
        r"\brelationship status\b",
        r"\b(?:girl|boy)friend\b",
        r"\bmaiden name\b",
        r"\bзамуж\w*",
        r"\bженат\w*",
        r"\bжена\b",
        r"\bжены\b",
        r"\bжену\b",
        r"\bмуж(?:а|ем|у)?\b",
        r"\bсупруг\w*",
        r"\bсемейн\w* (?:положени|статус)\w*",
        r"\bв браке\b",
        r"\bбрак (?:и|или) дет",
        r"\bразвед\w+",
        r"\bхолост\w*",
        r"\bвдов\w*",
        r"\bгражданск\w+ брак\w*",
    ),
    "children": (
        r"\bchild" + _EN_CHILD_TECH,
        r"\bchildren\b" + _EN_CHILD_TECH,
        r"\bkids?\b",
        r"\bpregnan\w*",
        r"\bmaternity\b",
        r"\bpaternity\b",
        r"\bparental leave\b",
        r"\bchild ?care\b",
        r"\b(?:start|have|plan(?:ning)?) (?:a|your) family\b",
        r"\bfamily plans?\b",
        r"\b(?:sons?|daughters?)\b",
        r"\bдет(?:и|ей|ям|ьми|ях|ки|ок)\b",
        r"\bребен\w*",
        r"\bберемен\w*",
        r"\bдекрет\w*",
        r"\bматеринств\w*",
        r"\bмногодет\w*",
        r"\bдетск\w+ сад\w*",
        r"\bсын(?:а|ом|овья|овей)?\b",
        r"\bдоч(?:ь|ери|ерью|ерей)\b",
        r"\bпланир\w* (?:ли )?(?:вы )?(?:семью|пополнение|детей|ребенка)\b",
    ),
    "nationality": (
        r"\bnationalit\w*",
        r"\bcitizen\w*",
        r"\bethnic\w*",
        r"\brace\b",
        r"\bcountry of (?:origin|birth)\b",
        r"\bwhere (?:were|was) you born\b",
        r"\bwhere (?:are|do) you (?:come )?from\b",
        r"\bnative (?:language|tongue|country)\b",
        r"\bmother tongue\b",
        r"\bгражданств\w*",
        r"\bгражданин\w*",
        r"\bгражданк\w*",
        r"\bнациональност\w*",
        r"\bэтническ\w*",
        r"\bпроисхожден\w*",
        r"\bрас(?:а|ы|е|у|ой)\b",
        r"\bродом\b",
        r"\bродн(?:ой|ого|ом) язык\w*",
        r"\bродин\w*",
    ),
    "religion": (
        r"\breligio\w*",
        r"\bchurch\w*",
        r"\bmosques?\b",
        r"\bsynagogues?\b",
        r"\btemples?\b",
        r"\bpray\w*",
        r"\bfaith\b",
        r"\bbelieve in god\b",
        r"\bgod\b",
        r"\b(?:christian|muslim|jewish|catholic|protestant|buddhist|hindu|atheist|orthodox|sikh)\w*",
        r"\bramadan\b",
        r"\bsabbath\b",
        r"\bрелиги\w*",
        r"\bвероисповед\w*",
        r"\bверующ\w*",
        r"\bверите\b",
        r"\bвер(?:а|ы|у|ой)\b",
        r"\bцерк(?:овь|ви|вей|овью)\w*",
        r"\bмечет\w*",
        r"\bсинагог\w*",
        r"\bхрам\w*",
        r"\bмол(?:итесь|итва|итвы|ится|иться)\b",
        r"\b(?:христиан|мусульман|православ|католи|иуде|буддис|атеис|протестант)\w*",
        r"\bбог\w*",
        r"\bрамадан\w*",
        r"\bпост(?:итесь|ите|ом) (?:в|во)\b",
    ),
    "health": (
        r"\bdisab\w*",
        r"\bhandicap\w*",
        r"\bhealth\w*",
        r"\bmedical (?:condition|history|conditions|issues?|problems?)\b",
        r"\billness\w*",
        r"\bill\b",
        r"\bsick\w*",
        r"\bchronic\w*",
        r"\bdiagnos\w*",
        r"\bmedication\w*",
        r"\bhiv\b",
        r"\binjur\w*",
        r"\bimpairment\w*",
        r"\bwheelchair\b",
        r"\bинвалид\w*",
        r"\bздоров\w*",
        r"\bболезн\w*",
        r"\bболе(?:ете|ли|л|ла|ешь)\b",
        r"\bхроническ\w*",
        r"\bдиагноз\w*",
        r"\bограниченн\w+ возможност\w*",
        r"\bовз\b",
        r"\bбольничн\w*",
        r"\bлекарств\w*",
        r"\bмедицинск\w+ (?:противопоказан|диагноз|истори|проблем|состояни)\w*",
        r"\bпротивопоказан\w*",
        r"\bвич\b",
        r"\bтравм\w*",
    ),
    "union": (
        r"\b(?:trade|labou?r) unions?\b",
        r"\bunion (?:member\w*|activit\w*|dues|rep\w*)\b",
        r"\bunioni[sz]\w*",
        r"\b(?:in|join|joined|belong to) (?:a|the|any) unions?\b",
        r"\bпрофсоюз\w*",
    ),
    "appearance": (
        r"\bphotos?\b",
        r"\bphotograph\b",
        r"\bpicture of (?:you|yourself)\b",
        r"\bselfie\w*",
        r"\bheadshot\w*",
        r"\bheight\b",
        r"\bweight\b",
        r"\bhow tall\b",
        r"\bhow much do you weigh\b",
        r"\bweigh\b",
        r"\bappearance\b",
        r"\bwhat do you look like\b",
        r"\b(?:hair|eye|skin) colou?r\b",
        r"\btattoo\w*",
        r"\b(?:dress|clothing|clothes) size\b",
        r"\bфото\b",
        r"\bфотограф(?:ию|ия|ии|ией|иями|иях)\b",
        r"\bфотк\w*",
        r"\bселфи\b",
        r"\bрост\w*",
        r"\bвес\b",
        r"\bвеса\b",
        r"\bвесите\b",
        r"\bвнешност\w*",
        r"\bцвет (?:глаз|волос|кожи)\b",
        r"\bтатуир\w*",
        r"\bразмер (?:одежды|обуви)\b",
    ),
}

# Phrases blanked out first: they contain an attribute's word but ask nothing about the candidate.
_NOT_ATTRIBUTES = (
    # Work rather than the person.
    r"\brace conditions?\b",
    r"\b(?:european|eurasian|african|soviet) union\b",
    r"\bunion (?:type|types|of sets|all|select|find)\b",
    r"\b(?:page|average|image|garbage|storage|usage|package|manage\w*|stage)\b",
    r"\bmodel weights?\b",
    r"\b(?:line|row|font|max|min|screen|image|viewport|block) height\b",
    r"\bweight(?:ed|ing)?\b (?:average|sum|graph|loss function|matrix)",
    r"\blight ?weight\b",
    r"\bheavy ?weight\b",
    r"\b(?:lift|carry|handle) (?:heavy )?(?:weights?|loads?)\b",
    r"\bhealth ?(?:check|checks|care|insurance|monitoring)\w*",
    r"\bportfolio (?:photos?|of photos)\b",
    r"\b(?:product|food|event|wedding) photos?\b",
    r"\bgod (?:object|class|mode)\b",
    r"\b(?:experience|work|working|worked) (?:\w+ )?with (?:children|kids)\b",
    # Работа, а не человек.
    r"\bмедицинск\w+ книжк\w*",
    r"\bмедкнижк\w*",
    r"\bмедосмотр\w*",
    r"\bмедицинск\w+ осмотр\w*",
    r"\b(?:карьерн\w+|профессиональн\w+|личностн\w+|быстр\w+|постоянн\w+) рост\w*",
    r"\bрост\w* (?:продаж|выручк|компани|доход|прибыл|клиент|трафик|конверси|показател|навык|зарплат)\w*",
    r"\bвозможност\w+ (?:для )?рост\w*",
    r"\bростов\w*",  # Ростов-на-Дону
    r"\bзона рост\w*",
    r"\b(?:поднимать|поднятие|переносить|носить) (?:тяжест\w*|груз\w*|вес)\b",
    r"\bвес (?:\w+ )?(?:до|от|не более|не менее|груз\w*)\b",
    r"\b(?:опыт\w*|работ\w*|занят\w*) (?:\w+ )?с дет(?:ьми|ей)\b",
    r"\bфото(?:граф\w*)? (?:товар\w*|продукц\w*|блюд|интерьер\w*|объект\w*|работ)\b",
    r"\bмоду?л\w* здоров\w*",
    r"\bздоровь\w* (?:сервис\w*|систем\w*|кластер\w*)\b",
    r"\bзаботит\w* о здоровь\w* (?:сотрудник|персонал)\w*",
    r"\bдочерн\w*",
    r"\bроди(?:тельск)\w* (?:класс|элемент|компонент|процесс)\w*",
    r"\bдочерн\w* (?:элемент|процесс|компани)\w*",
)


def _compile(pattern: str) -> re.Pattern:
    # A space in a pattern is any run of spaces in the normalised text (punctuation became spaces).
    return re.compile(pattern.replace(" ?", r"\s*").replace(" ", r"\s+"))


_COMPILED = {code: [_compile(pattern) for pattern in patterns] for code, patterns in _PATTERNS.items()}
_COMPILED_NOT = [_compile(pattern) for pattern in _NOT_ATTRIBUTES]


@dataclass(frozen=True)
class Finding:
    """One attribute a question asks about.

    ``attribute``: one of ``ATTRIBUTES`` ("age", "religion"...); ``words``: the words that matched, as written
    (each once, in order); ``message``: what to tell the recruiter, in the active language.
    """

    attribute: str
    words: tuple[str, ...]

    @property
    def message(self) -> str:
        return gettext(MESSAGES[self.attribute])

    def as_dict(self) -> dict:
        """``{"attribute", "words", "message"}`` for the API and JSON."""
        return {"attribute": self.attribute, "words": list(self.words), "message": self.message}


def normalise(text: str) -> str:
    """``text`` lower-cased, "ё" as "е", look-alike Latin letters in Cyrillic words as Cyrillic, anything but
    letters and digits as a space; the same length as ``text``, so a match's span points at the original."""
    chars = []
    for char in str(text or ""):
        lower = char.lower()
        if len(lower) != 1:  # "İ" lowers to two characters: keep the length, lose nothing that matters
            lower = char
        if lower == "ё":
            lower = "е"
        elif not lower.isalnum() or unicodedata.combining(lower):
            lower = " "
        chars.append(lower)

    def cyrillic(match: re.Match) -> str:
        word = match.group(0)
        return word.translate(_LOOKALIKES) if _CYRILLIC.search(word) else word

    return _WORD.sub(cyrillic, "".join(chars))


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "#" * (end - start)
    return "".join(chars)


def _lint_one(text: str, found: dict[str, list[str]]) -> None:
    flat = normalise(text)
    flat = _blank(flat, (match.span() for pattern in _COMPILED_NOT for match in pattern.finditer(flat)))
    for code, patterns in _COMPILED.items():
        for pattern in patterns:
            for match in pattern.finditer(flat):
                word = " ".join(text[match.start() : match.end()].split())
                if word and word.casefold() not in {seen.casefold() for seen in found.get(code, ())}:
                    found.setdefault(code, []).append(word)


def lint_question(text: str, options: Iterable[str] = ()) -> list[Finding]:
    """The protected or proxy attributes a screening question asks about, one ``Finding`` each.

    ``text`` is the question, ``options`` its answer choices (a choice "Married" asks too). Returns ``[]``
    for a fair question, findings in the order of ``ATTRIBUTES``. Never raises on odd input (``None``,
    numbers): it is read as text.
    """
    found: dict[str, list[str]] = {}
    for part in (text, *(options or ())):
        if part is not None:
            _lint_one(str(part), found)
    return [Finding(attribute=code, words=tuple(found[code])) for code in ATTRIBUTES if found.get(code)]


def lint_messages(findings: Iterable[Finding]) -> list[str]:
    """Each finding as one line for a person: its message and the words that matched."""
    return [
        gettext("%(message)s (“%(words)s”)") % {"message": finding.message, "words": "”, “".join(finding.words)}
        for finding in findings
    ]


def lint_script(questions: Iterable) -> list[tuple[object, list[Finding]]]:
    """The questions of a script that the lint flags, each with its findings, in the given order.

    ``questions``: objects with ``text`` and ``options`` (saved ``ScreeningQuestion`` rows, or anything shaped
    like them); those without findings are left out, so ``[]`` means the script is clean.
    """
    flagged = []
    for question in questions:
        findings = lint_question(question.text, getattr(question, "options", None) or ())
        if findings:
            flagged.append((question, findings))
    return flagged
