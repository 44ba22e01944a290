"""A fake OpenAI-compatible provider: a real HTTP server on loopback, scriptable per test.

It speaks just enough of the chat-completions API (``POST /v1/chat/completions``)
for the official SDK to run unchanged, so the client, the retries and the
parsing are exercised for real; only what is outside the machine is faked.

A test queues replies with ``script(...)`` (consumed in order, one per request);
when the queue is empty the ``default`` reply answers. Every request is captured
(path, headers, parsed JSON body) in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from screening.tests.fake_evaluator import evaluation_reply

# A reply in the receipt schema whose quotes are in the factories' resume
# ("Python developer with 5 years of Django and PostgreSQL."), so they verify.
VALID_EVALUATION = {
    "requirements": [
        {"requirement": "Python", "level": "yes", "quotes": ["Python developer with 5 years"]},
        {"requirement": "Django", "level": "yes", "quotes": ["5 years of Django"]},
        {"requirement": "PostgreSQL", "level": "partly", "quotes": ["Django and PostgreSQL"]},
    ],
    "answers": [],
    "strengths": [{"text": "Five years of Django", "quotes": ["5 years of Django"]}],
    "concerns": [{"text": "Little evidence of PostgreSQL tuning", "quotes": ["Django and PostgreSQL"]}],
    "score": 72,
    "recommendation": "advance",
}

VALID_SUGGESTIONS = {
    "questions": [
        {
            "text": "How many years have you worked with Django?",
            "kind": "number",
            "options": [],
            "knockout": "at_least",
            "knockout_value": "2",
            "allowed_options": [],
        },
        {
            "text": "Are you comfortable with on-call duty?",
            "kind": "yes_no",
            "options": [],
            "knockout": "must_equal",
            "knockout_value": "yes",
            "allowed_options": [],
        },
        {
            "text": "Which database do you know best?",
            "kind": "single_choice",
            "options": ["PostgreSQL", "MySQL", "SQLite"],
            "knockout": "",
            "knockout_value": "",
            "allowed_options": [],
        },
    ]
}


@dataclass
class Reply:
    """One scripted answer. ``content`` is the assistant message (a dict is sent as JSON text)."""

    status: int = 200
    content: object = None  # a callable gets the request's parsed body and returns the content
    body: object = None  # a raw body overrides the chat-completion envelope (for errors)
    raw: bytes | None = None  # the exact bytes of the body (a hostile provider), sent as ``content_type``
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 900
    completion_tokens: int = 150


def ok(content=None, **kwargs) -> Reply:
    return Reply(content=VALID_EVALUATION if content is None else content, **kwargs)


def reading(mode: str = "faithful", **kwargs) -> Reply:
    """A model that reads the evaluation request and answers it in ``mode`` (``fake_evaluator``)."""
    return Reply(content=lambda body: evaluation_reply(body, mode=mode), **kwargs)


def _default_content(body: dict):
    """An evaluation request is read and answered faithfully; any other request gets ``VALID_EVALUATION``."""
    schema = (body.get("response_format") or {}).get("json_schema") or {}
    if schema.get("name") == "evaluation" or "UNTRUSTED CANDIDATE" in json.dumps(body.get("messages", [])):
        return evaluation_reply(body, mode="faithful")
    return VALID_EVALUATION


def rate_limited(retry_after: str = "1") -> Reply:
    return Reply(
        status=429,
        body={"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
        headers={"Retry-After": retry_after},
    )


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, body={"error": {"message": "The server had an error", "type": "server_error"}})


def slow(seconds: float, content=None) -> Reply:
    return ok(content, delay=seconds)


def envelope_with(field_json: str) -> bytes:
    """A chat-completion body whose ``usage.prompt_tokens`` is the given JSON text, verbatim (a hostile envelope)."""
    content = json.dumps(json.dumps(VALID_EVALUATION))
    return (
        '{"id": "chatcmpl-hostile", "object": "chat.completion", "created": 1, "model": "fake-model", '
        f'"choices": [{{"index": 0, "message": {{"role": "assistant", "content": {content}}}, '
        '"finish_reason": "stop"}], '
        f'"usage": {{"prompt_tokens": {field_json}, "completion_tokens": 1, "total_tokens": 1}}}}'
    ).encode()


def hostile(raw: bytes, content_type: str = "application/json") -> Reply:
    """A 200 whose body is exactly ``raw``."""
    return Reply(raw=raw, content_type=content_type)


@dataclass
class Captured:
    path: str
    headers: dict
    body: dict
    raw: str

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    @property
    def text(self) -> str:
        """Everything sent in the body, for "is this value anywhere in it" checks."""
        return self.raw


class FakeOpenAI:
    def __init__(self):
        self.requests: list[Captured] = []
        self.default: Reply = Reply(content=_default_content)
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.02)
        return False

    # --- server ---------------------------------------------------------------
    def start(self, port: int = 0) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                fake.requests.append(Captured(self.path, dict(self.headers), body, raw))
                reply = fake._next()
                if reply.delay:
                    time.sleep(reply.delay)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    reply = Reply(status=404, body={"error": {"message": "not found"}})
                if reply.body is not None:
                    payload = reply.body
                else:
                    content = reply.content
                    if callable(content):
                        content = content(body)
                    if not isinstance(content, str):
                        content = json.dumps(content)
                    payload = {
                        "id": f"chatcmpl-fake-{len(fake.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake-model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": reply.prompt_tokens,
                            "completion_tokens": reply.completion_tokens,
                            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                        },
                    }
                data = reply.raw if reply.raw is not None else json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def main(argv: list[str] | None = None) -> None:
    """Serve the fake provider on loopback until interrupted, for trying SmartBot by hand (docs/llm.md).

    ``python -m screening.tests.fake_openai --port 8199 --mode faithful|inventive|biased|jittery``, then run
    the app with ``OPENAI_BASE_URL=http://127.0.0.1:8199/v1``.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--mode", default="inventive", choices=["faithful", "inventive", "biased", "jittery"])
    args = parser.parse_args(argv)
    fake = FakeOpenAI()

    def content(body: dict):
        if _default_content(body) is VALID_EVALUATION:
            return VALID_SUGGESTIONS if "screening questions" in json.dumps(body.get("messages", [])) else {}
        return evaluation_reply(body, mode=args.mode)

    fake.default = Reply(content=content)
    fake.start(port=args.port)
    print(f"fake LLM ({args.mode}) on {fake.base_url}", flush=True)
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
