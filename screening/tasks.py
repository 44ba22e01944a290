"""Celery tasks of the screening app. Thin doors: take ids, fetch, call one service.

``evaluate_response`` and ``suggest_questions`` belong to the AI work (issue 4),
``deliver_webhook`` to the API work (issue 5).
"""

from celery import shared_task


@shared_task(acks_late=True)
def evaluate_response(response_id: int, force: bool = False) -> None:
    # Filled in by the AI-evaluation work (issue 4).
    return None


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> None:
    # Filled in by the REST API work (issue 5).
    return None
