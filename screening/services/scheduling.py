"""Interview scheduling: slots, atomic booking, reschedule and cancel, reminders, no-shows (docs/scheduling.md).
Time zones, the texts of a slot, invitations (.ics) and recruiters' calendar feeds: ``calendars``.

Every instant is stored in UTC; a slot keeps the IANA zone it was set in, and a booking the candidate's zone when
their browser told it. Booking is atomic on PostgreSQL: the slot row is locked (``select_for_update``) and the
partial unique constraints (one live booking per slot, one per response) back it up; an ``IntegrityError``
becomes ``SlotTaken``. Side effects (emails, notifications, webhooks) wait for the commit.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from screening.models import (
    Booking,
    EmailTemplate,
    InterviewSlot,
    Notification,
    Response,
    WebhookEndpoint,
)

from .calendars import booking_ics, slot_text, zone, zone_name

# A series makes at most this many slots at once (a typo in "from-to" must not make thousands).
SERIES_LIMIT = 48
# A slot is bookable until this long before it starts.
BOOKING_NOTICE = timedelta(minutes=30)
REMINDER_DAY = timedelta(hours=24)
REMINDER_HOUR = timedelta(hours=1)

CANDIDATE = "candidate"
RECRUITER = "recruiter"


class SlotTaken(Exception):
    """Another candidate booked the slot first (or it was removed, or it is in the past)."""


# --- slots ---------------------------------------------------------------------------------------------------


def _interviewers_check(*, vacancy, interviewers) -> list:
    interviewers = list(interviewers or [])
    if any(user.company_id != vacancy.company_id or not user.can_edit for user in interviewers):  # no viewer
        raise ValidationError({"interviewers": _("Interviewers must be owners or recruiters of your company.")})
    return interviewers


def slot_clash_check(
    *, starts_at: datetime, duration_minutes: int, time_zone: str, interviewers, exclude_pk: int | None = None
) -> None:
    """Refuse a slot from ``starts_at`` for ``duration_minutes`` that overlaps another slot (of any vacancy) of
    one of ``interviewers``; ``exclude_pk``: the slot being edited. Slots with no interviewer in common never
    clash (nor do slots naming none: the team's). Raises ``ValidationError`` naming the interviewer and the other
    slot's time, shown in ``time_zone``. Call it in the transaction that saves: it locks the interviewers' rows,
    so two slots written at once for one interviewer queue and the second one sees the first."""
    ids = sorted(user.pk for user in interviewers)
    if not ids:
        return
    list(User.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    # Slots last at most 480 minutes: one starting earlier than that cannot reach this one.
    near = (
        InterviewSlot.objects.filter(
            interviewers__in=ids, starts_at__lt=ends_at, starts_at__gt=starts_at - timedelta(minutes=480)
        )
        .exclude(pk=exclude_pk)
        .prefetch_related("interviewers")
        .distinct()
        .order_by("starts_at", "id")
    )
    for other in near:
        if other.starts_at + timedelta(minutes=other.duration_minutes) <= starts_at:
            continue
        person = next(user for user in other.interviewers.all() if user.pk in ids)
        raise ValidationError(
            _("%(name)s already has an interview slot at %(time)s that overlaps this one.")
            % {"name": person.get_full_name() or person.email, "time": slot_text(other, time_zone, place=False)},
            code="slot_clash",
        )


def slot_create(
    *,
    vacancy,
    starts_at: datetime,
    duration_minutes: int = 45,
    time_zone: str = "",
    interviewers=(),
    location: str = "",
    video_url: str = "",
    created_by: User | None = None,
) -> InterviewSlot:
    """One slot of ``vacancy`` at ``starts_at`` (aware; a naive one is read in ``time_zone``).

    ``time_zone``: IANA name, default the company's. ``interviewers``: users of the vacancy's company.
    Raises ``ValidationError`` for a time in the past, a foreign interviewer, an invalid field, or a time that
    overlaps another slot of one of the interviewers (``slot_clash_check``).
    """
    time_zone = time_zone or vacancy.company.time_zone
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=zone(time_zone))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The slot must be in the future.")})
    interviewers = _interviewers_check(vacancy=vacancy, interviewers=interviewers)
    slot = InterviewSlot(
        company_id=vacancy.company_id,
        vacancy=vacancy,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        time_zone=time_zone,
        location=location,
        video_url=video_url,
        created_by=created_by,
    )
    slot.full_clean()
    with transaction.atomic():
        slot_clash_check(
            starts_at=starts_at, duration_minutes=duration_minutes, time_zone=time_zone, interviewers=interviewers
        )
        slot.save()
        if interviewers:
            slot.interviewers.set(interviewers)
    return slot


def slot_series_starts(
    *, day: date, start: time, end: time, duration_minutes: int, gap_minutes: int, time_zone: str
) -> list[datetime]:
    """The starts (aware, in ``time_zone``) of back-to-back slots on ``day`` from ``start`` until one would end
    after ``end``, ``gap_minutes`` apart. Wall-clock arithmetic: 10:00 stays 10:00 on a day the clocks change.
    Raises ``ValidationError`` when none fits or more than ``SERIES_LIMIT`` would."""
    tz = zone(time_zone)
    step = timedelta(minutes=duration_minutes + gap_minutes)
    length = timedelta(minutes=duration_minutes)
    cursor = datetime.combine(day, start)
    last = datetime.combine(day, end)
    starts = []
    while cursor + length <= last:
        starts.append(cursor.replace(tzinfo=tz))
        if len(starts) > SERIES_LIMIT:
            raise ValidationError(_("At most %(count)d slots at once.") % {"count": SERIES_LIMIT})
        cursor += step
    if not starts:
        raise ValidationError(_("No slot fits between these times."))
    return starts


def slot_series_create(
    *,
    vacancy,
    day: date,
    start: time,
    end: time,
    duration_minutes: int = 45,
    gap_minutes: int = 0,
    time_zone: str = "",
    interviewers=(),
    location: str = "",
    video_url: str = "",
    created_by: User | None = None,
) -> list[InterviewSlot]:
    """Slots on ``day`` from ``start`` to ``end`` (wall-clock, in ``time_zone``, default the company's), each
    ``duration_minutes`` long and ``gap_minutes`` apart, all in one transaction. Past starts are skipped.
    Raises ``ValidationError`` as ``slot_create`` does, or when no slot fits."""
    time_zone = time_zone or vacancy.company.time_zone
    if gap_minutes < 0:
        raise ValidationError({"gap_minutes": _("The gap cannot be negative.")})
    starts = slot_series_starts(
        day=day, start=start, end=end, duration_minutes=duration_minutes, gap_minutes=gap_minutes, time_zone=time_zone
    )
    now = timezone.now()
    starts = [s for s in starts if s > now]
    if not starts:
        raise ValidationError(_("These times are in the past."))
    with transaction.atomic():
        return [
            slot_create(
                vacancy=vacancy,
                starts_at=s,
                duration_minutes=duration_minutes,
                time_zone=time_zone,
                interviewers=interviewers,
                location=location,
                video_url=video_url,
                created_by=created_by,
            )
            for s in starts
        ]


def slot_delete(*, slot: InterviewSlot) -> None:
    """Remove a slot nobody holds. Its cancelled bookings go with it (they were told when cancelled).
    Raises ``ValidationError`` while a booking holds it or one was kept (attended, no-show): cancel first."""
    with transaction.atomic():
        slot = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.bookings.exclude(status=Booking.Status.CANCELLED).exists():
            raise ValidationError(_("This slot is booked: cancel the interview first."))
        slot.bookings.all().delete()
        slot.delete()


def slots_free_qs(*, vacancy) -> QuerySet:
    """The vacancy's bookable slots: starting after ``BOOKING_NOTICE`` from now, held by no live booking."""
    live = Booking.objects.filter(slot=OuterRef("pk"), status=Booking.Status.BOOKED)
    return InterviewSlot.objects.filter(vacancy=vacancy, starts_at__gt=timezone.now() + BOOKING_NOTICE).exclude(
        Exists(live)
    )


def slots_free(*, vacancy, limit: int = 6) -> list[InterviewSlot]:
    """The vacancy's bookable slots (future, not held by a live booking), earliest first, at most ``limit``."""
    return list(slots_free_qs(vacancy=vacancy).order_by("starts_at", "id")[:limit])


def slot_list(*, vacancy) -> QuerySet:
    """All the vacancy's slots from a day ago on, with their live booking (``live`` list) and interviewers."""
    return (
        InterviewSlot.objects.filter(vacancy=vacancy, starts_at__gte=timezone.now() - timedelta(days=1))
        .prefetch_related(
            "interviewers",
            Prefetch(
                "bookings",
                queryset=Booking.objects.exclude(status=Booking.Status.CANCELLED).select_related("response"),
                to_attr="live",
            ),
        )
        .order_by("starts_at", "id")
    )


# --- bookings ------------------------------------------------------------------------------------------------


def booking_live(*, response: Response) -> Booking | None:
    """The response's live (booked) interview with its slot, or None."""
    return Booking.objects.select_related("slot").filter(response=response, status=Booking.Status.BOOKED).first()


def booking_latest(*, response: Response) -> Booking | None:
    """The response's latest interview whatever its status (the response page shows it), or None."""
    return Booking.objects.select_related("slot").filter(response=response).order_by("-created_at", "-id").first()


def bookings_for_company(*, company, vacancy=None) -> QuerySet:
    """The company's bookings (optionally one vacancy's), newest slot first, with what a row shows."""
    qs = Booking.objects.filter(company=company).select_related("slot", "slot__vacancy", "response", "marked_by")
    if vacancy is not None:
        qs = qs.filter(slot__vacancy=vacancy)
    return qs.order_by("-slot__starts_at", "-id")


def _can_book(response: Response) -> None:
    if response.is_erased or response.status in (
        Response.Status.WITHDRAWN,
        Response.Status.DECLINED,
        Response.Status.HIRED,
        Response.Status.REJECTED,
    ):
        raise ValidationError(_("This application cannot book an interview."))


def response_can_book(*, response: Response) -> bool:
    """Whether the application may book an interview (not erased, withdrawn, rejected, declined or hired)."""
    try:
        _can_book(response)
    except ValidationError:
        return False
    return True


def _reminders_already(starts_at: datetime, now: datetime) -> dict:
    """Reminders a booking made close to its start does not need (its confirmation just told the candidate)."""
    return {
        "reminded_day_at": now if starts_at - now <= REMINDER_DAY else None,
        "reminded_hour_at": now if starts_at - now <= REMINDER_HOUR else None,
    }


def booking_create(
    *, response: Response, slot_id: int, candidate_time_zone: str = "", in_chat: bool = False
) -> Booking:
    """Book ``slot_id`` for ``response`` atomically; a live booking of the response moves (reschedule).
    Raises ``SlotTaken`` when someone else holds it, ``ValidationError`` for a slot of another vacancy.

    A reschedule keeps the booking (its UID) and raises its SEQUENCE, so calendars move the event; the
    returned booking then has ``rescheduled = True``. Booking the slot the response already holds returns that
    booking unchanged (a double click). After the commit: the candidate's confirmation with the ``.ics``,
    the interviewers' notification (everyone's for a slot with none) and the ``interview.booked`` webhook.
    ``candidate_time_zone``: an IANA name from the candidate's browser; unknown names are ignored. The chat's
    transcript gets the bot's line about it (``interview_chat.booking_note_write``) unless ``in_chat`` (the
    chat's ``book`` frame, which writes its own confirmation).
    """
    from .interview_chat import BOOKED, MOVED, booking_note_write
    from .interview_emails import previous_slot

    _can_book(response)
    candidate_time_zone = zone_name(candidate_time_zone)
    now = timezone.now()
    try:
        with transaction.atomic():
            slot = InterviewSlot.objects.select_for_update().filter(pk=slot_id).first()
            if slot is None:
                raise SlotTaken
            if slot.vacancy_id != response.vacancy_id:
                raise ValidationError(_("This slot is not for this vacancy."))
            holder = Booking.objects.filter(slot=slot, status=Booking.Status.BOOKED).first()
            if holder is not None:
                if holder.response_id == response.pk:
                    holder.rescheduled = False
                    return holder
                raise SlotTaken
            if slot.starts_at <= now + BOOKING_NOTICE:
                raise SlotTaken
            current = (
                Booking.objects.select_for_update().filter(response=response, status=Booking.Status.BOOKED).first()
            )
            previous = None
            if current is not None:
                previous = previous_slot(InterviewSlot.objects.get(pk=current.slot_id))
                current.slot = slot
                current.sequence += 1
                current.candidate_time_zone = candidate_time_zone or current.candidate_time_zone
                for name, value in _reminders_already(slot.starts_at, now).items():
                    setattr(current, name, value)
                current.save()
                booking, rescheduled = current, True
            else:
                booking = Booking.objects.create(
                    company_id=slot.company_id,
                    slot=slot,
                    response=response,
                    candidate_time_zone=candidate_time_zone,
                    **_reminders_already(slot.starts_at, now),
                )
                rescheduled = False
            if not in_chat:
                booking_note_write(booking=booking, event=MOVED if rescheduled else BOOKED)
            booking_id = booking.pk
            transaction.on_commit(lambda: booking_booked_effects(booking_id=booking_id, previous=previous))
    except IntegrityError as error:
        # The constraints caught a race the lock did not (another row of the response, a concurrent move).
        raise SlotTaken from error
    booking.rescheduled = rescheduled
    return booking


def _booking_full(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("slot", "response", "response__vacancy", "response__vacancy__company")
        .prefetch_related("slot__interviewers")
        .filter(pk=booking_id)
        .first()
    )


def _notify(booking: Booking, *, kind: str, text: str, ics: str = "") -> None:
    """Notify the slot's interviewers (the team's owners and recruiters when it names none); ``ics``, the
    interviewers' copy of the invitation or cancellation, rides on the email of those who get it at once."""
    from .notifications import notify

    interviewers = list(booking.slot.interviewers.all())
    notify(
        company=booking.response.vacancy.company,
        kind=kind,
        text=text,
        params=_dashboard_params(booking),
        response=booking.response,
        users=interviewers or None,
        ics=ics,
    )


def _dashboard_params(booking: Booking) -> dict:
    # Worded per reader (``notification_line``): the slot in the slot's zone.
    from .notifications import candidate_param

    return {
        "name": candidate_param(booking.response),
        "vacancy": booking.response.vacancy.title,
        "slot": booking.slot,
    }


def booking_booked_effects(*, booking_id: int, previous: dict | None = None) -> None:
    """After a booking (or a move from ``previous``, ``interview_emails.previous_slot``) commits: the candidate's
    confirmation (a move's names the earlier time) with the invitation (same UID, the raised SEQUENCE), the
    notification, the webhook. Never raises into the caller's commit hook (each part is best effort)."""
    from .interview_emails import booking_email_send
    from .webhooks import interview_event_emit

    booking = _booking_full(booking_id)
    if booking is None or booking.status != Booking.Status.BOOKED:
        return
    booking_email_send(
        booking=booking, key=EmailTemplate.Key.BOOKING_CONFIRMED, ics=booking_ics(booking=booking), previous=previous
    )
    message = (
        gettext_noop("%(name)s moved the interview for %(vacancy)s to %(slot)s")
        if previous
        else gettext_noop("%(name)s booked an interview for %(vacancy)s: %(slot)s")
    )
    _notify(
        booking,
        kind=Notification.Kind.INTERVIEW_BOOKED,
        text=message,
        ics=booking_ics(booking=booking, for_candidate=False),
    )
    interview_event_emit(booking=booking, event=WebhookEndpoint.Event.INTERVIEW_BOOKED)


def booking_cancel(*, booking: Booking, by: str, user: User | None = None) -> Booking:
    """Cancel a live booking; ``by`` is ``"candidate"`` or ``"recruiter"`` (``user``). The slot is free again.
    After the commit: the candidate's email with ``METHOD:CANCEL``, the notification (when the candidate
    cancelled), the ``interview.cancelled`` webhook, and the bot's line in the chat's transcript (pushed live).
    Raises ``ValidationError`` for a booking not live."""
    from .interview_chat import CANCELLED, booking_note_write

    if by not in (CANDIDATE, RECRUITER):
        raise ValueError(by)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Booking.Status.BOOKED:
            raise ValidationError(_("This interview is not booked any more."))
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = by
        booking.sequence += 1
        if user is not None:
            booking.marked_by = user
        booking.save()
        booking_note_write(booking=booking, event=CANCELLED)
        booking_id = booking.pk
        transaction.on_commit(lambda: booking_cancelled_effects(booking_id=booking_id))
    return booking


def booking_cancelled_effects(*, booking_id: int) -> None:
    """After a cancellation commits: the candidate's email and calendar cancellation, the notification, the
    webhook."""
    from .interview_emails import booking_email_send
    from .webhooks import interview_event_emit

    booking = _booking_full(booking_id)
    if booking is None or booking.status != Booking.Status.CANCELLED:
        return
    booking_email_send(
        booking=booking, key=EmailTemplate.Key.BOOKING_CANCELLED, ics=booking_ics(booking=booking, cancel=True)
    )
    if booking.cancelled_by == CANDIDATE:
        message = gettext_noop("%(name)s cancelled the interview for %(vacancy)s on %(slot)s")
    else:
        message = gettext_noop("The interview of %(name)s for %(vacancy)s on %(slot)s was cancelled")
    _notify(
        booking,
        kind=Notification.Kind.INTERVIEW_CANCELLED,
        text=message,
        ics=booking_ics(booking=booking, cancel=True, for_candidate=False),
    )
    interview_event_emit(booking=booking, event=WebhookEndpoint.Event.INTERVIEW_CANCELLED)


MARKS = (Booking.Status.NO_SHOW, Booking.Status.ATTENDED)


def booking_mark(*, booking: Booking, status: str, user: User) -> Booking:
    """Record how an interview went: ``"no_show"`` or ``"attended"`` (a wrong mark can be changed). Only once
    the interview started. A no-show notifies the team (``INTERVIEW_MISSED``) and emits ``interview.no_show``.
    Raises ``ValidationError`` for another status, a cancelled booking or a future interview."""
    if status not in MARKS:
        raise ValidationError(_("Mark an interview as attended or as a no-show."))
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
        if booking.status == Booking.Status.CANCELLED:
            raise ValidationError(_("This interview was cancelled."))
        if booking.slot.starts_at > timezone.now():
            raise ValidationError(_("The interview has not started yet."))
        if booking.status == status:
            return booking
        booking.status = status
        booking.marked_by = user
        booking.save(update_fields=["status", "marked_by"])
        if status == Booking.Status.NO_SHOW:
            booking_id = booking.pk
            transaction.on_commit(lambda: booking_missed_effects(booking_id=booking_id))
    return booking


def booking_missed_effects(*, booking_id: int) -> None:
    """After a no-show is recorded: the notification and the ``interview.no_show`` webhook."""
    from .webhooks import interview_event_emit

    booking = _booking_full(booking_id)
    if booking is None or booking.status != Booking.Status.NO_SHOW:
        return
    message = gettext_noop("%(name)s missed the interview for %(vacancy)s on %(slot)s")
    _notify(booking, kind=Notification.Kind.INTERVIEW_MISSED, text=message)
    interview_event_emit(booking=booking, event=WebhookEndpoint.Event.INTERVIEW_NO_SHOW)


# --- offering slots ------------------------------------------------------------------------------------------


def slots_offer(*, response: Response, actor=None) -> bool:
    """Offer the vacancy's free slots to the candidate by email (their private link lists them); False when
    there are none. ``actor``: the recruiter inviting, None when the screening passed.

    Also False for an erased, withdrawn or decided-against application and one that already holds a live
    booking. Sets ``Response.slots_offered_at``. The email is ``SLOTS_OFFERED`` with ``slots`` (the first three
    free times, in the candidate's zone) and ``booking_url`` (``interview_emails.slots_offered_email_send``).
    With an ``actor``, the offer with the times as buttons is also written to the candidate's chat, if any, and
    pushed live (``interview_chat.slots_offer_write``).
    """
    from .interview_chat import slots_offer_write
    from .interview_emails import OFFER_EMAIL_SLOTS, slots_offered_email_send

    try:
        _can_book(response)
    except ValidationError:
        return False
    if booking_live(response=response) is not None:
        return False
    free = slots_free(vacancy=response.vacancy, limit=OFFER_EMAIL_SLOTS)
    if not free:
        return False
    Response.objects.filter(pk=response.pk).update(slots_offered_at=timezone.now())
    response.slots_offered_at = timezone.now()
    slots_offered_email_send(response=response, free=free, actor=actor)
    if actor is not None:  # after a passed screening the chat made its own offer
        slots_offer_write(response=response)
    return True


# --- reminders -----------------------------------------------------------------------------------------------


def booking_reminders_send(*, now: datetime | None = None) -> int:
    """Send the due interview reminders (``INTERVIEW_REMINDER``): 24 hours and 1 hour before. Returns how many.

    Idempotent and safe to run in parallel: each reminder is claimed by a conditional UPDATE of
    ``reminded_day_at`` / ``reminded_hour_at`` before its email is queued; a booking inside the last hour
    gets the one-hour reminder only. Run every 5 minutes by beat (``screening.tasks.send_interview_reminders``).
    """
    from .interview_emails import booking_email_send

    now = now or timezone.now()
    sent = 0
    live = Booking.objects.filter(status=Booking.Status.BOOKED, slot__starts_at__gt=now)
    due = live.filter(
        Q(slot__starts_at__lte=now + REMINDER_HOUR, reminded_hour_at__isnull=True)
        | Q(slot__starts_at__lte=now + REMINDER_DAY, reminded_day_at__isnull=True)
    ).values_list("pk", "slot__starts_at")
    for pk, starts_at in due[:500]:
        pending = Booking.objects.filter(pk=pk, status=Booking.Status.BOOKED)
        if starts_at <= now + REMINDER_HOUR:
            # The day's reminder may have gone out already: keep its time.
            claimed = pending.filter(reminded_hour_at__isnull=True).update(
                reminded_hour_at=now, reminded_day_at=Coalesce(F("reminded_day_at"), Value(now))
            )
        else:
            claimed = pending.filter(reminded_day_at__isnull=True).update(reminded_day_at=now)
        if not claimed:
            continue
        booking = _booking_full(pk)
        booking_email_send(booking=booking, key=EmailTemplate.Key.INTERVIEW_REMINDER, ics=booking_ics(booking=booking))
        sent += 1
    return sent
