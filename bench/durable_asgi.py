"""The durable-turn floor: the least a durable chat turn must do, on the chat's own stack (issue 17).

The chat bench compares the chat's closed loop with this floor (``ratio_to_durable_floor``, target ≥ 0.5)
as well as with the bare echo (``bench/echo_asgi.py``), which writes nothing and is out of any durable chat's
reach. Per received frame the consumer runs ONE transaction through Django's connection (the production
settings: PostgreSQL through the per-process psycopg pool, health checks on), in a
``database_sync_to_async(thread_sensitive=False)`` call as the chat's consumers do:

1. ``SELECT … FOR UPDATE`` of the connection's session row (the chat locks its ``ChatSession`` row per turn),
2. ONE ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` of a message row, unique on (session, client id),
   so that a retried frame is acknowledged as a duplicate and never stored twice (the chat dedupes too),

then, after the commit, sends ONE reply frame: ``{"type": "ack", "id": <client id>, "message_id": <pk>,
"duplicate": false}``. The load generator (``bench.load.client.durable_phase``) opens a new connection every
5 frames, as a new candidate comes every 5 answers; the connect itself does no database work (the session
rows are seeded before the phase), so the chat's heavier connect is part of what the ratio measures.

Same stack as the candidate's route in ``smartbot.asgi``: daphne, the same process set-up (daphne's request
body limit, the redacted access log), ``smartbot.origins.OriginValidator`` (the candidate's route has no
session middleware), the same JSON consumer base class and ``dispatch`` shortcut as the chat consumers, and
the channel layer of the settings (channels-redis: every consumer gets its channel and the shared receive
loop, as the chat's do; the floor joins no group, the chat joins one per socket).

Two bench-only tables, created by the bench (``ensure_tables``; not models, no migration), in the bench's own
database (its name starts with ``smartbot_bench``; never the product's):

- ``bench_durable_session (id bigserial primary key, turns integer)``: one row per simulated connection;
- ``bench_durable_message (id bigserial primary key, session_id bigint references bench_durable_session,
  client_id varchar(64), body text, created_at timestamptz default now(), unique (session_id, client_id))``.

Routed here, in the benchmark, and nowhere in the product. Serve it with
``daphne -b 127.0.0.1 -p 9200 bench.durable_asgi:application`` (``bench/chat_load.py`` does); the socket's
path is ``/ws/durable/<session id>/``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartbot.settings")
django_asgi_app = get_asgi_application()

from functools import partial  # noqa: E402

from channels.consumer import get_handler_name  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import re_path  # noqa: E402

from bench.load.durable import INSERT_SQL, LOCK_SQL  # noqa: E402
from smartbot.limits import BodySizeLimitMiddleware, daphne_limit_request_bodies  # noqa: E402
from smartbot.logging import daphne_redact_access_log  # noqa: E402
from smartbot.origins import OriginValidator  # noqa: E402

daphne_limit_request_bodies()
daphne_redact_access_log()

# As chat.consumers: calls of different sockets run in parallel threads, each closing stale connections
# (returning them to the pool) around itself.
_db = partial(database_sync_to_async, thread_sensitive=False)


def durable_turn(*, session_id: int, client_id: str, body: str) -> tuple[int | None, bool]:
    """One durable turn: lock the session row, insert the message; ``(message id, duplicate)``.

    ``(None, False)`` when the session row does not exist (the frame is refused). Commits before returning.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LOCK_SQL, [session_id])
        if cursor.fetchone() is None:
            return None, False
        cursor.execute(INSERT_SQL, [session_id, client_id, body])
        row = cursor.fetchone()
    return (row[0], False) if row else (0, True)


class DurableTurnConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        # Like the chat consumers: no per-message hop to the sync thread (the ``_db`` call tidies connections).
        handler = getattr(self, get_handler_name(message), None)
        if handler is not None:
            await handler(message)

    async def connect(self):
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        await self.accept()

    async def receive_json(self, content, **kwargs):
        client_id = str(content.get("id", ""))[:64]
        message_id, duplicate = await _db(durable_turn)(
            session_id=self.session_id, client_id=client_id, body=str(content.get("text", ""))
        )
        if message_id is None:
            await self.send_json({"type": "error", "code": "not_found", "id": client_id})
            return
        await self.send_json({"type": "ack", "id": client_id, "message_id": message_id, "duplicate": duplicate})


application = ProtocolTypeRouter(
    {
        "http": BodySizeLimitMiddleware(django_asgi_app),
        "websocket": OriginValidator(
            URLRouter([re_path(r"^ws/durable/(?P<session_id>[0-9]{1,18})/$", DurableTurnConsumer.as_asgi())])
        ),
    }
)
