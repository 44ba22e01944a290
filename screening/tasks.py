"""Celery tasks of the screening app. Thin doors: take ids, fetch, call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def evaluate_response(response_id: int, force: bool = False) -> None:
    # Filled in by the AI-evaluation work (issue 4).
    return None
