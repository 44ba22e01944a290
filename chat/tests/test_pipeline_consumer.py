"""The pipeline's live socket (chat.pipeline.PipelineConsumer, docs/pipeline.md "Live updates"): frames after a new
application, a chat that starts, a screening that finishes and a recruiter's move; members of the company only."""

import pytest
from asgiref.sync import sync_to_async

from chat.tests.conftest import HOST, ORIGIN, Socket, session_cookie
from chat.tests.conftest import connected as _connected
from chat.tests.conftest import db as _db
from screening import services
from screening.models import Response
from screening.services.applications import candidate_apply
from screening.tests.factories import ResponseFactory
from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db(transaction=True)
S = Response.Status


@pytest.fixture
def pipeline_socket(asgi_app, client):
    async def make(user=None, vacancy_id=""):
        headers = [HOST, ORIGIN]
        if user is not None:
            headers.append((b"cookie", await sync_to_async(session_cookie)(client, user)))
        path = f"/ws/pipeline/{vacancy_id}/" if vacancy_id != "" else "/ws/pipeline/"
        return Socket(asgi_app, path, headers=headers)

    return make


async def _listening(pipeline_socket, user, vacancy_id=""):
    socket = await pipeline_socket(user, vacancy_id)
    is_connected, code = await socket.connect()
    assert is_connected, code
    assert await socket.recv() == {"v": 1, "type": "hello"}
    return socket


def _frame(response, kind, from_status, status, from_column, column):
    return {
        "v": 1,
        "type": "pipeline",
        "kind": kind,
        "response_id": response.pk,
        "vacancy_id": response.vacancy_id,
        "from_status": from_status,
        "status": status,
        "from_column": from_column,
        "column": column,
    }


async def test_a_new_application_arrives_as_a_created_frame(vacancy, pipeline_socket, viewer):
    socket = await _listening(pipeline_socket, viewer)
    response, created = await _db(
        candidate_apply, vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org", consent=True, notify=False
    )
    assert created
    assert await socket.recv() == _frame(response, "created", "", S.NEW, "", "screening")
    await socket.close()


async def test_a_chat_that_starts_and_finishes_arrives_on_the_vacancys_board(
    response, candidate_socket, pipeline_socket, recruiter
):
    board = await _listening(pipeline_socket, recruiter, response.vacancy_id)
    candidate, _hello = await _connected(candidate_socket, response)
    assert await board.recv() == _frame(response, "chat_started", S.NEW, S.IN_CHAT, "screening", "screening")
    finished = await _db(services.response_finish, response=response)
    assert await board.recv() == _frame(response, "finished", S.IN_CHAT, finished.status, "screening", finished.status)
    await candidate.close()
    await board.close()


async def test_a_status_change_arrives_with_both_columns(vacancy, pipeline_socket, owner, recruiter):
    response = await _db(ResponseFactory, vacancy=vacancy, status=S.PASSED)
    socket = await _listening(pipeline_socket, owner)
    await _db(
        lambda: services.response_change_status(
            response=Response.objects.select_related("vacancy").get(pk=response.pk),
            to_status=S.SHORTLISTED,
            actor=recruiter,
        )
    )
    assert await socket.recv() == _frame(response, "status", S.PASSED, S.SHORTLISTED, S.PASSED, S.SHORTLISTED)
    await socket.close()


async def test_a_vacancys_socket_hears_only_that_vacancy(company, vacancy, pipeline_socket, owner):
    other = await _db(VacancyFactory, company=company, status=Vacancy.Status.OPEN)
    board = await _listening(pipeline_socket, owner, vacancy.pk)
    elsewhere = await _db(ResponseFactory, vacancy=other)
    here = await _db(ResponseFactory, vacancy=vacancy)
    for response in (elsewhere, here):
        await _db(lambda r=response: services.response_start_chat(response=Response.objects.get(pk=r.pk)))
    frame = await board.recv()
    assert (frame["response_id"], frame["kind"]) == (here.pk, "chat_started")  # the other vacancy's came first
    assert await board.nothing()
    await board.close()


async def test_an_outsider_hears_nothing_of_another_company(vacancy, pipeline_socket, outsider):
    socket = await _listening(pipeline_socket, outsider)
    await _db(candidate_apply, vacancy=vacancy, full_name="Anna", email="anna@example.org", consent=True, notify=False)
    assert await socket.nothing(timeout=0.3)
    await socket.close()


async def test_an_outsider_is_refused_the_board_of_another_companys_vacancy(vacancy, pipeline_socket, outsider):
    socket = await pipeline_socket(outsider, vacancy.pk)
    is_connected, code = await socket.connect()
    assert not is_connected and code == 4403


async def test_an_anonymous_socket_is_refused(pipeline_socket):
    socket = await pipeline_socket(None)
    is_connected, code = await socket.connect()
    assert not is_connected and code == 4403


async def test_a_malformed_vacancy_id_is_refused(pipeline_socket, owner):
    socket = await pipeline_socket(owner, "abc")
    is_connected, code = await socket.connect()
    assert not is_connected and code == 4404


async def test_whatever_a_client_sends_is_ignored(vacancy, pipeline_socket, owner):
    socket = await _listening(pipeline_socket, owner)
    await socket.send_raw('{"type": "move", "status": "hired"}')
    assert await socket.nothing()
    response = await _db(ResponseFactory, vacancy=vacancy)
    await _db(lambda r=response: services.response_start_chat(response=Response.objects.get(pk=r.pk)))
    assert (await socket.recv())["kind"] == "chat_started"  # still listening
    await socket.close()
