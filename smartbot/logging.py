"""Logs an operator can follow and nobody can mine: ids on every line, no secrets, no candidate data.

- **Ids.** ``request_id``, ``company_id``, ``response_id`` and ``task_id`` live in one
  context variable. ``RequestContextMiddleware`` binds them for an HTTP request (the
  request id from a safe ``X-Request-ID`` or a new one, echoed in the response header),
  the chat consumers for a socket (``log_context_bind`` on connect), the Celery signals
  in ``smartbot.celery`` for a task. ``ContextFilter`` copies them onto every record.
- **Formats.** ``JsonFormatter`` (python-json-logger) writes one JSON object per line;
  ``TextFormatter`` a readable line with the ids at the end. Settings pick JSON when
  DEBUG is off and text when it is on; ``LOG_FORMAT`` overrides.
- **Redaction.** Both formatters pass the finished line through ``redact``: chat tokens
  in URLs become ``sha256:<first 8 hex of the token's SHA-256>`` and email addresses
  ``[email]``. That covers messages, arguments, extras and tracebacks, whatever logger
  wrote them (daphne, django.request, celery, httpx). Names, phones and answers are kept
  out by never logging them (tests/test_logging_no_pii.py runs a whole screening at
  DEBUG and greps for them), and by the loggers that would dump them being capped in
  settings (SQL parameters, the LLM client's request bodies).
- **Access log.** ``daphne_redact_access_log`` makes daphne's own access log (written to a
  stream, not through ``logging``) go through the logger ``smartbot.access`` with the
  chat token hashed, so it is JSON in production too.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

# The fields the context can hold, in the order the text format prints them.
CONTEXT_FIELDS = ("request_id", "company_id", "response_id", "task_id")

_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "smartbot_log_context", default=MappingProxyType({})
)

# A client's X-Request-ID is kept only when it is a short plain token; anything else is replaced.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "X-Request-ID"

# A path in a log line: anything from a "/" that is not part of a word, a host or a file name up to a space
# or a quote. Any of its segments that is a long URL-safe run (a chat token, whatever the letter case,
# percent-encoding or junk around it) is hashed, and every query value but a short number is dropped: a
# search (``?search=<a candidate's name or email>``) or a token in a query string never reaches a log.
_PATH_RE = re.compile(r"(?<![\w.:/])/[^\s\"'<>]*")
_SECRET_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_%-]{20,}$")
_KEPT_QUERY_VALUE_RE = re.compile(r"^\d{1,9}$")
# A Telegram bot's token ("<bot id>:<secret>") travels in the Bot API's URL path (``/bot<token>/sendMessage``),
# which httpx logs at INFO: the id stays, the secret goes.
_BOT_TOKEN_RE = re.compile(r"\bbot(\d+):[A-Za-z0-9_-]+")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.IGNORECASE)


def token_hash(token: str) -> str:
    """The log name of a chat token: ``sha256:`` and the first 8 hex digits of its SHA-256."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:8]


def redact_path(path: str) -> str:
    """A URL path (with its query string) as logs may show it.

    ``/chat/<token>/answer/?search=anna&page=2`` gives ``/chat/sha256:1a2b3c4d/answer/?search=…&page=2``:
    segments of 20 or more URL-safe characters (percent-escapes included) are hashed by ``token_hash`` of
    their decoded, trimmed text (so odd spellings of one token hash alike), query values other than short
    numbers become ``…``.
    """
    path, mark, query = path.partition("?")
    segments = []
    for segment in path.split("/"):
        if _SECRET_SEGMENT_RE.match(segment):
            segment = token_hash(unquote(segment).strip(" \t\r\n\x00"))
        segments.append(segment)
    path = "/".join(segments)
    if not mark:
        return path
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        pairs.append(name + equals + (value if not value or _KEPT_QUERY_VALUE_RE.match(value) else "…"))
    return path + "?" + "&".join(pairs)


def redact(text: str) -> str:
    """``text`` with every URL path passed through ``redact_path`` and email addresses (``@`` or ``%40``)
    replaced by ``[email]``, and Telegram bot tokens (``bot123:AAH…``) by ``bot123:***``."""
    if "bot" in text:
        text = _BOT_TOKEN_RE.sub(r"bot\1:***", text)
    if "/" in text:
        text = _PATH_RE.sub(lambda m: redact_path(m.group(0)), text)
    if "@" in text or "%40" in text.lower():
        text = _EMAIL_RE.sub("[email]", text)
    return text


# --- Context -----------------------------------------------------------------


def log_context() -> dict[str, Any]:
    """The ids bound now (a copy): a subset of ``CONTEXT_FIELDS``."""
    return dict(_context.get())


def log_context_bind(**ids: Any) -> contextvars.Token:
    """Add ids (``request_id=``, ``company_id=``, ``response_id=``, ``task_id=``) to the current context.

    None values are ignored. Returns the token for ``log_context_reset``. In an
    asyncio task (a socket's consumer) the ids stay with that task only.
    """
    unknown = set(ids) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown log context fields {sorted(unknown)}")
    merged = {**_context.get(), **{key: value for key, value in ids.items() if value is not None}}
    return _context.set(merged)


def log_context_replace(**ids: Any) -> contextvars.Token:
    """Drop every bound id and bind these (the start of a request or a task)."""
    _context.set(MappingProxyType({}))
    return log_context_bind(**ids)


def log_context_reset(token: contextvars.Token) -> None:
    """Restore the context as it was before the ``log_context_bind`` that returned ``token``."""
    _context.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(value: str | None) -> str:
    """The client's request id when it is a safe token (1-64 of ``A-Z a-z 0-9 . _ -``), else a new one."""
    if value and REQUEST_ID_RE.match(value):
        return value
    return new_request_id()


class ContextFilter(logging.Filter):
    """Copies the bound ids onto every record (as attributes; a JSON line gets them as fields)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            # django.request puts the request object in the record: its repr carries the full path.
            record.request = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}".strip()
        return True


# --- Formatters --------------------------------------------------------------


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line: ``timestamp``, ``level``, ``logger``, ``message``, the ids, any extras.

    The whole line is passed through ``redact``.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class TextFormatter(logging.Formatter):
    """``time level logger: message [request_id=... company_id=...]``, passed through ``redact``."""

    def __init__(self, fmt: str | None = None, *args, **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s", *args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{key}={getattr(record, key)}" for key in CONTEXT_FIELDS if hasattr(record, key))
        if ids:
            first, newline, rest = line.partition("\n")
            line = f"{first} [{ids}]{newline}{rest}"
        return redact(line)


# --- HTTP --------------------------------------------------------------------

# Views whose ``pk`` is a screening response (URL names, namespaced).
_RESPONSE_VIEWS = re.compile(
    r"^(screening:(response|status|note|resume|erase|reevaluate|evaluation)"
    r"|api:response-\w+|chat:(takeover|handback|recruiter_send))$"
)


class RequestContextMiddleware:
    """Binds the log ids of an HTTP request; echoes the request id in ``X-Request-ID``.

    The request id comes from the client's ``X-Request-ID`` when it is a safe token
    (a proxy's id, so lines join up across hops), else a new UUID. The company is the
    logged-in member's (read in ``process_view``, after the authentication middleware,
    for requests with a session cookie; JWT API calls are authenticated later, in the
    view, and carry no company id); the response is the one in the URL of
    the response views. Put it near the top of ``MIDDLEWARE``, so every line of the
    request carries the request id.

    The ids are replaced, not reset, at the start of each request: Django's own
    "Not Found"/"Internal Server Error" lines are written after the middleware
    returns and still carry them.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def _start(self, request) -> str:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        log_context_replace(request_id=request_id)
        return request_id

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request_id = self._start(request)
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    async def __acall__(self, request):
        request_id = self._start(request)
        response = await self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and "pk" in view_kwargs and _RESPONSE_VIEWS.match(match.view_name or ""):
            log_context_bind(response_id=view_kwargs["pk"])
        # Only with a session cookie (a member's request): the view reads the same user right after, so
        # this costs no extra query; a cookieless visitor (careers page, chat) is never looked up.
        user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        company_id = getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None
        if company_id is not None:
            log_context_bind(company_id=company_id)
        return None


# --- Daphne's access log -----------------------------------------------------

access_logger = logging.getLogger("smartbot.access")


def access_log(protocol: str, action: str, details: dict) -> None:
    """Daphne's "action logger" interface (``daphne.access.AccessLogGenerator``) through ``logging``.

    One INFO line per completed HTTP request and per WebSocket step, with
    ``client``, ``method``, ``path`` (token hashed), ``status``, ``size`` and
    ``duration_ms`` as fields.
    """
    path = redact(str(details.get("path", "")))
    client = details.get("client")
    if isinstance(client, (list, tuple)):
        client = ":".join(str(part) for part in client)
    if protocol == "http" and action == "complete":
        extra = {
            "client": client,
            "method": details.get("method"),
            "path": path,
            "status": details.get("status"),
            "size": details.get("size"),
        }
        if "time_taken" in details:
            extra["duration_ms"] = round(details["time_taken"] * 1000, 1)
        access_logger.info(
            '%s "%s %s" %s %s',
            client,
            details.get("method"),
            path,
            details.get("status"),
            details.get("size"),
            extra=extra,
        )
    elif protocol == "websocket" and action in ("connecting", "rejected", "connected", "disconnected"):
        verb = {"connecting": "WSCONNECTING", "rejected": "WSREJECT", "connected": "WSCONNECT"}.get(
            action, "WSDISCONNECT"
        )
        access_logger.info('%s "%s %s"', client, verb, path, extra={"client": client, "method": verb, "path": path})


def daphne_redact_access_log() -> None:
    """Route daphne's access log through ``access_log`` (logger ``smartbot.access``), chat tokens hashed.

    daphne writes its access log (``--access-log``, or stdout at verbosity >= 1) with
    ``AccessLogGenerator`` straight to a stream, outside ``logging``, with the full
    path: the candidate's secret token would be in every line. Every action passes
    through ``daphne.server.Server.log_action``; this wraps it so that daphne's own
    generator is replaced by ``access_log`` and any other action logger (daphne's
    ``runserver``) gets the path already hashed. Idempotent; does nothing without daphne.
    """
    try:
        from daphne.access import AccessLogGenerator
        from daphne.server import Server
    except ImportError:  # pragma: no cover - daphne is a dependency
        return
    if getattr(Server.log_action, "smartbot_redacted", False):
        return
    original = Server.log_action

    def log_action(self, protocol, action, details):
        if isinstance(self.action_logger, AccessLogGenerator):
            access_log(protocol, action, details)
            return
        if isinstance(details, dict) and "path" in details:
            details = {**details, "path": redact(str(details["path"]))}
        original(self, protocol, action, details)

    log_action.smartbot_redacted = True
    Server.log_action = log_action


def logging_config(*, level: str, fmt: str) -> dict:
    """The ``LOGGING`` dictConfig: one handler on stderr for every logger, ``fmt`` "json" or "text", at ``level``.

    Loggers that write personal data at DEBUG (SQL parameters, template contexts, the OpenAI SDK's request
    bodies) never go below INFO, whatever ``level`` says.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "smartbot.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "smartbot.logging.JsonFormatter"},
            "text": {"()": "smartbot.logging.TextFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own defaults add a console handler (DEBUG) and mails to ADMINS with the request's data
            # (POST bodies: personal data); here its records go to the one handler above like everyone's.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # Never below INFO, whatever level says: at DEBUG these write personal data. Django's SQL log has
            # the query parameters (names, emails, answers); the OpenAI SDK and its HTTP stack log request bodies
            # (the candidate's answers sent for evaluation).
            "django.db.backends": {"level": "INFO"},
            # At DEBUG Django's templates log every failed variable lookup with the whole context (the page's
            # objects: a response's name and email, the CSRF token).
            "django.template": {"level": "INFO"},
            "openai": {"level": "INFO"},
            "httpcore": {"level": "INFO"},
            "httpx": {"level": "INFO"},
            "httpcore2": {"level": "INFO"},
            "httpx2": {"level": "INFO"},
            # daphne's access log, routed through here with the chat token hashed (smartbot.logging).
            "smartbot.access": {"level": "INFO"},
        },
    }
