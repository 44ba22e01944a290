"""What celery beat runs, and how often (settings.CELERY_BEAT_SCHEDULE). Periods in seconds."""

import environ

# Read here, not from the settings (which import this module before they define it); the same variable and
# default as settings.BOARD_SYNC_SECONDS.
BOARD_SYNC_SECONDS = environ.Env().int("BOARD_SYNC_SECONDS", default=300)

CELERY_BEAT_SCHEDULE = {
    # Evaluations nobody holds (a broker down at commit time, a lost worker) are queued again within a minute or
    # two; a sweep that waited longer than its period is dropped (the next one does the same work).
    "requeue-stalled-evaluations": {
        "task": "screening.tasks.requeue_stalled_evaluations",
        "schedule": 60.0,
        "options": {"expires": 55.0},
    },
    # Webhook deliveries whose first attempt was never queued (the broker was down at commit time).
    "requeue-stalled-webhook-deliveries": {
        "task": "screening.tasks.requeue_stalled_webhook_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55.0},
    },
    # Follow-ups of finished screenings (evaluation queued, webhook, emails) whose message was lost: the finish
    # publishes one after commit; the response's ``followup_pending`` flag is its outbox.
    "requeue-stalled-followups": {
        "task": "screening.tasks.requeue_stalled_followups",
        "schedule": 60.0,
        "options": {"expires": 55.0},
    },
    # Companies' retention periods (off unless a company sets one), once a day.
    "enforce-retention": {"task": "screening.tasks.enforce_retention", "schedule": 86400.0},
    # Resumes kept for an apply form's next try (chat.forms) are deleted after an hour, even if nobody comes back.
    # Recruiters' daily digest of notifications (sent at DIGEST_HOUR of each company's clock; checked hourly).
    "send-notification-digests": {
        "task": "screening.tasks.send_notification_digests",
        "schedule": 3600.0,
        "options": {"expires": 3000.0},
    },
    # One reminder email to candidates who stopped mid-chat (Company.stall_reminder_hours).
    "remind-stalled-chats": {
        "task": "screening.tasks.remind_stalled_chats",
        "schedule": 900.0,
        "options": {"expires": 850.0},
    },
    "sweep-kept-resumes": {"task": "chat.tasks.sweep_kept_resumes", "schedule": 900.0, "options": {"expires": 850.0}},
    # Telegram threads with chat lines not delivered yet (lines no nudge announced, sends whose retries ran out).
    "telegram-sweep": {"task": "chat.tasks.telegram_sweep", "schedule": 60.0, "options": {"expires": 55.0}},
    # Interview reminders 24 h and 1 h before (docs/scheduling.md); idempotent per booking and reminder.
    "send-interview-reminders": {
        "task": "screening.tasks.send_interview_reminders",
        "schedule": 300.0,
        "options": {"expires": 280.0},
    },
    # Job boards (docs/integrations.md): new responses imported from every linked vacancy; write-backs whose
    # task was lost queued again. The import's period is the settings' BOARD_SYNC_SECONDS.
    "sync-job-boards": {
        "task": "screening.tasks.boards_sync_all",
        "schedule": float(BOARD_SYNC_SECONDS),
        "options": {"expires": max(float(BOARD_SYNC_SECONDS) - 5, 1.0)},
    },
    "job-board-writebacks-due": {
        "task": "screening.tasks.board_writebacks_due",
        "schedule": 60.0,
        "options": {"expires": 55.0},
    },
}
