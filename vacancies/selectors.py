"""Reads of vacancies, always scoped to a company."""

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404

from .models import Vacancy


def vacancy_get_for_user(*, user, pk) -> Vacancy:
    """The vacancy if it belongs to the user's company; 404 otherwise."""
    return get_object_or_404(Vacancy.objects.select_related("company"), pk=pk, company_id=user.company_id)


def _screening_verdict(verdict: str, prefix: str = "") -> Q:
    # "Passed" and "Rejected" count the screening's verdicts, whatever a recruiter decided later (shortlisted,
    # hired, declined...): the verdict stays in the response's history. The responses table's "screening"
    # filter (screening.selectors.response_table) lists the same people.
    return Q(**{f"{prefix}status": verdict}) | Q(**{f"{prefix}history__to_status": verdict})


def vacancy_list(*, company):
    """The company's vacancies with response counts (total, passed the screening, rejected) in one query."""
    return (
        Vacancy.objects.filter(company=company)
        .annotate(
            # distinct: the history join repeats a response once per status change.
            responses_total=Count("responses", distinct=True),
            responses_passed=Count("responses", filter=_screening_verdict("passed", "responses__"), distinct=True),
            responses_rejected=Count("responses", filter=_screening_verdict("rejected", "responses__"), distinct=True),
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
    """The vacancy's response counts (total, passed, rejected) in one query, named as in ``vacancy_list``."""
    return vacancy.responses.aggregate(
        responses_total=Count("pk", distinct=True),
        responses_passed=Count("pk", filter=_screening_verdict("passed"), distinct=True),
        responses_rejected=Count("pk", filter=_screening_verdict("rejected"), distinct=True),
    )


def question_answered_ids(*, vacancy) -> set[int]:
    """The ids of the vacancy's questions that candidates have answered (they can be edited, not removed)."""
    return set(vacancy.questions.filter(answers__isnull=False).values_list("pk", flat=True).distinct())
