"""The owner's privacy doors: erase a candidate from the response page, and the retention/erasures page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.models import Erasure, Response
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(company):
    return ResponseFactory(vacancy=VacancyFactory(company=company), full_name="Anna Petrova")


def _snapshot():
    return list(Response.objects.order_by("pk").values_list("pk", "full_name", "erased_at")), Erasure.objects.count()


# Table-driven: every privacy door with an object in its URL, tried by each persona.
DOORS = [
    ("post", "screening:erase", {"confirm": "1"}),
    ("get", "screening:erasures", None),
]


def _call(client, method, name, data, response):
    args = [response.pk] if name == "screening:erase" else []
    url = reverse(name, args=args)
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize(("method", "name", "data"), [d for d in DOORS if d[1] == "screening:erase"])
def test_outsider_gets_404_and_nothing_changes(outsider_client, response, method, name, data):
    before = _snapshot()
    assert _call(outsider_client, method, name, data, response).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "name", "data"), DOORS)
@pytest.mark.parametrize("persona", ["viewer_client", "recruiter_client"])
def test_only_the_owner_may_use_the_privacy_doors(request, response, persona, method, name, data):
    client = request.getfixturevalue(persona)
    before = _snapshot()
    assert _call(client, method, name, data, response).status_code == 403
    assert _snapshot() == before


def test_anonymous_is_sent_to_login(client, response):
    answer = client.post(reverse("screening:erase", args=[response.pk]), {"confirm": "1"})
    assert answer.status_code == 302 and reverse("accounts:login") in answer.url
    assert not Response.objects.get(pk=response.pk).is_erased


@pytest.mark.parametrize(
    ("persona", "shown"), [("owner_client", True), ("recruiter_client", False), ("viewer_client", False)]
)
def test_only_the_owner_sees_the_erase_button(request, response, persona, shown):
    page = request.getfixturevalue(persona).get(reverse("screening:response", args=[response.pk]))
    assert ('id="erase"' in page.content.decode()) is shown


def test_the_owner_erases_a_candidate_and_the_page_shows_the_tombstone(owner_client, owner, response):
    answer = owner_client.post(reverse("screening:erase", args=[response.pk]), {"confirm": "1"})
    assert answer.status_code == 302 and answer.url == response.get_absolute_url()
    response.refresh_from_db()
    assert response.is_erased and response.full_name == ""
    erasure = Erasure.objects.get()
    assert (erasure.reason, erasure.actor) == (Erasure.Reason.OWNER, owner)
    page = owner_client.get(answer.url).content.decode()
    assert "Erased candidate" in page and "Anna Petrova" not in page


def test_erasing_without_the_confirmation_changes_nothing(owner_client, response):
    answer = owner_client.post(reverse("screening:erase", args=[response.pk]))
    assert answer.status_code == 302 and answer.url.endswith("#erase")
    assert not Response.objects.get(pk=response.pk).is_erased


def test_the_erasures_page_lists_upcoming_erasures_and_past_ones(owner_client, company, response):
    assert "No retention period is set" in owner_client.get(reverse("screening:erasures")).content.decode()
    company.retention_months = 12
    company.save()
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now() - timedelta(days=360))
    page = owner_client.get(reverse("screening:erasures")).content.decode()
    assert response.candidate.email in page and response.vacancy.title in page
    Erasure.objects.create(company=company, candidate_id_erased=999, applications=2, reason=Erasure.Reason.RETENTION)
    page = owner_client.get(reverse("screening:erasures")).content.decode()
    assert "Retention period ended" in page


def test_the_erasures_page_shows_only_the_owners_company(owner_client, other_company):
    Erasure.objects.create(company=other_company, candidate_id_erased=1, applications=7, reason=Erasure.Reason.OWNER)
    assert "No erasures yet" in owner_client.get(reverse("screening:erasures")).content.decode()


def test_an_erased_application_page_offers_no_status_or_note_forms(owner_client, response):
    owner_client.post(reverse("screening:erase", args=[response.pk]), {"confirm": "1"})
    page = owner_client.get(response.get_absolute_url()).content.decode()
    assert 'id="erased"' in page
    assert reverse("screening:status", args=[response.pk]) not in page
    assert reverse("screening:note", args=[response.pk]) not in page
    answer = owner_client.post(reverse("screening:note", args=[response.pk]), {"text": "new phone +7 913 555-44-21"})
    assert answer.status_code == 400
    assert not response.notes.exists()
