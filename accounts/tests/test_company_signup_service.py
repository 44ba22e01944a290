from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Company, Role, User, UserManager
from accounts.services import company_signup, company_unique_slug
from accounts.tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "company_name": "Initech",
    "first_name": "Peter",
    "last_name": "Gibbons",
    "email": "  Peter@Initech.TEST ",
    "password": "tps-reports-2026",
}


def test_signup_creates_the_company_and_its_owner_inactive_until_confirmed():
    user = company_signup(**SIGNUP)

    assert user.email == "peter@initech.test"
    assert user.role == Role.OWNER
    assert not user.is_active
    assert user.check_password("tps-reports-2026")
    assert user.company.name == "Initech"
    assert user.company.slug == "initech"


def test_signup_uses_the_slug_it_is_given():
    user = company_signup(**SIGNUP, company_slug="initech-jobs")
    assert user.company.slug == "initech-jobs"


def test_a_taken_email_saves_nothing_and_returns_none():
    existing = UserFactory(email="peter@initech.test")
    companies = Company.objects.count()

    assert company_signup(**SIGNUP) is None

    assert Company.objects.count() == companies
    existing.refresh_from_db()
    assert existing.check_password("pass-w0rd-123")


def test_a_taken_slug_raises_and_saves_nothing():
    CompanyFactory(slug="initech")

    with pytest.raises(ValidationError) as error:
        company_signup(**SIGNUP, company_slug="initech")

    assert "company_slug" in error.value.error_dict
    assert not User.objects.filter(email="peter@initech.test").exists()


def test_the_company_is_rolled_back_when_the_owner_cannot_be_saved():
    # A concurrent sign-up with the same email wins the race after our check.
    with (
        mock.patch.object(UserManager, "create_user", side_effect=IntegrityError("duplicate email")),
        pytest.raises(ValidationError),
    ):
        company_signup(**SIGNUP)

    assert not Company.objects.filter(name="Initech").exists()


def test_unique_slug_is_made_from_the_name():
    assert company_unique_slug(name="Acme Rockets, Inc.") == "acme-rockets-inc"


def test_unique_slug_skips_the_ones_taken():
    CompanyFactory(slug="acme")
    CompanyFactory(slug="acme-2")
    assert company_unique_slug(name="Acme") == "acme-3"


def test_unique_slug_of_a_cyrillic_name_is_transliterated_and_one_without_letters_still_gives_an_address():
    assert company_unique_slug(name="ООО «Ромашка»") == "ooo-romashka"
    assert company_unique_slug(name="!!!") == "company"
    CompanyFactory(slug="company")
    assert company_unique_slug(name="!!!") == "company-2"
