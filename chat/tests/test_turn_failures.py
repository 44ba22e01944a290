"""An unexpected error inside a candidate's turn becomes an ``internal`` error frame, logged with the response id
and the traceback, and the socket stays open and usable: it never closes (docs/chat-protocol.md, "error").

Fault injection: no input reaches an unhandled exception by design, so one step of a turn is made to fail once.
"""

import logging

import pytest

from chat import frames, services
from chat.tests.conftest import connected
from chat.tests.conftest import db as _db
from screening.models import Answer, ChatMessage

pytestmark = pytest.mark.django_db(transaction=True)


def _fail_once(monkeypatch, module, name):
    real = getattr(module, name)
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, fail_once)


def _internal(records, response):
    return [
        r
        for r in records
        if r.name == "chat.consumers" and r.levelno == logging.ERROR and getattr(r, "response_id", None) == response.pk
    ]


async def test_a_failing_turn_is_logged_with_the_response_id_and_the_next_frame_works(
    response, candidate_socket, monkeypatch, caplog
):
    _fail_once(monkeypatch, services, "chat_candidate_message")
    socket, hello = await connected(candidate_socket, response)
    with caplog.at_level(logging.ERROR, logger="chat.consumers"):
        await socket.send("message", text="Moscow", id="a1", question=hello["question"]["id"])
        frames_ = await socket.recv_until("error")
    error = frames_[-1]
    assert (error["code"], error["id"]) == ("internal", "a1")
    assert "went away" not in error["message"]  # no internals to the client
    [record] = _internal(caplog.records, response)
    assert record.exc_info is not None and "the database went away" in str(record.exc_info[1])
    assert str(response.pk) in record.getMessage()
    assert await socket.nothing()  # no close frame
    assert await _db(lambda: ChatMessage.objects.filter(sender="candidate").count()) == 0

    # The next frame, a new one, goes through on the same socket.
    answered = await socket.answer("Moscow", id="a2", question=hello["question"]["id"])
    assert next(f for f in answered if f["type"] == "ack")["id"] == "a2"
    assert next(f for f in answered if f["type"] == "question")["question"]["kind"] == "number"
    await socket.send("ping", id="p1")
    assert (await socket.recv())["type"] == "pong"


async def test_a_failure_after_the_commit_is_an_error_frame_and_a_resend_catches_up(
    response, candidate_socket, monkeypatch, caplog
):
    # The answer is stored, then building the reply fails: the client is told, and resending the same frame
    # (as the bundled JS does after an error it cannot place) is acknowledged as the duplicate it is.
    _fail_once(monkeypatch, frames, "turn_frames")
    socket, hello = await connected(candidate_socket, response)
    with caplog.at_level(logging.ERROR, logger="chat.consumers"):
        await socket.send("message", text="Moscow", id="a1", question=hello["question"]["id"])
        frames_ = await socket.recv_until("error")
    assert frames_[-1]["code"] == "internal"
    assert len(_internal(caplog.records, response)) == 1
    assert await socket.nothing()
    resent = await socket.answer("Moscow", id="a1", question=hello["question"]["id"])
    assert next(f for f in resent if f["type"] == "ack")["duplicate"] is True
    assert next(f for f in resent if f["type"] == "state")["question"]["kind"] == "number"
    assert await _db(lambda: Answer.objects.count()) == 1
