"""Funnel analytics of a company or of one vacancy over a period (docs/analytics.md defines every figure).

Every figure is aggregated in the database, over the *cohort*: the applications (``Response``) made in the period
(dates in the company's time zone), erased ones left out. ``analytics_report`` makes a fixed number of queries
whatever the number of applications (``QUERIES``); medians use PostgreSQL's ``percentile_cont`` (``Median``),
and on SQLite (the demo) the durations of one query are reduced in Python.
"""

from __future__ import annotations

import statistics
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Aggregate, Count, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from vacancies import rules
from vacancies.models import ScreeningQuestion, Vacancy

from .models import Answer, ChatMessage, ChatSession, Evaluation, QuestionEvent, Response, StatusChange
from .selectors import MOVED_ON, TURNED_DOWN

# SELECTs ``analytics_report`` makes, whatever the data (pinned by the tests); on PostgreSQL one ``SET LOCAL``
# too, inside the transaction it opens.
QUERIES = 11
# The longest period a report covers (a bound on what one request may ask the database for).
MAX_DAYS = 3 * 366 + 1
# The dates a period may name (far from ``date.min``/``date.max``, whose neighbours overflow).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

# The later stages of the pipeline in order: a stage counts as reached when the application is in it or in a
# later one now, or went through any of them at some point (``StatusChange``).
LATER_STAGES = (
    Response.Status.SHORTLISTED,
    Response.Status.INTERVIEW,
    Response.Status.OFFER,
    Response.Status.HIRED,
)
VERDICTS = (Response.Status.PASSED, Response.Status.NEEDS_REVIEW, Response.Status.REJECTED)
FUNNEL = ("applied", "chat_started", "finished", *VERDICTS, *LATER_STAGES)
EVENT_KINDS = (QuestionEvent.Kind.CLARIFICATION, QuestionEvent.Kind.READ_BACK, QuestionEvent.Kind.CORRECTION)
RECOMMENDATIONS = ("advance", "hold", "reject")


class Seconds(Func):
    """``end - start`` in seconds (a float), for two datetime expressions."""

    output_field = FloatField()
    arity = 2
    arg_joiner = " - "
    template = "CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of the (non-null) values, interpolated."""

    function = "percentile_cont"
    name = "Median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass(frozen=True)
class Period:
    """Dates ``start`` to ``end`` inclusive, in the time zone ``zone`` (the company's)."""

    start: date
    end: date
    zone: zoneinfo.ZoneInfo

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The aware datetimes [from, until): midnight of ``start`` to midnight after ``end``, in ``zone``."""
        since = datetime.combine(self.start, time.min, tzinfo=self.zone)
        until = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)
        return since, until


def company_zone(company) -> zoneinfo.ZoneInfo:
    """``company.time_zone`` as a zone; UTC for a name this machine does not know."""
    try:
        return zoneinfo.ZoneInfo(company.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo("UTC")


def period_for(*, company, start: date | None = None, end: date | None = None, days: int = 30) -> Period:
    """The period ``start`` to ``end`` in the company's zone; a missing end is ``days`` after the start (today
    without either), a missing start ``days`` before the end. Raises ``ValidationError`` for an end before the
    start or a period longer than ``MAX_DAYS``."""
    zone = company_zone(company)
    if any(day is not None and not EARLIEST <= day <= LATEST for day in (start, end)):
        raise ValidationError(_("Choose dates from 2000 to 2100."), code="period_out_of_range")
    if end is None:
        end = timezone.now().astimezone(zone).date() if start is None else start + timedelta(days=days - 1)
    if start is None:
        start = end - timedelta(days=days - 1)
    if start > end:
        raise ValidationError(_("The period must not end before it starts."), code="period_reversed")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(_("A period can be at most three years long."), code="period_too_long")
    return Period(start=start, end=end, zone=zone)


def default_period(company, *, days: int = 30) -> Period:
    """The last ``days`` days up to today, in the company's zone."""
    zone = company_zone(company)
    today = timezone.now().astimezone(zone).date()
    return Period(start=today - timedelta(days=days - 1), end=today, zone=zone)


@dataclass
class QuestionRow:
    """One question's figures; ``label`` names it (with the vacancy's title in a company report)."""

    question_id: int
    label: str
    position: int
    reached: int = 0  # answered it, or stopped while it was awaited
    answered: int = 0
    stopped: int = 0  # unfinished chats whose awaited question it is
    events: dict = field(default_factory=dict)  # kind -> applications with at least one such event
    timed: int = 0  # answers whose question message is in the transcript
    median_answer_seconds: float | None = None

    @property
    def dropoff_rate(self) -> float | None:
        return _rate(self.stopped, self.reached)

    def event_rate(self, kind: str) -> float | None:
        return _rate(self.events.get(kind, 0), self.reached)


@dataclass
class RuleRow:
    """Answers judged by one rule (one version of a question's knockout rule)."""

    question_id: int
    label: str
    rule: str
    judged: int
    failed: int
    review: int

    @property
    def knockout_rate(self) -> float | None:
        return _rate(self.failed, self.judged)


@dataclass
class SourceRow:
    source: str
    label: str
    applied: int
    finished: int
    passed: int
    hired: int


@dataclass
class AgreementRow:
    """Applications the AI advised ``recommendation`` on, by the recruiters' decision (current status)."""

    recommendation: str
    label: str
    moved_on: int
    declined: int
    undecided: int


@dataclass
class Report:
    """What ``analytics_report`` returns; ``vacancy`` None for the whole company."""

    company: object
    vacancy: Vacancy | None
    period: Period
    funnel: dict[str, int]
    questions: list[QuestionRow]
    stopped_after_last: int
    rules: list[RuleRow]
    sources: list[SourceRow]
    agreement: list[AgreementRow]
    finish_median_seconds: float | None
    finished_timed: int
    decision_median_seconds: float | None
    decided: int

    @property
    def agreed(self) -> int:
        return sum(row.moved_on for row in self.agreement if row.recommendation == "advance") + sum(
            row.declined for row in self.agreement if row.recommendation == "reject"
        )

    @property
    def advised_decided(self) -> int:
        return sum(row.moved_on + row.declined for row in self.agreement)

    @property
    def agreement_rate(self) -> float | None:
        return _rate(self.agreed, self.advised_decided)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def cohort(*, company, vacancy: Vacancy | None, period: Period) -> QuerySet:
    """The applications the report counts: ``company``'s (one ``vacancy``'s if given), made in ``period``,
    not erased. No ordering (aggregates group by nothing else)."""
    since, until = period.bounds
    responses = Response.objects.filter(
        vacancy__company=company, erased_at__isnull=True, created_at__gte=since, created_at__lt=until
    )
    if vacancy is not None:
        responses = responses.filter(vacancy=vacancy)
    return responses.order_by()


def _reached(stage: str) -> Q:
    later = LATER_STAGES[LATER_STAGES.index(stage) :]
    went = StatusChange.objects.filter(response=OuterRef("pk"), to_status__in=later)
    return Q(status__in=later) | Q(Exists(went))


def funnel_counts(responses: QuerySet) -> dict[str, int]:
    """``{stage: applications}`` for ``FUNNEL`` in one query."""
    figures = {
        "applied": Count("pk"),
        "chat_started": Count("pk", filter=Q(chat__isnull=False)),
        "finished": Count("pk", filter=Q(completed_at__isnull=False)),
    }
    figures |= {verdict: Count("pk", filter=Q(screening_verdict=verdict)) for verdict in VERDICTS}
    figures |= {stage: Count("pk", filter=_reached(stage)) for stage in LATER_STAGES}
    return responses.aggregate(**figures)


def _medians(queryset: QuerySet, key: str | None, seconds) -> dict:
    """``{key value: (count, median seconds)}`` of ``seconds`` over ``queryset`` grouped by ``key`` (one group
    ``None`` without a key); rows whose ``seconds`` is null are left out. One query."""
    rows = queryset.annotate(_seconds=seconds).filter(_seconds__isnull=False)
    if connection.vendor == "postgresql":
        if key is None:
            result = rows.aggregate(n=Count("pk"), m=Median("_seconds"))
            return {None: (result["n"], result["m"])} if result["n"] else {}
        grouped = rows.values(key).annotate(n=Count("pk"), m=Median("_seconds")).values_list(key, "n", "m")
        return {group: (n, median) for group, n, median in grouped}
    values = defaultdict(list)
    for group, value in rows.values_list(key or "pk", "_seconds"):
        values[group if key else None].append(value)
    return {group: (len(items), statistics.median(items)) for group, items in values.items()}


def _question_label(question: dict, company_wide: bool) -> str:
    text = question["text"]
    return f"{question['vacancy__title']}: {text}" if company_wide else text


def question_rows(*, responses: QuerySet, company, vacancy: Vacancy | None) -> tuple[list[QuestionRow], int]:
    """Per question of the vacancy (of every vacancy of the company): reached, answered, stopped there, events,
    median time to answer; and the unfinished chats with every question answered. Five queries."""
    questions = ScreeningQuestion.objects.filter(vacancy__company=company)
    if vacancy is not None:
        questions = questions.filter(vacancy=vacancy)
    listed = questions.order_by("vacancy__title", "vacancy_id", "position", "pk").values(
        "pk", "text", "position", "vacancy__title"
    )
    rows = {q["pk"]: QuestionRow(q["pk"], _question_label(q, vacancy is None), q["position"]) for q in listed}

    answers = Answer.objects.filter(response__in=responses).order_by()
    for question_id, n in answers.values("question_id").annotate(n=Count("pk")).values_list("question_id", "n"):
        if question_id in rows:
            rows[question_id].answered = n

    # The awaited question, as the chat finds it (``chat.services.base.current_question``): the first of the
    # vacancy's questions, by position, that the application has no answer to.
    awaited = (
        ScreeningQuestion.objects.filter(vacancy_id=OuterRef("vacancy_id"))
        .exclude(Exists(Answer.objects.filter(response_id=OuterRef(OuterRef("pk")), question_id=OuterRef("pk"))))
        .order_by("position", "pk")
        .values("pk")[:1]
    )
    stopped = responses.filter(chat__isnull=False, completed_at__isnull=True).annotate(awaited=Subquery(awaited))
    after_last = 0
    for question_id, n in stopped.values("awaited").annotate(n=Count("pk")).values_list("awaited", "n"):
        if question_id is None:
            after_last += n
        elif question_id in rows:
            rows[question_id].stopped = n

    events = (
        QuestionEvent.objects.filter(response__in=responses, kind__in=EVENT_KINDS)
        .order_by()
        .values("question_id", "kind")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "kind", "n")
    )
    for question_id, kind, n in events:
        if question_id in rows:
            rows[question_id].events[kind] = n

    for question_id, (n, median) in answer_time_medians(responses).items():
        if question_id in rows:
            rows[question_id].timed, rows[question_id].median_answer_seconds = n, median

    for row in rows.values():
        row.reached = row.answered + row.stopped
    return list(rows.values()), after_last


def answer_time_medians(responses: QuerySet) -> dict[int, tuple[int, float]]:
    """``{question id: (answers timed, median seconds)}``: from the bot first asking a question in the chat (its
    earliest bot ``ChatMessage`` naming the question) to the answer's ``created_at``. One query.

    Hand-written (docs/benchmarks.md, funnel analytics): the ORM's form, a correlated subquery per answer, took
    seconds over 100,000 applications; this groups the bot's messages once and joins them to the answers. The
    names come from the models' metadata; the cohort is the ORM's own SQL.
    """
    cohort_sql, params = responses.values("pk").query.sql_with_params()
    message, session, answer = ChatMessage._meta, ChatSession._meta, Answer._meta

    def column(meta, name):
        return connection.ops.quote_name(meta.get_field(name).column)

    if connection.vendor == "postgresql":
        seconds = "EXTRACT(EPOCH FROM (a.{c} - asked.at))"
    else:
        seconds = "ROUND((julianday(a.{c}) - julianday(asked.at)) * 86400.0, 3)"
    seconds = seconds.format(c=column(answer, "created_at"))
    asked = (
        f"SELECT s.{column(session, 'response')} AS response_id, m.{column(message, 'question')} AS question_id, "  # noqa: S608 (names from the models' metadata)
        f"MIN(m.{column(message, 'created_at')}) AS at "
        f"FROM {connection.ops.quote_name(message.db_table)} m JOIN {connection.ops.quote_name(session.db_table)} s "
        f"ON s.{column(session, 'id')} = m.{column(message, 'session')} "
        f"WHERE m.{column(message, 'sender')} = %s AND m.{column(message, 'question')} IS NOT NULL "
        f"AND s.{column(session, 'response')} IN ({cohort_sql}) "
        f"GROUP BY 1, 2"
    )
    joined = (
        f"FROM {connection.ops.quote_name(answer.db_table)} a JOIN ({asked}) asked "
        f"ON asked.response_id = a.{column(answer, 'response')} AND asked.question_id = a.{column(answer, 'question')}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT asked.question_id, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY {seconds}) "
                f"{joined} GROUP BY asked.question_id",
                [ChatMessage.Sender.BOT, *params],
            )
            return {question_id: (n, float(median)) for question_id, n, median in cursor.fetchall()}
        cursor.execute(f"SELECT asked.question_id, {seconds} {joined}", [ChatMessage.Sender.BOT, *params])
        values = defaultdict(list)
        for question_id, value in cursor.fetchall():
            values[question_id].append(value)
    return {question_id: (len(items), statistics.median(items)) for question_id, items in values.items()}


def rule_rows(*, responses: QuerySet, labels: dict[int, str]) -> list[RuleRow]:
    """Per question and rule version (``Answer.rule``): answers judged, failed (``passed`` False), sent to review.
    One query."""
    judged = Q(passed__isnull=False) | Q(needs_review=True)
    grouped = (
        Answer.objects.filter(judged, response__in=responses)
        .order_by()
        .values("question_id", "rule")
        .annotate(
            judged=Count("pk"),
            failed=Count("pk", filter=Q(passed=False)),
            review=Count("pk", filter=Q(needs_review=True)),
        )
    )
    rows = []
    for row in grouped:
        rule = row["rule"] or {}
        text = rules.rule_text(
            kind=rule.get("kind", ""),
            knockout=rule.get("knockout", ""),
            knockout_value=rule.get("knockout_value", ""),
            allowed_options=rule.get("allowed_options", []),
            review_value=rule.get("review_value", ""),
        )
        label = labels.get(row["question_id"], f"#{row['question_id']}")
        rows.append(RuleRow(row["question_id"], label, text, row["judged"], row["failed"], row["review"]))
    order = {question_id: index for index, question_id in enumerate(labels)}
    return sorted(rows, key=lambda r: (order.get(r.question_id, len(order)), r.rule))


def source_rows(responses: QuerySet) -> list[SourceRow]:
    """Per ``Response.source``: applied, finished the screening, passed it, reached "hired". One query."""
    grouped = (
        responses.values("source")
        .annotate(
            applied=Count("pk"),
            finished=Count("pk", filter=Q(completed_at__isnull=False)),
            passed=Count("pk", filter=Q(screening_verdict=Response.Status.PASSED)),
            hired=Count("pk", filter=_reached(Response.Status.HIRED)),
        )
        .order_by("source")
    )
    labels = dict(Response.Source.choices)
    return [
        SourceRow(row["source"], str(labels.get(row["source"], row["source"])), *(row[k] for k in SOURCE_FIELDS))
        for row in grouped
    ]


SOURCE_FIELDS = ("applied", "finished", "passed", "hired")


def agreement_rows(responses: QuerySet) -> list[AgreementRow]:
    """Per AI recommendation: moved on by a recruiter (``MOVED_ON``), declined (``TURNED_DOWN``), undecided. One
    query; the same decisions as ``screening.selectors.ai_calibration``."""
    grouped = (
        responses.filter(ai_recommendation__in=RECOMMENDATIONS)
        .values("ai_recommendation")
        .annotate(
            moved_on=Count("pk", filter=Q(status__in=MOVED_ON)),
            declined=Count("pk", filter=Q(status__in=TURNED_DOWN)),
            all=Count("pk"),
        )
        .order_by()
    )
    found = {row["ai_recommendation"]: row for row in grouped}
    labels = dict(Evaluation.Recommendation.choices)
    rows = []
    for recommendation in RECOMMENDATIONS:
        row = found.get(recommendation, {"moved_on": 0, "declined": 0, "all": 0})
        undecided = row["all"] - row["moved_on"] - row["declined"]
        rows.append(
            AgreementRow(recommendation, str(labels[recommendation]), row["moved_on"], row["declined"], undecided)
        )
    return rows


def analytics_report(*, company, vacancy: Vacancy | None = None, period: Period) -> Report:
    """Every figure of docs/analytics.md for ``company``'s applications (``vacancy``'s only, if given) made in
    ``period``. ``QUERIES`` queries. The caller checked that ``vacancy`` belongs to ``company``."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # JIT compiling these plans cost about 0.5 s per query, more than running most of them
            # (docs/benchmarks.md, funnel analytics); SET LOCAL ends with this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return _report(company=company, vacancy=vacancy, period=period)


def _report(*, company, vacancy: Vacancy | None, period: Period) -> Report:
    responses = cohort(company=company, vacancy=vacancy, period=period)
    funnel = funnel_counts(responses)
    questions, after_last = question_rows(responses=responses, company=company, vacancy=vacancy)
    labels = {row.question_id: row.label for row in questions}
    finish = _medians(
        responses.filter(chat__finished_at__isnull=False), None, Seconds(F("chat__finished_at"), F("chat__started_at"))
    )
    first_decision = (
        StatusChange.objects.filter(response=OuterRef("pk"), actor__isnull=False)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    decision = _medians(responses, None, Seconds(Subquery(first_decision), F("created_at")))
    finished_timed, finish_median = finish.get(None, (0, None))
    decided, decision_median = decision.get(None, (0, None))
    return Report(
        company=company,
        vacancy=vacancy,
        period=period,
        funnel=funnel,
        questions=questions,
        stopped_after_last=after_last,
        rules=rule_rows(responses=responses, labels=labels),
        sources=source_rows(responses),
        agreement=agreement_rows(responses),
        finish_median_seconds=finish_median,
        finished_timed=finished_timed,
        decision_median_seconds=decision_median,
        decided=decided,
    )
