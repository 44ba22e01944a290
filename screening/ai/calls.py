"""One LLM call as the services make it: recorded as an ``LLMCall`` row, its reply validated, repaired once.

The only module of the AI package that writes to the database (the call log
the usage page and the monthly budget read).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from smartbot import metrics

from ..models import LLMCall
from . import client
from .cost import estimate_cost
from .leaks import LeakBlocked, find_leaks, payload_text
from .parsing import InvalidOutput
from .prompts import repair_messages
from .redaction import Identity

T = TypeVar("T")


def call_recorded(
    *,
    company,
    purpose: str,
    messages: list[dict],
    schema: dict,
    schema_name: str,
    identity: Identity | None = None,
    known_text: str = "",
    **options,
) -> tuple[client.Completion, Decimal]:
    """One provider call, recorded as an ``LLMCall`` row whatever happens. Returns ``(completion, cost)``.

    ``cost`` is estimated in USD from ``OPENAI_PRICE_*``. ``options`` go to ``client.chat_json``
    (``max_tokens``, ``timeout``). Raises ``client.LLMError`` (after recording the failed call) when the
    provider fails. With the candidate's ``identity``, the messages are first searched for it
    (``leaks.find_leaks``): a hit raises ``LeakBlocked`` before any request is made, the call recorded
    as not ok and counted (``smartbot_llm_leaks_blocked``). ``known_text``: our own prompt alone
    (``leaks.find_leaks``), so that our own words are not taken for a spelling of the name.
    """
    if identity is not None:
        kinds = find_leaks(payload_text(messages), identity, known_text=known_text)
        if kinds:
            LLMCall.objects.create(company=company, purpose=purpose, model=client.model_name(), latency_ms=0, ok=False)
            metrics.llm_leak_blocked(purpose=purpose)
            raise LeakBlocked(kinds)
    try:
        completion = client.chat_json(messages=messages, schema=schema, schema_name=schema_name, **options)
    except client.LLMError as exc:
        LLMCall.objects.create(
            company=company, purpose=purpose, model=client.model_name(), latency_ms=exc.latency_ms, ok=False
        )
        raise
    cost = estimate_cost(
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        price_in_per_m=settings.OPENAI_PRICE_INPUT_PER_M,
        price_out_per_m=settings.OPENAI_PRICE_OUTPUT_PER_M,
    )
    LLMCall.objects.create(
        company=company,
        purpose=purpose,
        model=completion.model[:100],
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        latency_ms=completion.latency_ms,
        cost=cost,
        ok=True,
    )
    metrics.llm_cost(purpose=purpose, usd=cost)
    return completion, cost


class InvalidTwice(Exception):
    """The model's reply was invalid, and so was its one repair; ``message`` says why, for the recruiter."""

    def __init__(self, first: str, second: str):
        self.message = _("The model's answer was invalid twice (%(first)s; then %(second)s).") % {
            "first": first,
            "second": second,
        }
        super().__init__(self.message)


def call_validated(
    *,
    company,
    purpose: str,
    messages: list[dict],
    schema: dict,
    schema_name: str,
    parse: Callable[[str], T],
    account: Callable[[client.Completion, Decimal], None] | None = None,
    identity: Identity | None = None,
    known_text: str = "",
) -> T:
    """Call the LLM and return ``parse(reply)``; an invalid reply gets one repair attempt.

    ``parse`` raises ``InvalidOutput`` for a reply it refuses. Unvalidated output
    never leaves this function: raises ``InvalidTwice`` when the repair is
    invalid too, ``client.LLMError`` when the provider fails.
    ``account(completion, cost)`` is told of every call. ``identity``: the candidate's, for the leak
    check of every request, the repair included (``call_recorded``; raises ``LeakBlocked``; ``known_text``
    as there).
    """

    def call(conversation: list[dict]) -> client.Completion:
        completion, cost = call_recorded(
            company=company,
            purpose=purpose,
            messages=conversation,
            schema=schema,
            schema_name=schema_name,
            identity=identity,
            known_text=known_text,
        )
        if account is not None:
            account(completion, cost)
        return completion

    completion = call(messages)
    try:
        return parse(completion.content)
    except InvalidOutput as first:
        completion = call(repair_messages(messages, reply=completion.content, reason=first.reason))
        try:
            return parse(completion.content)
        except InvalidOutput as second:
            raise InvalidTwice(first.reason, second.reason)
