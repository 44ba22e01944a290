"""One person across channels (issue 16): another candidate's application with the same phone, hh.ru resume or
Telegram account is a possible duplicate, shown with why and never merged; the response page shows where the
application came from and its channels; an application without an email (an hh.ru response without contacts)
goes everywhere an application goes."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CompanyFactory
from screening import selectors, services
from screening.models import Candidate, Erasure, Response, SentEmail
from screening.services.emails import decision_email_send
from screening.tests.factories import (
    BoardApplicationFactory,
    BoardConnectionFactory,
    CandidateFactory,
    ResponseFactory,
    TelegramLinkFactory,
)
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Courier")


def hh_response(vacancy, *, resume_id="", full_name="Pavel Hhov", **board):
    """An application imported from hh.ru for a person known only by their resume: no email, no phone."""
    candidate = CandidateFactory(company=vacancy.company, email="")
    response = ResponseFactory(
        vacancy=vacancy, candidate=candidate, source=Response.Source.HH, email="", phone="", phone_e164="",
        full_name=full_name,
    )  # fmt: skip
    BoardApplicationFactory(response=response, resume_id=resume_id, **board)
    return response


def web_response(vacancy, **fields):
    return ResponseFactory(vacancy=vacancy, phone_e164=fields.pop("phone_e164", ""), **fields)


def flags(company) -> dict[int, bool]:
    return {r.pk: r.has_duplicate for r in selectors.response_table(company=company)}


def reasons(response) -> dict[int, tuple[bool, bool, bool]]:
    page = selectors.response_get_for_page(user=_member(response), pk=response.pk)
    return {
        other.pk: (
            getattr(other, "same_phone", False),
            getattr(other, "same_hh_resume", False),
            getattr(other, "same_telegram", False),
        )
        for other in selectors.response_possible_duplicates(response=page)
    }


def _member(response):
    from accounts.tests.factories import UserFactory

    return UserFactory(company=response.vacancy.company)


# --- possible duplicates ------------------------------------------------------------------------------------


def test_the_same_hh_resume_under_two_candidates_is_a_possible_duplicate_both_ways(company, vacancy):
    first = hh_response(vacancy, resume_id="abc123")
    second = hh_response(VacancyFactory(company=company), resume_id="abc123")
    alone = hh_response(vacancy, resume_id="zzz999")

    assert flags(company) == {first.pk: True, second.pk: True, alone.pk: False}
    assert reasons(first) == {second.pk: (False, True, False)}
    assert reasons(alone) == {}
    # Never merged: two people, two candidates.
    assert first.candidate_id != second.candidate_id and Candidate.objects.count() == 3


def test_the_same_telegram_account_under_two_candidates_is_a_possible_duplicate(company, vacancy):
    web = web_response(vacancy)
    hh = hh_response(vacancy, resume_id="r1")
    TelegramLinkFactory(response=web, user_id=424242, chat_id=424242)
    TelegramLinkFactory(response=hh, user_id=424242, chat_id=424242)

    assert flags(company) == {web.pk: True, hh.pk: True}
    assert reasons(web) == {hh.pk: (False, False, True)}


def test_every_reason_that_holds_is_given(company, vacancy):
    first = web_response(vacancy, phone_e164="+79001112233")
    second = web_response(vacancy, phone_e164="+79001112233")
    BoardApplicationFactory(response=first, resume_id="same")
    BoardApplicationFactory(response=second, resume_id="same")
    TelegramLinkFactory(response=first, user_id=77)
    TelegramLinkFactory(response=second, user_id=77)

    assert reasons(first) == {second.pk: (True, True, True)}


def test_blanks_never_match(company, vacancy):
    # No phone, no resume id, an unbound Telegram link (no user id yet): nothing in common to match on.
    first, second = hh_response(vacancy), hh_response(vacancy)
    TelegramLinkFactory(response=first, user_id=None, chat_id=None, username="", bound_at=None)
    TelegramLinkFactory(response=second, user_id=None, chat_id=None, username="", bound_at=None)

    assert flags(company) == {first.pk: False, second.pk: False}
    assert reasons(first) == {} and reasons(second) == {}


def test_the_same_person_another_company_or_an_erased_application_is_no_duplicate(company, vacancy):
    mine = hh_response(vacancy, resume_id="keep")
    # The same candidate again (the import linked them): one person, not a duplicate.
    again = ResponseFactory(vacancy=VacancyFactory(company=company), candidate=mine.candidate, email="", phone_e164="")
    BoardApplicationFactory(response=again, resume_id="keep")
    # Another company's application with the same resume and Telegram account.
    elsewhere = hh_response(VacancyFactory(company=CompanyFactory()), resume_id="keep")
    TelegramLinkFactory(response=mine, user_id=5)
    TelegramLinkFactory(response=elsewhere, user_id=5)
    # An erased application of another candidate.
    erased = hh_response(vacancy, resume_id="keep")
    services.candidate_erase(candidate=erased.candidate, reason=Erasure.Reason.OWNER)

    assert flags(company) == {mine.pk: False, again.pk: False, erased.pk: False}
    assert reasons(mine) == {}


def test_the_table_still_reads_a_page_in_two_queries_with_the_channels(company, vacancy, django_assert_num_queries):
    for n in range(3):
        response = hh_response(vacancy, resume_id=f"r{n % 2}")
        TelegramLinkFactory(response=response, user_id=1000 + n)
    with django_assert_num_queries(2):  # the page and its tags, as before the channels
        rows = [(r.pk, r.has_duplicate) for r in selectors.response_table(company=company)]
    assert sorted(flag for _pk, flag in rows) == [False, True, True]


def test_the_page_says_why_each_possible_duplicate_matched(owner_client, company, vacancy):
    first = hh_response(vacancy, resume_id="shared", full_name="Pavel One")
    second = hh_response(vacancy, resume_id="shared", full_name="Pavel Two")
    phone_twin = web_response(vacancy, phone_e164="+79005554433", full_name="Phone Twin")
    Response.objects.filter(pk=first.pk).update(phone_e164="+79005554433")

    html = owner_client.get(reverse("screening:response", args=[first.pk])).content.decode()
    block = html.split('id="possible-duplicates"', 1)[1].split("</div>", 1)[0]
    assert "Pavel Two" in block and "Phone Twin" in block
    two = block.split("Pavel Two", 1)[1].split("</li>", 1)[0]
    twin = block.split("Phone Twin", 1)[1].split("</li>", 1)[0]
    assert "same hh.ru resume" in two and "same phone" not in two
    assert "same phone" in twin and "same hh.ru resume" not in twin
    assert reverse("screening:response", args=[second.pk]) in block
    assert reverse("screening:response", args=[phone_twin.pk]) in block


# --- the sources panel --------------------------------------------------------------------------------------


def _panel(client, response) -> str:
    html = client.get(reverse("screening:response", args=[response.pk])).content.decode()
    return html.split('id="sources"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("persona", ["owner_client", "viewer_client"])
def test_the_panel_shows_the_hh_resume_state_invitation_decision_and_telegram(request, persona, vacancy):
    response = hh_response(
        vacancy,
        resume_id="cafe01",
        resume_url="https://hh.ru/resume/cafe01",
        external_state="discard",
        invited_at=timezone.now(),
        written_decision="discard",
        written_at=timezone.now(),
        writeback_error="hh.ru answered 503",
    )
    TelegramLinkFactory(response=response, username="pavel_hh", blocked_at=timezone.now())

    panel = _panel(request.getfixturevalue(persona), response)
    assert "hh.ru" in panel
    assert 'href="https://hh.ru/resume/cafe01"' in panel and 'rel="noopener noreferrer"' in panel
    assert "Rejection" in panel.split("data-board-state", 1)[1].split("</dd>", 1)[0]
    assert "sent on" in panel.split("data-board-invite", 1)[1].split("</dd>", 1)[0]
    decision = panel.split("data-board-decision", 1)[1].split("</dd>", 1)[0]
    assert "rejection" in decision and "hh.ru answered 503" in decision
    telegram = panel.split("data-telegram", 1)[1].split("</dd>", 1)[0]
    assert "@pavel_hh" in telegram and "blocked the bot" in telegram


def test_the_panel_shows_an_invitation_that_failed_and_an_unbound_telegram_link(owner_client, vacancy):
    response = hh_response(vacancy, resume_url="", invite_error="paid method: the tariff does not include it")
    TelegramLinkFactory(response=response, user_id=None, chat_id=None, username="", bound_at=None)

    panel = _panel(owner_client, response)
    assert "paid method" in panel.split("data-board-invite", 1)[1].split("</dd>", 1)[0]
    assert "none yet" in panel.split("data-board-decision", 1)[1].split("</dd>", 1)[0]
    assert "not opened yet" in panel.split("data-telegram", 1)[1].split("</dd>", 1)[0]


def test_a_careers_page_application_shows_its_source_only(owner_client, vacancy):
    panel = _panel(owner_client, web_response(vacancy))
    assert "Careers page" in panel
    assert "data-board-state" not in panel and "data-telegram" not in panel


def test_the_page_with_channels_keeps_its_query_budget(owner_client, vacancy, django_assert_max_num_queries):
    response = hh_response(vacancy, resume_id="budget", external_state="response")
    TelegramLinkFactory(response=response)
    hh_response(vacancy, resume_id="budget")
    with django_assert_max_num_queries(16):  # the page's pin (test_views_responses)
        assert owner_client.get(reverse("screening:response", args=[response.pk])).status_code == 200


# --- an application without an email ---------------------------------------------------------------------


def test_an_email_less_hh_application_goes_through_the_table_and_its_page(owner_client, vacancy):
    response = hh_response(vacancy, resume_id="noemail", full_name="Semyon Bezpochty")
    assert str(response.candidate) == f"#{response.candidate_id} (no email)"

    table = owner_client.get(reverse("screening:list")).content.decode()
    assert "Semyon Bezpochty" in table
    row = table.split("Semyon Bezpochty</a>", 1)[1].split("</td>", 1)[0]
    assert "hh.ru" in row
    page = owner_client.get(reverse("screening:response", args=[response.pk]))
    assert page.status_code == 200
    facts = page.content.decode().split('id="candidate"', 1)[1]
    assert "mailto:" not in facts.split("</dl>", 1)[0]


def test_a_decision_on_an_email_less_application_sends_no_email_and_reaches_hh(
    recruiter_client, company, vacancy, fake_hh, mailoutbox, django_capture_on_commit_callbacks
):
    company.notify_candidates_of_decisions = True
    company.save()
    # The person's response on the fake hh.ru, and our connection to it with real tokens of the fake.
    nid = fake_hh.add_response(fake_hh.add_vacancy("Courier"), "Pavel", "Hhov", contacts_open=False)
    tokens = fake_hh.grant_tokens()
    connection = BoardConnectionFactory(
        company=company, access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
        token_expires_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    response = hh_response(vacancy, connection=connection, negotiation_id=nid)
    with django_capture_on_commit_callbacks(execute=True):
        page = recruiter_client.post(
            reverse("screening:status", args=[response.pk]), {"status": "declined", "candidate_reason": "Too far"}
        )
    assert page.status_code == 302
    response.refresh_from_db()
    assert response.status == Response.Status.DECLINED
    assert not SentEmail.objects.filter(response=response).exists() and mailoutbox == []
    # No email whatever the company says (a bulk action's choice): nothing to send, no error.
    assert decision_email_send(response=response, status="declined", always=True) is None
    # The decision still reaches the candidate where they are: hh.ru.
    assert fake_hh.negotiation(nid)["employer_state"].startswith("discard")


def test_an_email_less_application_is_found_by_name_and_exported(owner_client, company, vacancy):
    response = hh_response(vacancy, full_name="Semyon Bezpochty")
    from screening.services import search

    assert [row["candidate_id"] for row in search.search_matches(company=company, query="Bezpochty")] == [
        response.candidate_id
    ]
    html = owner_client.get(reverse("screening:search"), {"q": "Bezpochty"}).content.decode()
    assert "Semyon Bezpochty" in html

    answer = owner_client.get(reverse("screening:export"), {"format": "csv", "vacancy": vacancy.pk})
    assert answer.status_code == 200
    header, row = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert (cells["Name"], cells["Email"], cells["Source"]) == ("Semyon Bezpochty", "", "hh.ru")


def test_the_api_returns_an_email_less_application(owner, vacancy):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    response = hh_response(vacancy, full_name="Semyon Bezpochty")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")
    listed = api.get("/api/v1/responses/")
    assert listed.status_code == 200
    (item,) = listed.json()["results"]
    assert item["candidate"]["email"] == "" and item["source"] == "hh"
    detail = api.get(f"/api/v1/responses/{response.pk}/")
    assert detail.status_code == 200 and detail.json()["candidate"]["email"] == ""


def test_the_owners_upcoming_erasures_name_an_email_less_candidate(owner_client, company, vacancy):
    company.retention_months = 1
    company.save()
    response = hh_response(vacancy, full_name="Semyon Bezpochty")
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now() - timedelta(days=40))

    html = owner_client.get(reverse("screening:erasures")).content.decode()
    row = html.split('id="retention"', 1)[1].split("</tbody>", 1)[0]
    assert "<td>Semyon Bezpochty</td>" in row


def test_the_decision_record_of_an_email_less_application_shows_a_dash(owner_client, vacancy):
    response = hh_response(vacancy, full_name="Semyon Bezpochty")
    page = owner_client.get(reverse("screening:decision_record", args=[response.pk]))
    assert page.status_code == 200
    assert "<td>—</td>" in page.content.decode()
