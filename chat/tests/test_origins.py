"""Which pages may open our WebSockets (smartbot.origins): scheme, host and port, as Django's CSRF check."""

import pytest

from smartbot.origins import websocket_origin_allowed


def _scope(origin=None, host="chat.example.com", scheme="ws"):
    headers = []
    if host is not None:
        headers.append((b"host", host.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.fixture
def site(settings):
    settings.ALLOWED_HOSTS = ["chat.example.com"]
    settings.SITE_URL = "https://jobs.example.com"
    settings.CSRF_TRUSTED_ORIGINS = ["https://careers.example.org", "https://*.partner.example.net"]
    settings.DEBUG = False
    return settings


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("http://chat.example.com", "chat.example.com", "ws"),  # the socket's own origin
        ("https://chat.example.com", "chat.example.com", "wss"),
        ("http://chat.example.com:8000", "chat.example.com:8000", "ws"),
        ("https://jobs.example.com", "internal:8000", "ws"),  # SITE_URL, behind a TLS proxy
        ("HTTPS://Jobs.Example.com", "chat.example.com", "ws"),
        ("https://careers.example.org", "chat.example.com", "ws"),  # CSRF_TRUSTED_ORIGINS
        ("https://eu.partner.example.net", "chat.example.com", "ws"),  # a trusted wildcard
    ],
)
def test_allowed_origins(site, origin, host, scheme):
    assert websocket_origin_allowed(_scope(origin, host, scheme))


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("http://chat.example.com:8081", "chat.example.com", "ws"),  # another port of the same host
        ("http://chat.example.com", "chat.example.com:8000", "ws"),
        ("https://chat.example.com", "chat.example.com", "ws"),  # another scheme
        ("http://chat.example.com", "chat.example.com", "wss"),
        ("http://evil.example", "evil.example", "ws"),  # own origin, but not an allowed host
        ("https://jobs.example.com:444", "chat.example.com", "ws"),
        ("http://jobs.example.com", "chat.example.com", "ws"),
        ("https://careers.example.org:8443", "chat.example.com", "ws"),
        ("http://eu.partner.example.net", "chat.example.com", "ws"),
        ("https://partner.example.net.evil", "chat.example.com", "ws"),
        ("null", "chat.example.com", "ws"),
        (None, "chat.example.com", "ws"),
        ("http://chat.example.com", None, "ws"),
        ("http://[::1", "chat.example.com", "ws"),
    ],
)
def test_refused_origins(site, origin, host, scheme):
    assert not websocket_origin_allowed(_scope(origin, host, scheme))
