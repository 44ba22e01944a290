"""An oversized request body is refused with 413 before the application reads it (``smartbot.limits``).

The middleware is driven over plain ASGI: a hand-written client (``Exchange``) hands out the request's
messages and counts how many were read, and the application behind is either a recorder that says
whether it ran and what body it got, or Django itself.
"""

import asyncio
import json
import secrets

import pytest
from django.core.asgi import get_asgi_application
from django.core.signals import request_started

from smartbot.limits import BodySizeLimitMiddleware, declared_length

LIMIT = 1000


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.REQUEST_MAX_BODY_BYTES = LIMIT


class Exchange:
    """The client side of one ASGI connection: the request's messages, then silence, as from a live client."""

    def __init__(self, messages=()):
        self.pending = list(messages)
        self.read = 0
        self.sent = []

    async def receive(self):
        if self.pending:
            self.read += 1
            return self.pending.pop(0)
        await asyncio.Event().wait()  # nothing more until the client hangs up, which it does not

    async def send(self, message):
        self.sent.append(message)

    @property
    def status(self):
        return self.sent[0]["status"]

    @property
    def headers(self):
        return dict(self.sent[0]["headers"])

    @property
    def body(self):
        return b"".join(m.get("body", b"") for m in self.sent[1:])


class Recorder:
    """An application that reads the whole body, answers 200, and remembers what it saw."""

    def __init__(self):
        self.bodies = []
        self.calls = []

    async def __call__(self, scope, receive, send):
        self.calls.append((scope, receive, send))
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ran"})

    @property
    def ran(self):
        return bool(self.calls)


def http_scope(path="/responses/apply/", headers=(), method="POST"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def body_messages(*chunks):
    return [{"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)]


def run(app, scope, exchange):
    return asyncio.run(asyncio.wait_for(app(scope, exchange.receive, exchange.send), timeout=10))


def content_length(n):
    return (b"content-length", str(n).encode())


# --- a declared length --------------------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body():
    inner = Recorder()
    exchange = Exchange(body_messages(b"x" * (LIMIT + 1)))
    run(BodySizeLimitMiddleware(inner), http_scope(headers=[content_length(LIMIT + 1)]), exchange)
    assert exchange.status == 413
    assert exchange.read == 0
    assert not inner.ran
    assert exchange.headers[b"content-type"] == b"text/plain; charset=utf-8"
    assert exchange.headers[b"connection"] == b"close"
    assert int(exchange.headers[b"content-length"]) == len(exchange.body)
    assert exchange.body == "The request is too large: the limit is 1000\xa0bytes.\n".encode()


def test_under_api_the_refusal_is_the_apis_json_error():
    exchange = Exchange()
    run(BodySizeLimitMiddleware(Recorder()), http_scope("/api/v1/public/x/", [content_length(10**9)]), exchange)
    assert exchange.status == 413
    assert exchange.headers[b"content-type"] == b"application/json"
    error = json.loads(exchange.body)["error"]
    assert error["code"] == "too_large"
    assert error["fields"] == {}
    assert "1000" in error["message"]


def test_a_declared_length_at_the_limit_passes_untouched():
    inner = Recorder()
    exchange = Exchange(body_messages(b"x" * 600, b"y" * 400))
    run(BodySizeLimitMiddleware(inner), http_scope(headers=[content_length(LIMIT)]), exchange)
    assert exchange.status == 200
    assert inner.bodies == [b"x" * 600 + b"y" * 400]
    (_scope, receive, send), = inner.calls  # fmt: skip
    assert receive == exchange.receive  # the application reads from the server itself
    assert send == exchange.send


def test_a_request_without_a_body_passes():
    inner = Recorder()
    exchange = Exchange(body_messages(b""))
    run(BodySizeLimitMiddleware(inner), http_scope(method="GET"), exchange)
    assert exchange.status == 200
    assert inner.bodies == [b""]


def test_the_limit_is_read_from_settings_on_every_request(settings):
    settings.REQUEST_MAX_BODY_BYTES = 10
    exchange = Exchange()
    run(BodySizeLimitMiddleware(Recorder()), http_scope(headers=[content_length(11)]), exchange)
    assert exchange.status == 413
    settings.REQUEST_MAX_BODY_BYTES = 11
    exchange = Exchange(body_messages(b"x" * 11))
    run(BodySizeLimitMiddleware(Recorder()), http_scope(headers=[content_length(11)]), exchange)
    assert exchange.status == 200


def test_another_setting_can_hold_the_limit(settings):
    settings.UPLOAD_ONLY_LIMIT = 5
    middleware = BodySizeLimitMiddleware(Recorder(), max_bytes_setting="UPLOAD_ONLY_LIMIT")
    exchange = Exchange()
    run(middleware, http_scope(headers=[content_length(6)]), exchange)
    assert exchange.status == 413


def test_a_length_too_long_to_convert_is_over_the_limit():
    exchange = Exchange()
    run(BodySizeLimitMiddleware(Recorder()), http_scope(headers=[(b"content-length", b"9" * 5000)]), exchange)
    assert exchange.status == 413
    assert exchange.read == 0


def test_the_refusal_speaks_the_visitors_language():
    # The catalogue may not translate the sentence yet; the limit's unit comes from Django's own, in Russian.
    exchange = Exchange()
    headers = [content_length(10**6), (b"accept-language", b"ru-RU,ru;q=0.9,en;q=0.5")]
    run(BodySizeLimitMiddleware(Recorder()), http_scope(headers=headers), exchange)
    assert "байт" in exchange.body.decode()
    exchange = Exchange()
    headers = [content_length(10**6), (b"accept-language", b"ru"), (b"cookie", b"django_language=en")]
    run(BodySizeLimitMiddleware(Recorder()), http_scope(headers=headers), exchange)
    assert "bytes" in exchange.body.decode()


def test_a_malformed_language_header_still_gets_a_413():
    exchange = Exchange()
    headers = [content_length(10**6), (b"accept-language", b"\xff;q=x,,,"), (b"cookie", b"\xff=\xfe; ;;=")]
    run(BodySizeLimitMiddleware(Recorder()), http_scope(headers=headers), exchange)
    assert exchange.status == 413


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], None),
        ([content_length(0)], 0),
        ([content_length(1234)], 1234),
        ([(b"content-length", b"5"), (b"content-length", b"5")], 5),
        ([(b"content-length", b"5, 5")], 5),
        ([(b"content-length", b"5"), (b"content-length", b"6")], None),
        ([(b"content-length", b"+5")], None),
        ([(b"content-length", b"-1")], None),
        ([(b"content-length", b"5_0")], None),
        ([(b"content-length", b"")], None),
        ([(b"content-length", b"\xd9\xa5")], None),  # an Arabic-Indic five
        ([content_length(5), (b"transfer-encoding", b"chunked")], None),
        ([(b"content-length", b"9" * 19)], 10**18),
    ],
)
def test_declared_length_reads_only_one_plain_number(headers, expected):
    assert declared_length(headers) == expected


# --- an unknown length ----------------------------------------------------------------------------------


def test_a_chunked_body_at_the_limit_is_replayed_whole():
    inner = Recorder()
    chunks = [b"a" * 300, b"", b"b" * 300, b"c" * 400]
    exchange = Exchange(body_messages(*chunks))
    run(BodySizeLimitMiddleware(inner), http_scope(headers=[(b"transfer-encoding", b"chunked")]), exchange)
    assert exchange.status == 200
    assert inner.bodies == [b"".join(chunks)]


def test_a_chunked_body_one_byte_over_the_limit_is_refused_and_the_application_never_runs():
    inner = Recorder()
    exchange = Exchange(body_messages(b"a" * 500, b"b" * 501, b"c" * 10_000, b"d"))
    run(BodySizeLimitMiddleware(inner), http_scope(headers=[(b"transfer-encoding", b"chunked")]), exchange)
    assert exchange.status == 413
    assert not inner.ran
    assert exchange.read == 2  # stopped at the message that crossed the limit
    assert exchange.headers[b"connection"] == b"close"


def test_a_small_content_length_with_transfer_encoding_is_counted_not_believed():
    inner = Recorder()
    headers = [content_length(5), (b"transfer-encoding", b"chunked")]
    exchange = Exchange(body_messages(b"x" * (LIMIT + 1)))
    run(BodySizeLimitMiddleware(inner), http_scope(headers=headers), exchange)
    assert exchange.status == 413
    assert not inner.ran


def test_conflicting_lengths_are_counted():
    inner = Recorder()
    headers = [content_length(5), content_length(LIMIT + 5)]
    exchange = Exchange(body_messages(b"x" * 5))
    run(BodySizeLimitMiddleware(inner), http_scope(headers=headers), exchange)
    assert exchange.status == 200
    assert inner.bodies == [b"x" * 5]


def test_a_client_that_leaves_while_sending_gets_no_answer_and_the_application_never_runs():
    inner = Recorder()
    messages = [*body_messages(b"a" * 100, b"b" * 100)[:1], {"type": "http.disconnect"}]
    exchange = Exchange(messages)
    run(BodySizeLimitMiddleware(inner), http_scope(), exchange)
    assert exchange.sent == []
    assert not inner.ran


def test_after_the_replay_the_application_hears_the_server_again():
    seen = []

    async def app(scope, receive, send):
        seen.append(await receive())
        seen.append(await receive())

    exchange = Exchange([*body_messages(b"hello"), {"type": "http.disconnect"}])
    run(BodySizeLimitMiddleware(app), http_scope(), exchange)
    assert seen == [{"type": "http.request", "body": b"hello", "more_body": False}, {"type": "http.disconnect"}]


def test_a_100_mb_stream_is_read_only_up_to_the_limit():
    produced = 0
    chunk = b"z" * 65536

    async def receive():
        nonlocal produced
        produced += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": produced < 100 * 2**20}

    sent = []

    async def send(message):
        sent.append(message)

    inner = Recorder()
    asyncio.run(BodySizeLimitMiddleware(inner)(http_scope(), receive, send))
    assert sent[0]["status"] == 413
    assert produced == len(chunk)
    assert not inner.ran


# --- other scopes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [{"type": "websocket", "path": "/ws/chat/x/", "headers": []}, {"type": "lifespan"}])
def test_websocket_and_lifespan_pass_through_untouched(scope):
    inner = Recorder()
    exchange = Exchange()
    run(BodySizeLimitMiddleware(inner), scope, exchange)
    assert inner.calls == [(scope, exchange.receive, exchange.send)]
    assert exchange.read == 0


# --- in front of Django --------------------------------------------------------------------------------


@pytest.fixture
def django_app():
    started = []

    def on_start(sender, **kwargs):
        started.append(kwargs.get("scope", {}).get("path"))

    request_started.connect(on_start)
    yield BodySizeLimitMiddleware(get_asgi_application()), started
    request_started.disconnect(on_start)


def language_form(size):
    """A POST to Django's set_language that is exactly ``size`` bytes long, with its CSRF cookie."""
    secret = secrets.token_hex(16)  # a CSRF secret is 32 characters
    body = f"language=ru&next=/&csrfmiddlewaretoken={secret}&pad=".encode()
    body += b"x" * (size - len(body))
    headers = [
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"cookie", f"csrftoken={secret}".encode()),
    ]
    return body, headers


def test_django_never_sees_a_large_declared_body(django_app):
    app, started = django_app
    exchange = Exchange()  # the client declares 100 MB and has sent none of it yet
    run(app, http_scope("/api/v1/public/companies/acme/vacancies/dev/apply/", [content_length(100 * 2**20)]), exchange)
    assert exchange.status == 413
    assert json.loads(exchange.body)["error"]["code"] == "too_large"
    assert exchange.read == 0
    assert started == []


def test_django_never_sees_a_chunked_body_over_the_limit(django_app):
    app, started = django_app
    body, headers = language_form(LIMIT + 1)
    exchange = Exchange(body_messages(body[:500], body[500:]))
    run(app, http_scope("/i18n/setlang/", [*headers, (b"transfer-encoding", b"chunked")]), exchange)
    assert exchange.status == 413
    assert started == []


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_django_reads_a_body_at_the_limit(django_app, framing):
    app, started = django_app
    body, headers = language_form(LIMIT)
    assert len(body) == LIMIT
    headers.append(content_length(LIMIT) if framing == "content-length" else (b"transfer-encoding", b"chunked"))
    exchange = Exchange(body_messages(body[:123], body[123:]))
    run(app, http_scope("/i18n/setlang/", headers), exchange)
    # set_language parsed the form: it redirects and sets the language cookie.
    assert exchange.status == 302, exchange.body
    assert b"django_language=ru" in b"".join(v for k, v in exchange.sent[0]["headers"] if k.lower() == b"set-cookie")
    assert started == ["/i18n/setlang/"]
