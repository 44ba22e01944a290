"""Recruiters' notifications: the bell (live), the notifications page, and emails by each user's preference.

OWNER: helper "emails" (issue 14). Interface used by other modules; keep this signature.
"""

from __future__ import annotations

from accounts.models import Company
from screening.models import Notification, Response


def notify(
    *, company: Company, kind: str, text: str, response: Response | None = None, url: str = "", users=None
) -> list[Notification]:
    """Tell the company's members (``users``, default every owner and recruiter) that ``kind``
    (``Notification.Kind``) happened: one row each, a live push to their bell after the commit, and an email
    now or in the daily digest by their ``NotificationPreference``. ``text`` is one line in the dashboard's
    language; ``url`` a dashboard path (default the response's page)."""
    return []
