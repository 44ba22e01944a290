"""The demo's people in the admin, as a new user of `make demo` meets them (through the test client).

``load_demo`` builds the demo company; nobody grants anything by hand afterwards. The owner logs in on the
admin's own login page with the printed password, changes a vacancy and meets the dashboard's validation;
the audit trail and the roles stay out of reach, the viewer reads only, and another company's rows are
not found.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import CompanyFactory
from chat.management.commands.load_demo import DEMO_PASSWORD
from screening.models import StatusChange
from screening.tests.factories import ResponseFactory
from vacancies.models import Vacancy
from vacancies.services import VACANCY_FIELDS
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module and rolled back at its end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        output = StringIO()
        call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def admin_login(email: str) -> Client:
    client = Client()
    page = client.post(reverse("admin:login"), {"username": email, "password": DEMO_PASSWORD, "next": "/admin/"})
    assert page.status_code == 302, page.context["form"].errors if page.context else page
    assert page.url == "/admin/"
    return client


def change_data(vacancy: Vacancy, **changes) -> dict:
    """The vacancy's change page as posted, its questions left as they are."""
    data = {field: getattr(vacancy, field) for field in VACANCY_FIELDS}
    data = {field: "" if value is None else value for field, value in data.items()}
    if data.pop("show_outcome"):
        data["show_outcome"] = "on"
    return {**data, "questions-TOTAL_FORMS": 0, "questions-INITIAL_FORMS": 0, **changes}


def vacancy_url(vacancy: Vacancy) -> str:
    return reverse("admin:vacancies_vacancy_change", args=[vacancy.pk])


@pytest.fixture
def python_vacancy(demo):
    return Vacancy.objects.get(company__slug="demo", slug="python-developer")


def test_load_demo_prints_where_the_admin_is(demo):
    assert "/admin/" in demo


def test_the_demo_owner_has_no_staff_flag_and_no_permission_rows(demo):
    owner = User.objects.get(email="owner@demo.smartbot")
    assert (owner.role, owner.is_staff, owner.is_superuser) == (Role.OWNER, False, False)
    assert not owner.user_permissions.exists() and not owner.groups.exists()


def test_the_demo_owner_opens_the_admin_and_changes_a_vacancy(python_vacancy):
    client = admin_login("owner@demo.smartbot")
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Vacancies" in index.content.decode()
    changelist = client.get(reverse("admin:vacancies_vacancy_changelist"))
    assert set(changelist.context["cl"].queryset) == set(Vacancy.objects.filter(company__slug="demo"))
    assert client.get(vacancy_url(python_vacancy)).status_code == 200

    page = client.post(vacancy_url(python_vacancy), change_data(python_vacancy, title="Senior Python developer"))

    assert page.status_code == 302, (
        (page.context["adminform"].form.errors, page.context["errors"]) if page.context else page
    )
    assert page.url == reverse("admin:vacancies_vacancy_changelist")
    python_vacancy.refresh_from_db()
    assert python_vacancy.title == "Senior Python developer"
    assert python_vacancy.questions.count() == 6  # the script untouched


def test_the_demo_owner_meets_the_dashboards_validation(python_vacancy):
    client = admin_login("owner@demo.smartbot")
    bad = change_data(python_vacancy, salary_from="500000", salary_to="100000")

    admin_page = client.post(vacancy_url(python_vacancy), bad)
    dashboard_page = client.post(reverse("vacancies:edit", args=[python_vacancy.pk]), bad)

    assert admin_page.status_code == 200
    assert admin_page.context["adminform"].form.errors["salary_to"] == ["Must not be lower than 'salary from'."]
    assert dashboard_page.context["form"].errors["salary_to"] == ["Must not be lower than 'salary from'."]
    python_vacancy.refresh_from_db()
    assert (python_vacancy.salary_from, python_vacancy.salary_to) == (250000, 350000)


def test_the_demo_owner_cannot_add_or_edit_status_history(demo):
    client = admin_login("owner@demo.smartbot")
    record = StatusChange.objects.filter(response__vacancy__company__slug="demo").exclude(actor=None).first()
    assert client.get(reverse("admin:screening_statuschange_add")).status_code == 403
    page = client.get(reverse("admin:screening_statuschange_change", args=[record.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["adminform"].form.fields == {}
    forged = {"response": record.response_id, "from_status": "new", "to_status": "hired", "comment": "forged"}
    assert client.post(reverse("admin:screening_statuschange_change", args=[record.pk]), forged).status_code == 403
    record.refresh_from_db()
    assert record.comment != "forged"


def test_the_demo_owner_cannot_change_a_role_in_the_admin(demo):
    client = admin_login("owner@demo.smartbot")
    viewer = User.objects.get(email="viewer@demo.smartbot")
    data = {"email": viewer.email, "company": viewer.company_id, "role": Role.OWNER, "is_active": "on"}
    page = client.post(reverse("admin:accounts_user_change", args=[viewer.pk]), {**data, "is_superuser": "on"})
    assert page.status_code == 403
    viewer.refresh_from_db()
    assert (viewer.role, viewer.is_superuser) == (Role.VIEWER, False)


def test_the_demo_viewer_reads_and_writes_nothing(python_vacancy):
    client = admin_login("viewer@demo.smartbot")
    page = client.get(vacancy_url(python_vacancy))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert (
        client.post(vacancy_url(python_vacancy), change_data(python_vacancy, title="Viewer was here")).status_code
        == 403
    )
    assert client.get(reverse("admin:vacancies_vacancy_add")).status_code == 403
    python_vacancy.refresh_from_db()
    assert python_vacancy.title == "Python developer (Django)"


def test_another_companys_rows_are_not_found_for_the_demo_owner(demo):
    other = CompanyFactory(slug="elsewhere")
    vacancy = VacancyFactory(company=other, title="Not yours")
    response = ResponseFactory(vacancy=vacancy)
    client = admin_login("owner@demo.smartbot")
    for url in (
        vacancy_url(vacancy),
        reverse("admin:screening_response_change", args=[response.pk]),
        reverse("admin:accounts_company_change", args=[other.pk]),
    ):
        page = client.get(url)
        assert page.status_code in (302, 404), url
        if page.status_code == 302:
            assert page.url == reverse("admin:index")
    page = client.post(vacancy_url(vacancy), change_data(vacancy, title="Taken"))
    vacancy.refresh_from_db()
    assert vacancy.title == "Not yours"
