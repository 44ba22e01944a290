"""The audit log (docs/audit.md): write an entry, read a company's entries for its owners, export them as CSV.

``audit_record`` is what every service calls after an action worth keeping (a status change, a role change,
a sign-in...). It writes inside the caller's transaction, in a savepoint of its own: the entry goes when the
action is rolled back, and a failure to write it is logged, never raised into the caller. Entries are
append-only (``AuditEntry``): nothing here or anywhere else edits or deletes one.

What an entry may hold: ids and statuses, the member's name, never a candidate's words or contacts (the log
outlives an erasure).
"""

from __future__ import annotations

import csv
import json
import logging
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from smartbot.client_ip import UNKNOWN, client_ip

from .models import AuditEntry, Company, User

logger = logging.getLogger(__name__)

Action = AuditEntry.Action

_ACTOR_NAME_MAX = AuditEntry._meta.get_field("actor_name").max_length
_TARGET_MAX = AuditEntry._meta.get_field("target").max_length
_SUMMARY_MAX = AuditEntry._meta.get_field("summary").max_length


def actor_name_of(user: User | None) -> str:
    """The name an entry keeps for ``user``: their full name, else their email; "" for nobody (the system)."""
    if user is None:
        return ""
    return (user.get_full_name() or user.email or "")[:_ACTOR_NAME_MAX]


def audit_record(
    *,
    company: Company | int | None,
    actor: User | None,
    action: str,
    target: str = "",
    summary: str = "",
    details: dict | None = None,
    request=None,
) -> AuditEntry | None:
    """Append one entry to ``company``'s audit log and return it; None when nothing was written.

    ``company``: a ``Company`` or its id (None: nothing to log, e.g. a superuser without a company).
    ``actor``: the member who acted, None for the system (the retention job); their name is kept in
    ``actor_name`` so the entry still says who after they leave. ``action``: an ``AuditEntry.Action`` value.
    ``target``: ``"<type>:<id>"`` such as ``"response:12"``. ``summary``: one English line. ``details``: a
    small JSON object (ids and statuses only). ``request``: the client address comes from it
    (``smartbot.client_ip``).

    Never raises: an unknown action, unserialisable details or a database error is logged and None returned;
    the write runs in its own savepoint, so the caller's transaction goes on.
    """
    company_id = company.pk if isinstance(company, Company) else company
    if company_id is None:
        return None
    try:
        if action not in Action.values:
            raise ValueError(f"unknown audit action {action!r}")
        ip = client_ip(request) if request is not None else None
        with transaction.atomic():
            return AuditEntry.objects.create(
                company_id=company_id,
                actor=actor if actor is not None and actor.pk is not None else None,
                actor_name=actor_name_of(actor),
                action=action,
                target=(target or "")[:_TARGET_MAX],
                summary=(summary or "")[:_SUMMARY_MAX],
                details=details or {},
                ip_address=None if ip in (None, UNKNOWN) else ip,
            )
    except Exception:
        logger.exception("Audit entry not written (company %s, action %s)", company_id, action)
        return None


# --- Reading: the owners' page, the API and the CSV export ----------------------------------------------------


def company_zone(company: Company) -> zoneinfo.ZoneInfo:
    """The company's time zone (``Company.time_zone``), UTC when it names none this machine knows."""
    try:
        return zoneinfo.ZoneInfo(company.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo("UTC")


def audit_entries(
    *,
    company: Company,
    actor_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """``company``'s entries, newest first, filtered: by the member who acted (``actor_id``), by ``action``
    (an ``AuditEntry.Action`` value; "" for all) and by days in the company's time zone, ``date_from`` and
    ``date_to`` both included. Uses the (company, action, time) indexes."""
    entries = AuditEntry.objects.filter(company=company)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = entries.filter(action=action)
    zone = company_zone(company)
    if date_from is not None:
        entries = entries.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to is not None:
        entries = entries.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone))
    return entries.order_by("-created_at", "-id")


def audit_people(*, company: Company) -> list[tuple[int, str]]:
    """Everyone who has an entry in ``company``'s log, removed members included: ``[(user id, name)]`` by name.

    The name is the latest one an entry kept. One query.
    """
    rows = (
        AuditEntry.objects.filter(company=company, actor__isnull=False)
        .values("actor_id")
        .annotate(name=Max("actor_name"))
        .order_by()
    )
    return sorted(((row["actor_id"], row["name"] or f"#{row['actor_id']}") for row in rows), key=lambda r: r[1])


# --- CSV ------------------------------------------------------------------------------------------------------

# A spreadsheet runs a cell that begins with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = ("when", "who", "action", "target", "summary", "details", "ip_address")


def csv_safe(value) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: a leading ``'`` before ``= + - @``, tab or CR."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose ``write`` hands the line back: csv.writer into a streaming response."""

    def write(self, value):
        return value


def audit_csv_lines(*, company: Company, entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The CSV text of ``entries``, line by line (header first), times in the company's zone, every cell
    neutralised against formula injection (``csv_safe``). Iterate the entries with ``.iterator()`` for a
    bounded memory."""
    zone = company_zone(company)
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries:
        row = (
            timezone.localtime(entry.created_at, zone).isoformat(timespec="seconds"),
            entry.actor_name,
            entry.action,
            entry.target,
            entry.summary,
            json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
            entry.ip_address or "",
        )
        yield writer.writerow([csv_safe(cell) for cell in row])


# --- Sign-in hooks (django.contrib.auth signals, connected in AccountsConfig.ready) -----------------------------


def _member_event(user, request, action: str, summary: str) -> None:
    """One ``action`` entry by ``user`` about themselves, when they are a company member (a superuser without a
    company writes none)."""
    if user is not None and getattr(user, "company_id", None):
        audit_record(
            company=user.company_id,
            actor=user,
            action=action,
            target=f"user:{user.pk}",
            summary=summary,
            request=request,
        )


def on_user_logged_in(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_in``: one ``login`` entry for a company member."""
    _member_event(user, request, Action.LOGIN, "Signed in")


def on_user_logged_out(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_out``: one ``logout`` entry for a company member."""
    _member_event(user, request, Action.LOGOUT, "Signed out")


def on_user_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: one ``login_failed`` entry when the address typed is a member's (wrong password,
    locked out); an address nobody has is logged nowhere (it names no company). The entry's "who" is the
    account tried, so the owner sees the attempts on a member's account when filtering by them."""
    credentials = credentials or {}
    email = credentials.get("username") or credentials.get("email") or ""
    if not isinstance(email, str) or not email or len(email) > 254:
        return
    try:
        user = User.objects.filter(email__iexact=email.strip()).only("pk", "company_id", "email").first()
    except Exception:
        logger.exception("Audit: failed sign-in not looked up")
        return
    _member_event(user, request, Action.LOGIN_FAILED, "Sign-in refused")


def audit_rules_changed(
    *,
    actor: User | None,
    company_id: int | None,
    vacancy_id: int,
    added: Iterable[int] = (),
    edited: Iterable[int] = (),
    removed: Iterable[int] = (),
) -> AuditEntry | None:
    """One ``rules_changed`` entry for a change of a vacancy's screening script (questions and their knockout
    rules: ``vacancies.services``), naming the question ids ``added``, ``edited`` and ``removed``; nothing when
    all three are empty. ``company_id`` None falls back to the actor's company (none: nothing logged)."""
    added, edited, removed = sorted(added), sorted(edited), sorted(removed)
    if not (added or edited or removed):
        return None
    parts = [f"{len(ids)} {word}" for ids, word in ((added, "added"), (edited, "edited"), (removed, "removed")) if ids]
    return audit_record(
        company=company_id or getattr(actor, "company_id", None),
        actor=actor,
        action=Action.RULES_CHANGED,
        target=f"vacancy:{vacancy_id}",
        summary=f"Screening questions of vacancy {vacancy_id} changed: " + ", ".join(parts),
        details={"vacancy": vacancy_id, "added": added, "edited": edited, "removed": removed},
    )
