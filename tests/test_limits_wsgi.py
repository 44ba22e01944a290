"""The WSGI side of the body limit (``smartbot.limits.WSGIBodySizeLimit``, in front of Django in ``smartbot.wsgi``).

Driven over plain WSGI: an environ as gunicorn builds it (a de-chunked ``wsgi.input`` with no ``CONTENT_LENGTH``
for a chunked body), a stream that counts what was read, and behind it either a recorder or Django itself.
tests/test_production.py sends a real oversized request to the Procfile's gunicorn.
"""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from smartbot.limits import WSGIBodySizeLimit

LIMIT = 1000


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.REQUEST_MAX_BODY_BYTES = LIMIT


class CountingStream(io.BytesIO):
    """``wsgi.input`` that remembers how many bytes were read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def _environ(path="/accounts/login/", body=b"", *, length: str | None = None, chunked=False, **headers):
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "HTTP_HOST": "testserver"}
    environ.update(headers, **{"wsgi.input": CountingStream(body)})
    setup_testing_defaults(environ)
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body)) if length is None else length
    return environ


def _call(app, environ):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


class Recorder:
    """A WSGI application that reads its body as Django would (``CONTENT_LENGTH`` bytes) and answers 200."""

    def __init__(self):
        self.bodies = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.bodies.append(environ["wsgi.input"].read(length))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body_or_running_the_app():
    recorder = Recorder()
    environ = _environ(body=b"x" * (LIMIT + 1))
    status, headers, body = _call(WSGIBodySizeLimit(recorder), environ)
    assert status.startswith("413") and headers["Connection"] == "close"
    assert environ["wsgi.input"].taken == 0 and recorder.bodies == []
    assert b"The request is too large: the limit is 1000" in body


def test_under_the_api_the_refusal_is_the_api_s_json_error_in_the_visitor_s_language():
    status, headers, body = _call(
        WSGIBodySizeLimit(Recorder()), _environ("/api/v1/responses/", b"x" * 5000, HTTP_ACCEPT_LANGUAGE="ru")
    )
    assert status.startswith("413") and headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == "too_large" and "Запрос слишком большой" in error["message"]


def test_a_body_at_the_limit_passes_untouched():
    recorder = Recorder()
    status, _, _ = _call(WSGIBodySizeLimit(recorder), _environ(body=b"y" * LIMIT))
    assert status == "200 OK" and recorder.bodies == [b"y" * LIMIT]


def test_a_chunked_body_over_the_limit_is_refused_once_the_limit_is_passed():
    recorder = Recorder()
    environ = _environ(body=b"z" * (LIMIT * 50), chunked=True)
    status, _, _ = _call(WSGIBodySizeLimit(recorder), environ)
    assert status.startswith("413") and recorder.bodies == []
    assert environ["wsgi.input"].taken < LIMIT + 64 * 1024 + 1  # stopped at the first read past the limit


def test_a_chunked_body_within_the_limit_reaches_django_whole(db):
    # Django reads no body without CONTENT_LENGTH: without the middleware this form would arrive empty.
    form = b"email=someone%40example.com&password=wrong"
    app = WSGIBodySizeLimit(get_wsgi_application())
    environ = _environ("/api/v1/auth/token/", form, chunked=True, CONTENT_TYPE="application/x-www-form-urlencoded")
    # As Django's test client does: the handler must not close the test's connection around the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        status, _, body = _call(app, environ)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    # The fields were read: a wrong password (401), not "this field is required" (400).
    assert status.startswith("401"), (status, body[:500])


def test_a_content_length_that_is_no_number_is_a_bad_request():
    status, _, _ = _call(WSGIBodySizeLimit(Recorder()), _environ(body=b"abc", length="+3"))
    assert status.startswith("400")
