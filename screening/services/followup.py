"""What follows a finished screening, after the commit and outside the chat's turn: the candidate's email,
the recruiters' notification, interview slots offered to a candidate who passed (docs/notifications.md)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from screening.models import EmailTemplate, Notification, Response

from .emails import candidate_email_send
from .notifications import candidate_param, notify
from .scheduling import slots_offer


def screening_followup(*, response_id: int) -> bool:
    """Email the candidate that the screening is finished, notify the recruiters of a candidate who passed or
    needs review, and offer interview slots to one who passed. Run once per finished screening by
    ``screening.tasks.screening_followup``; False for an erased or unfinished response."""
    response = (
        Response.objects.select_related("vacancy", "vacancy__company")
        .filter(pk=response_id, erased_at__isnull=True, completed_at__isnull=False)
        .first()
    )
    if response is None:
        return False
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
    return True
