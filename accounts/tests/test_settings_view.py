from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Company

pytestmark = pytest.mark.django_db

URL = reverse("accounts:settings")


def _data(**overrides):
    data = {
        "name": "Acme Corp",
        "description": "Rockets & anvils <b>since 1949</b>",
        "slug": "acme-corp",
        "ai_enabled": "",
        "ai_monthly_budget": "25.50",
        "phone_region": "KZ",
        "retention_months": "24",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_owner_sees_the_current_settings(owner_client, company):
    company.description = "<script>alert(1)</script>"
    company.save()

    response = owner_client.get(URL)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Acme"
    assert form["slug"].value() == "acme"
    assert form["phone_region"].value() == "RU"
    assert b"<script>alert(1)</script>" not in response.content


def test_the_owner_saves_the_settings(owner_client, company):
    response = owner_client.post(URL, _data(ai_enabled=None))

    assert response.status_code == 302
    assert response.url == URL
    company.refresh_from_db()
    assert company.name == "Acme Corp"
    assert company.description == "Rockets & anvils <b>since 1949</b>"
    assert company.slug == "acme-corp"
    assert company.ai_enabled is False
    assert company.ai_monthly_budget == Decimal("25.50")
    assert company.phone_region == "KZ"
    assert company.retention_months == 24


def test_an_empty_budget_means_no_limit(owner_client, company):
    company.ai_monthly_budget = Decimal(10)
    company.save()

    owner_client.post(URL, _data(ai_monthly_budget="", ai_enabled="on"))

    company.refresh_from_db()
    assert company.ai_monthly_budget is None
    assert company.ai_enabled is True


def test_an_empty_retention_period_keeps_the_data_until_erased_by_hand(owner_client, company):
    company.retention_months = 12
    company.save()

    owner_client.post(URL, _data(retention_months=""))

    company.refresh_from_db()
    assert company.retention_months is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone_region", "XX"), ("phone_region", None), ("retention_months", "0"), ("retention_months", "121")],
)
def test_a_missing_or_unknown_phone_region_or_an_out_of_range_retention_is_refused(owner_client, company, field, value):
    response = owner_client.post(URL, _data(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    company.refresh_from_db()
    assert (company.name, company.phone_region, company.retention_months) == ("Acme", "RU", None)


def test_a_negative_budget_is_refused(owner_client, company):
    response = owner_client.post(URL, _data(ai_monthly_budget="-1"))

    assert response.status_code == 200
    assert "ai_monthly_budget" in response.context["form"].errors
    company.refresh_from_db()
    assert company.name == "Acme"


def test_another_companys_address_is_refused(owner_client, company, other_company):
    response = owner_client.post(URL, _data(slug="GLOBEX"))

    assert response.context["form"].errors["slug"] == ["This address is already taken by another company."]
    company.refresh_from_db()
    assert company.slug == "acme"


def test_keeping_the_own_address_is_fine(owner_client, company):
    response = owner_client.post(URL, _data(slug="acme"))

    assert response.status_code == 302
    assert response.url == URL
    company.refresh_from_db()
    assert company.name == "Acme Corp"


def test_an_invalid_form_does_not_leak_into_the_page_header(owner_client):
    response = owner_client.post(URL, _data(name="Evil Corp", slug="not a slug!"))

    assert response.status_code == 200
    assert Company.objects.get(slug="acme").name == "Acme"
    assert b"Acme" in response.content


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_recruiters_and_viewers_get_403_and_nothing_changes(request, persona, company):
    client = request.getfixturevalue(persona)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _data()).status_code == 403
    company.refresh_from_db()
    assert (company.name, company.slug) == ("Acme", "acme")


def test_an_outsider_sees_and_changes_only_their_own_company(outsider_client, company, other_company):
    page = outsider_client.get(URL)
    assert page.context["form"]["name"].value() == "Globex"
    assert b"Acme" not in page.content

    outsider_client.post(URL, _data(name="Globex Corp", slug="globex"))

    company.refresh_from_db()
    other_company.refresh_from_db()
    assert company.name == "Acme"
    assert other_company.name == "Globex Corp"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
