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
from django.db.models import Aggregate, Count, F, FloatField, Func, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vacancies import rules
from vacancies.models import ScreeningQuestion, Vacancy

from .models import Answer, ChatMessage, ChatSession, Evaluation, QuestionEvent, Response, StatusChange
from .selectors import MOVED_ON, TURNED_DOWN

# SELECTs ``analytics_report`` makes, whatever the data (pinned by the tests); on PostgreSQL three ``SET LOCAL``
# too (JIT, ``work_mem``, parallel workers), inside the transaction it opens.
QUERIES = 11
# PostgreSQL's memory per sort or hash of the report's queries (``SET LOCAL``, this transaction only).
REPORT_WORK_MEM = "64MB"
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


def _reached(stage: str, responses: QuerySet) -> Q:
    """In ``stage`` or a later one now, or went to one of them at some point (a status change of ``responses``).

    The history is an uncorrelated ``IN`` (PostgreSQL hashes its few ids once): the correlated ``EXISTS`` it
    replaced probed the history's index once per application and stage (docs/benchmarks.md, funnel analytics).
    """
    later = LATER_STAGES[LATER_STAGES.index(stage) :]
    went = StatusChange.objects.filter(to_status__in=later, response__in=responses.values("pk")).values("response_id")
    return Q(status__in=later) | Q(pk__in=went)


def funnel_counts(responses: QuerySet) -> dict[str, int]:
    """``{stage: applications}`` for ``FUNNEL`` in one query."""
    figures = {
        "applied": Count("pk"),
        "chat_started": Count("pk", filter=Q(chat__isnull=False)),
        "finished": Count("pk", filter=Q(completed_at__isnull=False)),
    }
    figures |= {verdict: Count("pk", filter=Q(screening_verdict=verdict)) for verdict in VERDICTS}
    figures |= {stage: Count("pk", filter=_reached(stage, responses)) for stage in LATER_STAGES}
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

    awaited, after_last = stopped_counts(responses)
    for question_id, n in awaited.items():
        if question_id in rows:
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


def _column(meta, name: str) -> str:
    return connection.ops.quote_name(meta.get_field(name).column)


def stopped_counts(responses: QuerySet) -> tuple[dict[int, int], int]:
    """The unfinished chats of ``responses`` (chat started, screening not finished) by the question awaited:
    ``({question id: chats}, chats with every question answered)``. One query.

    The awaited question, as the chat finds it (``chat.services.base.current_question``): the first of the
    vacancy's questions, by position, that the application has no answer to. Hand-written as one set (each
    unfinished chat's unanswered questions, numbered by position): the ORM's correlated subquery per chat took
    over a second for 20,000 of them (docs/benchmarks.md, funnel analytics). Names from the models' metadata.
    """
    stopped_sql, params = (
        responses.filter(chat__isnull=False, completed_at__isnull=True).values("id", "vacancy_id").query
    ).sql_with_params()
    question, answer = ScreeningQuestion._meta, Answer._meta
    # A CTE read twice is computed once: one scan of the cohort (inside a SELECT, as every query of the report).
    sql = (
        f"SELECT * FROM (WITH s AS ({stopped_sql}) "  # noqa: S608 (names from the models' metadata)
        "SELECT -1, COUNT(*) FROM s "
        "UNION ALL "
        "SELECT waiting.question_id, COUNT(*) FROM ("
        f"SELECT q.{_column(question, 'id')} AS question_id, ROW_NUMBER() OVER ("
        f"PARTITION BY s.id ORDER BY q.{_column(question, 'position')}, q.{_column(question, 'id')}) AS n "
        f"FROM s JOIN {connection.ops.quote_name(question.db_table)} q "
        f"ON q.{_column(question, 'vacancy')} = s.vacancy_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM {connection.ops.quote_name(answer.db_table)} a "
        f"WHERE a.{_column(answer, 'response')} = s.id "
        f"AND a.{_column(answer, 'question')} = q.{_column(question, 'id')})"
        ") waiting WHERE waiting.n = 1 GROUP BY waiting.question_id) stopped"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = dict(cursor.fetchall())
    everyone = counts.pop(-1, 0)
    return counts, everyone - sum(counts.values())


def answer_time_medians(responses: QuerySet) -> dict[int, tuple[int, float]]:
    """``{question id: (answers timed, median seconds)}``: from the bot first asking a question in the chat (its
    earliest bot ``ChatMessage`` naming the question) to the answer's ``created_at``. One query.

    Hand-written (docs/benchmarks.md, funnel analytics): the ORM's form, a correlated subquery per answer, took
    seconds over 100,000 applications; this groups the bot's messages once and joins them to the answers. The
    names come from the models' metadata; the cohort is the ORM's own SQL.
    """
    cohort_sql, params = responses.values("pk").query.sql_with_params()
    message, session, answer = ChatMessage._meta, ChatSession._meta, Answer._meta

    column = _column
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


def decision_median(responses: QuerySet) -> tuple[int, float | None]:
    """``(applications decided, median seconds)`` from the application to its first status change made by a
    person (``actor`` set). One query: the cohort joined to the people's changes, grouped by application (the
    earliest change each), then the median over those groups; a correlated subquery per application took
    seconds."""
    # Filtered before annotated: the minimum is over the people's changes only (one join, one cohort scan).
    first = (
        responses.filter(history__actor__isnull=False)
        .values("pk")
        .annotate(_seconds=Seconds(Min("history__created_at"), Min("created_at")))
    )
    if connection.vendor == "postgresql":
        result = first.aggregate(n=Count("pk"), m=Median("_seconds"))
        return (result["n"], result["m"]) if result["n"] else (0, None)
    values = [value for value in first.values_list("_seconds", flat=True) if value is not None]
    return (len(values), statistics.median(values)) if values else (0, None)


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
            hired=Count("pk", filter=_reached(Response.Status.HIRED, responses)),
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
            # SET LOCAL ends with this transaction (docs/benchmarks.md, funnel analytics). JIT compiling these
            # plans cost about 0.5 s per query, more than running most of them. The median time to answer
            # groups every bot question message of the period (372,000 for 100,000 applications): at the
            # default 4 MB its hash aggregate and join spilled to disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
                # A parallel plan ran its hash joins and aggregates over the cohort once per worker (the hashed
                # subqueries and the grouped bot messages are not parallel-aware): three times the work for the
                # same answer on two cores.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _report(company=company, vacancy=vacancy, period=period)


def _report(*, company, vacancy: Vacancy | None, period: Period) -> Report:
    responses = cohort(company=company, vacancy=vacancy, period=period)
    funnel = funnel_counts(responses)
    questions, after_last = question_rows(responses=responses, company=company, vacancy=vacancy)
    labels = {row.question_id: row.label for row in questions}
    finish = _medians(
        responses.filter(chat__finished_at__isnull=False), None, Seconds(F("chat__finished_at"), F("chat__started_at"))
    )
    finished_timed, finish_median = finish.get(None, (0, None))
    decided, decision_seconds = decision_median(responses)
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
        decision_median_seconds=decision_seconds,
        decided=decided,
    )
