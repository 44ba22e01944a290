"""What a text is about: topics (salary, remote work, office, schedule, benefits, ...) and word stems, in
English and Russian.

Pure functions, no Django. ``read_topics`` finds the topics a text speaks of from keywords (Russian word forms
by stem, phrases before their words); ``satisfies`` says whether a passage's topics answer a question's topic
(a question about benefits in general is answered by any specific benefit); ``content_stems`` gives the
stems of the words that carry meaning, for matching what no topic covers. Used by ``asked.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import fold

# Each topic has keywords in both languages: alternatives separated by "|", words by spaces, "*" ends a stem
# (Russian word forms: "зарплат*" is зарплата, зарплаты, зарплату). Text is compared folded (case, "ё", and
# punctuation as spaces, so "full-time" is "full time"). Longer phrases win over their words.

TOPIC_WORDS = {
    "salary": "salar* | pay | pays | paid | wage* | compensation | income | remuneration | salary range | "
    "зарплат* | зп | з п | оклад* | доход* | заработ* | платят | платите | платит | платить | плата | "
    "оплата труда | вознагражд* | вилк* | на руки | до вычета | после вычета | ндфл | ставка | ставки | "
    "before tax* | after tax* | pre tax | gross salary | net salary | грязными | чистыми",
    "remote": "remote* | wfh | work from home | working from home | from home | home office | hybrid | "
    "distributed | in the office | to the office | in office | on site | onsite | "
    "удален* | дистанц* | из дома | гибрид* | в офис | в офисе | ходить в офис",
    "location": "office* | address* | located | location* | city | metro | subway | headquarter* | how to get | "
    "офис* | адрес* | находит* | располож* | локац* | город* | метро | станци* | как добраться | район*",
    "schedule": "schedule* | hours | hour | working day* | workday* | shift* | weekend* | days off | day off | "
    "overtime | flexible hours | flexible schedule | flextime | flexitime | start time | "
    "график* | смен* | выходн* | час | часа | часов | часы | рабочий день | рабочего дня | рабочие дни | "
    "переработ* | режим* | гибкий график | гибкое начало | во сколько | сверхурочн*",
    "employment": "full time | part time | fulltime | parttime | contract | freelance* | permanent | temporary | "
    "internship | employment | self employed | employment type | "
    "занятост* | трудоустройств* | оформлени* | оформят | оформляете | трудов* договор* | гпх | самозанят* | "
    "ип | официально | официальн* трудоустройств* | официальн* оформлени* | по тк | тк рф | стажировк* | "
    "тип занятости",
    "benefits": "benefit* | perk* | we offer | what we offer | social package | package | "
    "льгот* | соцпакет* | социальн* пакет* | компенсац* | плюшк* | условия | условиях | мы предлагаем | "
    "предлагаем",
    "insurance": "insur* | health* | medical | dental | дмс | страхов* | медицин* | медстрах*",
    "vacation": "vacation* | holiday* | paid leave | time off | pto | annual leave | sick leave | sick days | "
    "отпуск* | отгул* | больничн*",
    "bonus": "bonus* | 13th salary | profit sharing | stock option* | equity | преми* | бонус* | опцион* | "
    "13 зарплата | 13 я зарплата",
    "equipment": "laptop* | equipment | computer* | macbook* | hardware | ноутбук* | оборудован* | компьютер* | "
    "макбук*",
    "training": "training* | course* | conference* | mentor* | обучени* | курс* | конференц* | наставни* | менторств*",
    "meals": "lunch* | meal* | food | snack* | coffee | обед* | питани* | кофе | еда",
    "sport": "gym | fitness | sport* | спортзал* | фитнес* | спорт*",
    "relocation": "relocat* | visa* | moving to | переезд* | релокац*",
    "probation": "probation* | trial period | испытательн*",
    "dress_code": "dress code | dresscode | attire | дресс код | дресскод | форма одежды",
    "travel": "business trip* | travel* | командировк* | разъезд*",
    "team": "team | teams | colleague* | team lead | команд* | коллектив* | руководител*",
    "duties": "responsibilit* | duties | task | tasks | day to day | what will i do | what would i do | "
    "you will | you ll | обязанност* | задач* | функционал* | чем заниматься | чем предстоит | предстоит | "
    "что делать | вы будете",
    "requirements": "requirement* | require* | skill* | qualification* | experience | need to know | must have | "
    "we expect | требовани* | требует* | навык* | опыт* | квалификац* | ожидаем* | нужно знать | мы ждем",
    "language": "english | английск* | language* | язык*",
    "process": "interview* | next step* | stage* | hear back | feedback | собеседован* | этап* | "
    "следующ* шаг* | обратн* связ*",
}
# Words a question asks by; they give a topic only when nothing more specific is asked ("Сколько?", "Where?").
WEAK_TOPIC_WORDS = {
    "salary": "how much | сколько",
    "location": "where | where s | где | куда",
}
# Phrases whose words would otherwise point to a topic they are not about.
_NOT_TOPICS = "of course | pay attention | how about | in general | в общем | в целом | курсе дела | в курсе"
# The specific benefits: a question about benefits in general is answered by any of them, not the other way.
PARENT = {
    "insurance": "benefits",
    "vacation": "benefits",
    "bonus": "benefits",
    "equipment": "benefits",
    "training": "benefits",
    "meals": "benefits",
    "sport": "benefits",
}


def alternatives(spec: str) -> list[tuple[str, ...]]:
    """``"a b | c*"`` as ``[("a", "b"), ("c*",)]``: the alternatives of a keyword list, each a tuple of words."""
    return [tuple(alternative.split()) for alternative in spec.split("|") if alternative.strip()]


def _build_index():
    """Keywords by their first word: exact first words in one dict, stems (``"зарплат*"``) in another."""
    exact: dict[str, list] = {}
    stems: dict[str, list] = {}
    entries = [(words, topic, False) for topic, spec in TOPIC_WORDS.items() for words in alternatives(spec)]
    entries += [(words, topic, True) for topic, spec in WEAK_TOPIC_WORDS.items() for words in alternatives(spec)]
    entries += [(words, None, False) for words in alternatives(_NOT_TOPICS)]
    for words, topic, weak in entries:
        first = words[0]
        target = stems.setdefault(first[:-1], []) if first.endswith("*") else exact.setdefault(first, [])
        target.append((words, topic, weak))
    for table in (exact, stems):
        for entries_ in table.values():
            entries_.sort(key=lambda entry: len(entry[0]), reverse=True)
    return exact, stems


_EXACT, _STEMS = _build_index()


def _word_matches(pattern: str, word: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


@dataclass(frozen=True)
class Topics:
    """The topics a text speaks of: ``strong`` from keywords, ``weak`` from question words ("how much", "где")."""

    strong: frozenset[str]
    weak: frozenset[str]
    # Positions of the words that were part of a keyword (the rest are what else the text speaks of).
    covered: frozenset[int]


def read_topics(words: list[str]) -> Topics:
    """The topics of ``words`` (``words_of(text)``): each keyword found, longest first, counts once."""
    strong, weak, covered = set(), set(), set()
    i = 0
    while i < len(words):
        word = words[i]
        candidates = list(_EXACT.get(word, ()))
        for end in range(1, len(word) + 1):
            candidates.extend(_STEMS.get(word[:end], ()))
        # Longer phrases first, then longer stems ("командировк*" before "команд*").
        candidates.sort(key=lambda entry: (len(entry[0]), len(entry[0][0])), reverse=True)
        for pattern, topic, is_weak in candidates:
            span = words[i : i + len(pattern)]
            if len(span) == len(pattern) and all(_word_matches(p, w) for p, w in zip(pattern, span, strict=True)):
                if topic is not None:
                    (weak if is_weak else strong).add(topic)
                covered.update(range(i, i + len(pattern)))
                i += len(pattern)
                break
        else:
            i += 1
    return Topics(frozenset(strong), frozenset(weak), frozenset(covered))


def satisfies(topic: str, found: frozenset[str] | set[str]) -> bool:
    """A passage about ``found`` answers a question about ``topic`` (about benefits: any benefit will do)."""
    return topic in found or any(PARENT.get(other) == topic for other in found)


# --- Words and stems ---------------------------------------------------------------------------------------------


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and words of any question ("work", "position", "range"): they say nothing of what is asked.
STOPWORDS = _word_set(
    """
    a an the is are was were be been am do does did can could will would should may might shall have has had
    i you we they he she it me my your our their us them this that these those there here what whats which who
    whom whose where when why how much many any some of to in on at for with from by about as and or but if so
    not no yes please tell know want like get ok okay also s ll d re ve t there's what's is it job work working
    position role vacancy company question hi hello thanks thank sorry exactly approximately roughly range level
    kind type sort per month monthly year yearly offer offered provide possible allowed need needed usually
    а и но или да нет не ни ли же бы то это этот эта эти этой как какой какая какое какие какую каким каком
    какого каков какова каковы сколько где когда почему зачем что кто чем чего у вас вы мы я меня мне нам наш
    ваш ваша ваше ваши есть будет будут можно нужно надо по на в во с со к ко о об от до из за для при про
    подскажите скажите пожалуйста здравствуйте привет работа работы работе работу работать вакансия вакансии
    вакансию позиция позиции должность вопрос хотел хотела узнать уточнить интересует такой такая такие ли
    уровень примерно вообще обычно предусмотрен предусмотрена предусмотрено возможно возможна
    give gives provide provides include includes included receive help offers
    даете дают выдаете выдают предоставляете предоставляют получу получают бывает
    """
)
_RU_ENDINGS = sorted(
    _word_set(
        "ями ами ого его ому ему ыми ими ая яя ое ее ые ие ый ий ой ей ую юю ов ев ах ях ам ям ом ем "
        "а я о е ы и у ю ь й"
    ),
    key=len,
    reverse=True,
)
_EN_SUFFIXES = ("ing", "ies", "es", "ed", "ly", "s", "e")
_CYRILLIC_RE = re.compile(r"[а-я]")


def stem(word: str) -> str:
    """A crude stem, so that word forms meet: парковка / парковку, offices / office, parking / parks."""
    endings = _RU_ENDINGS if _CYRILLIC_RE.search(word) else _EN_SUFFIXES
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the topics are matched: folded (``text.fold``), split on spaces."""
    return fold(text).split()


def content_stems(words: list[str], skip: frozenset[int] = frozenset()) -> set[str]:
    """Stems of the words that carry meaning (no function words, no numbers), leaving out positions ``skip``."""
    return {
        stem(word)
        for i, word in enumerate(words)
        if i not in skip and word not in STOPWORDS and len(word) >= 3 and not word.isdigit()
    }


def cyrillic_share(text: str) -> float:
    """The share (0 to 1) of the letters of ``text`` that are Cyrillic: which language it is written in."""
    letters = [ch for ch in text.casefold() if ch.isalpha()]
    return sum(1 for ch in letters if "а" <= ch <= "я" or ch == "ё") / len(letters) if letters else 0.0
