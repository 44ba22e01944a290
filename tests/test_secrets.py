"""No secret key anyone knows: none in the source, the compose file demands one, deploy checks refuse public ones."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from smartbot.checks import PUBLIC_SECRET_KEYS

ROOT = Path(settings.BASE_DIR)


@pytest.mark.parametrize("key", sorted(PUBLIC_SECRET_KEYS))
def test_deploy_checks_refuse_a_key_published_in_the_source(settings, key):
    settings.SECRET_KEY = key
    with pytest.raises(SystemCheckError, match=r"smartbot\.E001"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_no_secret_key_value_is_written_in_the_settings_or_the_compose_file():
    settings_text = (ROOT / "smartbot" / "settings.py").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    assert not any(key in settings_text or key in compose for key in PUBLIC_SECRET_KEYS)
    # The compose file requires the variable: ${SECRET_KEY:?...}, no ${SECRET_KEY:-default}.
    assert re.search(r"SECRET_KEY: \$\{SECRET_KEY:\?", compose)


def test_development_makes_a_random_key_once_and_keeps_it(tmp_path):
    env = {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "smartbot.settings", "PATH": "/usr/bin:/bin"}

    def key_of_a_fresh_process(var_dir):
        probe = (
            "import smartbot.settings as s, pathlib; "
            f"print(s.development_secret_key(pathlib.Path({str(var_dir / 'secret_key')!r})))"
        )
        return subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout.strip()

    first = key_of_a_fresh_process(tmp_path / "a")
    assert len(first) >= 50 and first not in PUBLIC_SECRET_KEYS
    assert key_of_a_fresh_process(tmp_path / "a") == first  # kept across restarts
    assert key_of_a_fresh_process(tmp_path / "b") != first  # another checkout, another key
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
