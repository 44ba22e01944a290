"""A real daphne's access log names a chat by the hash of its token, never by the token (smartbot.logging)."""

import json
import secrets
import time
import urllib.error
import urllib.request

import pytest

from chat.tests.live_server import daphne_without_services
from smartbot.logging import redact, token_hash


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    with daphne_without_services(
        tmp_path_factory.mktemp("daphne-access"), LOG_LEVEL="INFO", LOG_FORMAT="json"
    ) as server:
        yield server


def _get(url: str) -> tuple[int, str]:
    """The status and the X-Request-ID header of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


def _access_lines(server, path: str, *, timeout: float = 10) -> list[dict]:
    """The access-log records for ``path``, waiting (bounded) for daphne to write them."""
    deadline = time.monotonic() + timeout
    while True:
        records = []
        for line in server.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if record.get("logger") == "smartbot.access" and record.get("path") == path:
                    records.append(record)
        if records or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


def test_a_chat_request_is_logged_with_the_tokens_hash_and_never_the_token(daphne):
    token = secrets.token_urlsafe(32)
    status, request_id = _get(f"{daphne.http_url}/chat/{token}/no-such-page/")
    assert status == 404
    records = _access_lines(daphne, f"/chat/{token_hash(token)}/no-such-page/")
    assert records, daphne.output()
    record = records[-1]
    assert (record["method"], record["status"], record["level"]) == ("GET", 404, "INFO")
    assert record["client"].startswith("127.0.0.1:")
    assert record["request_id"] == request_id  # the line joins up with the request's own lines
    assert record["message"].endswith(f'"GET /chat/{token_hash(token)}/no-such-page/" 404 {record["size"]}')
    output = daphne.log.read_text(errors="replace")
    assert token not in output
    # Django's own "Not Found" warning names the same hash.
    assert f"Not Found: /chat/{token_hash(token)}/no-such-page/" in output


def test_a_chat_socket_is_logged_with_the_tokens_hash(daphne):
    from websockets.exceptions import InvalidHandshake, InvalidStatus
    from websockets.sync.client import connect

    token = secrets.token_urlsafe(32)
    try:
        with connect(f"{daphne.ws_url}/ws/chat/{token}/", origin=daphne.http_url, open_timeout=10) as socket:
            socket.recv(timeout=10)
    except (InvalidHandshake, InvalidStatus, OSError, TimeoutError):
        pass  # an unknown token is refused; what matters is what the log says about it
    except Exception as error:  # the close frame of a refused handshake
        assert "ConnectionClosed" in type(error).__name__, error
    assert _access_lines(daphne, f"/ws/chat/{token_hash(token)}/"), daphne.output()
    assert token not in daphne.log.read_text(errors="replace")


@pytest.mark.parametrize(
    "path",
    [
        "/chat/{token}/",
        "/chat/{token}",
        "/ws/chat/{token}/",
        "/chat/{token}/application/export.json",
        "/chat/{token}?a",
    ],
)
def test_every_chat_url_shape_is_redacted(path):
    token = secrets.token_urlsafe(32)
    assert redact(path.format(token=token)) == path.format(token=token_hash(token))


def test_other_paths_and_emails_in_log_text():
    assert redact("/chat/responses/12/takeover/") == "/chat/responses/12/takeover/"
    assert redact("sent to Ivan.Sidorov+jobs@example.co.uk today") == "sent to [email] today"


@pytest.mark.parametrize(
    "path",
    [
        "/CHAT/{token}/",  # the case changed: a 404 whose warning names the path
        "/chat/{token}%00/",  # junk after it (a 400)
        "/chat/%20{token}/",  # or before it
        "/ws/chat/{token}%00/",
        "/careers/acme/python/?ref={token}",  # in someone else's query string
    ],
)
def test_odd_spellings_of_a_token_are_never_logged(path):
    token = secrets.token_urlsafe(32)
    line = redact(f"Not Found: {path.format(token=token)}")
    assert token not in line
    assert "sha256:" in line or "=…" in line


def test_query_values_that_may_name_a_candidate_are_dropped():
    assert redact("/api/v1/responses/?search=Zabolotnaya&page=2") == "/api/v1/responses/?search=…&page=2"
    assert "leakcheck" not in redact('"GET /responses/?search=quintessa.zab%40leakcheck.test"')
    assert redact("mail to quintessa.zab%40leakcheck.test") == "mail to [email]"
    # File paths and URLs of outside services stay readable.
    assert redact('File "/work/main/smartbot/logging.py", line 3') == 'File "/work/main/smartbot/logging.py", line 3'
    assert (
        redact("POST http://127.0.0.1:39287/v1/chat/completions") == "POST http://127.0.0.1:39287/v1/chat/completions"
    )


def test_a_telegram_bot_token_in_a_logged_bot_api_url_keeps_its_id_only(caplog):
    """httpx logs each request's URL at INFO, and the Bot API puts the bot's token in the path."""
    import logging

    from smartbot.logging import TextFormatter

    token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    line = f'HTTP Request: POST https://api.telegram.org/bot{token}/sendMessage "HTTP/1.1 200 OK"'
    assert redact(line) == 'HTTP Request: POST https://api.telegram.org/bot123456:***/sendMessage "HTTP/1.1 200 OK"'
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: %s %s", ("POST", line), None)
    assert "AAHdqTcv" not in TextFormatter().format(record)
