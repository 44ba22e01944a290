from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.services import company_update

pytestmark = pytest.mark.django_db

FIELDS = {"name": " Acme Corp ", "description": "", "slug": "Acme-Corp", "ai_enabled": False, "ai_monthly_budget": None}


def test_the_settings_are_saved_normalised(company):
    company_update(company=company, **FIELDS)

    company.refresh_from_db()
    assert (company.name, company.slug, company.ai_enabled, company.ai_monthly_budget) == (
        "Acme Corp",
        "acme-corp",
        False,
        None,
    )


def test_a_negative_budget_is_refused(company):
    with pytest.raises(ValidationError):
        company_update(company=company, **{**FIELDS, "ai_monthly_budget": Decimal("-0.01")})
    company.refresh_from_db()
    assert company.name == "Acme"


def test_another_companys_slug_is_refused_and_nothing_changes(company, other_company):
    with pytest.raises(ValidationError):
        company_update(company=company, **{**FIELDS, "slug": "globex"})
    company.refresh_from_db()
    assert (company.name, company.slug) == ("Acme", "acme")
