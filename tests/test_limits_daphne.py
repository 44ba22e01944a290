"""A real daphne refuses an oversized body while it arrives: 413, connection closed, no memory spent on it."""

import socket
import time
from pathlib import Path

import pytest

from chat.tests.live_server import daphne_without_services

LIMIT = 1024 * 1024  # the server's REQUEST_MAX_BODY_BYTES in these tests


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    with daphne_without_services(tmp_path_factory.mktemp("daphne-limits"), REQUEST_MAX_BODY_BYTES=str(LIMIT)) as server:
        yield server


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _post(daphne, head: bytes, body_chunks, *, timeout: float = 10) -> tuple[bytes, float]:
    """Send a request (headers, then body chunks until the server stops reading); the answer and the seconds taken."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", daphne.port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up on the body: what we want
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer, time.monotonic() - started


def _multipart_head(length: int | None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    return (
        "POST /careers/acme/python-developer/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=XyZ\r\n" + size + "\r\n"
    ).encode()


def _form_body(total: int):
    yield b'--XyZ\r\nContent-Disposition: form-data; name="resume_file"; filename="cv.pdf"\r\n\r\n'
    sent = 0
    block = b"%PDF-" + b"a" * (256 * 1024)
    while sent < total:
        yield block
        sent += len(block)


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(daphne):
    before = _rss_kb(daphne.process.pid)
    answer, seconds = _post(daphne, _multipart_head(100 * 1024 * 1024), _form_body(100 * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in answer
    # The 100 MB were never taken in: the server hung up at once and kept its memory.
    assert seconds < 5
    assert _rss_kb(daphne.process.pid) - before < 30 * 1024


def test_a_chunked_body_is_refused_once_it_passes_the_limit(daphne):
    def chunks():
        for block in _form_body(20 * LIMIT):
            yield b"%x\r\n%s\r\n" % (len(block), block)
        yield b"0\r\n\r\n"

    answer, _seconds = _post(daphne, _multipart_head(None), chunks())
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_body_within_the_limit_reaches_the_application(daphne):
    body = b'{"pad": "' + b"a" * (LIMIT - 20) + b'"}'
    head = (
        "POST /api/v1/nothing/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    answer, _seconds = _post(daphne, head, [body])
    # Django's URL resolver answered (the API's JSON 404): the whole body went through.
    assert answer.startswith(b"HTTP/1.1 404 ")
    assert b'"code": "not_found"' in answer or b'"code":"not_found"' in answer


def test_the_server_still_serves_after_refusing(daphne):
    _post(daphne, _multipart_head(50 * LIMIT), _form_body(2 * LIMIT))
    answer, _seconds = _post(
        daphne, b"GET /static/css/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", []
    )
    assert answer.startswith(b"HTTP/1.1 200 ")
