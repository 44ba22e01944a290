"""The integrations page (``views.integrations``): connecting hh.ru through the fake's OAuth, disconnecting,
linking a vacancy, "Import now", the messages' wording, and who may do what."""

from urllib.parse import urlsplit

import pytest
from django.db import connection as db_connection
from django.urls import reverse

from accounts.models import AuditEntry
from screening.models import BoardConnection, BoardVacancy, Response
from screening.tests.test_board_import import add, connect
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("screening:integrations")


def start(client) -> str:
    """Press "Connect hh.ru"; the board's authorize address the browser is sent to."""
    answer = client.post(reverse("screening:integrations_connect"), {"provider": "hh"})
    assert answer.status_code == 302
    return answer["Location"]


def back_from(fake, authorize_url: str) -> str:
    """The owner allows access on the fake's consent page; the path (and query) the board sends them back to."""
    target = urlsplit(fake.approve_url(authorize_url))
    return f"{target.path}?{target.query}"


@pytest.fixture
def connected(fake_hh, company):
    return connect(fake_hh, company)


def test_the_owner_connects_hh_through_its_oauth_pages(fake_hh, owner_client, company):
    authorize = start(owner_client)
    assert authorize.startswith(fake_hh.base_url)

    answer = owner_client.get(back_from(fake_hh, authorize))

    assert answer.status_code == 302 and answer["Location"] == PAGE
    connection = BoardConnection.objects.get(company=company, provider="hh")
    assert connection.status == BoardConnection.Status.CONNECTED
    assert connection.account_id == fake_hh.employer_id and connection.account_name == "Demo Employer"
    assert connection.access_token and connection.refresh_token and connection.token_expires_at
    with db_connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT access_token FROM screening_boardconnection WHERE id = %s", [connection.pk])
        assert connection.access_token not in cursor.fetchone()[0]
    assert AuditEntry.objects.filter(company=company, action="settings_changed", target=f"board:{connection.pk}")
    page = owner_client.get(PAGE).content.decode()
    assert "Demo Employer" in page and "Connected" in page


def test_a_callback_whose_state_does_not_match_is_refused_and_connects_nothing(fake_hh, owner_client, company):
    back = back_from(fake_hh, start(owner_client))
    forged = back.replace("state=", "state=x")

    answer = owner_client.get(forged, follow=True)

    assert "does not match a connection started here" in answer.content.decode()
    assert not BoardConnection.objects.filter(company=company).exists()
    # The state is used once: the real answer after the forged one is refused too.
    owner_client.get(back)
    assert not BoardConnection.objects.filter(company=company).exists()


def test_access_denied_on_the_board_connects_nothing(fake_hh, owner_client, company):
    target = urlsplit(fake_hh.approve_url(start(owner_client), allow=False))

    answer = owner_client.get(f"{target.path}?{target.query}", follow=True)

    assert "Access was not granted" in answer.content.decode()
    assert not BoardConnection.objects.filter(company=company).exists()


def test_disconnect_revokes_the_token_on_the_board(fake_hh, owner_client, connected):
    token = connected.access_token

    answer = owner_client.post(reverse("screening:integrations_disconnect"), {"provider": "hh"})

    assert answer.status_code == 302
    revoked = [r for r in fake_hh.requests if r.method == "DELETE" and r.path.endswith("/token")]
    assert len(revoked) == 1 and token in revoked[0].headers.get("authorization", "")
    connected.refresh_from_db()
    assert connected.status == BoardConnection.Status.DISCONNECTED and connected.access_token is None
    assert "Disconnected" in owner_client.get(PAGE).content.decode()


def test_the_owner_links_a_vacancy_chosen_from_the_board(fake_hh, owner_client, connected, company):
    vacancy = VacancyFactory(company=company, title="Python developer")
    page = owner_client.get(PAGE).content.decode()
    assert f'value="{fake_hh.vacancy_ids[1]}"' in page  # the board's vacancies to choose from

    answer = owner_client.post(
        reverse("screening:integrations_link"),
        {"provider": "hh", "vacancy": vacancy.pk, "external_id": fake_hh.vacancy_ids[1]},
    )

    assert answer.status_code == 302
    link = BoardVacancy.objects.get(connection=connected)
    assert link.vacancy == vacancy and link.external_id == fake_hh.vacancy_ids[1] and link.external_name


def test_another_company_vacancy_cannot_be_linked(fake_hh, owner_client, connected, other_company):
    theirs = VacancyFactory(company=other_company)

    answer = owner_client.post(
        reverse("screening:integrations_link"),
        {"provider": "hh", "vacancy": theirs.pk, "external_id": fake_hh.vacancy_ids[0]},
    )

    assert answer.status_code == 200 and not BoardVacancy.objects.exists()


def test_import_now_imports_the_new_responses(
    fake_hh, owner_client, connected, company, django_capture_on_commit_callbacks
):
    vacancy = VacancyFactory(company=company, language="en")
    BoardVacancy.objects.create(connection=connected, vacancy=vacancy, external_id=fake_hh.vacancy_ids[0])
    add(fake_hh, email="new@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post(reverse("screening:integrations_import"), {"provider": "hh"})

    assert answer.status_code == 302
    assert Response.objects.filter(vacancy=vacancy, source="hh").count() == 1
    assert "data-imported>1<" in owner_client.get(PAGE).content.decode()


def test_the_messages_are_validated_before_they_are_saved(fake_hh, owner_client, connected):
    url = reverse("screening:integrations_messages")
    answer = owner_client.post(
        url, {"provider": "hh", "invite_message": "Come to {vacancy}", "accept_message": "Hi {frist_name}"}
    )

    page = answer.content.decode()
    assert answer.status_code == 200
    assert "must contain {chat_link}" in page and "unknown placeholder {frist_name}" in page
    connected.refresh_from_db()
    assert connected.invite_message == "" and connected.accept_message == ""

    owner_client.post(url, {"provider": "hh", "invite_message": "{first_name}, answer here: {chat_link}"})
    connected.refresh_from_db()
    assert connected.invite_message == "{first_name}, answer here: {chat_link}"


def test_without_an_application_registered_the_card_says_what_to_set(owner_client, settings):
    settings.HH_CLIENT_ID = ""

    page = owner_client.get(PAGE).content.decode()

    assert "HH_CLIENT_ID" in page and reverse("screening:integrations_connect") not in page


def test_the_telegram_card_links_to_the_bot_settings(owner_client):
    page = owner_client.get(PAGE).content.decode()

    assert reverse("chat:telegram_settings") in page


def test_a_recruiter_and_a_viewer_see_the_page_read_only_and_cannot_change_anything(
    fake_hh, recruiter_client, viewer, connected, client
):
    link = BoardVacancy.objects.create(
        connection=connected, vacancy=VacancyFactory(company=connected.company), external_id="90000001"
    )
    client.force_login(viewer)
    for member in (recruiter_client, client):
        page = member.get(PAGE)
        assert page.status_code == 200 and "Demo Employer" in page.content.decode()
        assert reverse("screening:integrations_disconnect") not in page.content.decode()
        for name in ("connect", "disconnect", "import", "link", "messages"):
            answer = member.post(reverse(f"screening:integrations_{name}"), {"provider": "hh", "invite_message": "x"})
            assert answer.status_code == 403, name
        assert member.post(reverse("screening:integrations_unlink", args=[link.pk])).status_code == 403
        assert member.get(reverse("screening:integrations_callback") + "?code=x&state=y").status_code == 403
    connected.refresh_from_db()
    assert connected.status == BoardConnection.Status.CONNECTED and connected.invite_message == ""
    assert BoardVacancy.objects.filter(pk=link.pk).exists()


def test_an_outsider_cannot_unlink_or_touch_another_company_board(fake_hh, outsider_client, connected):
    link = BoardVacancy.objects.create(
        connection=connected, vacancy=VacancyFactory(company=connected.company), external_id="90000001"
    )

    assert outsider_client.post(reverse("screening:integrations_unlink", args=[link.pk])).status_code == 404
    for name in ("disconnect", "import", "messages"):
        assert outsider_client.post(reverse(f"screening:integrations_{name}"), {"provider": "hh"}).status_code == 404
    assert "Demo Employer" not in outsider_client.get(PAGE).content.decode()
    connected.refresh_from_db()
    assert connected.status == BoardConnection.Status.CONNECTED
    assert BoardVacancy.objects.filter(pk=link.pk).exists()


def test_an_unknown_board_is_a_404(owner_client):
    assert owner_client.post(reverse("screening:integrations_connect"), {"provider": "monster"}).status_code == 404


def test_the_page_lets_connect_lead_to_the_boards_oauth_page(fake_hh, owner_client):
    """Browsers apply CSP form-action to the redirect after a submission: without the board's origin there,
    "Connect" goes nowhere (found in Chromium on the demo)."""
    policy = owner_client.get(PAGE)["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", fake_hh.base_url]
