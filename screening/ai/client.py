"""The one client around the LLM provider (the official openai SDK, any OpenAI-compatible server).

Everything that talks to the provider goes through ``chat_json``. It makes exactly
one HTTP call (the SDK's own retries are off: Celery retries with backoff, so a
retry is visible and bounded) and turns every failure into ``LLMError``, whose
``retryable`` says whether trying again later can help and ``retry_after`` carries
the provider's Retry-After, in seconds, when it sent one.

No tools are ever offered to the model, and nothing but the messages given is sent.
"""

from __future__ import annotations

import email.utils
import functools
import random
import time
from dataclasses import dataclass

import openai
from django.conf import settings

from smartbot import metrics

# Seconds; a provider asking for more than this is treated as "later", not obeyed literally.
MAX_RETRY_AFTER = 600.0


class LLMError(Exception):
    """A call to the LLM provider failed. ``retryable``: a later attempt may succeed."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status_code: int | None = None,
        latency_ms: int = 0,
    ):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.status_code = status_code
        self.latency_ms = latency_ms


@dataclass(frozen=True)
class Completion:
    """One chat completion: the reply's unvalidated ``content``, the model that wrote it, tokens and latency."""

    content: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_ms: int


def is_configured() -> bool:
    """True when an LLM provider is configured (a key, a base URL or both); else the builtin evaluator runs."""
    return bool(settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL)


def model_name() -> str:
    """The configured model's name (``OPENAI_MODEL``), as recorded when no reply names it."""
    return settings.OPENAI_MODEL


def _client() -> openai.OpenAI:
    return _cached_client(settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, float(settings.OPENAI_TIMEOUT))


@functools.lru_cache(maxsize=4)
def _cached_client(api_key: str, base_url: str, timeout: float) -> openai.OpenAI:
    # One client per configuration: it keeps its connection pool, and building its TLS context is slow.
    return openai.OpenAI(
        # Local servers (Ollama, vLLM, llama.cpp) need no key, but the SDK insists on one.
        api_key=api_key or "not-needed",
        base_url=base_url or None,
        timeout=timeout,
        max_retries=0,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def response_format(*, schema: dict, name: str) -> dict:
    """The structured-output request: a strict JSON schema, or plain JSON mode for servers without it."""
    if getattr(settings, "OPENAI_JSON_MODE", "schema") == "object":
        return {"type": "json_object"}
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


def chat_json(
    *, messages: list[dict], schema: dict, schema_name: str, max_tokens: int = 1200, timeout: float | None = None
) -> Completion:
    """One chat completion asking for JSON that follows ``schema``. Raises ``LLMError``.

    ``timeout``: seconds for this call instead of ``OPENAI_TIMEOUT`` (a chat turn waiting on it).
    The returned content is unvalidated text: callers must parse and validate it.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        result = _client().chat.completions.create(
            model=settings.OPENAI_MODEL,
            messages=messages,
            response_format=response_format(schema=schema, name=schema_name),
            temperature=0,
            max_tokens=max_tokens,
            timeout=openai.NOT_GIVEN if timeout is None else timeout,
        )
    except openai.APITimeoutError:
        raise LLMError("The LLM provider did not answer in time.", retryable=True, latency_ms=elapsed())
    except openai.APIConnectionError:
        raise LLMError("Could not connect to the LLM provider.", retryable=True, latency_ms=elapsed())
    except openai.APIStatusError as exc:
        status = exc.status_code
        retryable = status in (408, 409, 429) or status >= 500
        retry_after = parse_retry_after(exc.response.headers.get("retry-after")) if retryable else None
        raise LLMError(
            f"The LLM provider answered HTTP {status}.",
            retryable=retryable,
            retry_after=retry_after,
            status_code=status,
            latency_ms=elapsed(),
        )
    except openai.OpenAIError as exc:  # malformed envelope and the like: the same call would fail the same way
        raise LLMError(unreadable_message(exc), retryable=False, latency_ms=elapsed())
    except (ValueError, TypeError, LookupError, AttributeError, RecursionError) as exc:
        # The SDK lets the body's own parse errors through: a 200 whose body is not JSON (JSONDecodeError), holds
        # a number too long to convert (ValueError) or nests too deep (RecursionError). Asking again gets the same.
        raise LLMError(unreadable_message(exc), retryable=False, latency_ms=elapsed())
    return read_completion(result, latency_ms=elapsed())


def unreadable_message(exc: BaseException) -> str:
    """The recruiter-facing reason for a provider reply that could not be read (names the error type only)."""
    return f"The LLM provider's answer could not be read ({type(exc).__name__})."


# The database columns (PositiveIntegerField) hold at most this; a provider claiming more is not believed.
MAX_TOKENS_COUNT = 2**31 - 1


def _token_count(usage, name: str) -> int:
    value = getattr(usage, name, 0) if usage is not None else 0
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOKENS_COUNT:
        raise TypeError(f"usage.{name} is not a token count")
    return value


def read_completion(result, *, latency_ms: int) -> Completion:
    """The ``Completion`` in the SDK's parsed reply, or ``LLMError`` (not retryable) when it has the wrong shape.

    The SDK builds its objects without validating them, so every field the
    provider sent may have any JSON type (or be a plain string when the body was
    not JSON): each one used here is checked.
    """
    try:
        choices = result.choices
        if not isinstance(choices, list):
            raise TypeError("'choices' is not a list")
        content = ""
        if choices:
            if not isinstance(choices[0], openai.BaseModel):
                raise TypeError("a choice is not an object")
            message = choices[0].message
            if message is not None and not isinstance(message, openai.BaseModel):
                raise TypeError("'message' is not an object")
            content = getattr(message, "content", None) or ""
            if not isinstance(content, str):
                raise TypeError("'message.content' is not a string")
        model = result.model if isinstance(result.model, str) and result.model else settings.OPENAI_MODEL
        usage = result.usage
        if usage is not None and not isinstance(usage, openai.BaseModel):
            raise TypeError("'usage' is not an object")
        tokens_in = _token_count(usage, "prompt_tokens")
        tokens_out = _token_count(usage, "completion_tokens")
    except (TypeError, ValueError, LookupError, AttributeError) as exc:  # any shape problem: an unreadable answer
        raise LLMError(unreadable_message(exc), retryable=False, latency_ms=latency_ms)
    metrics.llm_tokens(prompt=tokens_in, completion=tokens_out)
    return Completion(
        content=content,
        model=model,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        latency_ms=latency_ms,
    )


def retry_delay(retries: int, retry_after: float | None = None, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before retry number ``retries + 1``: the provider's Retry-After when it sent one,
    else exponential backoff (base * 2^retries, capped) with full jitter in its upper half."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER) + random.uniform(0, 1)
    ceiling = min(cap, base * (2**retries))
    return random.uniform(ceiling / 2, ceiling)
