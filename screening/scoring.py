"""Scoring rules: pure, deterministic functions with no ORM and no request.

An answer goes through three steps:

1. ``normalise(spec, raw)`` turns the candidate's text into a value of the
   question's kind, or raises ``InvalidAnswer`` with a polite message saying
   what we expected (the chat asks again).
2. ``check(spec, value)`` applies the knockout rule and gives points: pass,
   fail, or needs review (a number in the rule's review band, or an answer
   that could not be read).
3. ``outcome(results, threshold)`` turns all checked answers into the
   relevance score (0-100), the status ("passed", "rejected" or
   "needs_review") and the reasons in plain words.

Before an answer that was not read literally, or that fails its rule, is
scored, the chat reads it back to the candidate (``needs_read_back``,
``read_back_text``); only a confirmed reading is scored.

The formula is documented in docs/scoring.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from vacancies.rules import Kind, Knockout, Unit, parse_decimal, rule_text, yes_no_value

from .reading import NO_WORDS, YES_WORDS, Reading, read_choice, read_choices, read_number, read_yes_no

__all__ = ["NO_WORDS", "YES_WORDS"]  # re-exported: the plain yes/no words live with their reader

# Free text earns full points from this many words on; fewer words earn a share.
TEXT_FULL_POINTS_WORDS = 12


@dataclass(frozen=True)
class QuestionSpec:
    """What scoring needs to know about a question (built from a ScreeningQuestion)."""

    text: str
    kind: str
    options: tuple[str, ...] = ()
    knockout: str = ""
    knockout_value: str = ""
    allowed_options: tuple[str, ...] = ()
    review_value: str = ""
    unit: str = ""
    aliases: dict = field(default_factory=dict, compare=False)
    weight: int = 1
    required: bool = True
    id: int | None = None

    @classmethod
    def from_question(cls, question) -> QuestionSpec:
        return cls(
            id=question.pk,
            text=question.text,
            kind=question.kind,
            options=tuple(question.options or ()),
            knockout=question.knockout or "",
            knockout_value=question.knockout_value or "",
            allowed_options=tuple(question.allowed_options or ()),
            review_value=question.review_value or "",
            unit=question.unit or "",
            aliases=dict(question.aliases or {}),
            weight=question.weight,
            required=question.required,
        )

    def with_rule(self, rule: dict) -> QuestionSpec:
        """This question judged by another rule: ``rule`` as ``vacancies.rules.rule_snapshot`` stores it.

        Fields the snapshot lacks keep this question's values (answers stored before rules were kept).
        """
        changes = {}
        for name in ("kind", "knockout", "knockout_value", "review_value", "unit"):
            if name in rule:
                changes[name] = rule[name] or ""
        if "allowed_options" in rule:
            changes["allowed_options"] = tuple(rule["allowed_options"] or ())
        return replace(self, **changes)


class InvalidAnswer(ValueError):
    """The answer cannot be read as the question's kind; ``message`` says what to send instead.

    ``proposal``: a ``(value, how)`` the words probably meant (a close misspelling of an option), which the
    chat may offer back for confirmation instead of asking again; None otherwise.
    """

    def __init__(self, code: str, message: str, *, proposal: tuple[object, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.proposal = proposal


class ReadBack(Exception):
    """The answer must be confirmed by the candidate before it is scored (``needs_read_back``).

    ``value`` and ``how``: the reading to confirm; ``text``: the bot's read-back question (``read_back_text``).
    """

    def __init__(self, *, value, how: str, text: str):
        super().__init__(text)
        self.value = value
        self.how = how
        self.text = text


@dataclass(frozen=True)
class Checked:
    value: object
    passed: bool | None  # None: no rule, an optional question left unanswered, or needs review
    points: float
    reason: str = ""  # why the knockout rule failed, or why a person must look, in plain words
    review: bool = False  # the answer cannot settle the rule: a person decides (``passed`` is None)


@dataclass(frozen=True)
class Outcome:
    status: str  # "passed", "rejected" or "needs_review"
    score: int
    reasons: list[str] = field(default_factory=list)  # why it was rejected
    review_reasons: list[str] = field(default_factory=list)  # why a person must look


def _collapse(text: str) -> str:
    return " ".join(str(text).split())


def _read_text(spec: QuestionSpec, text: str, items: list[str] | None, raw) -> tuple[str, str]:
    return text, "literal"


# "Yes, but I need a visa": a condition or a reservation beside the yes or no. The answer is read, then read back.
_CONDITION_RE = re.compile(
    r"(?<![\w'])(but|however|except|unless|if|provided|although|though|но|однако|кроме|если|хотя|только если|"
    r"при условии)(?![\w'])",
    re.IGNORECASE,
)
# Words about money or time a number was not converted from: another currency ("5000 USD", "$5,000"), a pay
# period ("в неделю", "per hour") or a duration unit other than years and months ("3 дня", "6 weeks"). The value
# is the number as written, so it is read back with the question's own unit for the candidate to check.
_UNCONVERTED_RE = re.compile(
    r"[$€£¥₸₴₽]|(?<![\w])(usd|eur|gbp|cny|kzt|uah|byn|rub|rur|dollars?|euros?|pounds?|yuan|доллар\w*|евро|"
    r"юан\w*|тенге|гривн\w*|руб\w*|бакс\w*|per|an? hour|an? day|an? week|an? year|hourly|daily|weekly|yearly|"
    r"annually|gross|net|в час|в день|в сутки|в неделю|в год|за час|за день|за смену|за неделю|за год|годовых|"
    r"гросс|нетто|на руки|до вычета|days?|weeks?|дн(ей|я)|день|недел\w*|час\w*|hours?)(?![\w])",
    re.IGNORECASE,
)
# Beyond these a number is not what the question asks for ("2019" years, "400" roubles a month against 350000):
# read back before it is scored. Years and months of experience; any rule's limit within a factor of 100.
PLAUSIBLE_YEARS = Decimal(60)
PLAUSIBLE_SCALE = Decimal(100)


def _read_yes_no(spec: QuestionSpec, text: str, items: list[str] | None, raw) -> tuple[bool, str]:
    reading = read_yes_no(text)
    if reading.value is None:
        # Unsure ("не уверен", "да нет") is never guessed: the candidate is asked again.
        raise InvalidAnswer("yes_no", _("Please answer yes or no."))
    if _CONDITION_RE.search(text):
        return reading.value == "yes", "conditional"  # read back with the candidate's words beside it
    return reading.value == "yes", reading.how


def _number_rule(spec: QuestionSpec) -> tuple[Decimal | None, Decimal | None]:
    limit = parse_decimal(spec.knockout_value)
    if limit is None:
        return None, None
    if spec.knockout == Knockout.AT_LEAST:
        return limit, None
    if spec.knockout == Knockout.AT_MOST:
        return None, limit
    return None, None


def _read_number(spec: QuestionSpec, text: str, items: list[str] | None, raw) -> tuple[float, str]:
    at_least, at_most = _number_rule(spec)
    has_rule = at_least is not None or at_most is not None
    # Counts and amounts are never negative, unless the rule itself speaks of negative numbers.
    allow_negative = has_rule and (at_least if at_least is not None else at_most) < 0
    # A duration ("5 лет и 3 месяца") is read in the question's unit: months for a months question, else years.
    unit = "months" if spec.unit == Unit.MONTHS else "years"
    reading = read_number(text, at_least=at_least, at_most=at_most, allow_negative=allow_negative, unit=unit)
    band = parse_decimal(spec.review_value) if has_rule else None
    if reading.qualifier and not reading.unsure and band is not None:
        # "less than 2" settles "at least 3" but not its review band from 2: it must settle both edges.
        edge = {"at_least": band} if at_least is not None else {"at_most": band}
        if read_number(text, allow_negative=allow_negative, unit=unit, **edge).unsure:
            reading = replace(reading, unsure=True)
    if reading.value is not None and (not reading.unsure or (reading.qualifier and not has_rule)):
        # Without a rule no verdict depends on a qualifier ("about 4"): the number as written is kept.
        how = reading.how
        if how == "literal" and _UNCONVERTED_RE.search(text):
            how = "unconverted"
        return float(reading.value), how
    raise InvalidAnswer("number", _number_message(reading))


def _number_message(reading: Reading) -> str:
    """What was understood, and what to send instead."""
    if reading.how == "negative":
        return _("A negative number cannot be right here. Please give one number, e.g. 3.")
    if reading.how == "range" and reading.low is not None:
        return _("You gave a range (%(low)s to %(high)s). Please give one number, e.g. 3.") % {
            "low": _number_text(reading.low),
            "high": _number_text(reading.high),
        }
    if reading.qualifier:
        return _("You wrote “%(words)s”; the rule needs an exact figure. Please give one number, e.g. 3.") % {
            "words": reading.words
        }
    if reading.unsure and reading.how != "hedge":
        return _("Please give only one number, e.g. 3.")
    return _("Please answer with a number, e.g. 3.")


def _number_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _choice_message(reading: Reading, options: tuple[str, ...], *, several: bool) -> str:
    listed = ", ".join(options)
    if reading.how == "suggestion":
        suggested = reading.value if isinstance(reading.value, str) else ", ".join(reading.value)
        return _("Did you mean “%(option)s”? Please choose one of the options: %(options)s.") % {
            "option": suggested,
            "options": listed,
        }
    if several:
        return _("Please choose one or more of: %(options)s.") % {"options": listed}
    return _("Please choose one of: %(options)s.") % {"options": listed}


def _proposal(reading: Reading) -> tuple[object, str] | None:
    """What a misspelt choice probably meant, to offer back for confirmation."""
    if reading.how == "suggestion" and reading.value:
        return reading.value, reading.how
    return None


def _read_single_choice(spec: QuestionSpec, text: str, items: list[str] | None, raw) -> tuple[str, str]:
    reading = read_choice(text, spec.options, aliases=spec.aliases or None)
    if reading.value is None or reading.unsure:
        # A close misspelling is offered back, never accepted silently.
        raise InvalidAnswer(
            "choice", _choice_message(reading, spec.options, several=False), proposal=_proposal(reading)
        )
    return reading.value, reading.how


def _read_multiple_choice(spec: QuestionSpec, text: str, items: list[str] | None, raw) -> tuple[list[str], str]:
    # Split the raw text, not the collapsed one, so that one option per line works too.
    reading = read_choices(items if items is not None else raw, spec.options, aliases=spec.aliases or None)
    if reading.value is None or reading.unsure:
        proposal = _proposal(reading)
        if proposal is not None:
            proposal = (list(proposal[0]), proposal[1])
        raise InvalidAnswer("choice", _choice_message(reading, spec.options, several=True), proposal=proposal)
    # Already in the question's order, so equal answers compare equal.
    return list(reading.value), reading.how


# One reader per kind of question (``vacancies.rules.KINDS``): (spec, collapsed text, the items of a list
# answer or None, the raw answer) -> (the value, how it was read: ``screening.reading.Reading.how``), or
# ``InvalidAnswer``.
READERS = {
    Kind.TEXT: _read_text,
    Kind.YES_NO: _read_yes_no,
    Kind.NUMBER: _read_number,
    Kind.SINGLE_CHOICE: _read_single_choice,
    Kind.MULTIPLE_CHOICE: _read_multiple_choice,
}


def normalise(spec: QuestionSpec, raw) -> object:
    """Return the answer's value for its kind, or ``None`` for a skipped optional question.

    ``raw`` is the candidate's text; a multiple-choice answer may also be a list
    of options (sent by the chat's buttons). The value is a str (text, single
    choice), a bool (yes/no), a float (number) or a list of options in the
    question's order (multiple choice). The readers of ``screening.reading``
    do the reading (400k, "No problem", "Mосква"); a reading they are unsure
    of ("less than 2 years" against an at-least-2 rule, "не уверен", a range,
    a misspelt option) raises ``InvalidAnswer`` saying what was understood,
    so the candidate is asked again instead of being judged on a misreading.
    Raises ``InvalidAnswer`` when the answer cannot be read as the question's
    kind (or a required one is empty).
    """
    return read_answer(spec, raw)[0]


def read_answer(spec: QuestionSpec, raw) -> tuple[object, str]:
    """``normalise``'s value and how it was read: ``(value, how)``.

    ``how`` is ``screening.reading.Reading.how`` ("literal", "magnitude", "words", "idiom", "folded",
    "alias", "since_year", ...), or "" for a skipped optional question. Raises ``InvalidAnswer`` as
    ``normalise`` does.
    """
    if isinstance(raw, list | tuple):
        items = [_collapse(item) for item in raw if _collapse(item)]
        text = ", ".join(items)
    else:
        text = _collapse(raw or "")
        items = None
    if not text:
        if spec.required:
            raise InvalidAnswer("required", _("This question needs an answer."))
        return None, ""
    reader = READERS.get(spec.kind)
    if reader is None:
        raise InvalidAnswer("kind", _("This question cannot be answered."))
    return reader(spec, text, items, raw)


def _display(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _quoted(words: str) -> str:
    said = _collapse(words or "")
    return said if len(said) <= 80 else said[:79] + "…"


def _in_band(spec: QuestionSpec, value: float) -> bool:
    """A failing number inside the rule's review band (``review_value``): a person decides, not the rule."""
    band = parse_decimal(spec.review_value)
    if band is None:
        return False
    if spec.knockout == Knockout.AT_LEAST:
        return float(band) <= value
    if spec.knockout == Knockout.AT_MOST:
        return value <= float(band)
    return False


def check(spec: QuestionSpec, value, *, words: str = "", unread: bool = False) -> Checked:
    """Apply the knockout rule to a normalised value and give points (0..weight).

    Three outcomes: pass, fail (``passed`` False, with a reason), or needs review (``review`` True, ``passed``
    None, no points, with a reason): a number inside the rule's review band, or ``unread``, an answer the chat
    could not read after a clarification (its ``value`` is None).

    ``words``: the candidate's own answer. A failed rule's reason quotes them beside the value as read when
    the two differ («400k» read as 400000), so a misreading is never hidden behind the value.
    """
    weight = float(spec.weight)
    question = spec.text.rstrip("?:. ")
    if unread:
        return Checked(
            value=None,
            passed=None,
            points=0.0,
            review=True,
            reason=_("%(question)s: “%(words)s” could not be read as an answer; a person should decide.")
            % {"question": question, "words": _quoted(words)},
        )
    if value is None:
        return Checked(value=None, passed=None, points=0.0)

    rule = spec.knockout
    if not rule:
        if spec.kind == "text":
            count = len(str(value).split())
            return Checked(value=value, passed=None, points=weight * min(1.0, count / TEXT_FULL_POINTS_WORDS))
        return Checked(value=value, passed=None, points=weight)

    if rule == "must_equal":
        expected = yes_no_value(spec.knockout_value) == "yes"
        passed = value is expected
        points = weight if passed else 0.0
    elif rule in ("at_least", "at_most"):
        limit = float(parse_decimal(spec.knockout_value) or 0)
        passed = value >= limit if rule == "at_least" else value <= limit
        points = weight if passed else 0.0
    elif rule == "one_of":
        allowed = set(spec.allowed_options)
        chosen = value if isinstance(value, list) else [value]
        hits = [o for o in chosen if o in allowed]
        passed = bool(hits)
        if spec.kind == "multiple_choice":
            # Covering more of the wanted options earns more.
            points = weight * len(hits) / len(allowed) if allowed else 0.0
        else:
            points = weight if passed else 0.0
    else:
        return Checked(value=value, passed=None, points=weight)

    if passed:
        return Checked(value=value, passed=True, points=points)
    need = rule_text(  # the rule in the words the vacancy page uses
        kind=spec.kind, knockout=rule, knockout_value=spec.knockout_value, allowed_options=spec.allowed_options
    )
    shown = _display(value)
    said = _quoted(words)
    facts = {"question": question, "words": said, "answer": shown, "need": need}
    if rule in ("at_least", "at_most") and _in_band(spec, value):
        if said and said.casefold() != shown.casefold():
            reason = _(
                "%(question)s: “%(words)s” read as %(answer)s, close to the rule (%(need)s); a person should decide."
            )
        else:
            reason = _("%(question)s: answered “%(answer)s”, close to the rule (%(need)s); a person should decide.")
        return Checked(value=value, passed=None, points=0.0, reason=reason % facts, review=True)
    if said and said.casefold() != shown.casefold():
        reason = _("%(question)s: “%(words)s” read as %(answer)s, %(need)s.") % facts
    else:
        reason = _("%(question)s: answered “%(answer)s”, %(need)s.") % facts
    return Checked(value=value, passed=False, points=points, reason=reason)


# Readings shown to the candidate as they wrote them: no read-back needed (case, punctuation, look-alike letters).
LITERAL_READINGS = frozenset({"", "literal", "folded", "phrase"})


def implausible(spec: QuestionSpec, value) -> bool:
    """A number that is not what the question asks for, read literally all the same: more than
    ``PLAUSIBLE_YEARS`` years (or that many years in months), or a hundred times off the rule's limit either
    way ("400" against at most 350000, "2019" years). Read back, never asked again: it may be right."""
    if not isinstance(value, float | int) or isinstance(value, bool):
        return False
    number = Decimal(str(value))
    if spec.unit == Unit.YEARS and number > PLAUSIBLE_YEARS:
        return True
    if spec.unit == Unit.MONTHS and number > PLAUSIBLE_YEARS * 12:
        return True
    limit = parse_decimal(spec.knockout_value) if spec.knockout in (Knockout.AT_LEAST, Knockout.AT_MOST) else None
    if limit is None or limit <= 0 or number <= 0:
        return False
    return number * PLAUSIBLE_SCALE < limit or number > limit * PLAUSIBLE_SCALE


def needs_read_back(how: str, checked: Checked, *, spec: QuestionSpec | None = None) -> bool:
    """Whether the chat reads the value back for confirmation before it is scored.

    Whenever it was not read literally (``how`` outside ``LITERAL_READINGS``: "400k", "no problem", "Питер",
    "since 2019", "yes, but...", "5000 USD"), whenever the number is ``implausible`` for ``spec`` ("400" roubles
    against 350000), and always before an answer fails a knockout or goes to review.
    """
    if how not in LITERAL_READINGS or checked.passed is False or checked.review:
        return True
    return spec is not None and implausible(spec, checked.value)


def _value_words(spec: QuestionSpec, value, *, currency: str = "") -> str:
    """The value as the read-back says it: "400 000 ₽ a month", "2.5 years", "yes", "Санкт-Петербург"."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float | int):
        exact = Decimal(str(value)).normalize()
        number = number_format(exact, force_grouping=True)
        whole = exact == exact.to_integral_value()
        if spec.unit == Unit.YEARS:
            if whole:
                return ngettext("%(number)s year", "%(number)s years", int(exact)) % {"number": number}
            return pgettext("a fraction of", "%(number)s years") % {"number": number}
        if spec.unit == Unit.MONTHS:
            if whole:
                return ngettext("%(number)s month", "%(number)s months", int(exact)) % {"number": number}
            return pgettext("a fraction of", "%(number)s months") % {"number": number}
        if spec.unit == Unit.MONEY_MONTH:
            return _("%(number)s %(currency)s a month") % {"number": number, "currency": currency}
        return number
    return _display(value)


def read_back_text(spec: QuestionSpec, value, *, words: str, how: str, currency: str = "") -> str:
    """The bot's read-back of an answer, ending in a yes/no question, in the active language.

    ``value``: the value as read (``read_answer``), ``words``: the candidate's text, ``how``: how it was read
    ("suggestion" for a misspelt option offered back), ``currency``: the vacancy's currency sign or code, for
    money questions.
    """
    understood = _value_words(spec, value, currency=currency)
    said = _quoted(words)
    if how == "suggestion":
        return _("Did you mean “%(value)s”?") % {"value": understood}
    if how in LITERAL_READINGS or not said or said.casefold() == understood.casefold():
        return _("Just to be sure before I note it: your answer is “%(value)s”. Is that right?") % {"value": understood}
    return _("You wrote “%(words)s”: I understood %(value)s. Is that right?") % {"words": said, "value": understood}


def relevance_score(results: list[tuple[QuestionSpec, Checked]]) -> int:
    """Weighted share of points, 0-100. A script with no weight scores 100."""
    total = sum(spec.weight for spec, _checked in results)
    if total <= 0:
        return 100
    earned = sum(min(checked.points, spec.weight) for spec, checked in results)
    # Half up, as people round (Python's round() would turn 62.5 into 62).
    return max(0, min(100, math.floor(100 * earned / total + 0.5)))


def outcome(results: list[tuple[QuestionSpec, Checked]], *, threshold: int) -> Outcome:
    """Score and status of a finished screening.

    Any failed knockout rule rejects, with every failed rule as a reason. Otherwise any answer that needs
    review makes the whole response "needs_review" (never rejected automatically, whatever the score: its
    unsettled answers earned no points). Otherwise the response passes when its score reaches the threshold.
    """
    score = relevance_score(results)
    reasons = [checked.reason for _spec, checked in results if checked.passed is False]
    review = [checked.reason for _spec, checked in results if checked.review]
    if reasons:
        return Outcome(status="rejected", score=score, reasons=reasons, review_reasons=review)
    if review:
        return Outcome(status="needs_review", score=score, review_reasons=review)
    if score < threshold:
        return Outcome(
            status="rejected",
            score=score,
            reasons=[
                _("Relevance score %(score)d is below the pass threshold %(threshold)d.")
                % {"score": score, "threshold": threshold}
            ],
        )
    return Outcome(status="passed", score=score, reasons=[])
