"""Celery tasks of the accounts app. Thin doors: fetch, call one thing, return."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=8, soft_time_limit=60, time_limit=90)
def send_email(self, *, subject: str, body: str, html: str, to: list[str]) -> None:
    """Send one account email (sign-up confirmation, invitation, password reset...), already rendered.

    ``subject`` one line, ``body`` plain text, ``html`` the HTML alternative (may be empty), ``to`` the
    addresses. Retried with exponential backoff (30 s, 1 min, 2 min, ... about 2 hours in all) while the
    mail server refuses or is unreachable, so a mail outage delays these emails instead of losing them.
    """
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    retries = self.request.retries or 0
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        raise self.retry(exc=exc, countdown=30 * 2**retries)
