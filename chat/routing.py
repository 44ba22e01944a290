"""WebSocket routes; smartbot.asgi wraps them all in origin validation.

The candidate's socket is authenticated by its chat token alone, so it skips
the session middleware (a thread hop and a session read on every connect of
the hottest route); the recruiters' socket needs the logged-in user.

The patterns take any path segment and the consumers judge it (a malformed token
is refused like an unknown one, 4404), and the last route refuses every other
path: URLRouter raises for a path no route matches, which daphne turned into
an HTTP 500 at the handshake.
"""

from channels.auth import AuthMiddlewareStack
from django.urls import re_path

from . import bell, consumers, pipeline

websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<token>[^/]*)/?$", consumers.CandidateChatConsumer.as_asgi()),
    re_path(r"^ws/responses/(?P<response_id>[^/]*)/?$", AuthMiddlewareStack(consumers.RecruiterChatConsumer.as_asgi())),
    re_path(r"^ws/notifications/?$", AuthMiddlewareStack(bell.NotificationConsumer.as_asgi())),
    re_path(r"^ws/pipeline/(?:(?P<vacancy_id>[^/]*)/?)?$", AuthMiddlewareStack(pipeline.PipelineConsumer.as_asgi())),
    re_path(r"", consumers.NotFoundConsumer.as_asgi()),
]
