"""Which web pages may open our WebSockets: the ``Origin`` check of ``smartbot.asgi``, by scheme, host and port.

A browser sends the page's origin (``scheme://host[:port]``) with every WebSocket handshake and
lets any page open a socket to any site, cookies included: without this check a page elsewhere
could drive a recruiter's socket with the recruiter's session (cross-site WebSocket hijacking).
Channels' ``AllowedHostsOriginValidator`` compares the host only, so ``http://our-host:8081`` (another
service on the same host) passed for ``https://our-host``.

The rule is Django's CSRF origin rule (``CsrfViewMiddleware._origin_verified``), so one setting
governs forms and sockets. An ``Origin`` is accepted when, compared as whole
``scheme://host[:port]`` strings (lower case; a default port written out is a different string, as
browsers never write it):

1. it is the socket's own origin: ``http://`` (``https://`` for ``wss``) plus the ``Host`` header,
   and that host is one of ``ALLOWED_HOSTS``;
2. it is ``SITE_URL``'s origin (behind a TLS proxy the socket arrives as ``ws`` while the page is
   ``https``: the public URL says which it is);
3. it is one of ``CSRF_TRUSTED_ORIGINS``, whose ``https://*.example.com`` entries match subdomains
   as Django's do (``django.http.request.is_same_domain``).

A missing ``Origin`` (not a browser) and ``null`` (sandboxed frames, ``file:``) are refused. The
refusal closes the handshake before it completes (the client sees HTTP 403).
Sources: RFC 6454 §7 (the Origin header), RFC 6455 §10.2 (servers should check it),
https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-trusted-origins.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1").strip()
    return None


def _origin_of(url: str) -> str:
    """``scheme://netloc`` of an absolute URL, lower case; "" if it has none."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:  # what Django's own host check allows in this case
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def websocket_origin_allowed(scope) -> bool:
    """True if the ``Origin`` header of the WebSocket ``scope`` is allowed by the rule above."""
    origin = _header(scope, b"origin")
    if not origin or origin == "null":
        return False
    origin = origin.lower()
    host = (_header(scope, b"host") or "").lower()
    if host:
        domain, _port = split_domain_port(host)
        scheme = "https" if scope.get("scheme") == "wss" else "http"
        if domain and validate_host(domain, _allowed_hosts()) and origin == f"{scheme}://{host}":
            return True
    if origin == _origin_of(settings.SITE_URL):
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted = trusted.strip().lower()
        if "*" not in trusted:
            if origin == _origin_of(trusted):
                return True
            continue
        scheme, _sep, netloc = trusted.partition("://")
        if scheme == parts.scheme and is_same_domain(parts.netloc, netloc.replace("*", "", 1)):
            return True
    return False


class OriginValidator:
    """ASGI middleware for the ``websocket`` scope: the wrapped app runs only for an allowed ``Origin``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not websocket_origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
