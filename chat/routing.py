"""WebSocket routes (smartbot.asgi wraps them in origin validation and session authentication)."""

from django.urls import re_path

from . import consumers

websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<token>[A-Za-z0-9_-]{20,64})/$", consumers.CandidateChatConsumer.as_asgi()),
    re_path(r"^ws/responses/(?P<response_id>[0-9]{1,18})/$", consumers.RecruiterChatConsumer.as_asgi()),
]
