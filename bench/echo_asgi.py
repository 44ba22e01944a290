"""A bare echo consumer on the chat's own stack: the floor the chat benchmark is compared with.

Same server (daphne), same Channels version, same middleware as the
candidate's route in ``smartbot.asgi`` (origin validation), same JSON
consumer base class and the same ``dispatch`` shortcut as the chat consumers;
it only sends every frame back. Routed here, in the benchmark, and nowhere in
the product. Serve it with
``daphne -b 127.0.0.1 -p 9100 bench.echo_asgi:application`` (``bench/chat_load.py`` does).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")
django_asgi_app = get_asgi_application()

from channels.consumer import get_handler_name  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402


class EchoConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        # Like the chat consumers: no per-message hop to the sync thread (this consumer has no DB work at all).
        handler = getattr(self, get_handler_name(message), None)
        if handler is not None:
            await handler(message)

    async def receive_json(self, content, **kwargs):
        await self.send_json(content)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter([re_path(r"^ws/echo/$", EchoConsumer.as_asgi())])),
    }
)
