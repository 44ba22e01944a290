"""The channels in the admin (issue 16): scoped to the company, secrets never shown, records read-only, writes
through the services. Personas from the root conftest; ``outsider`` is Globex's owner."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory
from screening.models import BoardApplication, BoardConnection, BoardVacancy, TelegramBot, TelegramLink
from screening.tests.factories import (
    BoardApplicationFactory,
    BoardConnectionFactory,
    BoardVacancyFactory,
    ResponseFactory,
    TelegramBotFactory,
    TelegramLinkFactory,
)
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

MODELS = [BoardConnection, BoardVacancy, BoardApplication, TelegramBot, TelegramLink]
RECORDS = [BoardApplication, TelegramBot, TelegramLink]
ACCESS_TOKEN, REFRESH_TOKEN, BOT_TOKEN = "acc-SECRET-9f3e", "ref-SECRET-7c1d", "123456:BOT-SECRET-a8b2"


def build_channels(company, tag):
    connection = BoardConnectionFactory(
        company=company, account_name=f"Employer {tag}", access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN
    )
    vacancy = VacancyFactory(company=company, title=f"Vacancy {tag}")
    link = BoardVacancyFactory(connection=connection, vacancy=vacancy)
    response = ResponseFactory(vacancy=vacancy, full_name=f"Candidate {tag}", source="hh")
    bot = TelegramBotFactory(company=company, token=BOT_TOKEN, username=f"{tag}_bot")
    return {
        BoardConnection: connection,
        BoardVacancy: link,
        BoardApplication: BoardApplicationFactory(response=response, connection=connection, board_vacancy=link),
        TelegramBot: bot,
        TelegramLink: TelegramLinkFactory(response=response, bot=bot, username=f"{tag}_person"),
    }


@pytest.fixture
def rows_a(company):
    return build_channels(company, "acme")


@pytest.fixture
def rows_b(other_company):
    return build_channels(other_company, "globex")


def url(model, name, *args):
    return reverse(f"admin:screening_{model._meta.model_name}_{name}", args=args)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client():
    return client_for(UserFactory(email="root@smartbot.test", company=None, is_superuser=True))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_member_lists_and_opens_only_their_companys_rows(viewer_client, rows_a, rows_b, model):
    page = viewer_client.get(url(model, "changelist"))
    assert page.status_code == 200 and list(page.context["cl"].queryset) == [rows_a[model]]
    assert viewer_client.get(url(model, "change", rows_a[model].pk)).status_code == 200
    foreign = viewer_client.get(url(model, "change", rows_b[model].pk))
    assert foreign.status_code in (302, 404) and "globex" not in foreign.content.decode().lower()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_outsiders_bulk_delete_of_our_rows_deletes_nothing(outsider, rows_a, rows_b, model):
    client_for(outsider).post(
        url(model, "changelist"), {"action": "delete_selected", "_selected_action": [rows_a[model].pk], "post": "yes"}
    )
    assert model.objects.filter(pk=rows_a[model].pk).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_secrets_are_never_shown_not_even_to_a_superuser(superuser_client, rows_a, model):
    pages = [
        superuser_client.get(url(model, "changelist")),
        superuser_client.get(url(model, "change", rows_a[model].pk)),
    ]
    secrets = [ACCESS_TOKEN, REFRESH_TOKEN, BOT_TOKEN, rows_a[TelegramBot].secret_token, rows_a[TelegramLink].code]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert [secret for secret in secrets if secret in html] == []


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("persona", ["owner_client", "superuser_client"])
def test_records_are_read_only_for_everyone(request, persona, rows_a, model):
    client = request.getfixturevalue(persona)
    record = rows_a[model]
    before = {field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields}
    assert client.get(url(model, "add")).status_code == 403
    page = client.get(url(model, "change", record.pk))
    assert page.status_code == 200 and page.context["adminform"].form.fields == {}
    assert client.post(url(model, "change", record.pk), {"username": "changed"}).status_code == 403
    assert client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert {field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields} == before


def test_the_owner_changes_the_messages_through_the_service_and_it_is_audited(owner_client, rows_a):
    connection = rows_a[BoardConnection]
    page = owner_client.post(
        url(BoardConnection, "change", connection.pk),
        {"invite_message": "", "accept_message": "", "discard_message": "Sorry, we chose another candidate."},
    )
    assert page.status_code == 302, page.context and page.context["adminform"].form.errors
    connection.refresh_from_db()
    assert connection.discard_message == "Sorry, we chose another candidate."
    assert (connection.access_token, connection.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    assert AuditEntry.objects.filter(target=f"board:{connection.pk}").exists()


def test_a_recruiter_reads_a_connection_and_changes_nothing(recruiter_client, rows_a):
    connection = rows_a[BoardConnection]
    page = recruiter_client.get(url(BoardConnection, "change", connection.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    recruiter_client.post(url(BoardConnection, "change", connection.pk), {"discard_message": "Go away"})
    connection.refresh_from_db()
    assert connection.discard_message == ""


def test_the_owner_disconnects_a_board_and_its_tokens_are_revoked_and_forgotten(owner_client, rows_a, fake_hh):
    connection = rows_a[BoardConnection]
    owner_client.post(url(BoardConnection, "changelist"), {"action": "disconnect", "_selected_action": [connection.pk]})
    connection.refresh_from_db()
    assert connection.status == BoardConnection.Status.DISCONNECTED
    assert connection.access_token is None and connection.refresh_token is None
    (revocation,) = fake_hh.requests_to("/token", "DELETE")  # hh.ru was told to forget the token
    assert revocation.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_unlinking_a_vacancy_goes_through_the_service_and_keeps_its_applications(recruiter_client, rows_a):
    link = rows_a[BoardVacancy]
    page = recruiter_client.post(url(BoardVacancy, "delete", link.pk), {"post": "yes"})
    assert page.status_code == 302
    assert not BoardVacancy.objects.filter(pk=link.pk).exists()
    assert BoardApplication.objects.filter(pk=rows_a[BoardApplication].pk, board_vacancy=None).exists()


def test_an_email_less_candidate_is_listed_and_found_by_name(viewer_client, company):
    from screening.models import Candidate
    from screening.tests.factories import CandidateFactory

    candidate = CandidateFactory(company=company, email="")
    ResponseFactory(vacancy=VacancyFactory(company=company), candidate=candidate, email="", full_name="Semyon Hh")
    page = viewer_client.get(reverse("admin:screening_candidate_changelist"), {"q": "Semyon"})
    assert page.status_code == 200 and list(page.context["cl"].queryset) == [candidate]
    assert f"#{candidate.pk} (no email)" in page.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).email == ""
