"""Helpers of the chat tests: WebSocket clients for candidates and recruiters through the real ASGI stack."""

import asyncio
import contextlib
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script

ORIGIN = (b"origin", b"http://testserver")
# The socket's own origin is http:// plus its Host header (smartbot.origins): the test server's.
HOST = (b"host", b"testserver")


@pytest.fixture
def asgi_app():
    from smartbot.asgi import application

    return application


@pytest.fixture
def vacancy(company):
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-developer")
    full_script(vacancy)
    return vacancy


@pytest.fixture
def response(vacancy):
    return ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")


@sync_to_async
def db(fn, *args, **kwargs):
    """Run a synchronous (ORM) call ``fn(*args, **kwargs)`` from an async test, in a thread."""
    return fn(*args, **kwargs)


async def connected(make, *args, **kwargs):
    """A socket from a socket fixture ``make``, connected and past its hello: ``(socket, hello frame)``."""
    socket = make(*args, **kwargs)
    if hasattr(socket, "__await__"):
        socket = await socket
    is_connected, code = await socket.connect()
    assert is_connected, code
    hello = await socket.recv()
    assert hello["type"] == "hello" and hello["v"] == 1
    return socket, hello


def session_cookie(client, user) -> bytes:
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


# Sockets opened by the current test, closed after it (see ``_close_sockets``).
_open_sockets: list = []


class Socket:
    """A WebsocketCommunicator with the protocol's helpers."""

    def __init__(self, app, path, headers=None, client=None):
        self.comm = WebsocketCommunicator(app, path, headers=[HOST, ORIGIN] if headers is None else headers)
        if client is not None:  # the peer address, as daphne gives it: [host, port]
            self.comm.scope["client"] = [client, 50000]
        self.counter = 0
        self.prefix = uuid.uuid4().hex[:8]
        _open_sockets.append(self)

    async def connect(self):
        return await self.comm.connect()

    async def recv(self, timeout=3):
        return await self.comm.receive_json_from(timeout=timeout)

    async def recv_until(self, frame_type, timeout=3):
        """Frames up to and including the first of ``frame_type``."""
        frames = []
        while True:
            item = await self.recv(timeout)
            frames.append(item)
            if item["type"] == frame_type:
                return frames

    async def send(self, frame_type, **fields):
        self.counter += 1
        fields.setdefault("id", f"{self.prefix}-{self.counter}")
        await self.comm.send_json_to({"v": 1, "type": frame_type, **fields})
        return fields["id"]

    async def send_raw(self, text):
        await self.comm.send_to(text_data=text)

    async def answer(self, text=None, **fields):
        """Send an answer and return every frame up to the bot being idle again."""
        if text is not None:
            fields["text"] = text
        await self.send("message", **fields)
        return await self.recv_until_typing_off()

    async def recv_until_typing_off(self):
        """Frames up to the bot's "typing off", which ends every reply (after ack and messages)."""
        frames = []
        while True:
            item = await self.recv()
            frames.append(item)
            if item["type"] == "typing" and item["who"] == "bot" and item["on"] is False:
                return frames

    async def nothing(self, timeout=0.1):
        return await self.comm.receive_nothing(timeout=timeout)

    async def close(self):
        await self.comm.disconnect()


@pytest.fixture(autouse=True)
async def _close_sockets():
    """Disconnect every socket a test left open, on the test's own event loop.

    A consumer left running is otherwise cancelled while the loop is torn down,
    with its channel-layer and database calls half done (seen hanging once in CI).
    """
    yield
    while _open_sockets:
        socket = _open_sockets.pop()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(socket.comm.disconnect(), timeout=5)


@pytest.fixture
def candidate_socket(asgi_app):
    def make(response, headers=None, client=None):
        return Socket(asgi_app, f"/ws/chat/{response.token}/", headers=headers, client=client)

    return make


@pytest.fixture
def recruiter_socket(asgi_app, client):
    async def make(response, user=None, headers=None):
        if headers is None:
            headers = [HOST, ORIGIN]
            if user is not None:
                headers.append((b"cookie", await sync_to_async(session_cookie)(client, user)))
        return Socket(asgi_app, f"/ws/responses/{response.pk}/", headers=headers)

    return make


@pytest.fixture
def tg_bot(company, fake_telegram):
    """The company's Telegram bot on the fake Bot API, in polling mode (chat/tests/telegram_world.py)."""
    from .telegram_world import make_bot

    return make_bot(company)


@pytest.fixture
def ivan(fake_telegram, tg_bot):
    """A candidate in Telegram talking to ``tg_bot`` (chat/tests/telegram_world.py)."""
    from .telegram_world import Candidate

    return Candidate(fake_telegram)
