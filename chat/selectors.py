"""Reads for the public pages and the chat: careers listings, a response by its token, a script's questions."""

import re

from django.shortcuts import get_object_or_404

from accounts.models import Company
from screening.models import Response
from vacancies.models import ScreeningQuestion, Vacancy

# Tokens are secrets.token_urlsafe(32) (43 characters); anything else is refused before a query.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def company_public_get(*, slug: str) -> Company:
    return get_object_or_404(Company, slug=slug)


def vacancy_public_list(*, company: Company):
    """The company's open vacancies, newest first, for its careers page."""
    return Vacancy.objects.filter(company=company, status=Vacancy.Status.OPEN).order_by("-published_at", "-created_at")


def response_get_by_token(*, token: str, page: bool = True) -> Response | None:
    """The response a chat link points to, with its vacancy and candidate; None for an unknown token.

    ``page`` also joins the company (the chat page shows it). The chat socket, on every connect, needs
    neither the company nor the long texts (a resume may be 100,000 characters), so it skips them.
    """
    if not TOKEN_RE.match(token or ""):
        return None
    live = Response.objects.filter(token=token, erased_at__isnull=True)
    if page:
        return live.select_related("vacancy", "vacancy__company").first()
    return (
        live.select_related("vacancy")
        .defer("resume_text", "resume_hidden_text", "vacancy__description", "vacancy__requirements")
        .first()
    )


def response_get_for_member(*, user, response_id: int) -> Response | None:
    """The response if the user is a member of its vacancy's company (for sockets, which cannot 404)."""
    if not getattr(user, "is_authenticated", False) or user.company_id is None:
        return None
    return (
        Response.objects.select_related("vacancy", "vacancy__company")
        .filter(pk=response_id, vacancy__company_id=user.company_id)
        .first()
    )


def script_questions(*, vacancy: Vacancy) -> list[ScreeningQuestion]:
    """The vacancy's screening questions in the order the bot asks them."""
    return list(ScreeningQuestion.objects.filter(vacancy=vacancy).order_by("position", "id"))
