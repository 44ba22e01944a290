"""Reads of vacancies, always scoped to a company."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from .models import Vacancy


def vacancy_get_for_user(*, user, pk) -> Vacancy:
    """The vacancy if it belongs to the user's company; 404 otherwise."""
    return get_object_or_404(Vacancy.objects.select_related("company"), pk=pk, company_id=user.company_id)


def vacancy_list(*, company):
    """The company's vacancies with response counts (total, passed, rejected) in one query."""
    return (
        Vacancy.objects.filter(company=company)
        .annotate(
            responses_total=Count("responses"),
            responses_passed=Count("responses", filter=Q(responses__status="passed")),
            responses_rejected=Count("responses", filter=Q(responses__status="rejected")),
        )
        # Aggregation drops Meta.ordering; pages need a stable order.
        .order_by("-created_at", "-pk")
    )


def vacancy_public_get(*, company_slug: str, slug: str) -> Vacancy:
    """An open vacancy for the public careers page; drafts and closed ones are 404."""
    return get_object_or_404(
        Vacancy.objects.select_related("company"), company__slug=company_slug, slug=slug, status=Vacancy.Status.OPEN
    )


def vacancy_response_counts(*, vacancy) -> dict[str, int]:
    """The vacancy's response counts (total, passed, rejected) in one query, named as in ``vacancy_list``."""
    return vacancy.responses.aggregate(
        responses_total=Count("pk"),
        responses_passed=Count("pk", filter=Q(status="passed")),
        responses_rejected=Count("pk", filter=Q(status="rejected")),
    )
