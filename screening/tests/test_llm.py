"""The LLM client against the fake provider on loopback: the real SDK, one call, one error type."""

import socket

import pytest

from screening.ai import client
from screening.tests import fake_openai

MESSAGES = [{"role": "user", "content": "hi"}]


def call():
    return client.chat_json(messages=MESSAGES, schema={"type": "object"}, schema_name="test")


def test_is_configured_by_a_key_or_a_base_url(settings):
    settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "", ""
    assert not client.is_configured()
    settings.OPENAI_BASE_URL = "http://127.0.0.1:11434/v1"
    assert client.is_configured()
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = "", "sk-x"
    assert client.is_configured()


def test_a_completion_returns_content_usage_and_latency(fake_llm):
    completion = call()
    assert '"score": 72' in completion.content
    assert (completion.tokens_in, completion.tokens_out, completion.model) == (900, 150, "gpt-4o-mini")
    assert completion.latency_ms >= 0
    request = fake_llm.requests[0]
    assert request.body["temperature"] == 0
    assert request.body["response_format"]["json_schema"]["name"] == "test"
    assert "sk-test-not-a-secret" in request.headers.get("Authorization", request.headers.get("authorization", ""))


def test_json_object_mode_for_servers_without_schemas(fake_llm, settings):
    settings.OPENAI_JSON_MODE = "object"
    call()
    assert fake_llm.requests[0].body["response_format"] == {"type": "json_object"}


def test_a_local_server_needs_no_key(fake_llm, settings):
    settings.OPENAI_API_KEY = ""
    assert call().tokens_in == 900


def test_429_is_retryable_with_retry_after(fake_llm):
    fake_llm.script(fake_openai.rate_limited("7"))
    with pytest.raises(client.LLMError) as error:
        call()
    assert error.value.retryable and error.value.status_code == 429
    assert error.value.retry_after == 7.0
    assert len(fake_llm.requests) == 1  # the SDK's own retries are off: Celery retries, visibly


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retryable(fake_llm, status):
    fake_llm.script(fake_openai.server_error(status))
    with pytest.raises(client.LLMError) as error:
        call()
    assert error.value.retryable and error.value.status_code == status
    assert len(fake_llm.requests) == 1


def test_timeout_is_retryable(fake_llm):
    fake_llm.script(fake_openai.slow(2.0))
    with pytest.raises(client.LLMError) as error:
        call()
    assert error.value.retryable and error.value.status_code is None
    assert "in time" in error.value.message


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retryable(fake_llm, status):
    fake_llm.script(fake_openai.Reply(status=status, body={"error": {"message": "nope"}}))
    with pytest.raises(client.LLMError) as error:
        call()
    assert not error.value.retryable and error.value.status_code == status


def test_connection_refused_is_retryable(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.OPENAI_API_KEY = "k"
    with pytest.raises(client.LLMError) as error:
        call()
    assert error.value.retryable
