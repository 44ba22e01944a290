"""Importing a job board's responses into applications, and inviting each imported candidate to the screening
through the board (issue 16, docs/integrations.md). Connections, calls and write-backs: ``boards``.

Overlapping runs (beat's and "Import now", a slow run and the next beat) are safe twice over: a run takes the
connection's lock in the cache (``cache.add`` with an expiry longer than the task's time limit, so a killed
worker's lock runs out; Redis in production, shared by every worker), so only one run talks to the board at a
time; and each response is written in its own transaction behind the unique (connection, negotiation id), so
even two runs that both got through import it once (the loser's ``IntegrityError`` is counted as skipped).

Who the person is (the privacy issue's identity rules, docs/privacy.md): an email from the board finds the
company's candidate with that normalised email; without one, an earlier live application from the board with
the same resume id gives its candidate; else a new candidate without an email. When that candidate already
applied to the vacancy (the careers page), the board's response is attached to that application rather than
making a second one.

Consent: the person applied on the board and accepted its terms; the application records
``consent_version = "hh.ru"`` (the board's name) and the time of the import as its consent to the screening,
and no consent to AI-assisted evaluation (nobody asked them): their screening is judged by the rules and a
person, as for a web candidate who did not tick the AI box (docs/privacy.md).
"""

from __future__ import annotations

import contextlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import boards, identity, tasks
from ..boards import messages
from ..models import BoardApplication, BoardConnection, BoardVacancy, Candidate, Response
from .applications import application_created
from .boards import board_call, board_exclusive, board_message, board_provider
from .privacy import board_negotiation_erased_key
from .telegram_links import telegram_deep_link

logger = logging.getLogger(__name__)

# How long one import run holds the connection's lock (seconds): longer than ``board_import``'s time limit.
IMPORT_LOCK_SECONDS = 1200
# Attempts at an invitation in all (the task retries while retrying can help).
INVITE_MAX_RETRIES = 5


class InviteRetryLater(Exception):
    """Sending the invitation failed in a way retrying can help: try again in ``countdown`` seconds."""

    def __init__(self, error: Exception, countdown: float):
        super().__init__(str(error))
        self.error = error
        self.countdown = countdown


def board_import_lock_key(connection_id: int) -> str:
    return f"board-import:{connection_id}"


def board_sync_all() -> int:
    """Beat: queue an import for every connected connection with a linked vacancy. Returns how many."""
    candidates = BoardConnection.objects.filter(
        status__in=(BoardConnection.Status.CONNECTED, BoardConnection.Status.ERROR), vacancies__isnull=False
    ).distinct()
    ids = [c.pk for c in candidates if c.can_sync]
    for pk in ids:
        tasks.board_import.delay(pk)
    return len(ids)


def board_import_request(*, connection: BoardConnection) -> bool:
    """ "Import now": queue an import of a connected board (False, nothing queued, when it is not connected)."""
    if not connection.can_sync:
        return False
    tasks.board_import.delay(connection.pk)
    return True


def board_import(*, connection_id: int) -> dict[str, int]:
    """Import the new responses of every linked vacancy of the connection that is not archived on the board.

    Returns counts: ``imported`` (new applications), ``attached`` (responses attached to an application the same
    person made on the careers page), ``skipped`` (already imported), ``archived`` (vacancies found archived
    now), ``busy`` (1 when another run holds the lock: nothing done). Failures are recorded on the connection
    (``boards.board_error_record``): a rate limit, a paid refusal, an auth failure or an unavailable board stop
    the run; a vacancy that is gone is reported and the others go on. The new applications are invited to the
    screening (``board_invite``, queued after each one's commit). Never raises ``BoardError``.
    """
    counts = {"imported": 0, "attached": 0, "skipped": 0, "archived": 0, "busy": 0}
    key, owner = board_import_lock_key(connection_id), secrets.token_hex(8)
    if not cache.add(key, owner, timeout=IMPORT_LOCK_SECONDS):
        counts["busy"] = 1
        return counts
    try:
        connection = BoardConnection.objects.select_related("company").filter(pk=connection_id).first()
        if connection is None or not connection.can_sync:
            return counts
        _import(connection, counts)
    finally:
        if cache.get(key) == owner:  # not a lock that ran out and was taken by a later run
            cache.delete(key)
    return counts


def _import(connection: BoardConnection, counts: dict[str, int]) -> None:
    provider = board_provider(connection.provider)
    started = timezone.now()
    BoardConnection.objects.filter(pk=connection.pk).update(last_sync_at=started)
    links = BoardVacancy.objects.filter(connection=connection, archived_at__isnull=True).select_related(
        "vacancy__company"
    )
    ok = True
    for link in links.order_by("pk"):
        try:
            info = board_call(
                connection=connection,
                call=lambda token, link=link: provider.vacancy(access_token=token, vacancy_id=link.external_id),
            )
            if info.archived:
                raise boards.BoardError("archived", _("The vacancy is archived on the job board."))
            known = set(BoardApplication.objects.filter(connection=connection).values_list("negotiation_id", flat=True))
            found = board_call(
                connection=connection,
                call=lambda token, link=link, known=known: list(
                    provider.responses(access_token=token, vacancy_id=link.external_id, known=known)
                ),
            )
        except boards.BoardError as error:
            if error.kind == "archived":
                BoardVacancy.objects.filter(pk=link.pk).update(archived_at=timezone.now())
                counts["archived"] += 1
                continue
            ok = False
            if error.kind == "not_found":
                continue  # recorded on the connection; the other vacancies go on
            return  # rate limit, paid, auth, unavailable: the next run tries again
        for item in found:
            counts[_import_one(connection=connection, link=link, item=item)] += 1
        BoardVacancy.objects.filter(pk=link.pk).update(last_import_at=timezone.now())
    pending = BoardApplication.objects.filter(
        connection=connection, invited_at__isnull=True, invite_error="", response__erased_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in pending:  # invitations whose task was lost (a broker down at commit time)
        tasks.board_invite.delay(pk)
    if ok:
        BoardConnection.objects.filter(pk=connection.pk).update(
            status=BoardConnection.Status.CONNECTED,  # a paid refusal mended on the board
            last_sync_ok_at=timezone.now(),
            last_error="",
            error_kind="",
            rate_limited_until=None,
        )


def _import_one(*, connection: BoardConnection, link: BoardVacancy, item: boards.BoardResponse) -> str:
    """Write one board response: "imported", "attached" or "skipped"."""
    # An erased person's response keeps its row under a keyed digest of its id: not imported back.
    erased = board_negotiation_erased_key(connection_id=connection.pk, negotiation_id=item.negotiation_id)
    known = [item.negotiation_id, erased]
    if BoardApplication.objects.filter(connection=connection, negotiation_id__in=known).exists():
        return "skipped"
    vacancy = link.vacancy
    company = vacancy.company
    try:
        with transaction.atomic():
            candidate = _candidate_for(connection=connection, item=item)
            response = Response.objects.filter(vacancy=vacancy, candidate=candidate).first()
            outcome = "attached"
            if response is not None and BoardApplication.objects.filter(response=response).exists():
                return "skipped"  # the same person's other response to this vacancy: one application
            if response is None:
                response = _response_create(
                    connection=connection, vacancy=vacancy, candidate=candidate, item=item, company=company
                )
                outcome = "imported"
            application = BoardApplication.objects.create(
                connection=connection,
                board_vacancy=link,
                response=response,
                negotiation_id=item.negotiation_id[:64],
                resume_id=item.resume_id[:64],
                resume_url=item.resume_url[:500],
                external_state=item.state[:40],
            )
            if outcome == "imported":
                tasks.board_invite.delay(application.pk)  # published on commit
    except IntegrityError:
        # Another run imported it at the same moment, or the person applied on the careers page meanwhile
        # (attached by the next run).
        return "skipped"
    return outcome


def _candidate_for(*, connection: BoardConnection, item: boards.BoardResponse) -> Candidate:
    company_id = connection.company_id
    email_key = _email_key(item.email)
    if email_key:
        with transaction.atomic():  # a savepoint: a concurrent web application may create them first
            try:
                return Candidate.objects.get_or_create(company_id=company_id, email=email_key, erased_at__isnull=True)[
                    0
                ]
            except IntegrityError:
                pass
        return Candidate.objects.get(company_id=company_id, email=email_key, erased_at__isnull=True)
    if item.resume_id:
        earlier = (
            BoardApplication.objects.filter(
                connection__company_id=company_id,
                resume_id=item.resume_id,
                response__erased_at__isnull=True,
                response__candidate__erased_at__isnull=True,
            )
            .select_related("response__candidate")
            .order_by("-pk")
            .first()
        )
        if earlier is not None:
            return earlier.response.candidate
    return Candidate.objects.create(company_id=company_id, email="")


def _email_key(email: str) -> str:
    if not email.strip():
        return ""
    try:
        return identity.email_normalise(email)
    except identity.EmailError:
        return ""  # unreadable: the person is found by the resume id instead


def _response_create(
    *, connection: BoardConnection, vacancy, candidate: Candidate, item: boards.BoardResponse, company
) -> Response:
    phone = item.phone.strip()[:40]
    phone_e164 = ""
    if phone:
        # Kept as the board gave it, without E.164, when it cannot be read: a bad phone never refuses the import.
        with contextlib.suppress(identity.PhoneError):
            phone_e164 = identity.phone_normalise(phone, region=company.phone_region or "RU")
    now = timezone.now()
    response = Response.objects.create(
        vacancy=vacancy,
        candidate=candidate,
        source=Response.Source.HH,
        full_name=" ".join(item.full_name.split())[:200],
        email=item.email.strip()[:254] if _email_key(item.email) else "",
        phone=phone,
        phone_e164=phone_e164,
        city=" ".join(item.city.split())[:120],
        resume_text=item.resume_text[:100000],
        consent_version=connection.get_provider_display(),  # "hh.ru": consent given on the board
        consent_at=now,
    )
    application_created(response=response)
    return response


# --- the invitation to the screening --------------------------------------------------------------------


def board_invite(*, board_application_id: int) -> str:
    """Send the imported candidate the invitation to the screening through the board, once.

    The message is the company's wording or the default (``messages.INVITE``) in the vacancy's language, with
    ``{chat_link}`` the candidate's private chat link and ``{telegram_link}`` the Telegram deep link (empty, and
    its paragraph left out, without a bot). Returns "sent", or why not: "done" (sent before, or refused before),
    "busy", "gone" (erased, withdrawn or no longer screening), "disconnected", "failed" (a refusal: kept in
    ``invite_error``, an archived vacancy marked). Raises ``InviteRetryLater`` when retrying can help.
    """
    return board_exclusive(f"board-invite:{board_application_id}", lambda: _invite(board_application_id))


def _invite(board_application_id: int) -> str:
    application = (
        BoardApplication.objects.select_related("connection", "board_vacancy", "response__vacancy__company")
        .filter(pk=board_application_id)
        .first()
    )
    if application is None:
        return "gone"
    if application.invited_at is not None or application.invite_error:
        return "done"
    response, connection = application.response, application.connection
    if response.is_erased or response.status not in (Response.Status.NEW, Response.Status.IN_CHAT):
        return "gone"
    if not connection.can_sync:
        return "disconnected"  # the next import after a reconnection queues it again
    chat_link = settings.SITE_URL + response.get_chat_url()
    text = board_message(
        kind=messages.INVITE,
        connection=connection,
        response=response,
        chat_link=chat_link,
        telegram_link=telegram_deep_link(response=response),
    )
    provider = board_provider(connection.provider)
    try:
        board_call(
            connection=connection,
            call=lambda token: provider.invite_to_screening(
                access_token=token, negotiation_id=application.negotiation_id, message=text
            ),
            per_application=True,
        )
    except boards.BoardError as error:
        if error.retryable:
            raise InviteRetryLater(error, max(error.retry_after or 0, 60))
        if error.kind == "auth":
            return "disconnected"  # the connection needs attention; invited after it is mended
        if error.kind == "archived" and application.board_vacancy_id:
            BoardVacancy.objects.filter(pk=application.board_vacancy_id, archived_at__isnull=True).update(
                archived_at=timezone.now()
            )
        BoardApplication.objects.filter(pk=application.pk, invited_at__isnull=True).update(
            invite_error=error.message[:2000]
        )
        return "failed"
    BoardApplication.objects.filter(pk=application.pk, invited_at__isnull=True).update(
        invited_at=timezone.now(), invite_error=""
    )
    return "sent"


def board_invite_give_up(*, board_application_id: int, reason: str) -> None:
    """The last retry of an invitation failed: keep why, for the page (no more attempts)."""
    BoardApplication.objects.filter(pk=board_application_id, invited_at__isnull=True).update(invite_error=reason[:2000])
