"""The development secret key: random, made once per checkout, kept in ``var/`` (git-ignored).

Its own module because two settings modules use it: ``smartbot.settings`` with DEBUG on and no
``SECRET_KEY``, and ``smartbot.settings_test``, which must sign with the same key as the development
servers that tests start (they share the test database's sessions).
"""

import os
import secrets
from pathlib import Path


def development_secret_key(path: Path) -> str:
    """A random key made once for this checkout (``secrets.token_urlsafe(50)``) in ``path``, read back afterwards."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        # O_EXCL: when two processes start at once, the first key written wins and both use it.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(key)
    except FileExistsError:
        key = path.read_text().strip() or key
    return key
