"""Telling the Telegram thread of a response that it has something new (recruiters' messages, takeovers).

Small on purpose: the chat's services call it in their transactions (``chat.services.recruiter``, ``after``), so it
imports only the models and the tasks module (whose tasks import services lazily): no cycle.
"""

from __future__ import annotations

from screening.models import TelegramLink

from .. import tasks


def telegram_nudge(*, response_id: int) -> bool:
    """Queue the delivery of the response's new chat lines to Telegram (``chat.tasks.telegram_deliver``, published
    after the commit) when the response has a bound thread that is not blocked; True if queued. One query."""
    bound = TelegramLink.objects.filter(response_id=response_id, chat_id__isnull=False, blocked_at__isnull=True)
    if not bound.exists():
        return False
    tasks.telegram_deliver.delay(response_id)
    return True
