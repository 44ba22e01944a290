"""A candidate coming back to a running chat, or leaving it, reaches the company's boards and tables as a pipeline
"live" frame (docs/pipeline.md "Live updates"): the card's and row's "live" badge follows without a reload."""

import pytest

from chat.tests.conftest import connected as _connected
from chat.tests.conftest import db as _db
from chat.tests.test_pipeline_consumer import _listening
from chat.tests.test_pipeline_consumer import pipeline_socket as pipeline_socket_fixture
from screening import services
from screening.models import ChatSession, Response

pytestmark = pytest.mark.django_db(transaction=True)
S = Response.Status
pipeline_socket = pipeline_socket_fixture  # the pipeline tests' own socket fixture


def _live_frame(response, live, status=S.IN_CHAT):
    return {
        "v": 1,
        "type": "pipeline",
        "kind": "live",
        "response_id": response.pk,
        "vacancy_id": response.vacancy_id,
        "from_status": status,
        "status": status,
        "from_column": "screening",
        "column": "screening",
        "live": live,
    }


async def _first_open_and_leave(candidate_socket, board, response):
    candidate, _hello = await _connected(candidate_socket, response)
    assert (await board.recv())["kind"] == "chat_started"  # the first open is "chat_started", not "live"
    await candidate.close()
    assert await board.recv() == _live_frame(response, False)


async def test_a_candidate_who_reconnects_to_a_running_chat_is_pushed_live_then_away(
    response, candidate_socket, pipeline_socket, recruiter
):
    board = await _listening(pipeline_socket, recruiter, response.vacancy_id)
    await _first_open_and_leave(candidate_socket, board, response)

    candidate, _hello = await _connected(candidate_socket, response)
    assert await board.recv() == _live_frame(response, True)
    session = await _db(ChatSession.objects.get, response=response)
    assert session.is_live

    await candidate.close()
    assert await board.recv() == _live_frame(response, False)
    await board.close()


async def test_a_second_tab_of_a_candidate_already_live_pushes_nothing(
    response, candidate_socket, pipeline_socket, recruiter
):
    board = await _listening(pipeline_socket, recruiter)
    first, _hello = await _connected(candidate_socket, response)
    assert (await board.recv())["kind"] == "chat_started"
    second, _hello = await _connected(candidate_socket, response)
    await second.close()  # the first tab is still open: still live
    assert await board.nothing(timeout=0.3)
    await first.close()
    assert await board.recv() == _live_frame(response, False)
    await board.close()


async def test_a_finished_screening_pushes_no_live_frame_when_its_candidate_leaves(
    response, candidate_socket, pipeline_socket, recruiter
):
    board = await _listening(pipeline_socket, recruiter)
    candidate, _hello = await _connected(candidate_socket, response)
    assert (await board.recv())["kind"] == "chat_started"
    finished = await _db(services.response_finish, response=response)
    await _db(ChatSession.objects.filter(response=response).update, state=ChatSession.State.FINISHED)
    assert (await board.recv())["kind"] == "finished"
    await candidate.close()
    assert await board.nothing(timeout=0.3)
    assert finished.status != S.IN_CHAT
    await board.close()


async def test_an_outsiders_pipeline_hears_no_live_frame(response, candidate_socket, pipeline_socket, outsider):
    board = await _listening(pipeline_socket, outsider)
    candidate, _hello = await _connected(candidate_socket, response)
    await candidate.close()
    assert await board.nothing(timeout=0.3)
    await board.close()
