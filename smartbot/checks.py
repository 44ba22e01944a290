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
