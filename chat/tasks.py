"""Celery tasks of the chat app. Thin doors: call one function, return."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sweep_kept_resumes() -> int:
    """Beat, every 15 minutes: delete resume files an apply form kept for a next try that never came (older
    than ``chat.forms.KEPT_RESUME_SECONDS``). Returns how many were deleted. Idempotent."""
    from . import forms

    return forms.kept_resume_sweep()
