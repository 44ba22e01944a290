"""The HTTP client of outgoing webhooks: one POST, to the checked addresses only, one error type.

``http_post`` resolves the endpoint's name once, refuses it when any address is not public (unless
``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``), connects to those very addresses (no DNS rebinding between the check
and the connection) and raises ``WebhookError``, which says whether retrying later can help. Settings are
read at every call, so a test's ``override_settings`` applies.
"""

from __future__ import annotations

import functools
import http.client
import socket
import urllib.parse

from django.conf import settings

from .models import webhook_ip_error

USER_AGENT = "SmartBot-Webhooks/1.0"


class WebhookError(Exception):
    """A delivery attempt failed. ``retryable`` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code


def _resolve_checked(host: str, port: int) -> list[tuple]:
    """Resolve ``host`` once and check every address it gave; the getaddrinfo entries to connect to.

    Raises ``WebhookError``: retryable when the name does not resolve (DNS may recover), not retryable
    when any address is not public (unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``): one private answer
    among public ones refuses the whole name, since the connection could land on either.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookError(f"Network error: {host} does not resolve ({exc})", retryable=True)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for *_rest, sockaddr in found:
            refused = webhook_ip_error(sockaddr[0])
            if refused:
                raise WebhookError(f"Refused: {refused}", retryable=False)
    return found


def _connect_pinned(found: list[tuple], address, timeout, source_address=None) -> socket.socket:
    """``http.client``'s ``_create_connection`` with the name already resolved: try the checked ``found``
    addresses in order, never resolving ``address``'s host again (``socket.create_connection`` would)."""
    error: OSError | None = None
    for family, kind, proto, _canonical, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address to connect to for {address[0]}")


def http_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float | None = None) -> int:
    """POST ``body`` to ``url``; return the 2xx status code or raise ``WebhookError``.

    ``timeout`` in seconds, ``WEBHOOK_TIMEOUT_SECONDS`` when None. Network errors, timeouts, 429 and 5xx
    are retryable; other statuses are not. Redirects are not followed: they would resend a signed body to
    an address nobody registered.

    The host name is resolved once, every address is checked (only public ones, unless
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``), and the connection goes to those very addresses: a name that
    answers a public address to the check and a private one to the connection (DNS rebinding) cannot
    reach inside. The Host header, TLS SNI and certificate verification still use the host name
    (``http.client`` takes them from ``host``; only its socket factory is replaced).
    """
    if timeout is None:
        timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("Only http and https URLs are supported.", retryable=False)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname.encode("idna").decode("ascii")  # IDNA A-label: what DNS, Host and SNI carry
    except (ValueError, UnicodeError) as exc:
        raise WebhookError(f"Invalid URL: {exc}", retryable=False)
    # Checked again at every attempt: the name may resolve elsewhere than when it was registered.
    found = _resolve_checked(host, port)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    all_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    try:
        connection = connection_class(host, port, timeout=timeout)
        # HTTPConnection.connect (and HTTPSConnection.connect, before wrapping the socket in TLS with
        # server_hostname=host) opens its socket through this attribute (CPython Lib/http/client.py).
        connection._create_connection = functools.partial(_connect_pinned, found)
        try:
            connection.request("POST", path, body=body, headers=all_headers)
            answer = connection.getresponse()
            answer.read(64 * 1024)
            code = answer.status
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(f"Network error: {exc}", retryable=True)
    if 200 <= code < 300:
        return code
    raise WebhookError(f"HTTP {code}", retryable=code == 429 or code >= 500, status_code=code)
