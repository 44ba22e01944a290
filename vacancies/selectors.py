"""Reads of vacancies, always scoped to a company."""

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404

from .models import CompanyAnswer, ScreeningQuestion, Vacancy
from .rules import rule_is_other, rule_snapshot


def vacancy_get_for_user(*, user, pk) -> Vacancy:
    """The vacancy if it belongs to the user's company; 404 otherwise."""
    return get_object_or_404(Vacancy.objects.select_related("company"), pk=pk, company_id=user.company_id)


def _screening_verdict(verdict: str, prefix: str = "") -> Q:
    # "Passed", "Rejected" and "Needs review" count the screening's verdicts, whatever a recruiter decided later
    # (shortlisted, hired, declined...) and as a re-judgement last set them (``Response.screening_verdict``). The
    # responses table's "screening" filter (screening.selectors.response_table) lists the same people.
    return Q(**{f"{prefix}screening_verdict": verdict})


def vacancy_list(*, company):
    """The company's vacancies with response counts (total, passed the screening, rejected, sent to review) in one
    query."""
    return (
        Vacancy.objects.filter(company=company)
        .annotate(
            # distinct: the history join repeats a response once per status change.
            responses_total=Count("responses", distinct=True),
            responses_passed=Count("responses", filter=_screening_verdict("passed", "responses__"), distinct=True),
            responses_rejected=Count("responses", filter=_screening_verdict("rejected", "responses__"), distinct=True),
            responses_needs_review=Count(
                "responses", filter=_screening_verdict("needs_review", "responses__"), distinct=True
            ),
        )
        # Aggregation drops Meta.ordering; pages need a stable order.
        .order_by("-created_at", "-pk")
    )


def vacancy_public_get(*, company_slug: str, slug: str) -> Vacancy:
    """An open vacancy for the public careers page; drafts and closed ones are 404."""
    return get_object_or_404(
        Vacancy.objects.select_related("company"), company__slug=company_slug, slug=slug, status=Vacancy.Status.OPEN
    )


def vacancy_public_list(*, company):
    """The company's open vacancies as every public door lists them (careers page, public API): newest
    published first (never published last), then by title; with the company joined for their links."""
    return (
        Vacancy.objects.filter(company=company, status=Vacancy.Status.OPEN)
        .select_related("company")
        .order_by(F("published_at").desc(nulls_last=True), "title", "pk")
    )


def vacancy_response_counts(*, vacancy) -> dict[str, int]:
    """The vacancy's response counts (total, passed, rejected, needs review) in one query, named as in
    ``vacancy_list``."""
    return vacancy.responses.aggregate(
        responses_total=Count("pk", distinct=True),
        responses_passed=Count("pk", filter=_screening_verdict("passed"), distinct=True),
        responses_rejected=Count("pk", filter=_screening_verdict("rejected"), distinct=True),
        responses_needs_review=Count("pk", filter=_screening_verdict("needs_review"), distinct=True),
    )


# The kinds of ``screening.models.QuestionEvent`` counted per question (by value: vacancies does not import
# screening), with the name of the count each gets on the question.
READING_EVENT_COUNTS = {
    "clarification": "clarification_count",
    "read_back": "read_back_count",
    "correction": "correction_count",
    "review": "review_count",
}


def question_list_with_reading_counts(*, vacancy) -> list[ScreeningQuestion]:
    """The vacancy's questions in order, each with how often its answers needed help, in two queries.

    Each question gets ``clarification_count``, ``read_back_count``, ``correction_count`` and ``review_count``:
    its ``QuestionEvent`` rows of that kind (the bot asked again, read a value back, the candidate corrected
    it, the answer went to a person), counted through the ``events`` related name; and
    ``answers_by_other_rule`` (see ``question_answers_by_other_rule``). The number of queries does not grow
    with the questions.
    """
    counts = {name: Count("events", filter=Q(events__kind=kind)) for kind, name in READING_EVENT_COUNTS.items()}
    questions = list(vacancy.questions.annotate(**counts).order_by("position", "pk"))
    # And how many of its answers an older rule judged (the page links to re-judging them): one more query.
    other_rule = question_answers_by_other_rule(vacancy=vacancy, questions=questions)
    for question in questions:
        question.answers_by_other_rule = other_rule.get(question.pk, 0)
    return questions


def vacancy_asked_counts(*, vacancy) -> dict[str, int]:
    """What candidates asked the bot in this vacancy's screenings, in one query.

    ``{"asked_total": n, "asked_unanswered": n}``: the ``CandidateQuestion`` rows of its responses (through
    the ``responses`` and ``asked_questions`` related names), and those the bot could not answer.
    """
    return vacancy.responses.aggregate(
        asked_total=Count("asked_questions"),
        asked_unanswered=Count("asked_questions", filter=Q(asked_questions__answered=False)),
    )


def question_answered_ids(*, vacancy) -> set[int]:
    """The ids of the vacancy's questions that candidates have answered (they can be edited, not removed)."""
    return set(vacancy.questions.filter(answers__isnull=False).values_list("pk", flat=True).distinct())


def question_get_for_user(*, user, pk) -> ScreeningQuestion:
    """The screening question (its vacancy and company joined) if its vacancy is the user's company's; 404 otherwise."""
    return get_object_or_404(
        ScreeningQuestion.objects.select_related("vacancy", "vacancy__company"),
        pk=pk,
        vacancy__company_id=user.company_id,
    )


def company_answer_get_for_user(*, user, pk) -> CompanyAnswer:
    """One of the user's company's answers for candidates; 404 for another company's (never 403)."""
    return get_object_or_404(CompanyAnswer.objects.filter(company_id=user.company_id), pk=pk)


def company_answer_list(*, company):
    """The company's answers for candidates, in their order."""
    return CompanyAnswer.objects.filter(company=company).order_by("position", "id")


def question_answers_by_other_rule(*, vacancy, questions=None) -> dict[int, int]:
    """``{question id: n}``: answers of finished screenings judged by another rule than the question's current one.

    Only questions with such answers are keys. An answer's rule (``Answer.rule``, through the ``answers`` related
    name) is another when it is ``{}`` (stored before rules were kept) or one of its fields differs from
    ``rules.rule_snapshot(question)``, as ``rules.rule_is_other`` decides; "finished" as
    re-judging counts (the screening completed, the person not erased), so the count is what re-judging covers.
    ``questions``: the vacancy's questions if already loaded (only those are counted). One query (two without
    ``questions``), grouped by rule, so its size is the number of distinct rules, not of answers.
    """
    by_pk = {question.pk: question for question in (questions if questions is not None else vacancy.questions.all())}
    rows = (
        vacancy.questions.filter(
            answers__response__completed_at__isnull=False, answers__response__erased_at__isnull=True
        )
        .order_by()
        .values_list("pk", "answers__rule")
        .annotate(n=Count("answers"))
    )
    counts: dict[int, int] = {}
    for pk, stored, n in rows:
        if pk not in by_pk:
            continue  # a question the caller left out
        current = rule_snapshot(by_pk[pk])
        if rule_is_other(stored or {}, current):
            counts[pk] = counts.get(pk, 0) + n
    return counts
