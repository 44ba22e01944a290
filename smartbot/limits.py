"""Refuse an oversized request body before Django reads it: ``BodySizeLimitMiddleware``, a pure ASGI middleware
(daphne), and ``WSGIBodySizeLimit``, its WSGI twin (gunicorn, ``smartbot.wsgi``); both answer with ``refusal``.

Django's ASGI handler reads the whole body (to memory, then a temporary file) before any view or
``DATA_UPLOAD_MAX_MEMORY_SIZE`` check runs, so a 1 GB POST costs a gigabyte of disk and the time to
write it. This middleware sits in front of it (``smartbot.asgi``) and answers 413 Content Too Large
(RFC 9110 §15.5.14) when a request declares, or turns out to carry, more than
``settings.REQUEST_MAX_BODY_BYTES``:

- a ``Content-Length`` above the limit is refused at once, without reading any ``http.request`` message;
- a body of unknown length (chunked, or a ``Content-Length`` that is not one plain number) is read here,
  up to the limit, and replayed to the application; the byte past the limit ends it with a 413, and the
  application never runs;
- a ``Content-Length`` within the limit passes untouched: the server delivers exactly that many bytes.

The answer is JSON in the API's error shape under ``/api/``, plain text elsewhere, in the language the
visitor chose (cookie, then ``Accept-Language``). WebSocket and lifespan scopes pass through untouched.

Under daphne that is not enough on its own: Twisted reads a whole request, and parses a form post into
memory, before it calls the application. ``daphne_limit_request_bodies`` (installed by ``smartbot.asgi``)
refuses the body in daphne itself while it arrives. A front proxy should say the same limit (nginx
``client_max_body_size 7m;``) so the bytes never reach the machine.
"""

import json
import tempfile

from django.conf import settings
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext

from smartbot.api import error_body

_MAX_LENGTH_DIGITS = 18  # a longer Content-Length is over any limit; int() of it is never attempted


def declared_length(headers) -> int | None:
    """The body length a request's ASGI ``headers`` declare, or None when it is unknown.

    Unknown: no ``Content-Length``, a ``Transfer-Encoding`` (which overrides it, RFC 9112 §6.3), several
    that disagree, or one that is not plain ASCII digits ("+5", " 5", "5_0" are what ``int`` would accept).
    """
    values = set()
    for name, value in headers:
        name = name.lower()
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            values.update(part.strip() for part in value.split(b","))
    if len(values) != 1:
        return None
    (value,) = values
    if not value.isdigit():  # bytes.isdigit is ASCII-only
        return None
    if len(value) > _MAX_LENGTH_DIGITS:
        return 10**_MAX_LENGTH_DIGITS
    return int(value)


class BodySizeLimitMiddleware:
    """Answers 413 to an HTTP request whose body is over the limit, before the wrapped application runs.

    ``max_bytes_setting`` names the Django setting that holds the limit in bytes; it is read on every
    request, so a test's ``settings`` fixture changes it.
    """

    def __init__(self, app, *, max_bytes_setting: str = "REQUEST_MAX_BODY_BYTES"):
        self.app = app
        self.max_bytes_setting = max_bytes_setting

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = int(getattr(settings, self.max_bytes_setting))
        length = declared_length(scope.get("headers", ()))
        if length is not None:
            if length > limit:
                await self.refuse(scope, send, limit)
            else:
                await self.app(scope, receive, send)
            return
        # Unknown length: read it here, so that the application runs on a whole body or not at all.
        messages = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away; nobody is waiting for an answer
            size += len(message.get("body", b""))
            if size > limit:
                await self.refuse(scope, send, limit)
                return
            messages.append(message)
            if not message.get("more_body", False):
                break
        messages.reverse()

        async def replay():
            # The buffered body first, then the server's own messages (the application waits on
            # receive() for http.disconnect while it answers).
            return messages.pop() if messages else await receive()

        await self.app(scope, replay, send)

    async def refuse(self, scope, send, limit: int) -> None:
        """Send the 413 answer; ``Connection: close`` since the rest of the body is never read."""
        headers = {name: value.decode("latin-1") for name, value in scope.get("headers", ())}
        content_type, body = refusal(
            path=scope.get("path", ""),
            limit=limit,
            cookie=headers.get(b"cookie"),
            accept_language=headers.get(b"accept-language"),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class WSGIBodySizeLimit:
    """``BodySizeLimitMiddleware`` for WSGI (``smartbot.wsgi``, served by gunicorn): 413 for a body over the limit.

    A ``Content-Length`` above ``max_bytes_setting`` is refused at once without reading the body; a body of
    unknown length (``Transfer-Encoding: chunked``, which gunicorn de-chunks) is read here up to the limit
    into a temporary file (in memory up to 1 MB) and handed to Django with its ``CONTENT_LENGTH`` set, since
    Django reads no body without one; one byte past the limit ends it with a 413. A ``Content-Length`` that is
    not plain digits (gunicorn refuses those itself) is answered 400.
    """

    def __init__(self, app, *, max_bytes_setting: str = "REQUEST_MAX_BODY_BYTES"):
        self.app = app
        self.max_bytes_setting = max_bytes_setting

    def __call__(self, environ, start_response):
        limit = int(getattr(settings, self.max_bytes_setting))
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        length = (environ.get("CONTENT_LENGTH") or "").strip()
        if not chunked:
            if length and not (length.isascii() and length.isdigit() and len(length) <= _MAX_LENGTH_DIGITS):
                return self.refuse(environ, start_response, limit, status="400 Bad Request")
            if length and int(length) > limit:
                return self.refuse(environ, start_response, limit)
            return self.app(environ, start_response)
        # Handed to Django as the body; freed with the request (no handle outlives it).
        buffered = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
        stream, size = environ["wsgi.input"], 0
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                buffered.close()
                return self.refuse(environ, start_response, limit)
            buffered.write(chunk)
        buffered.seek(0)
        environ = {**environ, "wsgi.input": buffered, "CONTENT_LENGTH": str(size)}
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def refuse(self, environ, start_response, limit: int, status: str = "413 Content Too Large") -> list[bytes]:
        """The 413 (or 400 for a ``Content-Length`` that is no number) answer, ``Connection: close``."""
        content_type, body = refusal(
            path=environ.get("PATH_INFO", ""),
            limit=limit,
            cookie=environ.get("HTTP_COOKIE"),
            accept_language=environ.get("HTTP_ACCEPT_LANGUAGE"),
        )
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Connection", "close")]
        start_response(status, headers)
        return [body]


def refusal(*, path: str, limit: int, cookie: str | None, accept_language: str | None) -> tuple[str, bytes]:
    """(content type, body) of the 413 answer for ``path``: the API's JSON error under ``/api/``, plain text
    elsewhere, in the language the visitor's cookie or ``Accept-Language`` chose."""
    with translation.override(_language(cookie, accept_language)):
        message = gettext("The request is too large: the limit is %(limit)s.") % {"limit": filesizeformat(limit)}
    if path.startswith("/api/"):
        body = json.dumps(error_body(code="too_large", message=message), ensure_ascii=False).encode()
        return "application/json", body
    return "text/plain; charset=utf-8", f"{message}\n".encode()


def _language(cookie: str | None, accept_language: str | None) -> str:
    # What LocaleMiddleware would choose, from the language cookie and Accept-Language alone: this runs
    # before Django has a request.
    request = HttpRequest()
    if cookie:
        request.COOKIES.update(parse_cookie(cookie))
    if accept_language:
        request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    try:
        return translation.get_language_from_request(request)
    except Exception:  # a malformed header must not turn a 413 into a 500
        return settings.LANGUAGE_CODE


def daphne_limit_request_bodies() -> type | None:
    """Make daphne refuse a body over ``REQUEST_MAX_BODY_BYTES`` while it arrives, before it is buffered or parsed.

    Daphne serves HTTP with Twisted, whose request object reads the whole body and, for a form post,
    parses it into memory (``twisted.web.http.Request.requestReceived``) before daphne hands anything to
    the ASGI application: measured here, one 100 MB multipart POST cost the web process 1.2 GB, so
    ``BodySizeLimitMiddleware`` alone came too late. This installs a ``daphne.http_protocol.WebRequest``
    subclass (daphne's ``HTTPFactory`` builds requests from that module-level name) that answers 413
    with ``Connection: close`` and drops the connection as soon as the declared ``Content-Length``, or
    the bytes received of a chunked body, pass the limit. Called from ``smartbot.asgi`` (daphne imports
    it before it listens); returns the class, or None where daphne is not installed. Pinned daphne 4.2.
    """
    try:
        from daphne import http_protocol
    except ImportError:  # served by another ASGI server: the middleware still keeps big bodies from Django
        return None
    base = http_protocol.WebRequest
    if getattr(base, "smartbot_limited", False):
        return base

    class LimitedWebRequest(base):
        smartbot_limited = True

        def gotLength(self, length):
            self._body_refused = False
            self._body_received = 0
            if length is not None and length > _limit():
                self._refuse_body()
                length = 0  # no content file of that size
            super().gotLength(length)

        def handleContentChunk(self, data):
            if self._body_refused:
                return
            self._body_received += len(data)
            if self._body_received > _limit():
                self._refuse_body()
                return
            super().handleContentChunk(data)

        def requestReceived(self, command, path, version):
            if getattr(self, "_body_refused", False):
                return  # answered already; the connection is closing
            super().requestReceived(command, path, version)

        def _refuse_body(self):
            self._body_refused = True
            body = b"The request is too large.\n"
            self.channel.transport.write(
                b"HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            self.channel.transport.loseConnection()

    http_protocol.WebRequest = LimitedWebRequest
    return LimitedWebRequest


def _limit() -> int:
    return int(settings.REQUEST_MAX_BODY_BYTES)
