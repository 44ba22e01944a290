"""Reads for the public pages and the chat: a company by its slug, a response by its token, a script's
questions, and what a chat link allows now.

The public list of a company's open vacancies is ``vacancies.selectors.vacancy_public_list`` (one order for
the careers page and the public API).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Company
from screening.models import ChatMessage, ChatSession, Response
from vacancies.models import ScreeningQuestion, Vacancy

# Tokens are secrets.token_urlsafe(32) (43 characters); anything else is refused before a query.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def company_public_get(*, slug: str) -> Company:
    return get_object_or_404(Company, slug=slug)


def vacancy_gone_get(*, company: Company, slug: str) -> Vacancy | None:
    """The company's vacancy at ``slug`` if it was published once and is not open now (its link was public);
    None for a draft that never was, or no such vacancy (the page then names no title)."""
    return (
        Vacancy.objects.filter(company=company, slug=slug, published_at__isnull=False)
        .exclude(status=Vacancy.Status.OPEN)
        .only("title")
        .first()
    )


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


# Scripts shared by the chats of one process: (vacancy id, its ``updated_at``) -> (vacancy, questions).
SHARED_SCRIPTS_MAX = 256
_shared_scripts: OrderedDict[tuple[int, datetime], tuple[Vacancy, tuple[ScreeningQuestion, ...]]] = OrderedDict()
_shared_scripts_lock = threading.Lock()


def script_shared(*, vacancy: Vacancy) -> tuple[Vacancy, tuple[ScreeningQuestion, ...]]:
    """``vacancy`` and its questions (``script_questions``) as every chat of this process on the same script
    shares them: one copy per (vacancy id, ``updated_at``), the ``SHARED_SCRIPTS_MAX`` latest used kept.

    A connected socket keeps its script for its whole life; a copy of its own cost 5.6 KB per idle socket (44.8
    MB per 1,000 against the echo consumer's 33.5: docs/benchmarks.md, "idle") and a query per connect. Script
    edits stamp ``updated_at`` (``vacancies.services``), so an edited script is another key; a running chat
    notices it at its next turn (``ChatContext.reload_script``). The objects are shared between threads and
    chats: read them, never change them. Returns (the shared vacancy, the questions in asking order).
    """
    key = (vacancy.pk, vacancy.updated_at)
    with _shared_scripts_lock:
        shared = _shared_scripts.get(key)
        if shared is not None:
            _shared_scripts.move_to_end(key)
            return shared
    shared = (vacancy, tuple(script_questions(vacancy=vacancy)))
    with _shared_scripts_lock:
        shared = _shared_scripts.setdefault(key, shared)  # another thread's copy, if it got there first
        while len(_shared_scripts) > SHARED_SCRIPTS_MAX:
            _shared_scripts.popitem(last=False)
    return shared


def script_shared_clear() -> None:
    """Forget every shared script (tests: a rolled-back database reuses ids and frozen clocks reuse stamps)."""
    with _shared_scripts_lock:
        _shared_scripts.clear()


LINK_OPEN = "open"
LINK_READ_ONLY = "read_only"
LINK_EXPIRED = "expired"


def link_phase(*, finished_at: datetime | None, read_only_days: int, expiry_days: int, now: datetime) -> str:
    """What a chat link allows ``now``: ``LINK_OPEN``, ``LINK_READ_ONLY`` or ``LINK_EXPIRED``. Pure.

    ``finished_at`` is when the screening finished (None: not finished, always open). The link turns
    read-only ``read_only_days`` after it and expires ``expiry_days`` after it (the later wins when the
    expiry comes first: expired).
    """
    if finished_at is None:
        return LINK_OPEN
    age = now - finished_at
    if age >= timedelta(days=expiry_days):
        return LINK_EXPIRED
    if age >= timedelta(days=read_only_days):
        return LINK_READ_ONLY
    return LINK_OPEN


@dataclass(frozen=True)
class LinkStatus:
    """A candidate's chat link now: its ``phase`` and, once the screening finished, when it expires."""

    phase: str
    expires_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.phase == LINK_OPEN


def chat_link_status(*, response: Response, now: datetime | None = None) -> LinkStatus:
    """The phase of the response's chat link under its company's ``chat_link_read_only_days`` and
    ``chat_link_expiry_days``, counted from when the screening finished.

    No query while the screening runs (the usual case); afterwards one for the company's periods and,
    when the response has no ``completed_at`` (finished by a decision, not by the chat), one for the
    session's ``finished_at`` (else the response's ``updated_at``), and one for the latest recruiter message
    after it: a message after the chat restarts both windows from itself (docs/notifications.md).
    """
    if not response.is_screening_finished:
        return LinkStatus(LINK_OPEN)
    periods = (
        Company.objects.filter(vacancies__pk=response.vacancy_id)
        .values("chat_link_read_only_days", "chat_link_expiry_days")
        .first()
    )
    if periods is None:
        return LinkStatus(LINK_OPEN)
    finished_at = response.completed_at
    if finished_at is None:
        finished_at = ChatSession.objects.filter(response_id=response.pk).values_list("finished_at", flat=True).first()
    finished_at = finished_at or response.updated_at
    # A recruiter who wrote after the finish opens the reply box: the windows count from their latest message.
    written = (
        ChatMessage.objects.filter(
            session__response_id=response.pk, sender=ChatMessage.Sender.RECRUITER, created_at__gt=finished_at
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    finished_at = max(finished_at, written) if written else finished_at
    phase = link_phase(
        finished_at=finished_at,
        read_only_days=periods["chat_link_read_only_days"],
        expiry_days=periods["chat_link_expiry_days"],
        now=now or timezone.now(),
    )
    return LinkStatus(phase, expires_at=finished_at + timedelta(days=periods["chat_link_expiry_days"]))
