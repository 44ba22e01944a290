"""The client address by the trusted-proxy rule (smartbot.client_ip), for requests, sockets and the throttles."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.request import Request

from smartbot.api import PublicThrottle, UserThrottle
from smartbot.client_ip import client_ip, client_ip_from_scope, limit_address
from smartbot.ratelimit import Rate, rate_parse

factory = RequestFactory()


def _request(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def _scope(client=("192.0.2.10", 5000), forwarded=()):
    headers = [(b"host", b"example.org")] + [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "websocket", "client": list(client) if client else None, "headers": headers}


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="203.0.113.5")) == "192.0.2.10"
    assert client_ip_from_scope(_scope(forwarded=["203.0.113.5"])) == "192.0.2.10"


def test_behind_one_proxy_the_right_most_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(remote="10.0.0.2", forwarded="198.51.100.7")) == "198.51.100.7"
    # Whatever the client wrote on the left is never read.
    assert client_ip(_request(remote="10.0.0.2", forwarded="203.0.113.5, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(remote="10.0.0.2", forwarded="not-an-ip, 1.2.3.4 ,198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request(remote="10.0.0.2", forwarded="203.0.113.5, 198.51.100.7, 192.0.2.99")
    assert client_ip(request) == "198.51.100.7"


def test_a_header_shorter_than_the_rule_or_unparsable_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(remote="10.0.0.2", forwarded="198.51.100.7")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(remote="10.0.0.2", forwarded="garbage")) == "10.0.0.2"
    assert client_ip(_request(remote="10.0.0.2", forwarded="")) == "10.0.0.2"


def test_trusted_proxy_ips_believe_the_header_only_from_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/8", "192.0.2.1"]
    assert client_ip(_request(remote="10.1.2.3", forwarded="198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(remote="192.0.2.1", forwarded="198.51.100.7")) == "198.51.100.7"
    # A client that reaches the app port directly cannot choose its address.
    assert client_ip(_request(remote="203.0.113.66", forwarded="198.51.100.7")) == "203.0.113.66"


def test_sockets_follow_the_same_rule_with_repeated_headers_joined(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    scope = _scope(client=("10.0.0.2", 4000), forwarded=["203.0.113.5", "198.51.100.7"])
    assert client_ip_from_scope(scope) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip_from_scope(scope) == "203.0.113.5"


def test_addresses_are_normalised_and_unknown_peers_say_so(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(remote="::ffff:192.0.2.10")) == "192.0.2.10"
    assert client_ip(_request(remote="2001:DB8::0001")) == "2001:db8::1"
    assert client_ip(_request(remote="")) == "unknown"
    assert client_ip_from_scope(_scope(client=None)) == "unknown"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(remote="10.0.0.2", forwarded="[2001:db8::7]:443")) == "2001:db8::7"


def test_limits_count_an_ipv6_client_by_its_64():
    assert limit_address("2001:db8:1:2:aaaa::1") == limit_address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::"
    assert limit_address("2001:db8:1:3::1") != limit_address("2001:db8:1:2::1")
    assert limit_address("198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize("throttle_class", [PublicThrottle, UserThrottle])
def test_api_throttles_count_the_client_by_the_rule_not_the_header(settings, throttle_class):
    throttle = throttle_class()
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.get_ident(Request(_request(forwarded="203.0.113.5"))) == "192.0.2.10"
    settings.TRUSTED_PROXY_COUNT = 1
    assert throttle.get_ident(Request(_request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.7"))) == (
        "198.51.100.7"
    )


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/h", Rate(10, 3600)), ("20/hour", Rate(20, 3600)), ("5/10m", Rate(5, 600)), ("100/d", Rate(100, 86400))],
)
def test_rates_are_read_from_their_settings(text, rate):
    assert rate_parse(text) == rate


@pytest.mark.parametrize("text", ["", "10", "ten/h", "10/x", "10/h/h"])
def test_a_malformed_rate_is_a_configuration_error(text):
    with pytest.raises(ImproperlyConfigured):
        rate_parse(text)
