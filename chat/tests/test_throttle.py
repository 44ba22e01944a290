"""The pure parts of the socket limits and frame checks: token buckets, the gate's verdicts, nesting, characters."""

import json

import pytest

from chat import frames
from chat.throttle import FrameGate, IpBuckets, SocketLimits, TokenBucket


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate():
    clock = Clock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # one token back
    assert [bucket.take() for _ in range(2)] == [True, False]
    clock.now += 60  # never more than the burst
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_a_rate_of_zero_is_no_limit():
    bucket = TokenBucket(rate=0, burst=1, clock=Clock())
    assert all(bucket.take() for _ in range(1000))


def test_the_gate_warns_once_drops_then_closes_and_an_admitted_frame_ends_the_run():
    clock = Clock()
    gate = FrameGate(socket_bucket=TokenBucket(rate=1, burst=1, clock=clock), ip_bucket=None, close_after=3)
    assert [gate.admit() for _ in range(5)] == ["ok", "warn", "drop", "drop", "close"]
    clock.now += 1
    assert [gate.admit() for _ in range(3)] == ["ok", "warn", "drop"]


def test_frames_refused_to_one_socket_leave_its_neighbours_share_of_the_address():
    clock = Clock()
    shared = TokenBucket(rate=1, burst=3, clock=clock)
    flooder = FrameGate(socket_bucket=TokenBucket(rate=1, burst=1, clock=clock), ip_bucket=shared, close_after=99)
    neighbour = FrameGate(socket_bucket=TokenBucket(rate=1, burst=9, clock=clock), ip_bucket=shared, close_after=99)
    assert [flooder.admit() for _ in range(50)].count("ok") == 1
    assert [neighbour.admit() for _ in range(3)] == ["ok", "ok", "warn"]


def _limits(**overrides):
    values = {
        "frames_per_second": 10, "frame_burst": 20, "ip_frames_per_second": 1, "ip_frame_burst": 2,
        "messages_per_second": 1, "message_burst": 5, "flood_close_after": 20, "typing_interval": 1.0,
    }  # fmt: skip
    return SocketLimits(**(values | overrides))


def test_an_address_shares_one_bucket_while_it_has_sockets_and_is_forgotten_after():
    table = IpBuckets(clock=Clock())
    first = table.acquire("203.0.113.7", _limits())
    second = table.acquire("203.0.113.7", _limits())
    assert first is second and len(table) == 1
    table.release("203.0.113.7")
    assert len(table) == 1
    table.release("203.0.113.7")
    table.release("203.0.113.7")  # an extra release is harmless
    assert len(table) == 0


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * 32 + "]" * 32, False),
        ("[" * 33 + "]" * 33, True),
        ("[" * 100_000, True),
        (json.dumps({"text": "[" * 5000}), False),  # brackets inside a string do not nest
        (json.dumps({"text": '\\"[' * 100}), False),  # nor after an escaped quote
        ('{"a":' * 40 + "1" + "}" * 40, True),
        (json.dumps([[1], [2], [3]] * 50), False),  # many, but shallow
    ],
)
def test_nesting_is_measured_without_decoding(text, deep):
    assert frames.too_deep(text) is deep


@pytest.mark.parametrize(
    ("text", "bad"),
    [("Kazan", False), ("Привет 😀", False), ("a\x00b", True), (json.loads('"\\ud800"'), True), ("\udfff", True)],
)
def test_nul_and_lone_surrogates_are_unstorable(text, bad):
    assert frames.has_forbidden_chars(text) is bad
