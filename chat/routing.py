"""WebSocket routes; smartbot.asgi wraps them all in origin validation.

The candidate's socket is authenticated by its chat token alone, so it skips
the session middleware (a thread hop and a session read on every connect of
the hottest route); the recruiters' socket needs the logged-in user.
"""

from channels.auth import AuthMiddlewareStack
from django.urls import re_path

from . import consumers

websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<token>[A-Za-z0-9_-]{20,64})/$", consumers.CandidateChatConsumer.as_asgi()),
    re_path(
        r"^ws/responses/(?P<response_id>[0-9]{1,18})/$", AuthMiddlewareStack(consumers.RecruiterChatConsumer.as_asgi())
    ),
]
