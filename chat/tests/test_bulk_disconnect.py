"""Hundreds of sockets dropped at once: the presence counters come back to zero and the channel layer's Redis
connections stay within its pool. A real daphne on PostgreSQL and Redis, real WebSocket clients over TCP."""

import asyncio
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from websockets.asyncio.client import connect

from chat.tests.live_server import Daphne, database_url, server_env
from conftest import require_services
from screening.models import ChatSession
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.services

RESPONSES = 25
SOCKETS_PER_RESPONSE = 8  # 200 candidate sockets (tabs)
WATCHED = 5  # responses with a recruiter's page open too
POOL = 20  # the server's CHANNEL_LAYER_MAX_CONNECTIONS
BOUND = 60  # seconds for everything to come back


@pytest.fixture
def server(transactional_db, tmp_path):
    require_services()
    client_name = f"smartbot-test-{uuid.uuid4().hex[:8]}"
    env = server_env(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        CHANNEL_LAYER_PREFIX=client_name,
        CHANNEL_LAYER_CLIENT_NAME=client_name,
        CHANNEL_LAYER_MAX_CONNECTIONS=str(POOL),
        ASGI_THREADS="8",
    )
    daphne = Daphne(env=env, log=tmp_path / "daphne.log").start()
    daphne.client_name = client_name
    try:
        daphne.wait_ready()
        yield daphne
    finally:
        daphne.stop()


def _redis_connections(name: str) -> int:
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        return sum(1 for entry in client.client_list() if entry.get("name") == name)


def _counts() -> tuple[int, int]:
    totals = ChatSession.objects.aggregate(sockets=Sum("candidate_sockets"), watchers=Sum("watchers"))
    return totals["sockets"] or 0, totals["watchers"] or 0


def _wait_for(predicate, what: str, server):
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {BOUND} s; counts {_counts()}\n{server.output()}")


def test_sockets_killed_in_bulk_leave_no_count_and_no_redis_connections_behind(server, company, recruiter):
    vacancy = VacancyFactory(company=company)
    full_script(vacancy)
    responses = [ResponseFactory(vacancy=vacancy) for _ in range(RESPONSES)]
    browser = Client()
    browser.force_login(recruiter)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    urls = [f"{server.ws_url}/ws/chat/{r.token}/" for r in responses for _ in range(SOCKETS_PER_RESPONSE)]
    urls += [f"{server.ws_url}/ws/responses/{r.pk}/" for r in responses[:WATCHED]]

    async def open_all():
        async def one(url):
            ws = await connect(url, origin=server.http_url, additional_headers={"Cookie": cookie}, open_timeout=30)
            assert '"hello"' in await asyncio.wait_for(ws.recv(), 30)
            return ws

        # In waves, so the handshakes queue neither in daphne (a 5 s connect timeout) nor in the test.
        sockets = []
        for start in range(0, len(urls), 50):
            sockets += await asyncio.gather(*(one(url) for url in urls[start : start + 50]))
        return sockets

    async def scenario():
        sockets = await open_all()
        assert await asyncio.to_thread(_counts) == (RESPONSES * SOCKETS_PER_RESPONSE, WATCHED)
        assert await asyncio.to_thread(_redis_connections, server.client_name) <= POOL
        for ws in sockets:  # no close frame, no FIN handshake: the connections just die (RST)
            ws.transport.abort()

    asyncio.run(scenario())
    _wait_for(lambda: _counts() == (0, 0), "the counters did not come back to 0", server)
    assert _redis_connections(server.client_name) <= POOL
    assert "Traceback" not in server.output()
