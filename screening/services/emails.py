"""Emails SmartBot sends, rendered when queued and recorded (``SentEmail``), sent by a task with retries.

OWNER: helper "emails" (issue 14). Interface used by other modules; keep these signatures.
"""

from __future__ import annotations

from screening.models import Response, SentEmail


def candidate_email_send(
    *, response: Response, key: str, extra: dict | None = None, ics: str = "", actor=None
) -> SentEmail | None:
    """Queue one email to a candidate: the company's template for ``key`` (``EmailTemplate.Key``) in the
    vacancy's language, or the default. ``extra`` adds placeholders (``slot``, ``reason``, ``message``...);
    ``ics`` an iCalendar attachment. Returns the recorded row, or None when there is nothing to send (no email,
    erased). Sent after the commit by ``screening.tasks.send_email``."""
    return None


def recruiter_email_send(*, user, template: str, subject: str, text: str, html: str = "") -> SentEmail | None:
    """Queue one already rendered email to a member (notifications, digests), recorded like the candidates'."""
    return None
