"""What follows a finished screening, after the commit and outside the chat's turn: the AI evaluation queued,
the ``response.completed`` webhook, the candidate's email, the recruiters' notification, interview slots offered
to a candidate who passed (docs/notifications.md).

The finishing transaction sets ``Response.followup_pending`` and publishes one task after commit; the follow-up
runs once, under the response's row lock, and clears the flag in its own transaction. A message lost between the
commit and the publish (the process died, the broker was down) is found by beat's sweep
(``screening_followup_requeue_stalled``); a duplicate (the sweep and a slow queue) finds the flag cleared and does
nothing (docs/architecture.md, "After the last answer").
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from screening.models import EmailTemplate, Notification, Response

from .. import tasks
from .emails import candidate_email_send
from .evaluations import evaluation_queue
from .notifications import candidate_param, notify
from .scheduling import slots_offer
from .webhooks import response_event_emit

# The most follow-ups one sweep queues; the rest wait for the next minute.
SWEEP_LIMIT = 500
# A follow-up that keeps failing (its transaction rolls back, the flag stays) is tried again by every sweep for
# this long after its screening finished, then left (each failure is logged by Celery). Its evaluation does not
# wait for it: the evaluation's own sweep queues the pending row.
GIVE_UP_AFTER = timedelta(days=1)


def screening_followup(*, response_id: int) -> bool:
    """Queue the evaluation (where the candidate allowed AI), emit ``response.completed`` to the company's
    webhooks, email the candidate that the screening is finished, notify the recruiters of a candidate who passed
    or needs review, and offer interview slots to one who passed. Run once per finished screening by
    ``screening.tasks.screening_followup``: False when there was nothing to do (already done, erased, unfinished).
    Everything it writes commits with the cleared ``followup_pending``, so a crash half-way runs it again whole."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("vacancy", "vacancy__company")
            .filter(pk=response_id, completed_at__isnull=False, followup_pending=True)
            .first()
        )
        if response is None:
            return False
        Response.objects.filter(pk=response.pk).update(followup_pending=False)
        if response.erased_at is not None:
            return False
        if response.ai_allowed:
            evaluation_queue(response_id=response.pk)  # its pending row was written with the finish
        response_event_emit(response_id=response.pk, event="response.completed", company_id=response.vacancy.company_id)
        _candidate_and_recruiters(response)
    return True


def _candidate_and_recruiters(response: Response) -> None:
    candidate_email_send(response=response, key=EmailTemplate.Key.SCREENING_FINISHED)
    verdict = response.screening_verdict
    kind = {
        Response.Status.PASSED: Notification.Kind.CANDIDATE_PASSED,
        Response.Status.NEEDS_REVIEW: Notification.Kind.CANDIDATE_NEEDS_REVIEW,
    }.get(verdict)
    if kind is not None:
        message = (
            gettext_noop("%(name)s passed the screening for %(vacancy)s")
            if kind == Notification.Kind.CANDIDATE_PASSED
            else gettext_noop("%(name)s needs review for %(vacancy)s")
        )
        notify(
            company=response.vacancy.company,
            kind=kind,
            text=message,
            params={"name": candidate_param(response), "vacancy": response.vacancy.title},
            response=response,
        )
    if verdict == Response.Status.PASSED and response.slots_offered_at is None:
        slots_offer(response=response)


def screening_followup_requeue_stalled(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Beat's safety net, every minute: queue again the follow-ups still pending ``older_than`` after their
    screening finished (the message was lost, or never published); returns how many were queued.

    The first refusal of the broker ends the sweep (the next one tries again); at most ``SWEEP_LIMIT`` a run. A
    follow-up still waiting in a long queue may be queued twice: the second finds the flag cleared. One still
    pending ``GIVE_UP_AFTER`` the finish is left.
    """
    now = timezone.now()
    due = (
        Response.objects.filter(
            followup_pending=True,
            completed_at__lt=now - older_than,
            completed_at__gte=now - GIVE_UP_AFTER,
            erased_at__isnull=True,
        )
        .order_by("completed_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    queued = 0
    for pk in list(due):
        if tasks.screening_followup.delay(pk) is None:  # the broker refused (logged): the next sweep tries again
            break
        queued += 1
    return queued
