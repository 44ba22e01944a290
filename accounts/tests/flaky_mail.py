"""A mail backend for tests of emails that must survive a mail-server outage (the ``flaky_mail`` fixture)."""

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """The mail server refuses the first ``failures`` connections, then delivers (into ``mail.outbox``)."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)
