"""Production does not start when its email would reach nobody (console, memory, dummy or file backends)."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from smartbot.checks import UNDELIVERING_EMAIL_BACKENDS, check_email_backend_delivers, email_backend_refusal

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def _production_env(**extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "smartbot.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-email-check-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        **extra,
    }


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("backend", sorted(UNDELIVERING_EMAIL_BACKENDS))
def test_an_undelivering_backend_is_refused_in_production_only(backend):
    assert "EMAIL_URL" in email_backend_refusal(backend=backend, debug=False, allow_console=False)
    assert email_backend_refusal(backend=backend, debug=True, allow_console=False) is None
    assert email_backend_refusal(backend=backend, debug=False, allow_console=True) is None


def test_smtp_is_never_refused():
    assert email_backend_refusal(backend=SMTP, debug=False, allow_console=False) is None


def test_deploy_checks_report_e002_for_the_console_backend(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.EMAIL_ALLOW_CONSOLE = False

    with pytest.raises(SystemCheckError, match=r"smartbot\.E002"):
        call_command("check", deploy=True, fail_level="ERROR")

    settings.EMAIL_ALLOW_CONSOLE = True
    assert check_email_backend_delivers(None) == []
    settings.EMAIL_ALLOW_CONSOLE = False
    settings.EMAIL_BACKEND = SMTP
    assert check_email_backend_delivers(None) == []


@pytest.mark.parametrize(
    "argv",
    [
        [sys.executable, "-c", "import smartbot.asgi"],  # what daphne loads
        [sys.executable, "-m", "celery", "-A", "smartbot", "worker", "--pool=solo"],
        [sys.executable, "-m", "celery", "-A", "smartbot", "beat"],
        [sys.executable, "manage.py", "migrate", "--check"],
    ],
    ids=["daphne", "celery-worker", "celery-beat", "manage.py"],
)
def test_production_refuses_to_start_with_the_default_console_email(argv):
    done = _run(argv, _production_env())  # no EMAIL_URL: the console default

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "EMAIL_URL" in done.stderr


@pytest.mark.parametrize(
    "extra", [{"EMAIL_URL": "smtp://127.0.0.1:25"}, {"EMAIL_ALLOW_CONSOLE": "1"}], ids=["smtp", "allowed"]
)
def test_production_starts_with_a_mail_server_or_when_console_is_allowed(extra):
    done = _run([sys.executable, "-c", "import django; django.setup(); print('started')"], _production_env(**extra))

    assert done.returncode == 0, done.stderr[-2000:]
    assert "started" in done.stdout
