"""Celery tasks of the chat app. Thin doors: call one function, return."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sweep_kept_resumes() -> int:
    """Beat, every 15 minutes: delete resume files an apply form kept for a next try that never came (older
    than ``chat.forms.KEPT_RESUME_SECONDS``). Returns how many were deleted. Idempotent."""
    from . import forms

    return forms.kept_resume_sweep()


# Attempts after the first at delivering a chat to Telegram: Telegram's own wait (429), else 5 s, 10 s, 20 s, ...
TELEGRAM_DELIVER_RETRIES = 10


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=TELEGRAM_DELIVER_RETRIES, soft_time_limit=120)
def telegram_deliver(self, response_id: int) -> int:
    """Send the response's new chat lines to its Telegram thread (``chat.telegram.delivery.telegram_deliver``).

    Idempotent (a cursor under a row lock). Retried while Telegram asks to wait (429, ``retry_after``) or cannot
    be reached; beat's ``telegram_sweep`` picks up a thread whose retries ran out."""
    from .telegram.client import TelegramError
    from .telegram.delivery import telegram_deliver as deliver

    try:
        return deliver(response_id=response_id)
    except TelegramError as exc:
        if not exc.retryable:
            raise
        retries = self.request.retries or 0
        raise self.retry(exc=exc, countdown=exc.retry_after or 5 * 2**retries) from exc


@shared_task(acks_late=True, ignore_result=True)
def telegram_sweep() -> int:
    """Beat, every minute: queue delivery for Telegram threads with undelivered chat lines. Returns how many."""
    from .telegram.delivery import telegram_sweep as sweep

    return sweep()
