"""Celery tasks of the screening app. Thin doors: take ids, fetch, call one service.

``evaluate_response`` and ``suggest_questions`` belong to the AI work (issue 4),
``deliver_webhook`` to the API work (issue 5), ``fairness_check`` to the fairness pre-flight (issue 13).

The services import this module at their top and call ``task.delay()`` (published once their
transaction commits: ``smartbot.celery.TransactionAwareTask``); so this module is the one that imports
the services lazily, inside the task bodies, and never at its top.
"""

from celery import shared_task
from django.conf import settings

# Attempts after the first one when the LLM provider is busy, down or slow (429, 5xx, timeouts).
LLM_MAX_RETRIES = 4


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=LLM_MAX_RETRIES)
def evaluate_response(self, response_id: int, force: bool = False) -> None:
    """Evaluate one response (idempotent: one evaluation per response and prompt version).

    Late acknowledgement + reject-on-worker-lost: a killed worker's task is
    redelivered with the same task id, which holds the evaluation's claim, so
    ``evaluation_run`` takes it over at once; any other task leaves a claimed
    evaluation alone until its lease runs out (duplicates are harmless).
    Retries with exponential backoff and jitter (or the provider's Retry-After)
    while retrying can help; every other failure is stored on the evaluation.
    ``force`` re-runs an evaluation that is already done or failed, in place.
    """
    from celery.exceptions import SoftTimeLimitExceeded

    from . import services

    retries = self.request.retries or 0
    try:
        services.evaluation_run(
            response_id=response_id,
            force=force,
            last_attempt=retries >= self.max_retries,
            retries=retries,
            task_id=self.request.id or "",
        )
    except services.EvaluationRetryLater as later:
        raise self.retry(exc=later.error, countdown=later.countdown)
    except SoftTimeLimitExceeded:  # struck outside the run (claiming): the sweep would otherwise wait for the lease
        services.evaluation_give_up(
            response_id=response_id, reason="The evaluation took too long and was stopped. Re-evaluate to try again."
        )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=LLM_MAX_RETRIES)
def suggest_questions(self, suggestion_id: int) -> None:
    """Fill a batch of suggested screening questions (idempotent: only a pending batch is filled)."""
    from . import ai, services

    retries = self.request.retries or 0
    try:
        services.suggestion_run(suggestion_id=suggestion_id, last_attempt=retries >= self.max_retries)
    except ai.LLMError as exc:
        raise self.retry(exc=exc, countdown=ai.retry_delay(retries, exc.retry_after))


@shared_task(acks_late=True, soft_time_limit=900, time_limit=960)
def fairness_check(check_id: int) -> None:
    """Run a vacancy's fairness pre-flight (idempotent: only a pending check runs).

    Not retried: the check makes two dozen LLM calls, and any failure ends it failed with the reason
    (the soft time limit included), for the recruiter to run again.
    """
    from . import services

    services.fairness_check_run(check_id=check_id)


@shared_task(bind=True, acks_late=True, max_retries=None, soft_time_limit=60, time_limit=90)
def deliver_webhook(self, delivery_id: int) -> None:
    """One attempt at a webhook delivery; retried with exponential backoff while retrying can help.

    Idempotent: a delivery that is no longer pending is not sent again.
    """
    from django.conf import settings

    from . import services
    from .webhook_transport import WebhookError

    retries = self.request.retries or 0
    try:
        # WEBHOOK_MAX_ATTEMPTS counts every attempt, the first one included.
        services.webhook_deliver(delivery_id=delivery_id, last_attempt=retries + 1 >= settings.WEBHOOK_MAX_ATTEMPTS)
    except WebhookError as exc:
        raise self.retry(exc=exc, countdown=services.webhook_backoff_seconds(retries))


@shared_task(acks_late=True, ignore_result=True)
def requeue_stalled_evaluations() -> int:
    """Beat's safety net, every minute: evaluations nobody holds (a lost enqueue or worker) are queued again."""
    from . import services

    return services.evaluation_requeue_stalled()


@shared_task(acks_late=True, ignore_result=True)
def requeue_stalled_webhook_deliveries() -> int:
    """Beat's safety net for webhooks: deliveries whose first attempt was never queued are queued again."""
    from . import services

    return services.webhook_deliveries_requeue_stalled()


@shared_task(bind=True, acks_late=True, max_retries=8, soft_time_limit=60, time_limit=90)
def send_application_email(self, response_id: int, kind: str) -> None:
    """Email a candidate their application's private link (``services.EMAIL_RECEIVED`` or ``EMAIL_LINK``).

    Retried with exponential backoff (30 s, 1 min, 2 min, ... about 2 hours in all) while the mail
    server refuses or is unreachable. An erased application sends nothing.
    """
    import smtplib

    from . import services

    retries = self.request.retries or 0
    try:
        services.application_email_send(response_id=response_id, kind=kind)
    except (OSError, smtplib.SMTPException) as exc:
        raise self.retry(exc=exc, countdown=30 * 2**retries)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def screening_followup(response_id: int) -> None:
    """After a finished screening: the evaluation queued, the webhook, the candidate's email, the recruiters'
    notification, slots offered. Once per screening: a duplicate does nothing."""
    from .services.followup import screening_followup as followup

    followup(response_id=response_id)


@shared_task(acks_late=True, ignore_result=True)
def requeue_stalled_followups() -> int:
    """Beat's safety net, every minute: follow-ups of finished screenings whose message was lost, queued again."""
    from .services.followup import screening_followup_requeue_stalled

    return screening_followup_requeue_stalled()


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def enforce_retention() -> int:
    """Erase the candidates whose company's retention period has ended (daily, by celery beat). Idempotent."""
    from . import services

    return services.retention_enforce()


# Attempts after the first one at sending an email (backoff 30 s, 1 min, 2 min, ... about 2 hours in all).
EMAIL_MAX_RETRIES = 8


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=EMAIL_MAX_RETRIES,
    rate_limit=settings.EMAIL_RATE_LIMIT,
    soft_time_limit=60,
    time_limit=90,
)
def send_email(self, sent_email_id: int) -> None:
    """Send one recorded email (``SentEmail``) exactly as queued; retried with exponential backoff while the mail
    server refuses or is unreachable, then marked failed. Idempotent: a row already sent is not sent again.
    Rate limited per worker (``settings.EMAIL_RATE_LIMIT``) so bulk sends do not flood the mail server."""
    import smtplib

    from .services.emails import sent_email_deliver

    retries = self.request.retries or 0
    try:
        sent_email_deliver(sent_email_id=sent_email_id, last_attempt=retries >= self.max_retries)
    except (OSError, smtplib.SMTPException) as exc:
        raise self.retry(exc=exc, countdown=30 * 2**retries)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=600, time_limit=660)
def send_notification_digests() -> int:
    """Beat, hourly: each member whose company's clock passed the digest hour gets one email listing their
    notifications left for the digest (``NotificationPreference`` "digest"). Idempotent per notification."""
    from .services.notifications import notification_digests_send

    return notification_digests_send()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=600, time_limit=660)
def remind_stalled_chats() -> int:
    """Beat, every 15 minutes: one reminder email to candidates who stopped mid-chat (``stall_reminder_hours``)."""
    from .services.notifications import stalled_chats_remind

    return stalled_chats_remind()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=280)
def send_interview_reminders() -> int:
    """Beat, every 5 minutes: interview reminders 24 hours and 1 hour before (``booking_reminders_send``;
    idempotent: each reminder is claimed on its booking row before it is queued)."""
    from .services.scheduling import booking_reminders_send

    return booking_reminders_send()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=1800, time_limit=1900)
def run_bulk_action(bulk_action_id: int) -> None:
    """Run a bulk action (``services.bulk.bulk_action_run``). Late acknowledgement: a killed worker's task is
    redelivered and resumes; idempotent, since each application's item is done once, in its own transaction."""
    from .services.bulk import bulk_action_run

    bulk_action_run(bulk_action_id=bulk_action_id)


# --- job boards (issue 16, docs/integrations.md) ------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def boards_sync_all() -> int:
    """Beat, every ``BOARD_SYNC_SECONDS``: queue an import for each connected job board with linked vacancies."""
    from .services.board_sync import board_sync_all

    return board_sync_all()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=900, time_limit=960)
def board_import(connection_id: int) -> dict:
    """Import a connection's new responses (idempotent; overlapping runs safe: ``board_sync.board_import``).
    Not retried: failures are recorded on the connection and the next beat run tries again."""
    from .services.board_sync import board_import as run

    return run(connection_id=connection_id)


@shared_task(bind=True, acks_late=True, max_retries=5, soft_time_limit=60, time_limit=90)
def board_invite(self, board_application_id: int) -> None:
    """Invite one imported candidate to the screening through the board, once; retried while the board is busy
    or down (its Retry-After, else a minute, doubling), then the reason is kept on the application."""
    from .services.board_sync import InviteRetryLater, board_invite_give_up
    from .services.board_sync import board_invite as run

    retries = self.request.retries or 0
    try:
        run(board_application_id=board_application_id)
    except InviteRetryLater as later:
        if retries >= self.max_retries:
            board_invite_give_up(board_application_id=board_application_id, reason=str(later.error))
            return
        raise self.retry(exc=later.error, countdown=later.countdown * 2**retries)


@shared_task(bind=True, acks_late=True, max_retries=None, soft_time_limit=60, time_limit=90)
def board_writeback(self, board_application_id: int) -> None:
    """Write one application's decision to the board; the service counts the attempts and gives up after
    ``WRITEBACK_MAX_ATTEMPTS`` (so no Celery limit here), backing off exponentially in between."""
    from .services.boards import WritebackRetryLater
    from .services.boards import board_writeback as run

    try:
        run(board_application_id=board_application_id)
    except WritebackRetryLater as later:
        raise self.retry(exc=later.error, countdown=later.countdown)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def board_writebacks_due() -> int:
    """Beat, every minute: queue again the write-backs due whose task was lost."""
    from .services.boards import board_writebacks_due as sweep

    return sweep()
