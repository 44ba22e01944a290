"""The whole path of issue 16 through the doors people use, against the fake hh.ru and the fake Telegram on
loopback: the owner connects hh.ru (OAuth) and links a vacancy; a response on hh.ru is imported and invited
there with the chat link and the Telegram link; the candidate screens in Telegram; a recruiter watching on the
web takes over, writes (delivered to Telegram), reads the candidate's reply, hands back; the screening finishes;
the recruiter decides, and the decision (with its message) shows on hh.ru's negotiation."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from chat.tests.telegram_world import Candidate, make_bot
from screening.models import BoardApplication, ChatMessage, Response
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

TELEGRAM_LINK = re.compile(r"https://t\.me/smartbot_demo_bot\?start=([A-Za-z0-9_-]+)")


def test_an_hh_response_is_screened_in_telegram_taken_over_decided_and_written_back(
    fake_hh, fake_telegram, company, owner, recruiter, django_capture_on_commit_callbacks
):
    owner_client, recruiter_client = Client(), Client()
    owner_client.force_login(owner)
    recruiter_client.force_login(recruiter)
    vacancy = VacancyFactory(company=company, title="Python developer", language="en")
    full_script(vacancy)
    make_bot(company)  # Settings → Telegram (its own tests: chat/tests/test_telegram_settings.py), polling mode

    # The owner connects hh.ru through its OAuth pages and links the vacancy.
    authorize = owner_client.post(reverse("screening:integrations_connect"), {"provider": "hh"})["Location"]
    back = urlsplit(fake_hh.approve_url(authorize))
    assert owner_client.get(f"{back.path}?{back.query}").status_code == 302
    owner_client.post(
        reverse("screening:integrations_link"),
        {"provider": "hh", "vacancy": vacancy.pk, "external_id": fake_hh.vacancy_ids[0]},
    )

    # A candidate responds on hh.ru; "Import now" brings the response in and invites them through hh.ru.
    nid = fake_hh.add_response(fake_hh.vacancy_ids[0], "Ivan", "Petrov", email="ivan.petrov@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("screening:integrations_import"), {"provider": "hh"})
    response = Response.objects.get(vacancy=vacancy)
    assert (response.source, response.full_name) == ("hh", "Ivan Petrov")
    invitation = fake_hh.negotiation(nid)["messages"][-1]["text"]
    assert response.get_chat_url() in invitation
    code = TELEGRAM_LINK.search(invitation).group(1)

    # The candidate opens the Telegram link and answers there.
    ivan = Candidate(fake_telegram)
    ivan.send(f"/start {code}")
    assert ivan.last()["text"] == "Question 1 of 5: Which city do you live in?"
    ivan.press("Moscow")
    ivan.send("5")

    # The recruiter, on the web, takes over and writes: Telegram gets it; the candidate's reply reaches the chat.
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(reverse("chat:takeover", args=[response.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(
            reverse("chat:recruiter_send", args=[response.pk]), {"client_id": "web-1", "text": "Hi Ivan, are you free?"}
        )
    assert ivan.texts()[-1].endswith(": Hi Ivan, are you free?")
    ivan.send("Yes, all week")
    assert ChatMessage.objects.filter(session__response=response, sender="candidate", text="Yes, all week").exists()
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(reverse("chat:handback", args=[response.pk]))
    assert ivan.labels() == ["Yes", "No", "Talk to a person"]  # the bot asks the waiting question again

    ivan.press("Yes")
    ivan.press("Django")
    ivan.press("Done", ivan.messages()[-1])
    ivan.send("A booking service in Django.")
    response.refresh_from_db()
    assert response.status == Response.Status.PASSED

    # The recruiter decides; the decision is written back to the negotiation with the acceptance message.
    with django_capture_on_commit_callbacks(execute=True):
        answer = recruiter_client.post(reverse("screening:status", args=[response.pk]), {"status": "shortlisted"})
    assert answer.status_code == 302
    negotiation = fake_hh.negotiation(nid)
    assert negotiation["employer_state"] == "interview"
    assert negotiation["actions"][-1]["action"] == "interview" and negotiation["actions"][-1]["message"]
    assert BoardApplication.objects.get(response=response).written_decision == "invite"
