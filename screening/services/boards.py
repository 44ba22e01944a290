"""Job boards (issue 16, docs/integrations.md): connecting a company's employer account, its tokens, calls with
their failures recorded, linked vacancies, the messages' wording, and decisions written back to the board.

Importing responses and inviting to the screening are in ``board_sync``.

Every call to a board goes through ``board_call``: it refuses to call while the board's rate limit runs
(``rate_limited_until``), refreshes an expired access token first (hh.ru refuses a refresh *before* expiry,
hh_api §1.3, so "about to expire" cannot be refreshed early), and on an "auth" error refreshes once and tries
again. A refresh that fails marks the connection ERROR ("reconnect"). Its failures are recorded on the
connection for the integrations page: a rate limit sets ``rate_limited_until`` (the board's Retry-After, or
``RATE_LIMIT_BACKOFF``); a paid-method refusal (403) marks the connection ERROR and tells the owners.

Write-back: ``board_decision_schedule`` (called by ``response_change_status``) makes a write due when the
response's status maps onto a decision (``screening.boards.messages.decision_for``) other than the one written;
``board_writeback`` writes it with the accept/discard message. Retryable failures back off exponentially
(``writeback_attempts``, ``writeback_due_at``, raising ``WritebackRetryLater`` for the task) up to
``WRITEBACK_MAX_ATTEMPTS``; beat's ``board_writebacks_due`` queues again the due ones whose task was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.audit import audit_record
from accounts.models import AuditEntry, Company, Role, User
from vacancies.models import Vacancy

from .. import boards, tasks
from ..boards import messages
from ..models import BoardApplication, BoardConnection, BoardVacancy, Notification, Response

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Without a Retry-After, no call to a board that answered 429 for this long (seconds).
RATE_LIMIT_BACKOFF = 60
# Write-back attempts in all; the n-th failure waits WRITEBACK_BACKOFF * 2**(n-1) seconds (capped).
WRITEBACK_MAX_ATTEMPTS = 8
WRITEBACK_BACKOFF = 30
WRITEBACK_BACKOFF_MAX = 6 * 3600
# How long one write-back, invitation or import holds its lock (seconds): longer than its task's time limit.
CALL_LOCK_SECONDS = 300
# The sweep queues a due write-back only after its own retry had this long to run (a lost task).
SWEEP_GRACE = dt.timedelta(minutes=2)

# The statuses whose decision is an invitation / a rejection (``messages.decision_for``).
_INVITE_STATUSES = [s for s in Response.Status.values if messages.decision_for(s) == boards.DECISION_INVITE]
_DISCARD_STATUSES = [s for s in Response.Status.values if messages.decision_for(s) == boards.DECISION_DISCARD]


class WritebackRetryLater(Exception):
    """A write-back failed in a way retrying can help: try again in ``countdown`` seconds."""

    def __init__(self, error: Exception, countdown: float):
        super().__init__(str(error))
        self.error = error
        self.countdown = countdown


# --- which boards can be connected --------------------------------------------------------------------


def board_settings_names(provider_name: str) -> tuple[str, str]:
    """The settings holding the board's registered application: ``("HH_CLIENT_ID", "HH_CLIENT_SECRET")``."""
    prefix = provider_name.upper()
    return f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET"


def board_configured(provider_name: str) -> bool:
    """The board's application is registered in the settings (``board_settings_names``: both set)."""
    return all(getattr(settings, name, "") for name in board_settings_names(provider_name))


def board_oauth_origin(provider_name: str) -> str:
    """The origin of the board's OAuth pages (``<BOARD>_OAUTH_URL``: "https://hh.ru"), which the browser is sent
    to from the "Connect" form: the integrations page's Content-Security-Policy must allow it (form-action)."""
    parts = urlsplit(getattr(settings, f"{provider_name.upper()}_OAUTH_URL", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def board_provider(provider_name: str) -> boards.Provider:
    """The client of a registered board; ``ValidationError`` for another name."""
    try:
        return boards.provider(provider_name)
    except KeyError:
        raise ValidationError(_("This job board is not available."))


# --- connecting ---------------------------------------------------------------------------------------


def board_connect_start(*, company: Company, provider_name: str, redirect_uri: str) -> tuple[str, str]:
    """Where to send the owner's browser to grant access, and the ``state`` the callback must bring back
    (the caller keeps it in the session). Raises ``ValidationError`` when the board is not set up here."""
    provider = board_provider(provider_name)
    if not board_configured(provider_name):
        raise ValidationError(_("%(board)s is not set up on this server yet.") % {"board": provider.title})
    state = secrets.token_urlsafe(24)
    return provider.authorize_url(state=state, redirect_uri=redirect_uri), state


def board_connect_finish(
    *, company: Company, user: User, provider_name: str, code: str, redirect_uri: str
) -> BoardConnection:
    """Exchange the authorization ``code`` for tokens, read the employer account, and store the connection
    (tokens encrypted, status connected, earlier errors and rate limit cleared). Write-backs that waited for a
    reconnection are due again. Audited (``settings_changed``).

    Raises ``boards.BoardError`` when the board refuses the code or the account (nothing stored then).
    """
    provider = board_provider(provider_name)
    tokens = provider.exchange_code(code=code, redirect_uri=redirect_uri)
    account = provider.account(access_token=tokens.access_token)
    now = timezone.now()
    with transaction.atomic():
        connection, _created = BoardConnection.objects.select_for_update().get_or_create(
            company=company, provider=provider_name
        )
        connection.status = BoardConnection.Status.CONNECTED
        connection.access_token = tokens.access_token
        connection.refresh_token = tokens.refresh_token
        connection.token_expires_at = tokens.expires_at
        connection.account_id, connection.account_name = account.id, account.name
        connection.manager_id = account.manager_id
        connection.connected_by, connection.connected_at = user, now
        connection.last_error, connection.error_kind, connection.rate_limited_until = "", "", None
        connection.save()
        pending = board_writebacks_pending(connection=connection)
        pending.update(writeback_due_at=now, writeback_attempts=0, writeback_error="")
        for pk in pending.values_list("pk", flat=True)[:WRITEBACK_REQUEUE_LIMIT]:
            tasks.board_writeback.delay(pk)  # decisions taken while it was disconnected, written now (on commit)
        audit_record(
            company=company,
            actor=user,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            target=f"board:{connection.pk}",
            summary=f"Connected {provider.title} (employer {account.id})",
            details={"board": provider_name, "employer": account.id},
        )
    return connection


def board_disconnect(*, connection: BoardConnection, user: User) -> BoardConnection:
    """Revoke the tokens on the board (best effort: a board that cannot be reached does not keep the connection),
    forget them here and mark the connection disconnected. Linked vacancies and imported applications stay.
    Audited (``settings_changed``)."""
    provider = board_provider(connection.provider)
    if connection.access_token:
        try:
            provider.revoke(access_token=connection.access_token)
        except boards.BoardError as error:
            logger.info(
                "revoking %s tokens of connection %s failed: %s", connection.provider, connection.pk, error.kind
            )
    with transaction.atomic():
        BoardConnection.objects.filter(pk=connection.pk).update(
            status=BoardConnection.Status.DISCONNECTED,
            access_token=None,
            refresh_token=None,
            token_expires_at=None,
            updated_at=timezone.now(),
        )
        audit_record(
            company=connection.company_id,
            actor=user,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            target=f"board:{connection.pk}",
            summary=f"Disconnected {provider.title}",
            details={"board": connection.provider},
        )
    connection.refresh_from_db()
    return connection


# --- calls ------------------------------------------------------------------------------------------------


def board_call(*, connection: BoardConnection, call: Callable[[str], T], per_application: bool = False) -> T:
    """``call(access_token)`` with a valid token, its failure recorded on the connection (see the module).

    ``per_application``: the call acts on one application (an invitation, a decision): a "paid" refusal then
    concerns that feature (Avito's messenger needs a higher subscription), is kept by the caller on the
    application, and does not stop the connection's imports.

    Raises ``boards.BoardError``: "rate_limit" without calling while ``rate_limited_until`` runs; "auth" when the
    connection is not connected or its token cannot be refreshed; any error of the call itself.
    """
    now = timezone.now()
    if connection.rate_limited_until and connection.rate_limited_until > now:
        wait = (connection.rate_limited_until - now).total_seconds()
        raise boards.BoardError("rate_limit", _("The job board asked us to wait."), retry_after=wait)
    if not connection.can_sync:
        raise boards.BoardError("auth", _("The job board is not connected."))
    try:
        token = _token(connection, force=False)
        try:
            return call(token)
        except boards.BoardError as error:
            if error.kind != "auth":
                raise
        return call(_token(connection, force=True, stale=token))  # refreshed once after an "auth" refusal
    except boards.BoardError as error:
        board_error_record(connection=connection, error=error, stops_connection=not per_application)
        raise


def _token(connection: BoardConnection, *, force: bool, stale: str = "") -> str:
    """A valid access token: the stored one, or new ones from the refresh token when it expired or is about to
    (the board's ``refresh_early_seconds``: hh.ru allows no early refresh, Avito does), or ``force`` after a
    refusal of ``stale``. The connection's row is locked while refreshing: a refresh token works once, so a second
    worker takes the tokens the first one stored."""
    provider = board_provider(connection.provider)
    expires = connection.token_expires_at
    due = timezone.now() + dt.timedelta(seconds=provider.refresh_early_seconds)
    if not force and (expires is None or expires > due):
        return connection.access_token
    with transaction.atomic():
        locked = BoardConnection.objects.select_for_update().get(pk=connection.pk)
        fresh_elsewhere = locked.access_token and locked.access_token != (stale or connection.access_token)
        if fresh_elsewhere and (locked.token_expires_at is None or locked.token_expires_at > due):
            tokens = None  # another worker refreshed meanwhile
        else:
            try:
                tokens = provider.refresh(refresh_token=locked.refresh_token or "")
            except boards.BoardError as error:
                if error.retryable:
                    raise
                raise boards.BoardError(
                    "auth",
                    _("%(board)s refused to renew the access: reconnect %(board)s.") % {"board": provider.title},
                    detail=error.detail or error.message,
                    status=error.status,
                )
            locked.access_token, locked.refresh_token = tokens.access_token, tokens.refresh_token
            locked.token_expires_at = tokens.expires_at
            locked.save(update_fields=["access_token", "refresh_token", "token_expires_at", "updated_at"])
    connection.access_token, connection.refresh_token = locked.access_token, locked.refresh_token
    connection.token_expires_at = locked.token_expires_at
    return connection.access_token


def board_error_record(*, connection: BoardConnection, error: boards.BoardError, stops_connection: bool = True) -> None:
    """Keep a failed call's error on the connection for the page: a rate limit's wait, a paid refusal or an auth
    failure marks the connection ERROR (the owners are told once, when it turns ERROR); a paid refusal of a
    per-application call (``stops_connection`` False) is only kept. The board's own sentence is shown (it names
    what to buy); a generic one when it has none."""
    now = timezone.now()
    fields = {"last_error": error.message[:2000], "error_kind": error.kind, "last_error_at": now, "updated_at": now}
    if error.kind == "rate_limit":
        wait = error.retry_after if error.retry_after and error.retry_after > 0 else RATE_LIMIT_BACKOFF
        fields["rate_limited_until"] = now + dt.timedelta(seconds=wait)
    turned = False
    if error.kind == "auth" or (error.kind == "paid" and stops_connection):
        if error.kind == "paid" and not error.message:
            fields["last_error"] = _(
                "%(board)s refused a paid method: the employer account's tariff does not include API access to "
                "responses. Buy it on %(board)s, then reconnect."
            ) % {"board": connection.get_provider_display()}
        turned = bool(
            BoardConnection.objects.filter(pk=connection.pk, status=BoardConnection.Status.CONNECTED).update(
                status=BoardConnection.Status.ERROR
            )
        )
        fields["status"] = BoardConnection.Status.ERROR
    BoardConnection.objects.filter(pk=connection.pk).update(**fields)
    for name, value in fields.items():
        setattr(connection, name, value)
    if turned:
        _notify_owners(connection=connection)
    logger.warning("job board %s of connection %s: %s %s", connection.provider, connection.pk, error.kind, error.detail)


def _notify_owners(*, connection: BoardConnection) -> None:
    """Tell the company's owners that the board needs attention (a notification with the page's link)."""
    from .notifications import notify

    owners = list(User.objects.filter(company_id=connection.company_id, role=Role.OWNER, is_active=True))
    notify(
        company=connection.company,
        kind=Notification.Kind.BOARD_PROBLEM,
        text=gettext_noop("%(board)s needs attention: %(problem)s"),
        params={"board": connection.get_provider_display(), "problem": connection.last_error},
        url=reverse("screening:integrations"),
        users=owners,
    )


# --- vacancies --------------------------------------------------------------------------------------------


def board_vacancies(*, connection: BoardConnection) -> list[boards.BoardVacancyInfo]:
    """The employer's active vacancies on the board, for the link form. Raises ``boards.BoardError``."""
    provider = board_provider(connection.provider)
    account = boards.Account(id=connection.account_id, name=connection.account_name, manager_id=connection.manager_id)
    return board_call(connection=connection, call=lambda token: provider.vacancies(access_token=token, account=account))


def board_vacancy_link(*, connection: BoardConnection, vacancy: Vacancy, external_id: str) -> BoardVacancy:
    """Link ``vacancy`` to the board's vacancy ``external_id``: its responses are imported from now on.

    Raises ``ValidationError`` for another company's vacancy, a vacancy already linked, a board vacancy
    linked to another one or archived; ``boards.BoardError`` when the board cannot say what it is.
    """
    if vacancy.company_id != connection.company_id:
        raise ValidationError({"vacancy": _("Choose one of your vacancies.")})
    external_id = external_id.strip()
    if not external_id or len(external_id) > 64:
        raise ValidationError({"external_id": _("Choose a vacancy on the job board.")})
    provider = board_provider(connection.provider)
    info = board_call(
        connection=connection, call=lambda token: provider.vacancy(access_token=token, vacancy_id=external_id)
    )
    if info.archived:
        raise ValidationError({"external_id": _("This vacancy is archived on the job board.")})
    if BoardVacancy.objects.filter(connection=connection, vacancy=vacancy).exists():
        raise ValidationError({"vacancy": _("This vacancy is already linked. Unlink it first.")})
    if BoardVacancy.objects.filter(connection=connection, external_id=info.id).exists():
        raise ValidationError({"external_id": _("This vacancy on the job board is already linked to another one.")})
    try:
        with transaction.atomic():
            return BoardVacancy.objects.create(
                connection=connection,
                vacancy=vacancy,
                external_id=info.id,
                external_name=info.name[:255],
                external_url=info.url[:500],
            )
    except IntegrityError:  # linked at the same moment by someone else
        raise ValidationError(_("This vacancy was linked meanwhile."))


def board_vacancy_unlink(*, link: BoardVacancy) -> None:
    """Stop importing into the linked vacancy. Its imported applications stay, and their decisions are still
    written back."""
    link.delete()


# --- messages ---------------------------------------------------------------------------------------------


def board_messages_save(*, connection: BoardConnection, user: User, invite: str, accept: str, discard: str) -> None:
    """Save the company's wording of the three messages (blank = the default). Raises ``ValidationError`` with
    the problems per field (``messages.message_validate``). Audited (``settings_changed``)."""
    texts = {messages.INVITE: invite, messages.ACCEPT: accept, messages.DISCARD: discard}
    errors = {f"{kind}_message": messages.message_validate(kind, text) for kind, text in texts.items()}
    errors = {field: problems for field, problems in errors.items() if problems}
    if errors:
        raise ValidationError(errors)
    fields = {f"{kind}_message": text.strip() for kind, text in texts.items()}
    with transaction.atomic():
        BoardConnection.objects.filter(pk=connection.pk).update(**fields, updated_at=timezone.now())
        audit_record(
            company=connection.company_id,
            actor=user,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            target=f"board:{connection.pk}",
            summary=f"Changed the {connection.get_provider_display()} messages",
            details={"board": connection.provider, "fields": sorted(fields)},
        )
    for name, value in fields.items():
        setattr(connection, name, value)


def board_message(*, kind: str, connection: BoardConnection, response: Response, **values: str) -> str:
    """The text of message ``kind`` for ``response``: the company's wording or the default, in the vacancy's
    language, with the candidate's first name, the vacancy and the company filled (and ``values``)."""
    vacancy = response.vacancy
    with translation.override(vacancy.language):
        return messages.render(
            kind,
            getattr(connection, f"{kind}_message", ""),
            first_name=response.first_name,
            vacancy=vacancy.title,
            company=vacancy.company.name,
            **values,
        )


# --- decisions written back -------------------------------------------------------------------------------


def board_writebacks_pending(*, connection: BoardConnection):
    """The connection's live applications whose decision differs from the one written (a queryset); an erased
    person's is never written (``_writeback`` answers "gone"), so it is not pending either."""
    return BoardApplication.objects.filter(connection=connection, response__erased_at__isnull=True).filter(
        (Q(response__status__in=_INVITE_STATUSES) & ~Q(written_decision=boards.DECISION_INVITE))
        | (Q(response__status__in=_DISCARD_STATUSES) & ~Q(written_decision=boards.DECISION_DISCARD))
    )


def board_decision_schedule(*, response: Response) -> bool:
    """Make the write-back of ``response``'s decision due when it came from a board and its status maps onto a
    decision other than the one written (queued after the commit). A decision changed back to the one written
    before its write cancels the pending write. Returns whether a write was queued. One query without a board."""
    application = BoardApplication.objects.filter(response_id=response.pk).first()
    if application is None:
        return False
    decision = messages.decision_for(response.status)
    if not decision or decision == application.written_decision:
        if application.writeback_due_at is not None:
            BoardApplication.objects.filter(pk=application.pk).update(writeback_due_at=None)
        return False
    BoardApplication.objects.filter(pk=application.pk).update(
        writeback_due_at=timezone.now(), writeback_attempts=0, writeback_error=""
    )
    tasks.board_writeback.delay(application.pk)
    return True


def writeback_backoff_seconds(attempts: int) -> float:
    """The wait after the ``attempts``-th failed write-back (30 s, 1 min, 2 min, ... at most 6 hours)."""
    return float(min(WRITEBACK_BACKOFF * 2 ** max(attempts - 1, 0), WRITEBACK_BACKOFF_MAX))


def board_writeback(*, board_application_id: int) -> str:
    """Write the application's current decision to the board with its message; idempotent.

    Returns "written", or why nothing was written: "none" (no decision, or it is written already), "busy"
    (another worker writes it now), "gone", "failed" (a refusal retrying cannot help, or the last attempt:
    ``writeback_error`` shown on the page). A decision changed while it was written is due again at once.
    Raises ``WritebackRetryLater`` when retrying can help (an attempt counted unless the board's rate limit
    held the call back).
    """
    return board_exclusive(f"board-writeback:{board_application_id}", lambda: _writeback(board_application_id))


def board_exclusive(key: str, work: Callable[[], str]) -> str:
    """``work()`` while holding the cache lock ``key`` (shared by every worker; it runs out after
    ``CALL_LOCK_SECONDS``, so a killed worker's lock frees itself), or "busy" when another holds it."""
    if not cache.add(key, 1, timeout=CALL_LOCK_SECONDS):
        return "busy"
    try:
        return work()
    finally:
        cache.delete(key)


def _writeback(board_application_id: int) -> str:
    application = (
        BoardApplication.objects.select_related("connection", "response__vacancy__company")
        .filter(pk=board_application_id)
        .first()
    )
    if application is None or application.response.is_erased:
        return "gone"
    response, connection = application.response, application.connection
    decision = messages.decision_for(response.status)
    if not decision or decision == application.written_decision:
        BoardApplication.objects.filter(pk=application.pk).update(writeback_due_at=None)
        return "none"
    provider = board_provider(connection.provider)
    text = board_message(kind=messages.DECISION_MESSAGE[decision], connection=connection, response=response)
    now = timezone.now()
    try:
        board_call(
            connection=connection,
            call=lambda token: provider.write_decision(
                access_token=token, negotiation_id=application.negotiation_id, decision=decision, message=text
            ),
            per_application=True,
        )
    except boards.BoardError as error:
        counted = error.kind != "rate_limit" or not error.retry_after or error.status is not None
        attempts = application.writeback_attempts + (1 if counted else 0)
        retry = error.retryable and attempts < WRITEBACK_MAX_ATTEMPTS
        wait = max(writeback_backoff_seconds(attempts), error.retry_after or 0) if retry else 0
        BoardApplication.objects.filter(pk=application.pk).update(
            writeback_attempts=attempts,
            writeback_error=error.message[:2000],
            writeback_due_at=now + dt.timedelta(seconds=wait) if retry else None,
        )
        if retry:
            raise WritebackRetryLater(error, wait)
        return "failed"
    with transaction.atomic():
        current = Response.objects.select_for_update().filter(pk=response.pk).values_list("status", flat=True).first()
        again = messages.decision_for(current or "") not in ("", decision)
        BoardApplication.objects.filter(pk=application.pk).update(
            written_decision=decision,
            written_at=now,
            writeback_attempts=0,
            writeback_error="",
            writeback_due_at=now if again else None,
        )
        if again:  # decided otherwise while this one was written: write that one too
            tasks.board_writeback.delay(application.pk)
    return "written"


# Write-backs queued at once on a reconnection; the minute sweep takes the rest.
WRITEBACK_REQUEUE_LIMIT = 500


# Connections the sweeps look at (``BoardConnection.can_sync`` decides per row).
SYNCABLE_STATUSES = (BoardConnection.Status.CONNECTED, BoardConnection.Status.ERROR)


def board_writebacks_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Beat's sweep: queue the write-backs due for a while (their task was lost or never queued). Returns how
    many were queued."""
    now = now or timezone.now()
    ids = list(
        BoardApplication.objects.filter(
            writeback_due_at__lte=now - SWEEP_GRACE, connection__status__in=SYNCABLE_STATUSES
        )
        .order_by("writeback_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        tasks.board_writeback.delay(pk)
    return len(ids)
