"""Questions from the candidate: recognise one, and find its answer in the vacancy's text or the company's answers.

Pure functions, English and Russian, no Django models and no request.

- ``is_question(text)``: does a chat message ask the bot something ("What is the salary?", "Можно удалённо?",
  "сколько платят") rather than answer ("5 years", "да?", "Нет вопросов, могу")? Conservative, because a
  false positive swallows an answer: a message that also says something else ("I have 5 years. What's the
  salary?", "Ok, where is the office?") is an answer.
- ``find_answer(question, passages)``: the passage that answers it and the sentence(s) to quote, matched by
  topic (salary, remote work, office, schedule, benefits, employment type, ...) in both languages, Russian
  word forms by stem. None when nothing matches well enough: it never answers from an unrelated passage.
- ``vacancy_passages(...)``: a vacancy's own text split into passages (sections, paragraphs), plus short ones
  for its salary, location and employment type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .text import collapse, nfkc
from .topics import Topics, alternatives, content_stems, cyrillic_share, read_topics, satisfies, words_of
from .yesno import read_yes_no

MAX_QUESTION_TEXT = 500
# A quote is at most this many sentences (or lines of a list) and characters; a company answer up to this long
# is quoted whole (the recruiters wrote it to be read as one).
MAX_QUOTE_SENTENCES = 6
MAX_QUOTE_CHARS = 500

SOURCE_COMPANY_ANSWER = "company_answer"
SOURCE_VACANCY = "vacancy"


@dataclass(frozen=True)
class Passage:
    """A piece of text the bot may quote: one of the company's answers, or a section of the vacancy.

    ``source``: ``"company_answer"`` or ``"vacancy"``; ``title``: the company answer's question or the
    section's heading; ``text``: what is quoted from (a quote is always a substring of it); ``topics``:
    topics known without reading the text (the vacancy's salary passage is about ``"salary"``).
    """

    source: str
    title: str
    text: str
    topics: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Found:
    """The passage that answers a question, how well (``score``, higher is better) and the verbatim ``quote``."""

    passage: Passage
    score: float
    quote: str


# --- Is it a question? -------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")  # "где-то", "don't" and "full-time" stay one token
_SENTENCE_RE = re.compile(r"[^.!?…;\n]+[.!?…;\n]*")
_CLAUSE_SPLIT_RE = re.compile(r"[,:(]|\s[-–—]\s")

_EN_WH = {"what", "what's", "whats", "where", "where's", "when", "which", "who", "whom", "whose", "why", "how",
          "how's"}  # fmt: skip
_EN_AUX = {"is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should", "may",
           "might", "shall", "have", "has", "am", "isn't", "aren't", "don't", "doesn't"}  # fmt: skip
# Who an auxiliary asks about, when it opens a question ("Can I", "Is there", "Do you offer").
_EN_SUBJECTS = {"i", "we", "you", "they", "there", "it", "the", "this", "that", "your", "a", "an", "any", "he",
                "she", "remote", "salary", "relocation", "employees", "candidates"}  # fmt: skip
# An auxiliary and a subject that open a statement, not a question ("Did it last year", "Have a nice day").
_EN_NOT_ASKING = {("did", "it"), ("do", "it"), ("does", "it"), ("have", "a"), ("have", "an"), ("have", "the")}
# After a question word, these make it a statement ("What I did was...", "When I was at...").
_EN_STATEMENT_AFTER_WH = {"i", "i'm", "we", "he", "she", "they", "you", "it", "my", "about", "not", "ever", "else"}
_RU_WH = {"какой", "какая", "какое", "какие", "какую", "каким", "каком", "какого", "каков", "какова",
          "каковы", "сколько", "где", "куда", "откуда", "когда", "почему", "зачем", "отчего", "кто", "кого", "кому",
          "что", "чего", "чем", "как", "насколько", "чей", "чья", "чье"}  # fmt: skip
# Question words that open a statement too often to be trusted without a question mark ("Как правило, да").
_RU_WH_NEED_MARK = {"что", "чем", "как", "кто", "кого", "кому", "чего", "когда", "откуда", "отчего"}
# The next word turns a question word into an answer ("сколько угодно", "когда как", "как скажете").
_RU_STATEMENT_AFTER_WH = {"угодно", "получится", "скажете", "правило", "минимум", "максимум", "обычно", "всегда",
                          "касается", "как", "попало", "придется", "бы", "и", "нужно", "надо", "потребуется",
                          "хотите", "захотите", "разница", "раз", "мне", "я", "именно", "ни", "же"}  # fmt: skip
# Russian openings that ask with a question mark ("Можно удалённо?", "Есть ДМС?", "Нужно ходить в офис?").
_RU_ASKING_OPENERS = {"можно", "нужно", "надо", "обязательно", "есть", "будет", "будут"}
# Asking for information without a question word ("Расскажите про офис", "Интересует зарплата").
_REQUESTS = [
    ("tell", "me"), ("could", "you", "tell"), ("can", "you", "tell"), ("please", "tell"), ("i'd", "like", "to", "know"),
    ("i", "would", "like", "to", "know"), ("i", "want", "to", "know"), ("i", "wonder"), ("i", "was", "wondering"),
    ("wondering",), ("curious", "about"), ("any", "info"), ("подскажите",), ("скажите",), ("расскажите",),
    ("уточните",), ("поясните",), ("объясните",), ("интересует",), ("хочу", "узнать"), ("хотел", "узнать"),
    ("хотела", "узнать"), ("хотелось", "бы", "узнать"), ("можно", "узнать"), ("хочу", "уточнить"),
    ("хотел", "уточнить"), ("хотела", "уточнить"),
]  # fmt: skip
# What neither answers nor asks: greetings, politeness, "I have a question". A clause of only these is filler.
_FILLERS = sorted(
    alternatives(
        """hi | hello | hey | good morning | good afternoon | good evening | sorry | excuse me | please |
        thanks | thank you | thanks a lot | and | also | so | btw | by the way | just | um | uh | well | question |
        a question | one more question | another question | quick question | a quick question | one more thing |
        i have a question | i have a quick question | i have another question | i have one more question |
        i wanted to ask | i'd like to ask | i would like to ask | let me ask |
        здравствуйте | здравствуй | привет | добрый день | добрый вечер | доброе утро | доброго дня | извините |
        простите | пожалуйста | спасибо | а | и | еще | кстати | вопрос | у меня вопрос | у меня есть вопрос |
        есть вопрос | еще вопрос | еще один вопрос | такой вопрос | у меня такой вопрос | подскажите | скажите |
        уточните | ну | так | вот | интересно | слушайте | хотел спросить | хотела спросить | хочу спросить"""
    ),
    key=len,
    reverse=True,
)
# Words that alone, with a question mark, ask about something ("Зарплата?", "Benefits?").
_ASKED_ALONE = {"salary", "insurance", "vacation", "bonus", "benefits", "schedule", "dress_code", "probation",
                "relocation"}  # fmt: skip
# "А удалёнка?", "And remote?": a topic alone asks when it follows "and".
_AND = {"а", "и", "and"}
_FIRST_PERSON = {"i", "i'm", "im", "my", "me", "я", "мне", "меня", "мой", "моя", "мое", "мои"}


# First words that can open a question without a question mark (``is_question``'s shortcut); ``_asks`` decides.
_QUESTION_WORDS = frozenset({*_EN_WH, *_EN_AUX, *_RU_WH})
_UNMARKED_OPENERS = frozenset({*_QUESTION_WORDS, *(phrase[0] for phrase in (*_FILLERS, *_REQUESTS) if phrase)})


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(nfkc(text).casefold().replace("ё", "е").replace("’", "'"))


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def _starts_with(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    return tuple(tokens[: len(phrase)]) == phrase


def _strip_filler(tokens: list[str]) -> list[str]:
    """``tokens`` without the fillers they open with; a request for information is kept ("Подскажите, какой...")."""
    core = list(tokens)
    while core:
        if any(_starts_with(core, request) and len(core) > len(request) for request in _REQUESTS):
            break
        filler = next((phrase for phrase in _FILLERS if _starts_with(core, phrase)), None)
        if filler is None:
            break
        del core[: len(filler)]
    return core


def _asks(tokens: list[str], *, marked: bool) -> bool:
    """Whether one clause (its tokens) asks something; ``marked``: its sentence has a question mark."""
    core = _strip_filler(tokens)
    if not core:
        return False
    if any(_starts_with(core, request) and len(core) > len(request) for request in _REQUESTS):
        return True
    first, second = core[0], core[1] if len(core) > 1 else ""
    # English: "What is the salary", "How many days", "Is there a dress code", "Can I work from home".
    if first in _EN_WH:
        if first == "how" and second == "about":
            return False  # "How about 300k?": a counter-offer
        if first in ("what", "whats") and second == "about" and any(_has_digit(t) for t in core):
            return False
        return marked or (bool(second) and second not in _EN_STATEMENT_AFTER_WH)
    if first in _EN_AUX and second in _EN_SUBJECTS:
        return (first, second) not in _EN_NOT_ASKING
    # Russian: "Какой график", "сколько платят", "Есть ли ДМС", "Можно удалённо?".
    if second == "ли" and first != "не":
        return True
    for position, token in enumerate(core[:3]):
        if token not in _RU_WH:
            continue
        following = core[position + 1] if position + 1 < len(core) else ""
        if following in _RU_STATEMENT_AFTER_WH:
            return False
        if marked:
            return True
        if position == 0 and token not in _RU_WH_NEED_MARK and following:
            return True
        # "что по зарплате", "как с удалёнкой", "как у вас с графиком"
        return position == 0 and token in ("что", "как") and following in ("по", "насчет", "с", "у")
    if not marked:
        return False
    if first in _RU_ASKING_OPENERS and len(core) >= 2:
        return True
    if first in ("any", "anything") and len(core) >= 2:
        return True
    return _asks_by_topic(core, after_and=tokens[0] in _AND)


def _asks_by_topic(core: list[str], *, after_and: bool = False) -> bool:
    """A short clause with a question mark that names what it asks about: "Офис в центре?", "Зарплата?"."""
    if len(core) > 4 or any(_has_digit(token) or token in _FIRST_PERSON for token in core):
        return False
    found = read_topics(words_of(" ".join(core))).strong
    if not found:
        return False
    return len(core) >= 2 or after_and or bool(found & _ASKED_ALONE)


def is_question(text: str) -> bool:
    """True when the candidate's message asks the bot something instead of answering.

    Recognised: a question word or an auxiliary opening a clause ("What is the salary?", "Is there a dress
    code", "Какой график?", "сколько платят", "Есть ли ДМС"), a request for information ("Расскажите про
    офис", "Tell me about the team"), or a short clause with a question mark naming what it asks about
    ("Можно удалённо?", "Зарплата?"). Not a question: a plain or idiomatic yes/no ("да?", "Why not?", "Нет
    вопросов, могу"), a number or a hedge with a question mark ("5?", "maybe?"), a single option ("Москва?"),
    a statement opened by a question word ("Сколько угодно", "What I did was..."), and any message that says
    something besides asking ("5 years. What's the salary?", "Ok, where is the office?"): swallowing an
    answer costs more than answering a question late. Never raises.
    """
    raw = str(text or "")
    if not raw.strip() or len(raw) > MAX_QUESTION_TEXT:
        return False
    if "?" not in raw and "？" not in raw:
        # Without a question mark only a question word, an auxiliary, a request or a filler can open a question
        # (or "ли" second: "Есть ли ДМС"): most answers ("5 years", "Москва", "I built...") stop here, cheaply
        # (this runs on every answer in the chat).
        head = _tokens(raw[:160])[:8]
        if not head or (head[0] not in _UNMARKED_OPENERS and head[1:2] != ["ли"]):
            return False
        # Opened by a filler's or a request's first word ("I ..."): only the whole phrase counts.
        opener = head[0] in _QUESTION_WORDS or head[1:2] == ["ли"]
        if not opener and not any(_starts_with(head, phrase) for phrase in (*_FILLERS, *_REQUESTS)):
            return False
    reading = read_yes_no(raw)
    if reading.how in ("literal", "idiom"):
        return False
    asked = False
    for match in _SENTENCE_RE.finditer(nfkc(raw)):
        sentence = match.group(0)
        marked = "?" in sentence
        clauses = [_tokens(clause) for clause in _CLAUSE_SPLIT_RE.split(sentence.rstrip(".!?…;\n "))]
        clauses = [clause for clause in clauses if clause]
        if not clauses:
            continue
        sentence_asks = False
        for clause in clauses:
            if _asks(clause, marked=marked):
                sentence_asks = True
                break  # what follows the question in its sentence belongs to it ("Можно удалённо, или только офис?")
            if _strip_filler(clause):
                return False  # something said before the question: an answer, maybe with a question attached
        if not sentence_asks and any(_strip_filler(clause) for clause in clauses):
            return False
        asked = asked or sentence_asks
    return asked


# --- Passages from a vacancy -------------------------------------------------------------------------------------

_HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s*)?[*_]*([^\n:]{1,80}?)[*_]*\s*:\s*[*_]*\s*$|^\s*#{1,6}\s*([^\n]{1,80}?)\s*$")


def _heading(line: str) -> str | None:
    match = _HEADING_RE.match(line)
    if not match:
        return None
    return (match.group(1) or match.group(2) or "").strip(" *_#") or None


def _sections(description: str, default_title: str) -> list[tuple[str, str]]:
    """(title, text) of each section of ``description``: a heading ("We offer:", "## Условия") and its lines,
    or a paragraph (lines up to a blank line) titled ``default_title``."""
    sections: list[tuple[str, list[str]]] = []
    current: list[str] = []
    title = default_title

    def close():
        if any(line.strip() for line in current):
            sections.append((title, list(current)))

    for line in description.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        heading = _heading(line)
        if heading is not None:
            close()
            current, title = [line], heading
        elif not line.strip():
            if any(not _heading(kept) for kept in current if kept.strip()):
                close()
                current, title = [], default_title
        else:
            current.append(line)
    close()
    return [(title, "\n".join(lines).strip("\n")) for title, lines in sections]


def vacancy_passages(
    *, title: str, description: str, requirements: str, location: str, salary_text: str, employment_type_text: str
) -> list[Passage]:
    """The vacancy's own text as passages (source ``"vacancy"``), for ``find_answer``.

    Short passages first, each written as "Label: value" and tagged with its topic, when the value is set:
    the salary (``salary_text``, e.g. "250,000 – 350,000 RUB"), the location and the employment type (labels in
    the active language). Then the description, one passage per section (a heading line such as "We offer:"
    or "## Условия" and the lines under it) or paragraph, and the requirements as one passage.
    """
    passages = []
    for label, value, topic in (
        (_("Salary"), salary_text, "salary"),
        (_("Location"), location, "location"),
        (_("Employment type"), employment_type_text, "employment"),
    ):
        value = collapse(value or "")
        if value:
            passages.append(Passage(SOURCE_VACANCY, str(label), f"{label}: {value}", frozenset({topic})))
    for section_title, text in _sections(description or "", collapse(title or "")):
        passages.append(Passage(SOURCE_VACANCY, section_title, text))
    requirements = (requirements or "").replace("\r\n", "\n").strip()
    if requirements:
        passages.append(Passage(SOURCE_VACANCY, str(_("Requirements")), requirements, frozenset({"requirements"})))
    return passages


# --- Finding the answer ------------------------------------------------------------------------------------------

_LINE_RE = re.compile(r"[^\n]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+(?=\S)")
# A one- or two-letter lower-case word, or a common abbreviation, with a full stop does not end a sentence
# ("г. Москва, ул. Тверская, д. 7", "e.g. Go").
_ABBREVIATION_END_RE = re.compile(
    r"(?:^|[\s(])(?:(?:[a-zа-я]{1,2}|ул|пер|стр|корп|тыс|руб|млн|мин|etc|incl|approx)\.)+$"
)
_BULLET = " \t-*•·–—"
_DIGIT_RE = re.compile(r"\d")


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    topics: frozenset[str]
    stems: frozenset[str]
    has_digit: bool


@dataclass(frozen=True)
class _Read:
    """A passage as the matcher sees it: its sentences and topics, read once."""

    passage: Passage
    sentences: tuple[_Sentence, ...]
    topics: frozenset[str]
    stems: frozenset[str]
    cyrillic: float


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: lines split after ".", "!", "?" (not after an abbreviation),
    without a list's bullet or the spaces around."""
    spans = []
    for line in _LINE_RE.finditer(text):
        begin = line.start()
        cuts = [
            (line.start() + gap.start(), line.start() + gap.end())
            for gap in _SENTENCE_END_RE.finditer(line.group(0))
            if not _ABBREVIATION_END_RE.search(line.group(0)[: gap.start()])
        ]
        for cut_start, cut_end in [*cuts, (line.end(), line.end())]:
            start, end = begin, cut_start
            begin = cut_end
            while start < end and text[start] in _BULLET:
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                spans.append((start, end))
    return spans


def _read(passage: Passage) -> _Read:
    sentences = []
    for start, end in _sentences(passage.text):
        piece = passage.text[start:end]
        words = words_of(piece)
        sentences.append(
            _Sentence(
                start, end, read_topics(words).strong, frozenset(content_stems(words)), bool(_DIGIT_RE.search(piece))
            )
        )
    title_words = words_of(passage.title)
    topics = set(passage.topics) | read_topics(title_words).strong
    stems = set(content_stems(title_words))
    for sentence in sentences:
        topics |= sentence.topics
        stems |= sentence.stems
    return _Read(passage, tuple(sentences), frozenset(topics), frozenset(stems), cyrillic_share(passage.text))


def _sentence_answers(read: _Read, sentence: _Sentence, topics: set[str]) -> bool:
    hits = {topic for topic in topics if satisfies(topic, sentence.topics)}
    if hits == {"salary"} and read.passage.source == SOURCE_VACANCY and not read.passage.topics:
        # In the vacancy's free text a salary sentence names an amount ("We pay 300,000"), not "pay attention".
        return sentence.has_digit
    return bool(hits)


def _quote(read: _Read, topics: set[str], question_stems: set[str]) -> str:
    """The sentence(s) of the passage that answer: the best one and its answering neighbours, verbatim."""
    text = read.passage.text
    if read.passage.source == SOURCE_COMPANY_ANSWER and len(text.strip()) <= MAX_QUOTE_CHARS:
        return text.strip()
    sentences = read.sentences
    answering = [i for i, sentence in enumerate(sentences) if _sentence_answers(read, sentence, topics)]
    if not answering:
        answering = [i for i, sentence in enumerate(sentences) if sentence.stems & question_stems]
    if not answering:
        # Known by its title or its tag (a company answer, the vacancy's requirements): quote it from the start.
        answering = list(range(len(sentences)))
        if not answering:
            return ""
        best = 0
    else:
        best = max(answering, key=lambda i: (len(sentences[i].stems & question_stems), -i))
    chosen = {best}
    for step in (1, -1):
        i = best + step
        while i in answering and len(chosen) < MAX_QUOTE_SENTENCES:
            candidate = sorted(chosen | {i})
            if sentences[candidate[-1]].end - sentences[candidate[0]].start > MAX_QUOTE_CHARS:
                break
            chosen.add(i)
            i += step
    first, last = min(chosen), max(chosen)
    quote = text[sentences[first].start : sentences[last].end]
    if len(quote) > MAX_QUOTE_CHARS:
        cut = quote.rfind(" ", 0, MAX_QUOTE_CHARS)
        quote = quote[: cut if cut > 0 else MAX_QUOTE_CHARS]
    return quote


def _topical(read: _Read, asked: set[str], uncovered: set[str], *, weak: bool) -> float | None:
    """The score of a passage for a question about ``asked`` topics, or None when it does not answer them."""
    satisfied = {topic for topic in asked if satisfies(topic, read.topics)}
    if not satisfied:
        return None
    if weak and not uncovered <= read.stems:
        return None  # "Where can I park?": the place is not the question
    topical = 2 * len(satisfied) - len(asked - satisfied) - len(uncovered - read.stems)
    if topical < 2:
        return None  # part of the question is about something this passage does not speak of
    if read.passage.topics or read_topics(words_of(read.passage.title)).strong:
        return float(topical)
    if not any(_sentence_answers(read, sentence, satisfied) for sentence in read.sentences):
        return None
    return float(topical)


def _lexical(read: _Read, stems: set[str]) -> float | None:
    """For a question of no known topic ("Is there parking?"): every word that matters is in one sentence of the
    vacancy's text, or most of them in one company answer."""
    if not stems:
        return None
    if read.passage.source == SOURCE_COMPANY_ANSWER:
        shared = len(stems & read.stems)
        return 1.0 if shared and shared / len(stems) >= 0.5 else None
    return 1.0 if any(stems <= sentence.stems for sentence in read.sentences) else None


def _score(read: _Read, question: Topics, stems: set[str], uncovered: set[str], cyrillic: float) -> float | None:
    """How well ``read`` answers: None when it does not (see ``find_answer``), else higher is better."""
    asked = set(question.strong or question.weak)
    if question.strong:
        score = _topical(read, asked, uncovered, weak=False)
    else:
        score = _topical(read, asked, uncovered, weak=True) if asked else None
        if score is None:
            score = _lexical(read, stems)
    if score is None:
        return None
    score += 0.5 * len(stems & read.stems)
    if read.passage.topics & asked:
        score += 0.75  # the vacancy's own salary, location or employment type, when that is what was asked
    elif read.passage.source == SOURCE_COMPANY_ANSWER:
        score += 0.5  # written by the recruiters to answer exactly this kind of question
    if abs(read.cyrillic - cyrillic) < 0.5:
        score += 0.6  # in the candidate's language
    return score


def rank_passages(question: str, passages: list[Passage]) -> list[tuple[Passage, float, str]]:
    """Every passage that answers ``question``, best first: ``(passage, score, quote)`` (see ``find_answer``)."""
    words = words_of(str(question or "")[:MAX_QUESTION_TEXT])
    topics = read_topics(words)
    stems = content_stems(words)
    uncovered = content_stems(words, skip=topics.covered)
    cyrillic = cyrillic_share(question)
    asked = set(topics.strong or topics.weak)
    ranked = []
    for position, passage in enumerate(passages):
        if not collapse(passage.text):
            continue
        read = _read(passage)
        score = _score(read, topics, stems, uncovered, cyrillic)
        if score is None:
            continue
        quote = _quote(read, asked, stems)
        if quote:
            ranked.append((score, -position, passage, quote))
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [(passage, score, quote) for score, _position, passage, quote in ranked]


def find_answer(question: str, passages: list[Passage]) -> Found | None:
    """The passage that answers the candidate's ``question``, with the sentence(s) to quote; None when none does.

    The question's topics (salary, remote work, location, schedule, employment type, benefits and the specific
    ones: insurance, vacation, bonus, ...; relocation, probation, dress code, business travel, team, duties,
    requirements, language, the hiring process) are read from keywords in English and Russian, word forms by
    stem. A passage answers when it speaks of the asked topics (a question about benefits in general is
    answered by any specific benefit, not the other way round) and of whatever else the question names
    ("Is the office in Kazan?" is not answered by "Location: Moscow"). A question without a known topic is
    answered only by a passage holding every word that matters in it. Ties go to the vacancy's own salary,
    location and employment type, then to the company's answers, then to the candidate's language.

    ``Found.quote`` is a verbatim substring of ``Found.passage.text``: the best sentence and its neighbours
    that answer too (at most 4 sentences and 500 characters).
    """
    ranked = rank_passages(question, passages)
    if not ranked:
        return None
    passage, score, quote = ranked[0]
    return Found(passage=passage, score=score, quote=quote)
