"""Recruiters' notifications: the bell (live), the notifications page, and emails by each user's preference;
the daily digest; and the one reminder to candidates whose chat stalled. docs/notifications.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Company, Role, User

from .. import live
from ..models import (
    EmailTemplate,
    InterviewSlot,
    Notification,
    NotificationPreference,
    Response,
    SentEmail,
    notification_line,
)
from .emails import candidate_email_send, recruiter_email_send

logger = logging.getLogger(__name__)

# Every kind emails at once unless the user chose otherwise: nothing important is off by default.
DEFAULT_EMAIL = NotificationPreference.Email.INSTANT
# The hour of the company's clock after which the daily digest goes (checked hourly by beat).
DIGEST_HOUR = 8
# Notifications older than this are not put in a digest (a preference changed to "digest" long after).
DIGEST_MAX_AGE = dt.timedelta(days=2)
# How long the bell's cached unread count is kept (refreshed by every notification and "mark read").
UNREAD_CACHE_SECONDS = 7 * 86400
# Stalled chats looked at per beat run (the rest wait for the next run, 15 minutes later).
STALLED_BATCH = 500


def notification_recipients(*, company: Company, users=None) -> list[User]:
    """The members to notify: ``users`` of the company (anyone else's are dropped), or every active owner and
    recruiter."""
    if users is None:
        return list(User.objects.filter(company=company, is_active=True, role__in=[Role.OWNER, Role.RECRUITER]))
    return [user for user in users if user.company_id == company.pk and user.is_active]


def preferences_get(*, user) -> dict[str, str]:
    """Kind -> ``NotificationPreference.Email`` of one user, for every ``Notification.Kind`` (defaults filled)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, DEFAULT_EMAIL) for kind in Notification.Kind.values}


def preferences_set(*, user, choices: dict[str, str]) -> dict[str, str]:
    """Save a user's choices (kind -> off/instant/digest); kinds not given keep theirs. Raises ``ValueError`` for
    an unknown kind or choice. Returns every kind's choice."""
    for kind, email in choices.items():
        if kind not in Notification.Kind.values or email not in NotificationPreference.Email.values:
            raise ValueError(f"Unknown notification preference {kind!r}: {email!r}")
    with transaction.atomic():
        for kind, email in choices.items():
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})
    return preferences_get(user=user)


def _instant_email(*, user, notification: Notification, ics: str = "") -> SentEmail | None:
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.SITE_URL + (notification.url or reverse("screening:notifications"))
        footer = _("Choose which emails you get: %(url)s") % {
            "url": settings.SITE_URL + reverse("screening:notification_preferences")
        }
        text = f"{notification.text}\n\n{link}\n\n{footer}\n"
        html = (
            f'<p>{escape(notification.text)}</p>\n<p><a href="{escape(link)}">{escape(link)}</a></p>\n'
            f"<p>{escape(footer)}</p>\n"
        )
        return recruiter_email_send(
            user=user,
            template=notification.kind,
            subject=notification.text,
            text=text,
            html=html,
            response=notification.response,
            ics=ics,
        )


def notify(
    *,
    company: Company,
    kind: str,
    text: str,
    response: Response | None = None,
    url: str = "",
    users=None,
    ics: str = "",
    params: dict | None = None,
    coalesce: bool = False,
    repeated_text: str = "",
) -> list[Notification]:
    """Tell the company's members (``users``, default every owner and recruiter) that ``kind``
    (``Notification.Kind``) happened: one row each, a live push to their bell after the commit, and an email
    now or in the daily digest by their ``NotificationPreference``. With ``params``, ``text`` is an English
    msgid (``gettext_noop``) that each reader sees in their own language (``notification_line`` explains the
    params); without, a literal line. Emails use the site's default language. ``url`` is a dashboard path
    (default the response's page). Never another company's user.

    ``coalesce`` (with a ``response``): a member who has an unread notification of this kind about this response
    gets that row updated instead of a new one: ``params["count"]`` (1 on a new row) goes up by one, the line
    becomes this one (``repeated_text``, a msgid that may name ``%(count)s``, when given), the row moves to now,
    and no email goes (one went, or the digest takes the updated row): their unread count stays. Returns the
    rows written or updated. Raises ``ValueError`` for an unknown kind or params that do not fit the message."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    recipients = notification_recipients(company=company, users=users)
    if not recipients:
        return []
    url = url or (response.get_absolute_url() if response is not None else "")
    coalesce = coalesce and response is not None
    message, params, text = _line(text, params)
    if coalesce:
        params = {**(params or {}), "count": 1}
    now = timezone.now()
    with transaction.atomic():
        updated = {}
        if coalesce:
            again = {"message": (repeated_text or message) if message else "", "params": params, "text": text}
            updated = _coalesce(kind=kind, response=response, recipients=recipients, url=url, **again)
        fresh = [user for user in recipients if user.pk not in updated]
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    company=company,
                    user=user,
                    kind=kind,
                    response=response,
                    text=text,
                    message=message,
                    params=params or {},
                    url=url[:300],
                )
                for user in fresh
            ]
        )
        chosen = dict(NotificationPreference.objects.filter(user__in=fresh, kind=kind).values_list("user_id", "email"))
        emailed = []
        for user, row in zip(fresh, rows, strict=True):
            instant = chosen.get(user.pk, DEFAULT_EMAIL) == NotificationPreference.Email.INSTANT
            if instant and _instant_email(user=user, notification=row, ics=ics) is not None:
                emailed.append(row.pk)
                row.emailed_at = now
        if emailed:
            Notification.objects.filter(pk__in=emailed).update(emailed_at=now)
        pushes = [(row.user_id, row.pk, row.url) for row in rows]
        line = {"text": text, "message": message, "params": params or {}}
        transaction.on_commit(lambda: _push_created(pushes, kind=kind, line=line), robust=True)
        for row in updated.values():
            again = {"text": row.text, "message": row.message, "params": row.params}
            push = [(row.user_id, row.pk, row.url)]
            transaction.on_commit(
                lambda push=push, again=again: _push_created(push, kind=kind, line=again), robust=True
            )
    return [*updated.values(), *rows]


def _line(text: str, params: dict | None) -> tuple[str, dict | None, str]:
    """(message, JSON params, the line in the site's language) of a notification; see ``notify``."""
    message = ""
    if params is not None:
        message, params = text, _json_params(params)
        try:
            with translation.override(settings.LANGUAGE_CODE):
                text = notification_line(message, params)
        except (KeyError, TypeError) as error:
            raise ValueError(f"Params {sorted(params)} do not fit {message!r}") from error
    return message, params, " ".join(text.split())[:300]


def _coalesce(*, kind: str, response: Response, recipients, message: str, params: dict, text: str, url: str) -> dict:
    """Update the recipients' unread ``kind`` rows about ``response`` (see ``notify``); user id -> updated row."""
    # The response's row lock makes two notifications at once about it update one row rather than write two.
    Response.objects.select_for_update().filter(pk=response.pk).values_list("pk", flat=True).first()
    unread = Notification.objects.filter(kind=kind, response=response, user__in=recipients, read_at__isnull=True)
    updated = {}
    for row in unread.order_by("-created_at", "-id"):
        if row.user_id in updated:
            continue
        count = row.params.get("count", 1) if isinstance(row.params, dict) else 1
        row.params = {**params, "count": (count if isinstance(count, int) else 1) + 1}
        row.message, row.text = message, text
        if message:
            row.message, row.params, row.text = _line(message, row.params)
        row.url, row.created_at = url[:300], timezone.now()
        fields = {name: getattr(row, name) for name in ("text", "message", "params", "url", "created_at")}
        # Read meanwhile ("mark all read" does not wait for the lock): an older unread row or a new one instead.
        if Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(**fields):
            updated[row.user_id] = row
    return updated


def candidate_param(response: Response) -> str | dict:
    """The ``name`` param of a notification about ``response``: the candidate's name, or "A candidate" in
    each reader's language when there is none."""
    return response.full_name or {"msgid": gettext_noop("A candidate")}


def _json_params(params: dict) -> dict:
    # Stored as JSON: an interview's time keeps its instant, length and zone, to be worded per reader.
    out = {}
    for name, value in params.items():
        if isinstance(value, InterviewSlot):
            value = {"slot": [value.starts_at.isoformat(), value.duration_minutes, value.time_zone]}
        elif isinstance(value, Promise):
            raise TypeError(f"Param {name!r} is a lazy translation: pass {{'msgid': ...}} instead")
        out[name] = value
    return out


def _push_created(pushes, *, kind: str, line: dict) -> None:
    # The bell's socket words the line in its reader's language (chat.bell); ``text`` is the fallback.
    for user_id, pk, url in pushes:
        live.notification_push(
            user_id=user_id,
            event={
                "type": "notification.created",
                "id": pk,
                "kind": kind,
                **line,
                "url": url,
                "unread": notification_unread_count(user_id=user_id),
            },
        )


def _unread_key(user_id: int) -> str:
    return f"notifications-unread:{int(user_id)}"


def notification_unread_count(*, user_id: int) -> int:
    """How many of the user's notifications are unread (the bell's number), counted now; also kept in the cache
    for ``notification_unread_cached``."""
    count = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
    try:
        cache.set(_unread_key(user_id), count, UNREAD_CACHE_SECONDS)
    except Exception:  # the cache is an optimisation: the bell shows no number without it
        logger.warning("could not cache the unread count of user %s", user_id, exc_info=True)
    return count


def notification_unread_cached(*, user_id: int) -> int | None:
    """The bell's number as last counted (by a notification, a "mark read", the notifications page), from the
    cache: no database query on most pages of the dashboard. Not in the cache (expired, flushed, another
    process's memory), it is counted now, so the bell has its number without JavaScript; None only when neither
    the cache nor the database answers (the socket's hello frame then brings it)."""
    try:
        count = cache.get(_unread_key(user_id))
    except Exception:
        count = None
    if count is not None:
        return count
    try:
        return notification_unread_count(user_id=user_id)
    except Exception:  # a page must render even when this count cannot be made
        logger.warning("could not count the unread notifications of user %s", user_id, exc_info=True)
        return None


def notification_list(*, user):
    """The user's notifications, newest first (only theirs: a notification belongs to one member)."""
    return Notification.objects.filter(user=user, company_id=user.company_id).select_related("response")


def notification_mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications read: those in ``ids`` (anyone else's ids are ignored), or all when None.
    Returns how many changed; the user's bells get the new count after the commit."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=[int(pk) for pk in ids])
    changed = unread.update(read_at=timezone.now())
    if changed:
        user_id = user.pk
        transaction.on_commit(
            lambda: live.notification_push(
                user_id=user_id,
                event={"type": "notification.read", "unread": notification_unread_count(user_id=user_id)},
            ),
            robust=True,
        )
    return changed


# --- the daily digest ---------------------------------------------------------------------------------------


def _digest_due(*, user, now: dt.datetime) -> bool:
    """Past DIGEST_HOUR on the company's clock, and no digest to the user since that day's DIGEST_HOUR."""
    zone = zoneinfo.ZoneInfo(user.company.time_zone)
    local = now.astimezone(zone)
    if local.hour < DIGEST_HOUR:
        return False
    since = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return not SentEmail.objects.filter(user=user, template="digest", created_at__gte=since).exists()


def notification_digest_send(*, user, now: dt.datetime | None = None) -> SentEmail | None:
    """One email listing the user's notifications left for the digest (their preference for the kind is
    "digest", not emailed yet, younger than ``DIGEST_MAX_AGE``); they are then marked emailed. None when there
    is nothing to send."""
    now = now or timezone.now()
    digest_kinds = [
        kind for kind, email in preferences_get(user=user).items() if email == NotificationPreference.Email.DIGEST
    ]
    if not digest_kinds:
        return None
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                user=user,
                kind__in=digest_kinds,
                emailed_at__isnull=True,
                created_at__gte=now - DIGEST_MAX_AGE,
            )
            .order_by("created_at", "id")
        )
        if not pending:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("SmartBot: %(count)d notifications of the day") % {"count": len(pending)}
            lines = [f"- {row.text}\n  {settings.SITE_URL}{row.url}" if row.url else f"- {row.text}" for row in pending]
            footer = _("Choose which emails you get: %(url)s") % {
                "url": settings.SITE_URL + reverse("screening:notification_preferences")
            }
            text = "\n".join(lines) + f"\n\n{footer}\n"
            items = "".join(
                f'<li><a href="{escape(settings.SITE_URL + row.url)}">{escape(row.text)}</a></li>\n'
                if row.url
                else f"<li>{escape(row.text)}</li>\n"
                for row in pending
            )
            html = f"<ul>\n{items}</ul>\n<p>{escape(footer)}</p>\n"
        sent = recruiter_email_send(user=user, template="digest", subject=subject, text=text, html=html)
        if sent is not None:
            Notification.objects.filter(pk__in=[row.pk for row in pending]).update(emailed_at=now)
    return sent


def notification_digests_send(*, now: dt.datetime | None = None) -> int:
    """Beat's hourly run: a digest to every member whose company's clock is past ``DIGEST_HOUR`` and who got
    none since; returns how many were sent."""
    now = now or timezone.now()
    user_ids = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - DIGEST_MAX_AGE)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True, company__isnull=False).select_related("company"):
        try:
            if _digest_due(user=user, now=now) and notification_digest_send(user=user, now=now) is not None:
                sent += 1
        except Exception:  # one user's failure must not stop the others' digests
            logger.exception("digest for user %s failed", user.pk)
    return sent


# --- chats that stall -----------------------------------------------------------------------------------------


def stalled_chats_remind(*, now: dt.datetime | None = None) -> int:
    """Email ONE reminder (``CHAT_REMINDER``, with the link) to every candidate whose chat is active (started, not
    finished, erased or withdrawn) with no activity for the company's ``stall_reminder_hours`` (0: off).
    ``Response.stall_reminded_at`` records it, so it is never sent twice. Returns how many were queued."""
    now = now or timezone.now()
    candidates = (
        Response.objects.filter(
            status=Response.Status.IN_CHAT,
            erased_at__isnull=True,
            completed_at__isnull=True,
            stall_reminded_at__isnull=True,
            vacancy__company__stall_reminder_hours__gt=0,
        )
        .exclude(email="")
        .annotate(activity=Coalesce("chat__last_activity_at", "updated_at"))
        .filter(Q(activity__lte=now - dt.timedelta(hours=1)))
        .select_related("vacancy", "vacancy__company")
        .order_by("activity")[:STALLED_BATCH]
    )
    reminded = 0
    for response in candidates:
        if response.activity > now - dt.timedelta(hours=response.vacancy.company.stall_reminder_hours):
            continue
        with transaction.atomic():
            claimed = Response.objects.filter(
                pk=response.pk, stall_reminded_at__isnull=True, status=Response.Status.IN_CHAT
            ).update(stall_reminded_at=now)
            if claimed and candidate_email_send(response=response, key=EmailTemplate.Key.CHAT_REMINDER):
                reminded += 1
    return reminded
