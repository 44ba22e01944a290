"""ASGI entry point: Django for HTTP, Channels for the chat WebSockets.

The WebSocket stack checks the Origin header (scheme, host and port: the socket's own
origin, SITE_URL's or one of CSRF_TRUSTED_ORIGINS; ``smartbot.origins``) before any
consumer sees the socket; the recruiters' route also loads the session user
(``chat.routing``), the candidate's is authenticated by its chat token.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from smartbot.limits import BodySizeLimitMiddleware, daphne_limit_request_bodies  # noqa: E402
from smartbot.logging import daphne_redact_access_log  # noqa: E402
from smartbot.origins import OriginValidator  # noqa: E402

# Under daphne, refuse an oversized body while it arrives (Twisted would buffer and parse it first).
daphne_limit_request_bodies()
# daphne's access log goes through logging (JSON in production), the chat token in paths hashed.
daphne_redact_access_log()

application = ProtocolTypeRouter(
    {
        # An oversized body is refused (413) before Django reads it; see smartbot.limits.
        "http": BodySizeLimitMiddleware(django_asgi_app),
        "websocket": OriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
