"""Celery tasks of the screening app. Thin doors: take ids, fetch, call one service.

``evaluate_response`` and ``suggest_questions`` belong to the AI work (issue 4),
``deliver_webhook`` to the API work (issue 5).
"""

from celery import shared_task


@shared_task(acks_late=True)
def evaluate_response(response_id: int, force: bool = False) -> None:
    # Filled in by the AI-evaluation work (issue 4).
    return None


@shared_task(bind=True, acks_late=True, max_retries=None, soft_time_limit=60, time_limit=90)
def deliver_webhook(self, delivery_id: int) -> None:
    """One attempt at a webhook delivery; retried with exponential backoff while retrying can help.

    Idempotent: a delivery that is no longer pending is not sent again.
    """
    from . import webhooks

    retries = self.request.retries or 0
    try:
        webhooks.webhook_deliver(delivery_id=delivery_id, last_attempt=retries + 1 >= webhooks.MAX_ATTEMPTS)
    except webhooks.WebhookError as exc:
        raise self.retry(exc=exc, countdown=webhooks.backoff_seconds(retries))
