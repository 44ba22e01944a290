"""The signature on outgoing webhooks: HMAC-SHA256 of ``f"{timestamp}.{body}"`` with the endpoint's secret.

``webhook_sign`` gives the ``X-SmartBot-Signature`` header of a delivery; ``webhook_verify`` is what a
receiver does with it (docs/api.md), kept here so the tests check the documented recipe.
"""

import hashlib
import hmac
import time


def webhook_sign(*, secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The value of X-SmartBot-Signature for a body sent at ``timestamp``: ``"sha256=<hex>"``."""
    if isinstance(body, bytes):
        body = body.decode()
    message = f"{timestamp}.{body}".encode()
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_verify(*, secret: str, timestamp: str, body: bytes | str, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does (documented in docs/api.md): check the signature and the freshness.

    False for a wrong signature, a ``timestamp`` that is not a number or further than ``tolerance`` seconds
    from now (a replay); never raises.
    """
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(webhook_sign(secret=secret, timestamp=timestamp, body=body), signature)
