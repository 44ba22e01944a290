"""The client's address, by one trusted-proxy rule, for views, the API, the login lockout and the sockets.

A client can send any ``X-Forwarded-For`` it likes; only the entries that our own proxies appended
can be believed. Each proxy appends the address it received the request from, so with
``settings.TRUSTED_PROXY_COUNT = n`` proxies in front of the app the client is the ``n``-th entry
from the right ("right-most minus trusted"): whatever a client writes on the left is never read.

- ``TRUSTED_PROXY_COUNT = 0`` (the default): no header is believed; the address is the peer of the
  connection (``REMOTE_ADDR``, or ``scope["client"]`` for a socket).
- ``TRUSTED_PROXY_COUNT = 1``: one reverse proxy (nginx ``proxy_add_x_forwarded_for``): the right-most
  entry. ``2``: a CDN then nginx: the second from the right; and so on.
- ``TRUSTED_PROXY_IPS`` (optional): addresses or networks (``"10.0.0.0/8"``) the proxy next to the app
  connects from. When set, the header is believed only on connections from one of them, so a client
  that reaches the app port directly cannot choose its address.

A header that holds fewer entries than the rule needs, or none that parse, is not believed either:
the peer's address is used. The parsing (ports, brackets, IPv4-mapped IPv6, RFC 7239 ``for=``) is
python-ipware's, the engine of django-ipware (https://github.com/un33k/python-ipware); daphne runs
without ``--proxy-headers`` so that the peer address it reports is the real one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings
from python_ipware import IpWare

UNKNOWN = "unknown"
_HEADER = "HTTP_X_FORWARDED_FOR"


def client_ip(request) -> str:
    """The client address of a Django (or DRF) request, normalised (``"203.0.113.7"``, ``"2001:db8::1"``).

    ``"unknown"`` when there is none (a Unix socket, a test request without ``REMOTE_ADDR``).
    """
    meta = request.META
    return _resolve(peer=meta.get("REMOTE_ADDR") or "", forwarded=meta.get(_HEADER) or "")


def client_ip_from_scope(scope: Mapping) -> str:
    """The client address of an ASGI ``scope`` (HTTP or WebSocket), by the same rule as ``client_ip``.

    ``scope["client"]`` is ``[host, port]`` or None; ``scope["headers"]`` a list of
    ``(name, value)`` byte pairs with lower-case names. Repeated ``X-Forwarded-For`` headers are
    joined with commas, as Django's ASGI request joins them.
    """
    client = scope.get("client") or None
    peer = str(client[0]) if client else ""
    values = [
        value.decode("latin-1") for name, value in scope.get("headers") or () if name.lower() == b"x-forwarded-for"
    ]
    return _resolve(peer=peer, forwarded=",".join(values))


def limit_address(ip: str) -> str:
    """The address a per-address limit counts under: an IPv4 address itself, an IPv6 address's /64.

    One IPv6 host is normally given a whole /64 (RFC 7934 §4), so counting single IPv6 addresses
    would let one machine pick a fresh one per request. The result is still an address (the
    network's first one, ``"2001:db8:1:2::"``), so it fits an IP address column.
    """
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _resolve(*, peer: str, forwarded: str) -> str:
    peer_ip = _normalise(peer)
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0 or not forwarded:
        return peer_ip
    if not _from_trusted_proxy(peer_ip, tuple(settings.TRUSTED_PROXY_IPS)):
        return peer_ip
    # The proxy next to the app is the peer, not an entry of the header: ``count`` proxies leave
    # ``count - 1`` of their own addresses in it, right of the client's. Not strict: an unparsable
    # token on the (client-written) left is skipped rather than voiding the proxies' part.
    ip, _trusted = _engine(count - 1).get_client_ip({_HEADER: forwarded}, strict=False)
    return str(ip) if ip is not None else peer_ip


@lru_cache(maxsize=8)
def _engine(proxies_in_header: int) -> IpWare:
    return IpWare(precedence=(_HEADER,), leftmost=True, proxy_count=proxies_in_header)


def _normalise(text: str) -> str:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return UNKNOWN
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


@lru_cache(maxsize=32)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _from_trusted_proxy(peer_ip: str, entries: Iterable[str]) -> bool:
    networks = _networks(tuple(entries))
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(peer_ip)
    except ValueError:
        return False
    return any(address.version == network.version and address in network for network in networks)
