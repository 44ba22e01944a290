"""Failures on the chat sockets end in an error frame or a documented 4xxx close, never 1011 or a 500, and a
socket leaves no count behind on any way out (docs/chat-protocol.md)."""

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer

from chat import services
from chat.tests.conftest import connected
from chat.tests.conftest import db as _db
from screening.live import response_group
from screening.models import ChatMessage, ChatSession

from .conftest import HOST, ORIGIN, Socket

pytestmark = pytest.mark.django_db(transaction=True)


async def _session(response):
    return await _db(ChatSession.objects.get, response=response)


async def _connected(make, *args, **kwargs):
    return (await connected(make, *args, **kwargs))[0]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/ws/chat/short/", 4404),
        ("/ws/chat/" + "x" * 200 + "/", 4404),
        ("/ws/chat/тест-токен-неизвестной-формы/", 4404),
        ("/ws/chat/a.b%00c$d!e*f(g)h[i]j{k}l/", 4404),
        ("/ws/chat//", 4404),
        ("/ws/chat/" + "x" * 43, 4404),  # no trailing slash
        ("/ws/responses/abc/", 4404),
        ("/ws/responses/" + "9" * 40 + "/", 4404),
        ("/ws/responses/-1/", 4404),
        ("/ws/nothing-here/", 4404),
        ("/", 4404),
    ],
)
async def test_a_malformed_token_or_unknown_path_is_refused_at_the_handshake(db, asgi_app, path, code):
    socket = Socket(asgi_app, path)
    connected, close_code = await socket.connect()
    assert (connected, close_code) == (False, code)


async def test_an_unexpected_failure_in_a_turn_is_an_error_frame_and_the_socket_stays_usable(
    response, candidate_socket, monkeypatch
):
    # Fault injection: no input reaches an unhandled exception by design, so a turn is made to fail once.
    real = services.chat_candidate_message
    calls = []

    def fail_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "chat_candidate_message", fail_once)
    socket = await _connected(candidate_socket, response)
    await socket.send("message", text="Moscow", id="a1")
    frames = await socket.recv_until("error")
    assert frames[-1] | {"message": ""} == {"v": 1, "type": "error", "code": "internal", "message": "", "id": "a1"}
    assert {"v": 1, "type": "typing", "who": "bot", "on": False} in frames
    frames = await socket.answer("Moscow", id="a1")  # the same frame again: now it goes through
    assert next(f for f in frames if f["type"] == "ack")["duplicate"] is False
    assert await _db(lambda: ChatMessage.objects.filter(sender="candidate").count()) == 1


async def test_a_socket_that_crashes_closes_with_4500_and_is_uncounted(response, candidate_socket):
    socket = await _connected(candidate_socket, response)
    assert (await _session(response)).candidate_sockets == 1
    # A malformed event (frames that are not a list) makes the socket's handler raise.
    await get_channel_layer().group_send(response_group(response.pk), {"type": "chat.frames", "frames": 5})
    assert await socket.comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4500}
    await socket.comm.wait(timeout=3)
    assert (await _session(response)).candidate_sockets == 0


class _BrokenGroupsLayer(InMemoryChannelLayer):
    """A channel layer whose Redis is gone: joining and leaving groups fail."""

    async def group_add(self, group, channel):
        raise ConnectionError("Too many connections")

    async def group_discard(self, group, channel):
        raise ConnectionError("Too many connections")


class _NoLeavingLayer(InMemoryChannelLayer):
    """Joining works, leaving fails (the pool exhausted by a thousand sockets closing at once)."""

    async def group_discard(self, group, channel):
        raise ConnectionError("Too many connections")


def _layer(settings, backend):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}


async def test_a_handshake_failing_after_the_chat_opened_uncounts_the_socket(response, candidate_socket, settings):
    _layer(settings, _BrokenGroupsLayer)
    socket = candidate_socket(response)
    connected, _code = await socket.connect()
    assert not connected
    session = await _session(response)  # the chat was opened (greeting written) before the join failed
    assert session.candidate_sockets == 0
    assert await _db(lambda: ChatMessage.objects.filter(sender="bot").exists())


async def test_a_failed_handshake_of_a_recruiter_uncounts_the_watcher(response, recruiter_socket, recruiter, settings):
    _layer(settings, _BrokenGroupsLayer)
    socket = await recruiter_socket(response, recruiter)
    connected, _code = await socket.connect()
    assert not connected
    assert not await _db(lambda: ChatSession.objects.filter(response=response, watchers__gt=0).exists())


async def test_counts_come_back_even_when_leaving_the_groups_fails(
    response, candidate_socket, recruiter_socket, recruiter, settings
):
    _layer(settings, _NoLeavingLayer)
    candidates = [await _connected(candidate_socket, response) for _ in range(3)]
    watcher = await _connected(recruiter_socket, response, recruiter)
    session = await _session(response)
    assert (session.candidate_sockets, session.watchers) == (3, 1)
    for socket in [*candidates, watcher]:
        await socket.close()
    session = await _session(response)
    assert (session.candidate_sockets, session.watchers) == (0, 0)


async def test_a_socket_without_a_host_header_from_the_right_origin_is_refused(response, candidate_socket):
    socket = candidate_socket(response, headers=[ORIGIN])
    connected, _code = await socket.connect()
    assert not connected


@pytest.mark.parametrize("origin", [b"http://testserver:8081", b"https://testserver", b"http://testserver.evil"])
async def test_an_origin_differing_in_port_scheme_or_host_is_refused(response, candidate_socket, origin):
    socket = candidate_socket(response, headers=[HOST, (b"origin", origin)])
    connected, _code = await socket.connect()
    assert not connected
    assert await _db(lambda: ChatSession.objects.exists()) is False
