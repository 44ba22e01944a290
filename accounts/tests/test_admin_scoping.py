"""The admin's scoping fails closed: a model it does not know as company data gives a member nothing."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from accounts.admin import UserAdmin
from accounts.admin_scoping import CompanyScopedAdminMixin, CompanyScopedModelAdmin, company_path_for
from accounts.models import User
from accounts.tests.factories import UserFactory
from vacancies.admin import ScreeningQuestionAdmin, VacancyAdmin
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def request_by(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def root():
    return UserFactory(company=None, is_superuser=True)


@pytest.fixture
def bare_site():
    """A site where the questions' admin is registered and the vacancies' is not."""
    site = admin.AdminSite(name="bare")
    site.register(ScreeningQuestion, ScreeningQuestionAdmin)
    return site


def vacancy_choices(site, user):
    question_admin = site.get_model_admin(ScreeningQuestion)
    field = question_admin.formfield_for_foreignkey(ScreeningQuestion._meta.get_field("vacancy"), request_by(user))
    return set(field.queryset)


def test_a_foreign_key_to_a_model_the_site_does_not_know_offers_a_member_nothing(bare_site, recruiter, company):
    VacancyFactory(company=company)
    assert company_path_for(bare_site, Vacancy) is None
    assert vacancy_choices(bare_site, recruiter) == set()


def test_once_the_site_knows_the_model_its_company_rows_are_offered(bare_site, recruiter, company, other_company):
    mine = VacancyFactory(company=company)
    VacancyFactory(company=other_company)
    bare_site.register(Vacancy, VacancyAdmin)
    assert vacancy_choices(bare_site, recruiter) == {mine}


def test_a_superuser_is_offered_every_row_either_way(bare_site, root, company, other_company):
    rows = {VacancyFactory(company=company), VacancyFactory(company=other_company)}
    assert vacancy_choices(bare_site, root) == rows


def test_a_registered_admin_that_is_not_company_scoped_counts_as_unknown(owner, root):
    # The groups' admin is django.contrib.auth's, which knows nothing of companies.
    Group.objects.create(name="everything")
    user_admin = admin.site.get_model_admin(User)
    assert isinstance(user_admin, UserAdmin)
    groups = User._meta.get_field("groups")
    assert list(user_admin.formfield_for_manytomany(groups, request_by(owner)).queryset) == []
    assert len(user_admin.formfield_for_manytomany(groups, request_by(root)).queryset) == 1


def test_an_admin_without_a_company_path_shows_a_member_nothing_and_fails_the_checks(recruiter, company):
    VacancyFactory(company=company)

    class Forgetful(CompanyScopedModelAdmin):
        pass

    site = admin.AdminSite(name="forgetful")
    site.register(Vacancy, Forgetful)
    model_admin = site.get_model_admin(Vacancy)
    assert list(model_admin.get_queryset(request_by(recruiter))) == []
    assert [error.id for error in model_admin.check()] == ["accounts.E101"]


def test_every_company_scoped_admin_of_the_project_names_its_company_path():
    registered = [admin.site.get_model_admin(model) for model in apps.get_models() if admin.site.is_registered(model)]
    scoped = [model_admin for model_admin in registered if isinstance(model_admin, CompanyScopedAdminMixin)]
    assert len(scoped) >= 18
    assert [type(model_admin).__name__ for model_admin in scoped if not model_admin.company_field] == []
