"""A whole screening logged at DEBUG from every logger holds no candidate data, and every line is JSON with ids.

The candidate applies on the careers page, chats to the end over the real ASGI stack
(the consumer communicator), the evaluation runs against the fake LLM provider on
loopback and the webhooks are delivered to a loopback receiver; meanwhile the
configured console handler (settings.LOGGING: the JSON formatter, the context filter)
writes into a buffer, with the root logger and Django's at DEBUG.
"""

import io
import json
import logging

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from chat.tests.conftest import Socket
from screening.models import Evaluation, Response, WebhookDelivery, WebhookEndpoint
from smartbot.logging import token_hash
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Ivan Petrovich Sidorov"
EMAIL = "ivan.sidorov@example.org"
PHONE = "+7 (916) 555-12-34"
PHONE_FORMS = [PHONE, "+79165551234", "79165551234", "89165551234", "9165551234", "916 555 12 34", "916-555-12-34"]
RESUME = "Quokkaflux engineer: Python and Django for 5 years, billing at Zephyrine Bank."
ANSWERS = ["Moscow", "7", "yes", ["Django", "FastAPI"], "I migrated the Marzipanov ledger to PostgreSQL alone."]


@pytest.fixture
def debug_log():
    """The configured console handler writing into a buffer, with everything at DEBUG (pinned loggers stay pinned)."""
    import smartbot.asgi  # noqa: F401 - its django.setup() configures logging anew: before the swap

    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    levels = {name: logging.getLogger(name).level for name in ("", "django", "django.request", "celery", "daphne")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    handler.setStream(previous_stream)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _apply(vacancy) -> Response:
    data = {
        "full_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "city": "Moscow",
        "resume_text": RESUME,
        "consent": "on",
        "ai_consent": "on",
        "website": "",
    }
    answer = Client().post(reverse("chat:vacancy", args=[vacancy.company.slug, vacancy.slug]), data)
    # Applied: the same "check your inbox" page for everyone (the link goes by email).
    assert answer.status_code == 200, answer.content[:500]
    assert "chat/applied.html" in [template.name for template in answer.templates]
    return Response.objects.get(email=EMAIL)


async def _chat_to_the_end(application, token: str) -> None:
    from smartbot.asgi import application as asgi_app

    socket = Socket(asgi_app, f"/ws/chat/{token}/")
    connected, code = await socket.connect()
    assert connected, code
    hello = await socket.recv()
    question = hello["question"]
    for answer in ANSWERS:
        fields = {"choices": answer} if isinstance(answer, list) else {"text": answer}
        frames = await socket.answer(question=question["id"], **fields)
        asked = [frame for frame in frames if frame["type"] == "question"]
        question = asked[-1]["question"] if asked else None
    assert question is None
    await socket.close()


async def test_a_whole_screening_logs_no_name_email_phone_answer_or_token(
    company,
    fake_llm,
    receiver,
    debug_log,
    settings,
):
    cache.clear()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    vacancy = await sync_to_async(VacancyFactory)(company=company, title="Python developer", slug="python-dev")
    await sync_to_async(full_script)(vacancy)
    await sync_to_async(WebhookEndpoint.objects.create)(
        company=company, url=receiver.url, events=list(WebhookEndpoint.Event.values)
    )

    application = await sync_to_async(_apply)(vacancy)
    token = application.token
    # A page and a 404 under the token: Django's "Not Found" warning carries the path.
    client = Client()
    assert (await sync_to_async(client.get)(f"/chat/{token}/")).status_code == 200
    assert (await sync_to_async(client.get)(f"/chat/{token}/no-such-page/")).status_code == 404

    await _chat_to_the_end(application, token)

    evaluation = await sync_to_async(Evaluation.objects.get)(response=application)
    assert (evaluation.status, evaluation.evaluator) == ("done", "llm")
    assert fake_llm.requests  # the answers went to the provider (redacted), so its client had them in hand
    delivered = await sync_to_async(
        lambda: set(WebhookDelivery.objects.filter(status="delivered").values_list("event", flat=True))
    )()
    assert {"response.completed", "response.evaluated"} <= delivered

    text = debug_log.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) >= 5, text
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    loggers = {record["logger"] for record in records}
    assert {"django.request", "celery.app.trace"} <= loggers, loggers
    assert any(record.get("request_id") for record in records)
    assert any(record.get("response_id") == application.pk for record in records)
    assert any(record.get("company_id") == company.pk for record in records)

    forbidden = [*NAME.split(), NAME, EMAIL, "ivan.sidorov", *PHONE_FORMS, RESUME, "Quokkaflux", "Zephyrine"]
    forbidden += ["Marzipanov", ANSWERS[-1], token]
    leaks = [(word, line) for word in forbidden for line in lines if word.lower() in line.lower()]
    assert not leaks, leaks[:5]
    # The token's log name is there instead (Django's 404 line).
    assert token_hash(token) in text
