"""Frame rate limits of the chat sockets: token buckets per socket and per client IP, in process memory.

Pure bookkeeping with an injectable clock, no I/O. The consumers (``chat.consumers``) take one token
per client frame (pings, typing and malformed frames included) from the socket's bucket and from its
IP's, and one more per ``message`` frame (a write) from the socket's message bucket. Rates and bursts
come from settings (``CHAT_*``, documented in docs/chat-protocol.md).

The IP buckets live in each server process: they stop one client from flooding the event loop that
other candidates share, which is a per-process resource. With several processes behind a balancer an
IP may send up to ``processes × rate`` in total; nothing here costs a network round trip per frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; ``take()`` spends one, False when none is left.

    ``rate <= 0`` means no limit (``take`` is always True). ``clock`` returns seconds (monotonic).
    """

    __slots__ = ("burst", "clock", "rate", "stamp", "tokens")

    def __init__(self, *, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = float(rate), max(1.0, float(burst)), clock
        self.tokens = self.burst
        self.stamp = clock()

    def take(self) -> bool:
        if self.rate <= 0:
            return True
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class SocketLimits:
    """The limits one socket runs under, read from settings when it connects (so tests can change them)."""

    frames_per_second: float
    frame_burst: float
    ip_frames_per_second: float
    ip_frame_burst: float
    messages_per_second: float
    message_burst: float
    flood_close_after: int  # frames refused in a row after the "rate_limited" error before the socket is closed
    typing_interval: float  # seconds between two typing fan-outs of one socket

    @classmethod
    def from_settings(cls) -> SocketLimits:
        return cls(
            frames_per_second=settings.CHAT_SOCKET_FRAMES_PER_SECOND,
            frame_burst=settings.CHAT_SOCKET_FRAME_BURST,
            ip_frames_per_second=settings.CHAT_IP_FRAMES_PER_SECOND,
            ip_frame_burst=settings.CHAT_IP_FRAME_BURST,
            messages_per_second=settings.CHAT_SOCKET_MESSAGES_PER_MINUTE / 60,
            message_burst=settings.CHAT_SOCKET_MESSAGE_BURST,
            flood_close_after=settings.CHAT_FLOOD_CLOSE_AFTER,
            typing_interval=settings.CHAT_TYPING_INTERVAL,
        )


class IpBuckets:
    """One shared bucket per client IP while that IP has sockets open in this process.

    ``acquire`` when a socket opens, ``release`` when it ends (every acquire once): an IP's entry is
    dropped with its last socket, so the table holds only IPs connected now.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._entries: dict[str, list] = {}  # ip -> [bucket, open sockets]

    def acquire(self, ip: str, limits: SocketLimits) -> TokenBucket:
        entry = self._entries.get(ip)
        if entry is None:
            bucket = TokenBucket(rate=limits.ip_frames_per_second, burst=limits.ip_frame_burst, clock=self.clock)
            entry = self._entries[ip] = [bucket, 0]
        entry[1] += 1
        return entry[0]

    def release(self, ip: str) -> None:
        entry = self._entries.get(ip)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del self._entries[ip]

    def __len__(self) -> int:
        return len(self._entries)


# The process's table: consumers of one process share one event loop, hence no lock.
ip_buckets = IpBuckets()


class FrameGate:
    """Per socket: may this frame be handled? Says also when to warn and when to close.

    ``admit()`` returns ``"ok"``, ``"warn"`` (the first refused frame of a run: send one polite error),
    ``"drop"`` (refused again, silently) or ``"close"`` (more than ``flood_close_after`` refused in a
    row). An admitted frame ends the run.
    """

    def __init__(self, *, socket_bucket: TokenBucket, ip_bucket: TokenBucket | None, close_after: int):
        self.socket_bucket, self.ip_bucket, self.close_after = socket_bucket, ip_bucket, close_after
        self.refused = 0

    def admit(self) -> str:
        # The IP's bucket is asked only for frames the socket's allows: frames refused to a flooding socket
        # do not use up what its neighbours behind the same address (a NAT) may send.
        ok = self.socket_bucket.take() and (self.ip_bucket is None or self.ip_bucket.take())
        if ok:
            self.refused = 0
            return "ok"
        self.refused += 1
        if self.refused == 1:
            return "warn"
        return "close" if self.refused > self.close_after else "drop"
