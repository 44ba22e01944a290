"""Across processes: a candidate on one daphne process and a recruiter on another talk through channels-redis.

Two real daphne subprocesses on loopback share the test's PostgreSQL database
(committed data: ``transactional_db``) and its Redis (a prefix of this run's
own), and the sockets are real WebSocket clients over TCP.
"""

import asyncio
import json
import uuid

import pytest
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import connect

from chat.tests.live_server import Daphne, database_url, server_env
from conftest import require_services
from screening.models import ChatMessage
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.services

TIMEOUT = 5


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    require_services()
    env = server_env(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        CHANNEL_LAYER_PREFIX=f"smartbot-test-{uuid.uuid4().hex[:8]}",
        ASGI_THREADS="4",
    )
    servers = [Daphne(env=env, log=tmp_path / f"daphne-{name}.log") for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


class Peer:
    """One end of the chat: a real WebSocket over TCP with the protocol's helpers."""

    def __init__(self, ws, name):
        self.ws, self.name, self.counter = ws, name, 0

    async def send(self, frame_type, **fields):
        self.counter += 1
        fields.setdefault("id", f"{self.name}-{self.counter}")
        await self.ws.send(json.dumps({"v": 1, "type": frame_type, **fields}))
        return fields["id"]

    async def until(self, predicate, what):
        """Frames up to and including the first one ``predicate`` accepts."""
        seen = []

        async def read():
            while True:
                item = json.loads(await self.ws.recv())
                seen.append(item)
                if predicate(item):
                    return seen

        try:
            return await asyncio.wait_for(read(), TIMEOUT)
        except TimeoutError:
            pytest.fail(f"{self.name} never got {what}; got {seen}")


def _is(frame_type, **fields):
    return lambda item: item["type"] == frame_type and all(item.get(k) == v for k, v in fields.items())


def _message(sender, text=None):
    def match(item):
        if item["type"] != "message" or item["message"]["sender"] != sender:
            return False
        return text is None or item["message"]["text"] == text

    return match


def test_recruiter_on_one_process_and_candidate_on_another_talk_both_ways(two_servers, company, recruiter):
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-developer")
    questions = full_script(vacancy)
    response = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")
    client = Client()
    client.force_login(recruiter)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    server_a, server_b = two_servers

    async def scenario():
        async with connect(
            f"{server_a.ws_url}/ws/chat/{response.token}/", origin=server_a.http_url, open_timeout=TIMEOUT
        ) as candidate_ws:
            candidate = Peer(candidate_ws, "candidate")
            (hello,) = await candidate.until(_is("hello"), "hello")
            assert hello["question"]["id"] == questions[0].pk

            async with connect(
                f"{server_b.ws_url}/ws/responses/{response.pk}/",
                origin=server_b.http_url,
                additional_headers={"Cookie": cookie},
                open_timeout=TIMEOUT,
            ) as recruiter_ws:
                staff = Peer(recruiter_ws, "recruiter")
                (hello,) = await staff.until(_is("hello"), "hello")
                assert hello["role"] == "recruiter" and hello["can_take_over"] is True

                # B takes over; the candidate on A is told who joined.
                await staff.send("takeover")
                await staff.until(_is("state", state="paused"), "its own takeover")
                frames = await candidate.until(_is("state", state="paused"), "the takeover")
                assert any(_message("system", "Roman joined the chat")(item) for item in frames)
                assert frames[-1]["recruiter"] == {"name": "Roman"}

                # Recruiter on B -> candidate on A.
                sent = await staff.send("message", text="Hi Anna, when could you start?")
                await staff.until(_is("ack", id=sent), "the ack")
                await candidate.until(_message("recruiter", "Hi Anna, when could you start?"), "the recruiter")

                # Candidate on A -> recruiter on B.
                sent = await candidate.send("message", text="In two weeks.")
                await candidate.until(_is("ack", id=sent), "the ack")
                await staff.until(_message("candidate", "In two weeks."), "the candidate's reply")

                # B hands back: the bot asks again, on A, the question where it stopped.
                await staff.send("handback")
                frames = await candidate.until(_is("question"), "the question again")
                assert frames[-1]["question"]["id"] == questions[0].pk
                assert any(_message("system", "Roman left the chat")(item) for item in frames)
                assert any(_is("state", state="active")(item) for item in frames)

                # And the bot's turn on A reaches the recruiter watching on B.
                sent = await candidate.send("message", text="Moscow", question=questions[0].pk)
                await candidate.until(_is("question"), "the next question")
                await staff.until(_is("question"), "the bot's turn")

    try:
        asyncio.run(scenario())
    except BaseException:
        for server in two_servers:
            print(f"--- daphne on {server.port} ---\n{server.output()}")
        raise

    texts = list(ChatMessage.objects.filter(session__response=response).values_list("sender", "text"))
    assert ("recruiter", "Hi Anna, when could you start?") in texts
    assert ("candidate", "In two weeks.") in texts
    assert texts.count(("candidate", "Moscow")) == 1
    assert response.answers.count() == 1
