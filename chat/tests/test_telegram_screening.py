"""A whole screening in Telegram through the fake Bot API: buttons, a typed answer, a read-back confirmed with its
buttons, multiple choice toggled and done, the finish; stale buttons; "Talk to a person"; switching between the
web and Telegram mid-screening with nothing lost or doubled."""

import pytest
from django.test import Client
from django.urls import reverse

from chat.telegram.delivery import telegram_deliver
from screening.models import Answer, ChatMessage, HumanRequest, Response, TelegramLink

pytestmark = pytest.mark.django_db

OUT_OF_DATE = "This button is out of date."


def _answers(response):
    return {a.question.position: a.value for a in Answer.objects.filter(response=response).select_related("question")}


def _bot_lines(response):
    return list(
        ChatMessage.objects.filter(session__response=response)
        .exclude(sender="candidate")
        .order_by("pk")
        .values_list("text", flat=True)
    )


def test_a_whole_screening_in_telegram(response, ivan):
    ivan.start(response)
    ivan.press("Moscow")
    first = ivan.messages()[1]
    assert first["text"] == "Question 1 of 5: Which city do you live in?\n\n→ Moscow" and first["buttons"] == []
    assert ivan.last()["text"] == "How many years of Python experience do you have?"
    assert ivan.labels() == ["Talk to a person"]  # typed: no buttons of its own
    ivan.send("5")
    assert ivan.last()["text"] == "Are you allowed to work in Russia?"
    assert ivan.labels() == ["Yes", "No", "Talk to a person"]
    ivan.send("No problem")  # an idiom: read back, with the read-back's two buttons
    assert ivan.last()["text"] == "You wrote “No problem”: I understood yes. Is that right?"
    assert ivan.labels() == ["Yes, that's right", "No, let me correct it", "Talk to a person"]
    ivan.press("Yes, that's right")
    question = ivan.last()
    assert question["text"] == "Which of these do you use?"
    assert ivan.labels(question) == ["Django", "FastAPI", "Flask", "Done", "Talk to a person"]
    ivan.press("Django", question)
    ivan.press("FastAPI", ivan.messages()[-1])
    toggled = ivan.messages()[-1]
    assert toggled["message_id"] == question["message_id"]  # the same message, buttons redrawn
    assert ivan.labels(toggled) == ["✓ Django", "✓ FastAPI", "Flask", "Done", "Talk to a person"]
    assert not Answer.objects.filter(question__position=4).exists()  # toggling writes nothing
    ivan.press("Done", toggled)
    assert ivan.last()["text"] == "Tell us about a project you are proud of."
    ivan.send("A booking service in Django.")
    assert "You have passed the screening" in ivan.last()["text"] or "sent to the recruiter" in ivan.last()["text"]

    assert _answers(response) == {
        1: "Moscow",
        2: 5,
        3: True,
        4: ["Django", "FastAPI"],
        5: "A booking service in Django.",
    }
    response.refresh_from_db()
    assert response.status == Response.Status.PASSED
    # Both channels show the same transcript: every bot line after the binding is in Telegram, once, in order.
    sent = [m["text"].split("\n\n→ ")[0] for m in ivan.messages()[2:]]
    assert sent == _bot_lines(response)[2:]
    candidate_lines = ChatMessage.objects.filter(session__response=response, sender="candidate")
    assert all(m.client_id.startswith("tg") for m in candidate_lines)
    # Every press was answered (no spinner left).
    assert all(call.params for call in ivan.fake.calls("answerCallbackQuery"))
    assert len(ivan.fake.calls("answerCallbackQuery")) == 5
    # After the finish a typed message gets a polite note and writes nothing.
    count = ChatMessage.objects.count()
    ivan.send("Thanks!")
    assert ivan.last()["text"] == "The screening is finished. Thank you! The company will contact you."
    assert ChatMessage.objects.count() == count


def test_a_button_of_an_answered_question_is_refused_and_writes_nothing(response, ivan):
    ivan.start(response)
    question = ivan.last()
    # The candidate answers on the web meanwhile (the no-JS form), then presses the old button in Telegram.
    Client().post(
        reverse("chat:fallback", args=[response.token]),
        {"client_id": "web-1", "text": "Moscow", "question": _q(response, 1)},
    )
    count = ChatMessage.objects.count()
    ivan.press("Kazan", question)
    assert ChatMessage.objects.count() == count
    assert _answers(response) == {1: "Moscow"}
    pressed = next(m for m in ivan.messages() if m["message_id"] == question["message_id"])
    assert pressed["callback_answers"] == [OUT_OF_DATE]
    assert pressed["buttons"]  # left as they were: nothing happened


def _q(response, position):
    return response.vacancy.questions.get(position=position).pk


def test_talk_to_a_person_from_telegram(response, ivan):
    ivan.start(response)
    ivan.press("Talk to a person")
    (request,) = HumanRequest.objects.filter(response=response)
    assert request.reason == "asked"
    ack, again = ivan.texts()[-2:]
    assert ack.startswith("Of course. I have asked a person at the company to reply here.")
    assert again == "Which city do you live in?"
    assert ivan.labels() == ["Moscow", "Saint Petersburg", "Kazan", "Talk to a person"]
    # The candidate's own line is in the transcript, not echoed to Telegram.
    line = ChatMessage.objects.get(session__response=response, sender="candidate")
    assert line.text == "I'd like to talk to a person." and line.client_id.startswith("tgcb")
    assert not any("I'd like to talk" in t for t in ivan.texts())


def test_switching_from_the_web_to_telegram_continues_at_the_waiting_question(response, ivan, client):
    web = Client()
    web.get(reverse("chat:candidate", args=[response.token]))  # the chat opens on the web
    send = reverse("chat:fallback", args=[response.token])
    web.post(send, {"client_id": "w1", "text": "Moscow", "question": _q(response, 1)})
    web.post(send, {"client_id": "w2", "text": "4", "question": _q(response, 2)})
    ivan.start(response)
    assert ivan.last()["text"] == "Question 3 of 5: Are you allowed to work in Russia?"
    ivan.press("Yes")
    assert ivan.last()["text"] == "Which of these do you use?"
    # Back on the web: the page awaits question 4; an old web tab's answer to question 3 is refused.
    page = web.get(reverse("chat:candidate", args=[response.token]))
    assert page.context["question"].position == 4
    web.post(send, {"client_id": "w3", "text": "no", "question": _q(response, 3)})
    assert _answers(response) == {1: "Moscow", 2: 4, 3: True}
    # One transcript: each question asked once, each answer once.
    lines = _bot_lines(response)
    for position in range(1, 5):
        assert lines.count(response.vacancy.questions.get(position=position).text) == 1
    # The web's turn is mirrored to Telegram by the next delivery, the candidate's web lines marked as such.
    web.post(send, {"client_id": "w4", "choices": ["Django"], "question": _q(response, 4)})
    telegram_deliver(response_id=response.pk)
    assert ivan.texts()[-2:] == ["You (on the web): Django", "Tell us about a project you are proud of."]
    assert telegram_deliver(response_id=response.pk) == 0  # nothing doubled
    link = TelegramLink.objects.get(response=response)
    assert link.delivered_message_id == ChatMessage.objects.filter(session__response=response).latest("pk").pk
