"""What every fake server shares: a threaded HTTP server on loopback whose requests all go to one function, and
the one way to answer (JSON, text or bytes). Standard library only; no app is imported."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(
    handle: Callable[[BaseHTTPRequestHandler], None] | None = None,
    *,
    handler_class: type[BaseHTTPRequestHandler] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start serving in a daemon thread: every GET/POST/PUT/DELETE goes to ``handle(handler)`` (or use a ready
    ``handler_class``). ``port`` 0 takes a free one (``server.server_address``). Returns ``(server, thread)``;
    ``stop`` ends it."""
    if handler_class is None:

        class handler_class(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def handle(self):
                # The client may hang up (a timeout, a large answer it stopped reading): nothing to answer then.
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def do_GET(self):
                handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

    server = ThreadingHTTPServer((host, port), handler_class)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def stop(server: ThreadingHTTPServer | None) -> None:
    """Stop a server ``serve`` started (no-op for None)."""
    if server is not None:
        server.shutdown()
        server.server_close()


def base_url(server: ThreadingHTTPServer) -> str:
    """``http://127.0.0.1:<port>`` of a started server."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def send(handler: BaseHTTPRequestHandler, status: int, body, extra: dict) -> None:
    """Answer with ``status`` and ``body``: None or b"" (no body), bytes or str (as given, ``Content-Type`` from
    ``extra`` or JSON; plain text for a 5xx) or anything else as JSON; ``extra`` headers added."""
    if body is None or body == b"":
        data, content_type = b"", None
    elif isinstance(body, bytes | str):
        data = body.encode() if isinstance(body, str) else body
        content_type = extra.pop("Content-Type", "text/plain; charset=utf-8" if status >= 500 else "application/json")
    else:
        data, content_type = json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8"
    try:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (timeout): nothing to answer
