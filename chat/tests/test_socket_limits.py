"""Frame limits of the chat sockets: per socket and per address, messages, typing; through smartbot.asgi."""

import pytest

from chat.tests.conftest import connected
from chat.tests.conftest import db as _db
from screening.models import ChatMessage

pytestmark = pytest.mark.django_db(transaction=True)


async def _connected(make, *args, **kwargs):
    return (await connected(make, *args, **kwargs))[0]


@pytest.fixture
def limits(settings):
    """No refill during a test (a rate of one frame a day), so counts decide, never timing."""
    settings.CHAT_SOCKET_FRAMES_PER_SECOND = 1 / 86400
    settings.CHAT_SOCKET_FRAME_BURST = 5
    settings.CHAT_IP_FRAMES_PER_SECOND = 0  # off unless a test turns it on
    settings.CHAT_FLOOD_CLOSE_AFTER = 3
    return settings


async def test_a_flooding_socket_gets_one_polite_error_then_is_closed_with_4429(response, candidate_socket, limits):
    socket = await _connected(candidate_socket, response)
    for n in range(9):  # pings count like any frame
        await socket.send("ping", id=f"p{n}")
    for n in range(5):
        assert await socket.recv() == {"v": 1, "type": "pong", "id": f"p{n}"}
    error = await socket.recv()
    assert error["type"] == "error" and error["code"] == "rate_limited" and error["message"]
    # Three more refused frames are dropped silently; the fourth closes the socket.
    assert await socket.comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4429}


async def test_the_address_limit_counts_every_socket_of_one_address(response, candidate_socket, limits):
    limits.CHAT_SOCKET_FRAMES_PER_SECOND = 0
    limits.CHAT_IP_FRAMES_PER_SECOND = 1 / 86400
    limits.CHAT_IP_FRAME_BURST = 4
    first = await _connected(candidate_socket, response, client="203.0.113.7")
    second = await _connected(candidate_socket, response, client="203.0.113.7")
    elsewhere = await _connected(candidate_socket, response, client="198.51.100.1")
    for socket in (first, second):
        for n in range(2):
            await socket.send("ping", id=f"p{n}")
            assert (await socket.recv())["type"] == "pong"
    await second.send("ping", id="over")
    assert (await second.recv())["code"] == "rate_limited"
    await elsewhere.send("ping", id="other")
    assert await elsewhere.recv() == {"v": 1, "type": "pong", "id": "other"}


async def test_an_address_is_forgotten_when_its_last_socket_closes(response, candidate_socket, limits):
    from chat.throttle import ip_buckets

    limits.CHAT_IP_FRAMES_PER_SECOND = 1
    socket = await _connected(candidate_socket, response, client="192.0.2.44")
    assert len(ip_buckets) == 1
    await socket.close()
    assert len(ip_buckets) == 0


async def test_a_candidate_sending_messages_too_fast_is_refused_and_nothing_is_stored(
    response, candidate_socket, settings
):
    settings.CHAT_SOCKET_MESSAGES_PER_MINUTE = 1 / 1440
    settings.CHAT_SOCKET_MESSAGE_BURST = 2
    socket = await _connected(candidate_socket, response)
    await socket.answer("Moscow")
    await socket.answer("4")
    await socket.send("message", text="yes", id="third")
    error = await socket.recv()
    assert error == error | {"type": "error", "code": "rate_limited", "id": "third"}
    assert await _db(lambda: ChatMessage.objects.filter(sender="candidate").count()) == 2


async def test_a_recruiter_leading_the_chat_is_rate_limited_too(
    response, candidate_socket, recruiter_socket, recruiter, settings
):
    settings.CHAT_SOCKET_MESSAGES_PER_MINUTE = 1 / 1440
    settings.CHAT_SOCKET_MESSAGE_BURST = 2
    candidate = await _connected(candidate_socket, response)
    watcher = await _connected(recruiter_socket, response, recruiter)
    await watcher.send("takeover", id="t1")
    await watcher.recv_until("state")
    await watcher.send("message", text="Hello", id="r1")
    await watcher.recv_until("message")
    await watcher.send("message", text="Hello again", id="r2")
    error = await watcher.recv_until("error")
    assert error[-1]["code"] == "rate_limited" and error[-1]["id"] == "r2"
    assert await _db(lambda: ChatMessage.objects.filter(sender="recruiter").count()) == 1
    await candidate.close()


async def test_a_recruiters_message_over_4000_characters_is_refused(
    response, candidate_socket, recruiter_socket, recruiter
):
    candidate = await _connected(candidate_socket, response)
    watcher = await _connected(recruiter_socket, response, recruiter)
    await watcher.send("takeover", id="t1")
    await watcher.recv_until("state")
    await watcher.send("message", text="x" * 4001, id="long")
    error = await watcher.recv_until("error")
    assert error[-1]["code"] == "too_long"
    assert await _db(lambda: ChatMessage.objects.filter(sender="recruiter").count()) == 0
    await candidate.close()


async def test_typing_frames_are_coalesced_and_the_last_state_arrives(
    response, candidate_socket, recruiter_socket, recruiter, settings
):
    settings.CHAT_TYPING_INTERVAL = 0.5
    candidate = await _connected(candidate_socket, response)
    watcher = await _connected(recruiter_socket, response, recruiter)
    for n in range(15):
        await candidate.send("typing", id=f"k{n}", on=True)
    await candidate.send("typing", id="k-off", on=False)
    seen = []
    while not seen or seen[-1] != {"v": 1, "type": "typing", "who": "candidate", "on": False}:
        seen.append(await watcher.recv())
    # The first indicator at once; the fifteen after it collapse into the last state, sent once.
    assert seen == [
        {"v": 1, "type": "typing", "who": "candidate", "on": True},
        {"v": 1, "type": "typing", "who": "candidate", "on": False},
    ]
    await candidate.close()
