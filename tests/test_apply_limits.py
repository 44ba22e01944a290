"""One apply limit (APPLY_RATE_LIMIT) for the careers form and the API: per client address and vacancy,
applications that went through only, a filled form and a Retry-After when refused."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from screening.models import Response
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Anna Petrova",
    "phone": "+7 900 123-45-67",
    "city": "Nizhny Novgorod",
    "resume_text": "Python developer, 5 years of Django.",
    "consent": "on",
    "website": "",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, slug="python-developer")


def _form_url(vacancy):
    return reverse("chat:vacancy", args=[vacancy.company.slug, vacancy.slug])


def _api_url(vacancy):
    return f"/api/v1/public/companies/{vacancy.company.slug}/vacancies/{vacancy.slug}/apply/"


def form_apply(client, vacancy, n, **extra):
    return client.post(_form_url(vacancy), {**FORM, "email": f"person{n}@example.org"}, **extra)


def api_apply(vacancy, n, **extra):
    data = {**FORM, "consent": True, "email": f"person{n}@example.org"}
    del data["website"]
    return APIClient().post(_api_url(vacancy), data, format="json", **extra)


def test_25_form_applies_rotating_x_forwarded_for_hit_the_limit(client, vacancy, settings):
    assert settings.APPLY_RATE_LIMIT == "10/h"
    codes = [form_apply(client, vacancy, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(25)]
    assert codes == [200] * 10 + [429] * 15
    assert Response.objects.count() == 10


def test_25_api_applies_rotating_x_forwarded_for_hit_the_limit(vacancy, settings):
    codes = [api_apply(vacancy, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(25)]
    assert codes == [202] * 10 + [429] * 15
    assert Response.objects.count() == 10


def test_the_api_answers_429_in_its_error_shape_with_retry_after(vacancy, settings):
    settings.APPLY_RATE_LIMIT = "1/h"
    assert api_apply(vacancy, 0).status_code == 202
    refused = api_apply(vacancy, 1)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled"
    assert "Too many applications to this vacancy" in error["message"]
    assert "in 60 minutes" in error["message"]
    assert 3590 <= int(refused["Retry-After"]) <= 3600


def test_behind_a_trusted_proxy_a_spoofed_left_part_cannot_dodge_the_limit(client, vacancy, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.APPLY_RATE_LIMIT = "3/h"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    spoofed = [
        form_apply(client, vacancy, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7", **proxy).status_code
        for n in range(5)
    ]
    api = api_apply(vacancy, 9, HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.7", **proxy)
    assert spoofed == [200, 200, 200, 429, 429]
    assert api.status_code == 429
    # The right-most address is the client: another client behind the same proxy has its own budget.
    other = form_apply(client, vacancy, 10, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert other.status_code == 200
    assert Response.objects.count() == 4


def test_the_form_and_the_api_share_one_budget_per_vacancy(client, company, vacancy, settings):
    settings.APPLY_RATE_LIMIT = "4/h"
    assert [form_apply(client, vacancy, n).status_code for n in range(2)] == [200, 200]
    assert [api_apply(vacancy, n).status_code for n in range(2, 5)] == [202, 202, 429]
    assert form_apply(client, vacancy, 5).status_code == 429
    # Another vacancy from the same address is another budget.
    other_vacancy = VacancyFactory(company=company)
    assert form_apply(client, other_vacancy, 6).status_code == 200
    assert api_apply(other_vacancy, 7).status_code == 202


def test_failed_applies_cost_nothing(client, vacancy, settings):
    settings.APPLY_RATE_LIMIT = "2/h"
    for n in range(5):  # errors in the form
        assert client.post(_form_url(vacancy), {**FORM, "email": f"bad{n}", "phone": "1"}).status_code == 400
    for n in range(5):  # a refused upload (not a PDF)
        upload = SimpleUploadedFile("cv.pdf", b"this is not a pdf", content_type="application/pdf")
        page = client.post(_form_url(vacancy), {**FORM, "email": f"up{n}@example.org", "resume_file": upload})
        assert page.status_code == 400
    for n in range(5):
        data = {"full_name": "A", "email": f"api{n}@example.org"}
        assert APIClient().post(_api_url(vacancy), data, format="json").status_code == 400
    assert [form_apply(client, vacancy, n).status_code for n in range(3)] == [200, 200, 429]


def test_a_limited_form_comes_back_filled_in_with_when_to_retry(client, vacancy, settings):
    settings.APPLY_RATE_LIMIT = "1/h"
    assert form_apply(client, vacancy, 0).status_code == 200
    upload = SimpleUploadedFile("cv.txt", b"Python developer", content_type="text/plain")
    data = {**FORM, "email": "anna@example.org", "resume_file": upload, "ai_consent": "on"}
    page = client.post(_form_url(vacancy), data)
    assert page.status_code == 429
    assert 3590 <= int(page["Retry-After"]) <= 3600
    body = page.content.decode()
    assert "Too many applications to this vacancy" in body and "in 60 minutes" in body
    assert "attach your resume file again" in body
    form = page.context["form"]
    assert not form.is_bound  # shown again, not validated: no error under any field
    assert [form[name].value() for name in ("full_name", "email", "phone", "city", "resume_text")] == [
        "Anna Petrova",
        "anna@example.org",
        "+7 900 123-45-67",
        "Nizhny Novgorod",
        "Python developer, 5 years of Django.",
    ]
    assert form["consent"].value() is True and form["ai_consent"].value() is True
    assert form["talent_pool_consent"].value() is False
    assert 'value="Nizhny Novgorod"' in body and 'value="anna@example.org"' in body
    assert Response.objects.count() == 1


def test_link_requests_have_their_own_limit(client, vacancy, settings):
    settings.APPLY_RATE_LIMIT = "1/h"
    settings.LINK_REQUEST_RATE_LIMIT = "2/h"
    assert form_apply(client, vacancy, 0).status_code == 200
    url = reverse("chat:link_request", args=[vacancy.company.slug, vacancy.slug])
    codes = [client.post(url, {"link-email": "person0@example.org"}).status_code for _n in range(3)]
    assert codes == [200, 200, 429]
