"""One limiter for the product's per-address rules: a budget of events per key and period in the shared cache.

A rule is one setting holding a rate (``"10/h"``) and a key built from the client address
(``smartbot.client_ip``) and whatever else the rule counts per. The careers form and the API use the
same rule through ``apply_limit``; the "send me my link again" form has its own, ``link_request_limit``, and a
candidate's replies after the chat are counted per private link (``candidate_reply_limit``).

Only what succeeds is spent: ``Limit.spend()`` takes one unit before the work (so that requests sent
at once cannot all slip through) and gives it back if the work raises. ``Limit.check()`` refuses early,
without spending, when the budget is gone, before any costly validation.

The window is fixed and starts with its key's first event (``smartbot.counters.count_in_window``):
``RateLimited.retry_after`` is the time until it ends.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartbot.client_ip import client_ip, limit_address
from smartbot.counters import count_in_window

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    """``count`` events per ``seconds``."""

    count: int
    seconds: int


def rate_parse(text: str) -> Rate:
    """``"10/h"`` -> Rate(10, 3600). Also ``"10/hour"``, ``"5/10m"``, ``"100/d"``, ``"3/30s"``.

    Raises ImproperlyConfigured for anything else: a rate comes from a setting.
    """
    match = _RATE.fullmatch(text or "")
    if not match:
        raise ImproperlyConfigured(f"Not a rate: {text!r} (expected e.g. '10/h', '5/10m', '100/day').")
    count, multiple, unit = match.groups()
    return Rate(count=int(count), seconds=int(multiple or 1) * _UNITS[unit.lower()])


class RateLimited(Exception):
    """The budget is spent; ``retry_after`` is the number of whole seconds (>= 1) until it is renewed."""

    def __init__(self, retry_after: int):
        super().__init__(f"rate limited, retry after {retry_after} s")
        self.retry_after = retry_after

    @property
    def retry_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    def wait_text(self) -> str:
        """'in 5 minutes', for messages."""
        minutes = self.retry_minutes
        return ngettext("in %(minutes)d minute", "in %(minutes)d minutes", minutes) % {"minutes": minutes}


@dataclass(frozen=True)
class Limit:
    """A budget of ``rate.count`` events per ``rate.seconds`` under ``key`` in the default cache."""

    key: str
    rate: Rate

    @property
    def _started_key(self) -> str:
        return f"{self.key}:started"

    def _retry_after(self) -> int:
        started = cache.get(self._started_key)
        if started is None:
            return self.rate.seconds
        return max(1, math.ceil(started + self.rate.seconds - time.time()))

    def check(self) -> None:
        """Raise RateLimited if the budget is already spent. Spends nothing."""
        if (cache.get(self.key) or 0) >= self.rate.count:
            raise RateLimited(self._retry_after())

    @contextmanager
    def spend(self) -> Iterator[None]:
        """Spend one unit for the block; it is given back if the block raises.

        Raises RateLimited, before the block runs, when no unit is left (nothing is spent then).
        """
        cache.add(self._started_key, time.time(), timeout=self.rate.seconds)
        if count_in_window(self.key, seconds=self.rate.seconds) > self.rate.count:
            self._give_back()
            raise RateLimited(self._retry_after())
        try:
            yield
        except BaseException:
            self._give_back()
            raise

    def _give_back(self) -> None:
        with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
            cache.decr(self.key)


def apply_limit(*, request, vacancy_id: int) -> Limit:
    """Applications to one vacancy from one client address: ``settings.APPLY_RATE_LIMIT``.

    Used by the careers form and the public API alike; only applications that went through count.
    """
    address = limit_address(client_ip(request))
    return Limit(key=f"ratelimit:apply:{vacancy_id}:{address}", rate=rate_parse(settings.APPLY_RATE_LIMIT))


def link_request_limit(*, request) -> Limit:
    """Requests for the private link again, from one client address: ``settings.LINK_REQUEST_RATE_LIMIT``."""
    address = limit_address(client_ip(request))
    return Limit(key=f"ratelimit:link:{address}", rate=rate_parse(settings.LINK_REQUEST_RATE_LIMIT))


def candidate_reply_limit(*, token: str) -> Limit:
    """A candidate's replies after the chat through one private link (``token``, unique per response):
    ``settings.CANDIDATE_REPLY_RATE_LIMIT``. Per link rather than per address: the link is the candidate."""
    return Limit(key=f"ratelimit:reply:{token}", rate=rate_parse(settings.CANDIDATE_REPLY_RATE_LIMIT))


def rate_limited_render(request, template_name: str, context: dict, limited: RateLimited) -> HttpResponse:
    """``template_name`` rendered with HTTP 429 and ``Retry-After``; the context gets ``wait`` ("in 5 minutes")."""
    page = render(request, template_name, {**context, "wait": limited.wait_text()}, status=429)
    page["Retry-After"] = str(limited.retry_after)
    return page


def apply_limited_message(limited: RateLimited) -> str:
    """What a candidate is told when the application limit is reached (form and API)."""
    return _("Too many applications to this vacancy were sent from your network. You can send yours %(wait)s.") % {
        "wait": limited.wait_text()
    }
