"""Reads of responses, always scoped to a company."""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from vacancies.models import Vacancy

from . import ai
from .models import Answer, Booking, InterviewSlot, Note, Response, StatusChange, Tag

# Sort keys the responses table accepts, mapped to an ordering. Missing scores
# sort last either way, and the id breaks ties so pages never overlap.
RESPONSE_SORTS = {
    "-date": (F("created_at").desc(), F("id").desc()),
    "date": (F("created_at").asc(), F("id").asc()),
    "-score": (F("score").desc(nulls_last=True), F("id").desc()),
    "score": (F("score").asc(nulls_last=True), F("id").asc()),
    "-ai_score": (F("ai_score").desc(nulls_last=True), F("id").desc()),
    "ai_score": (F("ai_score").asc(nulls_last=True), F("id").asc()),
}
DEFAULT_RESPONSE_SORT = "-date"


def response_get_for_user(*, user, pk) -> Response:
    """The response if its vacancy belongs to the user's company; 404 otherwise."""
    return get_object_or_404(
        Response.objects.select_related("vacancy", "vacancy__company", "candidate"),
        pk=pk,
        vacancy__company_id=user.company_id,
    )


def booking_get_for_user(*, user, pk: int) -> Booking:
    """The interview booking if it belongs to the user's company; ``Http404`` otherwise."""
    return get_object_or_404(
        Booking.objects.select_related("slot", "slot__vacancy", "response"), pk=pk, company_id=user.company_id
    )


def slot_get_for_user(*, user, pk: int) -> InterviewSlot:
    """The interview slot if it belongs to the user's company; ``Http404`` otherwise."""
    return get_object_or_404(InterviewSlot.objects.select_related("vacancy"), pk=pk, company_id=user.company_id)


def response_get_for_page(*, user, pk) -> Response:
    """The response with everything its page shows, in a fixed number of queries; 404 outside the company.

    Answers come with their questions, the history with its actors, the notes
    with their authors, the chat (if any) with its messages and their authors,
    the questions the candidate asked the bot, and the evaluations (the page
    shows the latest); joined, the job board's response behind it (with its connection) and its Telegram
    thread, for the sources panel and ``response_possible_duplicates``.
    """
    queryset = Response.objects.select_related(
        "vacancy",
        "vacancy__company",
        "candidate",
        "chat",
        "chat__taken_over_by",
        # The sources panel and the possible duplicates (issue 16); one-to-one, so joined, not prefetched.
        "board_application__connection",
        "telegram",
    ).prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question")),
        Prefetch("history", queryset=StatusChange.objects.select_related("actor")),
        Prefetch("notes", queryset=Note.objects.select_related("author")),
        "chat__messages__author",
        "asked_questions",
        "evaluations",
    )
    return get_object_or_404(queryset, pk=pk, vacancy__company_id=user.company_id)


def response_list(*, company):
    """The company's responses with what a table row shows, in one query."""
    return Response.objects.filter(vacancy__company=company).select_related("vacancy")


def response_table(
    *,
    company,
    vacancy: Vacancy | None = None,
    status: str = "",
    screening: str = "",
    min_score: int | None = None,
    sort: str = DEFAULT_RESPONSE_SORT,
    tag=None,
):
    """The responses table: the company's responses filtered and sorted, one query per page (and one for the
    page's tags). ``tag`` (one of the company's ``Tag``s) keeps the responses that have it.

    ``status`` matches the current status; ``screening`` ("passed", "rejected" or "needs_review") the
    screening's verdict whatever was decided after it (the response's history went to that status once).

    ``vacancy`` must already be one of the company's (the filter form checks);
    it is matched together with the company, so a foreign one yields nothing.
    """
    queryset = (
        response_list(company=company)
        .select_related("chat")
        .defer("resume_text", "resume_hidden_text")
        .annotate(
            has_duplicate=response_duplicate_flag(company_id=company.pk),
            has_hidden_text=Case(When(resume_hidden_text="", then=Value(False)), default=Value(True)),
        )
    )
    if vacancy is not None:
        queryset = queryset.filter(vacancy=vacancy)
    if status:
        queryset = queryset.filter(status=status)
    if screening:
        queryset = queryset.filter(screening_verdict=screening)
    if min_score is not None:
        queryset = queryset.filter(score__gte=min_score)
    if tag is not None:
        queryset = queryset.filter(tags=tag)
    queryset = queryset.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    return queryset.order_by(*RESPONSE_SORTS.get(sort, RESPONSE_SORTS[DEFAULT_RESPONSE_SORT]))


def response_filter_vacancies(*, company):
    """The vacancies the responses table can be filtered by: the company's own."""
    return Vacancy.objects.filter(company=company).only("id", "title", "company_id").order_by("title", "id")


# Why another candidate's application may be the same person (``response_possible_duplicates`` annotates one
# ``same_<reason>`` flag per reason; the response page says them). Email is not here: it is what makes one
# candidate, so two candidates never share it.
DUPLICATE_REASONS = ("phone", "hh_resume", "telegram")


def _same_person_conditions(*, phone_e164, resume_id, telegram_user_id) -> dict[str, Q]:
    """Per reason (``DUPLICATE_REASONS``), the condition another application meets when it may be the same person:
    the same E.164 phone, the same hh.ru resume (``BoardApplication.resume_id``), the same Telegram account
    (``TelegramLink.user_id``). The values are this application's, or ``OuterRef``s to it.

    Blanks never match: a blank value gives no condition, and the other side must be non-blank (SQL's ``=``
    never holds for NULL, so an ``OuterRef`` to a missing resume or Telegram link matches nothing either).
    """
    conditions = {}
    if isinstance(phone_e164, OuterRef) or phone_e164:
        conditions["phone"] = Q(phone_e164=phone_e164, phone_e164__gt="")
    if isinstance(resume_id, OuterRef) or resume_id:
        conditions["hh_resume"] = Q(board_application__resume_id=resume_id, board_application__resume_id__gt="")
    if isinstance(telegram_user_id, OuterRef) or telegram_user_id is not None:
        conditions["telegram"] = Q(telegram__user_id=telegram_user_id, telegram__user_id__isnull=False)
    return conditions


def _other_candidates_live(*, company_id, candidate_id):
    """Live applications in the company of candidates other than ``candidate_id`` (a value or an ``OuterRef``)."""
    return Response.objects.filter(vacancy__company_id=company_id, erased_at__isnull=True).exclude(
        candidate_id=candidate_id
    )


def response_duplicate_flag(*, company_id: int):
    """A boolean expression for a queryset of ``company_id``'s responses: True when another candidate's live
    application in the company may be the same person (``_same_person_conditions``), as the OR of one ``Exists``
    per reason, each served by an index (phone, ``resume_id``, ``user_id``).

    Each ``Exists`` runs only for a row that has the value it compares (a ``CASE``, whose order PostgreSQL keeps):
    a blank phone or a missing resume or Telegram link otherwise still ran its subquery, which walked every
    application of the company (measured: 55 ms of a 25-row page at 2,000 applications, docs/benchmarks.md)."""
    others = _other_candidates_live(company_id=company_id, candidate_id=OuterRef("candidate_id"))
    conditions = _same_person_conditions(
        phone_e164=OuterRef("phone_e164"),
        resume_id=OuterRef("board_application__resume_id"),
        telegram_user_id=OuterRef("telegram__user_id"),
    )
    has_value = {
        "phone": Q(phone_e164__gt=""),
        "hh_resume": Q(board_application__resume_id__isnull=False, board_application__resume_id__gt=""),
        "telegram": Q(telegram__user_id__isnull=False),
    }
    flag = Q()
    for reason, condition in conditions.items():
        flag |= Q(Case(When(has_value[reason], then=Exists(others.filter(condition))), default=Value(False)))
    return ExpressionWrapper(flag, output_field=BooleanField())


def response_possible_duplicates(*, response: Response):
    """Other live applications in the company that may be the same person under another candidate (another email,
    or none): the same phone, hh.ru resume or Telegram account (``_same_person_conditions``). Never merged, only
    shown to the recruiter. Each row has ``same_phone``, ``same_hh_resume`` and ``same_telegram`` (True when that
    is why it matched), and its vacancy; newest first. One query when ``response`` was read with its
    ``board_application`` and ``telegram`` (``response_get_for_page``)."""
    board_application = getattr(response, "board_application", None)
    telegram = getattr(response, "telegram", None)
    conditions = _same_person_conditions(
        phone_e164=response.phone_e164,
        resume_id=board_application.resume_id if board_application else "",
        telegram_user_id=telegram.user_id if telegram else None,
    )
    if not conditions:
        return Response.objects.none()
    matched = Q()
    for condition in conditions.values():
        matched |= condition
    flags = {
        f"same_{reason}": ExpressionWrapper(condition, output_field=BooleanField())
        for reason, condition in conditions.items()
    }
    others = _other_candidates_live(company_id=response.vacancy.company_id, candidate_id=response.candidate_id)
    return others.filter(matched).annotate(**flags).select_related("vacancy").order_by("-created_at", "-id")


def response_other_applications(*, response: Response):
    """The same person's other live applications in the company (the candidate profile links them by email)."""
    return (
        Response.objects.filter(candidate_id=response.candidate_id, erased_at__isnull=True)
        .exclude(pk=response.pk)
        .select_related("vacancy")
        .order_by("-created_at")
    )


def candidate_applications(*, candidate):
    """A candidate profile's live applications, newest first, with their vacancies."""
    return list(
        Response.objects.filter(candidate=candidate, erased_at__isnull=True)
        .select_related("vacancy")
        .order_by("-created_at")
    )


# A recruiter's decision that moved a candidate on, or turned them down (``Response.status``); screening verdicts
# and withdrawals are nobody's decision about the AI's advice.
MOVED_ON = (
    Response.Status.SHORTLISTED,
    Response.Status.INTERVIEW,
    Response.Status.OFFER,
    Response.Status.HIRED,
)
TURNED_DOWN = (Response.Status.DECLINED,)


@dataclass(frozen=True)
class CalibrationRow:
    """How a vacancy's recruiters' decisions compare with the AI's recommendations.

    ``decided``: responses with both an AI recommendation and a recruiter's decision (moved on or declined);
    ``agreed``: advance → moved on, or reject → declined; ``advance_declined`` / ``reject_moved_on``: the two
    disagreements; ``held``: decided responses the AI advised to hold (neither agreement nor disagreement).
    ``vacancy`` is None for the company's total.
    """

    vacancy: Vacancy | None
    decided: int
    agreed: int
    advance_declined: int
    reject_moved_on: int
    held: int

    @property
    def agreement(self) -> int | None:
        """Agreed as a whole percentage of the decisions the AI took a side on (advance or reject); None for none."""
        sided = self.agreed + self.advance_declined + self.reject_moved_on
        return round(100 * self.agreed / sided) if sided else None


def ai_calibration(*, company) -> list[CalibrationRow]:
    """Per vacancy of ``company`` (those with any decided response the AI advised on), then the company's total
    (last, ``vacancy`` None): how often the recruiter's decision agreed with the AI's recommendation. One query."""
    advised = Q(responses__ai_recommendation__in=("advance", "hold", "reject"), responses__erased_at__isnull=True)
    moved_on = Q(responses__status__in=MOVED_ON)
    declined = Q(responses__status__in=TURNED_DOWN)
    advance, reject = Q(responses__ai_recommendation="advance"), Q(responses__ai_recommendation="reject")
    hold = Q(responses__ai_recommendation="hold")
    vacancies = (
        Vacancy.objects.filter(company=company)
        .annotate(
            decided=Count("responses", filter=advised & (moved_on | declined)),
            agreed=Count("responses", filter=advised & ((advance & moved_on) | (reject & declined))),
            advance_declined=Count("responses", filter=advised & advance & declined),
            reject_moved_on=Count("responses", filter=advised & reject & moved_on),
            held=Count("responses", filter=advised & hold & (moved_on | declined)),
        )
        .filter(decided__gt=0)
        .order_by("title", "pk")
    )
    fields = ("decided", "agreed", "advance_declined", "reject_moved_on", "held")
    rows = [CalibrationRow(vacancy=v, **{name: getattr(v, name) for name in fields}) for v in vacancies]
    total = CalibrationRow(None, **{name: sum(getattr(row, name) for row in rows) for name in fields})
    return [*rows, total]


def vacancy_rubric_hash(*, vacancy: Vacancy) -> str:
    """The hash of what the rubric reads from ``vacancy`` (``ai.vacancy_rubric_hash``): requirements and scoring.

    One query (the questions' scoring fields). A change of a weight, a rule or a requirement changes it.
    """
    questions = vacancy.questions.order_by("pk").values_list(
        "pk", "kind", "weight", "knockout", "knockout_value", "allowed_options", "review_value"
    )
    return ai.vacancy_rubric_hash(requirements=vacancy.requirement_lines, questions=list(questions))


def evaluation_is_stale(evaluation) -> bool:
    """True when a finished evaluation was made under another rubric than the vacancy's now.

    Another ``ai.RUBRIC_VERSION`` (how scores are computed) or another ``vacancy_rubric_hash``
    (the vacancy's requirements, weights or rules changed since): its score may no longer hold.
    Unfinished and failed evaluations are never stale.
    """
    if evaluation is None or evaluation.status != "done":
        return False
    if evaluation.rubric_version != ai.RUBRIC_VERSION:
        return True
    return evaluation.rubric_hash != vacancy_rubric_hash(vacancy=evaluation.response.vacancy)
