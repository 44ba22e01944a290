"""Deployment checks of our own, run by ``manage.py check --deploy`` (and so by CI).

Registered by ``accounts.apps.AccountsConfig.ready`` (the project package is not an app).
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Keys that were ever written in this repository: public, so anyone can sign sessions, reset links and JWTs
# with them (the compose file's old fallback and the old development key).
PUBLIC_SECRET_KEYS = frozenset(
    {
        "change-me-in-production-please-0123456789abcdef",
        "dev-only-insecure-key-do-not-use-in-production",
    }
)


@register(Tags.security, deploy=True)
def check_secret_key_is_not_public(app_configs, **kwargs) -> list[Error]:
    """``smartbot.E001`` when ``SECRET_KEY`` is one of ``PUBLIC_SECRET_KEYS`` (Django's W009 covers weak keys)."""
    if settings.SECRET_KEY in PUBLIC_SECRET_KEYS:
        return [
            Error(
                "SECRET_KEY is a key published in SmartBot's source; anyone can forge sessions and tokens with it.",
                hint="Set SECRET_KEY to a new random value, e.g. the output of "
                'python -c "import secrets; print(secrets.token_urlsafe(50))"',
                id="smartbot.E001",
            )
        ]
    return []


# Backends that deliver nothing to anyone: reset, sign-up and invitation links would end in a log or a file.
UNDELIVERING_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
EMAIL_BACKEND_MESSAGE = (
    "EMAIL_BACKEND is {backend}: password reset, sign-up and invitation emails would reach nobody "
    "(their links would be written to a log or a file)."
)
EMAIL_BACKEND_HINT = (
    "Set EMAIL_URL to your mail server, e.g. smtp+tls://user:password@smtp.example.com:587, "
    "or EMAIL_ALLOW_CONSOLE=1 to run without mail on purpose."
)


def email_backend_refusal(*, backend: str, debug: bool, allow_console: bool) -> str | None:
    """Why production must not run with ``backend`` (a message with a hint), or None when it may.

    Pure, so that ``smartbot/settings.py`` refuses at load (every process: daphne, celery, manage.py) and
    ``check_email_backend_delivers`` reports ``smartbot.E002`` with the same rule.
    """
    if debug or allow_console or backend not in UNDELIVERING_EMAIL_BACKENDS:
        return None
    return EMAIL_BACKEND_MESSAGE.format(backend=backend) + " " + EMAIL_BACKEND_HINT


@register(Tags.security, deploy=True)
def check_email_backend_delivers(app_configs, **kwargs) -> list[Error]:
    """``smartbot.E002`` when DEBUG is off and email goes to the console, memory, nowhere or a file,
    unless ``EMAIL_ALLOW_CONSOLE`` is on.

    The settings refuse to load in that case already; this catches a settings module that changes
    ``EMAIL_BACKEND`` after ours ran (the test settings read ours with the console allowed).
    """
    backend = settings.EMAIL_BACKEND
    allow = getattr(settings, "EMAIL_ALLOW_CONSOLE", False)
    if email_backend_refusal(backend=backend, debug=settings.DEBUG, allow_console=allow) is None:
        return []
    return [Error(EMAIL_BACKEND_MESSAGE.format(backend=backend), hint=EMAIL_BACKEND_HINT, id="smartbot.E002")]
