"""WSGI entry point: pages, the API and the admin in gunicorn's worker processes (``smartbot.gunicorn_config``).

The chat's WebSockets are served by daphne (``smartbot.asgi``); the front proxy sends ``/ws/`` there and
everything else here (deploy/nginx.conf, docs/operations.md "Deploying"). A body over
``REQUEST_MAX_BODY_BYTES`` is refused before Django reads it (``smartbot.limits.WSGIBodySizeLimit``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")
django_wsgi_app = get_wsgi_application()

from smartbot.limits import WSGIBodySizeLimit  # noqa: E402

application = WSGIBodySizeLimit(django_wsgi_app)
