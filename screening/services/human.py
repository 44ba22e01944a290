"""Candidates asking for a person: the request, the company's live queue with its SLA, claiming, resolving.

OWNER: helper "chat-after" (issue 14). Interface used by other modules; keep these signatures.

A request (``HumanRequest``) is opened by the chat (``chat.services.chat_human_request``: the candidate's
button or typed words, or the bot seeing them stuck on a question twice), lands in the company's queue
(``human_queue``) with an SLA (``due_at``: ``human_reply_hours`` counted in the company's working hours,
``human_due_at``), is claimed by a recruiter (``human_request_claim``; the chat app then takes the chat over)
and resolved on hand-back, on a message after the chat, or by hand ("Done", ``human_request_resolve``).
One open request per response (a database constraint): asking again while one waits changes nothing.
docs/notifications.md, "Talking to a person".
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Company
from screening.models import ChatMessage, HumanRequest, Notification, Response, WebhookEndpoint

# Working time is searched day by day at most this far ahead (72 working hours of one working day a week fit).
_MAX_DAYS = 400


# The SLA: pure functions ---------------------------------------------------------------------------------------


def human_due_at(
    *, start: datetime, hours: int, time_zone: str, day_start: time, day_end: time, working_days: str
) -> datetime:
    """When ``hours`` working hours after ``start`` end, as an aware UTC datetime. Pure.

    Working time is ``day_start``-``day_end`` (wall-clock, in ``time_zone``, an IANA name) on the ISO weekdays in
    ``working_days`` ("12345": Monday to Friday). A request outside working hours starts counting at the next
    working day's start. Hours are real elapsed hours: a working day spanning a daylight-saving change is as long
    as the clock says it really is (the arithmetic is done in UTC; wall-clock times that do not exist or happen
    twice resolve as ``zoneinfo`` does, fold 0). A company without a usable working day (no days, or a day that
    ends before it starts) gets plain elapsed hours. ``start`` must be aware.
    """
    remaining = timedelta(hours=hours)
    if not working_days or day_end <= day_start or remaining <= timedelta(0):
        return (start + remaining).astimezone(UTC)
    zone = zoneinfo.ZoneInfo(time_zone)
    cursor = start.astimezone(UTC)
    day: date = start.astimezone(zone).date()
    for _step in range(_MAX_DAYS):
        if str(day.isoweekday()) in working_days:
            opens = datetime.combine(day, day_start, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, day_end, tzinfo=zone).astimezone(UTC)
            begin = max(cursor, opens)
            if begin < closes:
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)
    return (start + timedelta(hours=hours)).astimezone(UTC)


def company_due_at(*, company: Company, start: datetime) -> datetime:
    """``human_due_at`` under the company's working-hours settings."""
    return human_due_at(
        start=start,
        hours=company.human_reply_hours,
        time_zone=company.time_zone,
        day_start=company.working_hours_start,
        day_end=company.working_hours_end,
        working_days=company.working_days,
    )


def human_promise_text(*, due_at: datetime, time_zone: str, now: datetime, language: str) -> str:
    """The candidate-facing promise, "A person will answer by Monday 11:00 (Europe/Moscow time).", in
    ``language`` and the company's ``time_zone``: "today at", "tomorrow at", a weekday within the week, else a date.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    local, today = due_at.astimezone(zone), now.astimezone(zone).date()
    with translation.override(language):
        clock = formats.date_format(local, "H:i")
        days = (local.date() - today).days
        if days <= 0:
            when = _("today at %(time)s") % {"time": clock}
        elif days == 1:
            when = _("tomorrow at %(time)s") % {"time": clock}
        elif days < 7:
            when = _("%(weekday)s %(time)s") % {"weekday": formats.date_format(local, "l"), "time": clock}
        else:
            when = _("%(date)s %(time)s") % {"date": formats.date_format(local, "j E"), "time": clock}
        return _("A person will answer by %(when)s (%(zone)s time).") % {"when": when, "zone": time_zone}


# Writes ------------------------------------------------------------------------------------------------------


def human_request_open(*, response: Response, reason: str, text: str = "") -> HumanRequest | None:
    """Put the candidate in the company's queue (``reason``: a ``HumanRequest.Reason``; ``text``: their words,
    cut to 500 characters). Returns the new request, or None when one is already open for the response (it is
    kept as it is: the candidate waits once, with the first promise).

    After the commit: the company's recruiters are notified (``Notification.Kind.HUMAN_REQUESTED``) and the
    ``human.requested`` webhook is emitted. Raises ``ValueError`` for an unknown reason.
    """
    if reason not in HumanRequest.Reason.values:
        raise ValueError(f"Unknown reason {reason!r}")
    company = response.vacancy.company
    if HumanRequest.objects.filter(response=response, resolved_at__isnull=True).exists():
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            request = HumanRequest.objects.create(
                company=company,
                response=response,
                reason=reason,
                text=(text or "").strip()[:500],
                due_at=company_due_at(company=company, start=now),
            )
    except IntegrityError:  # another tab's request won the race for the one open slot
        return None
    _after_open(request)
    return request


def _after_open(request: HumanRequest) -> None:
    from screening.services.notifications import candidate_param, notify
    from screening.services.webhooks import response_event_emit_on_commit

    response = request.response
    with translation.override(None):  # the reason's English msgid, worded again for each reader
        reason = {"msgid": str(request.get_reason_display())}
    transaction.on_commit(
        lambda: notify(
            company=request.company,
            kind=Notification.Kind.HUMAN_REQUESTED,
            text=gettext_noop("%(name)s is waiting for a person: %(reason)s."),
            params={"name": candidate_param(response), "reason": reason},
            response=response,
            url=reverse("screening:queue"),
        ),
        robust=True,
    )
    response_event_emit_on_commit(
        response=response, event=WebhookEndpoint.Event.HUMAN_REQUESTED, extra={"human_request": request_data(request)}
    )


def request_data(request: HumanRequest) -> dict:
    """What webhooks and the API say about a request: id, reason, text, created/due/claimed/resolved times."""
    return {
        "id": request.pk,
        "reason": request.reason,
        "text": request.text,
        "created_at": request.created_at.isoformat() if request.created_at else None,
        "due_at": request.due_at.isoformat(),
        "claimed_by": request.claimed_by.display_name if request.claimed_by_id else None,
        "claimed_at": request.claimed_at.isoformat() if request.claimed_at else None,
        "resolved_at": request.resolved_at.isoformat() if request.resolved_at else None,
    }


def human_request_claim(*, request: HumanRequest, user) -> HumanRequest:
    """``user`` (an owner or recruiter of the request's company) claims the request: it is theirs to answer.

    Idempotent for the same user. Raises ``ValidationError`` when the request is resolved or claimed by someone
    else (code ``resolved`` / ``claimed``), ``PermissionError`` for a viewer or another company's user. Taking the
    chat over is the chat app's (``chat.services.chat_takeover``), after this.
    """
    _require_editor(user, request)
    with transaction.atomic():
        locked = HumanRequest.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=request.pk)
        if locked.resolved_at is not None:
            raise ValidationError(_("This request has already been answered."), code="resolved")
        if locked.claimed_by_id not in (None, user.pk):
            raise ValidationError(
                _("%(name)s has already claimed this request.") % {"name": locked.claimed_by.display_name},
                code="claimed",
            )
        if locked.claimed_by_id is None:
            locked.claimed_by, locked.claimed_at = user, timezone.now()
            locked.save(update_fields=["claimed_by", "claimed_at"])
    return locked


def human_request_resolve(*, request: HumanRequest, user) -> HumanRequest:
    """Mark the request answered ("Done"); it leaves the queue. Idempotent. An unclaimed request is claimed by
    ``user`` as it is resolved. Raises ``PermissionError`` for a viewer or another company's user."""
    _require_editor(user, request)
    with transaction.atomic():
        locked = HumanRequest.objects.select_for_update().get(pk=request.pk)
        if locked.resolved_at is None:
            now = timezone.now()
            locked.resolved_at = now
            fields = ["resolved_at"]
            if locked.claimed_by_id is None:
                locked.claimed_by, locked.claimed_at = user, now
                fields += ["claimed_by", "claimed_at"]
            locked.save(update_fields=fields)
    return locked


def human_requests_claim_open(*, response_id: int, user) -> int:
    """Claim the response's open, unclaimed request for ``user`` (a recruiter took the chat over from its page);
    returns how many (0 or 1). Called inside the takeover's transaction."""
    return HumanRequest.objects.filter(
        response_id=response_id, resolved_at__isnull=True, claimed_by__isnull=True
    ).update(claimed_by=user, claimed_at=timezone.now())


def human_requests_resolve_open(*, response_id: int, user) -> int:
    """Resolve the response's open request (a recruiter handed the chat back, or wrote after it); returns how
    many (0 or 1). An unclaimed one is claimed by ``user`` too."""
    now = timezone.now()
    open_requests = HumanRequest.objects.filter(response_id=response_id, resolved_at__isnull=True)
    open_requests.filter(claimed_by__isnull=True).update(claimed_by=user, claimed_at=now)
    return open_requests.update(resolved_at=now)


def human_requests_resolve_answered(*, response_id: int, user) -> int:
    """Resolve the response's open request only if a recruiter wrote to the candidate since it was made (a
    hand-back after talking); a hand-back without a word (a closed tab, a dropped connection hands the chat back
    on its own) leaves it open, and claimed, in the queue. Returns how many were resolved (0 or 1)."""
    request = HumanRequest.objects.filter(response_id=response_id, resolved_at__isnull=True).first()
    if request is None:
        return 0
    answered = ChatMessage.objects.filter(
        session__response_id=response_id, sender=ChatMessage.Sender.RECRUITER, created_at__gte=request.created_at
    ).exists()
    return human_requests_resolve_open(response_id=response_id, user=user) if answered else 0


def _require_editor(user, request: HumanRequest) -> None:
    if not getattr(user, "can_edit", False) or user.company_id != request.company_id:
        raise PermissionError("Only the company's owners and recruiters answer requests.")


# Reads -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One waiting candidate as the queue shows them. Durations are ``timedelta``s from ``now``."""

    request: HumanRequest
    waiting: timedelta  # since the request was made
    due_in: timedelta  # until ``due_at``; negative once overdue
    last_words: str  # the candidate's latest message in the chat ("" if none)

    @property
    def overdue(self) -> bool:
        return self.due_in < timedelta(0)

    @property
    def waiting_text(self) -> str:
        return duration_text(self.waiting)

    @property
    def due_text(self) -> str:
        """ "due in 1 h 5 min" or "overdue by 20 min" (the SLA timer)."""
        if self.overdue:
            return _("overdue by %(time)s") % {"time": duration_text(-self.due_in)}
        return _("due in %(time)s") % {"time": duration_text(self.due_in)}


def duration_text(delta: timedelta) -> str:
    """A short duration for people: "3 d 2 h", "1 h 5 min", "4 min", "under a minute". Pure."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def human_queue_qs(*, company: Company) -> QuerySet[HumanRequest]:
    """The company's open requests, soonest due first (then oldest), with the response, vacancy, claimer and the
    candidate's last words (``last_words`` annotation). One query."""
    last_words = (
        ChatMessage.objects.filter(session__response_id=OuterRef("response_id"), sender=ChatMessage.Sender.CANDIDATE)
        .order_by("-created_at", "-id")
        .values("text")[:1]
    )
    return (
        HumanRequest.objects.filter(company=company, resolved_at__isnull=True)
        .select_related("response", "response__vacancy", "claimed_by")
        .annotate(last_words=Subquery(last_words))
        .order_by("due_at", "created_at", "id")
    )


def human_queue(*, company: Company, now: datetime | None = None) -> list[QueueRow]:
    """The company's live queue (``human_queue_qs``) with each row's waiting time and SLA from ``now``."""
    now = now or timezone.now()
    return [
        QueueRow(
            request=request,
            waiting=now - request.created_at,
            due_in=request.due_at - now,
            last_words=request.last_words or "",
        )
        for request in human_queue_qs(company=company)
    ]


def human_waiting_count(*, company_id: int) -> int:
    """How many of the company's requests are open (the dashboard menu's badge)."""
    return HumanRequest.objects.filter(company_id=company_id, resolved_at__isnull=True).count()


def human_request_get_for_user(*, user, pk: int) -> HumanRequest:
    """The request if it belongs to the user's company (with its response and vacancy); 404 otherwise."""
    return get_object_or_404(
        HumanRequest.objects.select_related("response", "response__vacancy", "claimed_by"),
        pk=pk,
        company_id=user.company_id,
    )


def human_request_open_for(*, response: Response) -> HumanRequest | None:
    """The response's open request, if any."""
    return HumanRequest.objects.filter(response=response, resolved_at__isnull=True).first()
