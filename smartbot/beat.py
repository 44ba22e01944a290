"""What celery beat runs, and how often (settings.CELERY_BEAT_SCHEDULE). Periods in seconds."""

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
    # Companies' retention periods (off unless a company sets one), once a day.
    "enforce-retention": {"task": "screening.tasks.enforce_retention", "schedule": 86400.0},
    # Resumes kept for an apply form's next try (chat.forms) are deleted after an hour, even if nobody comes back.
    "sweep-kept-resumes": {"task": "chat.tasks.sweep_kept_resumes", "schedule": 900.0, "options": {"expires": 850.0}},
}
