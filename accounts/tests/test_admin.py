"""Company and user admin: a company's staff see their own company and colleagues only, and cannot escalate."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Company, Invitation, Role, User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(company):
    user = UserFactory(company=company, role=Role.OWNER, email="staff@acme.test", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def root():
    return UserFactory(email="root@smartbot.test", company=None, is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, root):
    client.force_login(root)
    return client


def changelist(client, model):
    page = client.get(reverse(f"admin:accounts_{model._meta.model_name}_changelist"))
    assert page.status_code == 200
    return set(page.context["cl"].queryset)


# --- companies -------------------------------------------------------------------------------------------------


def test_staff_see_only_their_company(staff_client, company, other_company):
    assert changelist(staff_client, Company) == {company}


def test_superuser_sees_every_company(superuser_client, company, other_company):
    assert changelist(superuser_client, Company) == {company, other_company}


def test_staff_cannot_open_another_company(staff_client, other_company):
    page = staff_client.get(reverse("admin:accounts_company_change", args=[other_company.pk]))
    assert page.status_code in (302, 404)
    assert other_company.name not in page.content.decode()


def test_staff_edit_their_own_company(staff_client, company):
    page = staff_client.post(
        reverse("admin:accounts_company_change", args=[company.pk]),
        {
            "name": "Acme Ltd",
            "slug": "acme",
            "description": "",
            "ai_enabled": "on",
            "ai_monthly_budget": "",
            "phone_region": "RU",
            "chat_link_read_only_days": "30",
            "chat_link_expiry_days": "90",
        },
    )
    assert page.status_code == 302
    company.refresh_from_db()
    assert company.name == "Acme Ltd"


def test_staff_cannot_add_or_delete_companies(staff_client, company):
    assert staff_client.get(reverse("admin:accounts_company_add")).status_code == 403
    assert (
        staff_client.post(reverse("admin:accounts_company_delete", args=[company.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Company.objects.filter(pk=company.pk).exists()


def test_superuser_may_add_a_company(superuser_client):
    page = superuser_client.post(
        reverse("admin:accounts_company_add"),
        {
            "name": "Initech",
            "slug": "initech",
            "ai_enabled": "on",
            "phone_region": "KZ",
            "retention_months": "24",
            "chat_link_read_only_days": "30",
            "chat_link_expiry_days": "90",
        },
    )
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_company_changelist")
    company = Company.objects.get(slug="initech")
    assert (company.name, company.phone_region, company.retention_months) == ("Initech", "KZ", 24)


def test_company_autocomplete_offers_only_their_company(staff_client, company, other_company):
    page = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "user", "field_name": "company", "term": ""},
    )
    assert [item["id"] for item in page.json()["results"]] == [str(company.pk)]


# --- users -----------------------------------------------------------------------------------------------------


def test_staff_see_only_their_colleagues_and_no_superuser(staff_client, staff, owner, recruiter, outsider, root):
    root.company = staff.company
    root.save()
    assert changelist(staff_client, User) == {staff, owner, recruiter}


def test_superuser_sees_every_user(superuser_client, root, staff, outsider):
    assert changelist(superuser_client, User) == {root, staff, outsider}


def test_staff_cannot_open_a_user_of_another_company(staff_client, outsider):
    change = reverse("admin:accounts_user_change", args=[outsider.pk])
    for url in (change, change.replace("/change/", "/password/"), change.replace("/change/", "/delete/")):
        page = staff_client.get(url)
        assert page.status_code in (302, 404), url
    page = staff_client.post(
        change.replace("/change/", "/password/"), {"password1": "x-Pass-123456", "password2": "x-Pass-123456"}
    )
    assert page.status_code in (302, 404)
    outsider.refresh_from_db()
    assert not outsider.check_password("x-Pass-123456")


def test_staff_do_not_see_superuser_only_fields(staff_client, staff):
    page = staff_client.get(reverse("admin:accounts_user_change", args=[staff.pk]))
    fields = page.context["adminform"].form.fields
    assert "email" in fields
    assert "company" in fields
    for name in ("is_superuser", "groups", "user_permissions"):
        assert name not in fields
    assert set(fields["company"].queryset) == {staff.company}


def test_superuser_sees_every_field(superuser_client, staff):
    page = superuser_client.get(reverse("admin:accounts_user_change", args=[staff.pk]))
    fields = page.context["adminform"].form.fields
    for name in ("is_superuser", "groups", "user_permissions"):
        assert name in fields
    assert "username" not in fields


def user_form_data(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "company": user.company_id or "",
        "role": user.role,
        "is_active": "on",
        "is_staff": "on",
    }
    data.update(changes)
    return data


def test_staff_cannot_make_themselves_superuser(staff_client, staff):
    group = Group.objects.create(name="everything")
    page = staff_client.post(
        reverse("admin:accounts_user_change", args=[staff.pk]),
        user_form_data(staff, first_name="Stan", is_superuser="on", groups=[group.pk]),
    )
    assert page.status_code == 302
    staff.refresh_from_db()
    assert staff.first_name == "Stan"
    assert staff.is_superuser is False
    assert not staff.groups.exists()


def test_staff_cannot_move_a_colleague_to_another_company(staff_client, staff, recruiter, other_company):
    page = staff_client.post(
        reverse("admin:accounts_user_change", args=[recruiter.pk]),
        user_form_data(recruiter, company=other_company.pk),
    )
    assert page.status_code == 200
    assert "company" in page.context["adminform"].form.errors
    recruiter.refresh_from_db()
    assert recruiter.company == staff.company


def test_staff_add_a_colleague_with_an_email_login(staff_client, staff):
    page = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@acme.test",
            "usable_password": "true",
            "password1": "a-Long-pass-123",
            "password2": "a-Long-pass-123",
            "company": staff.company_id,
            "role": "viewer",
        },
    )
    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else page
    user = User.objects.get(email="new@acme.test")
    assert (user.company, user.role, user.is_superuser) == (staff.company, "viewer", False)
    assert user.check_password("a-Long-pass-123")


def test_superuser_changes_superuser_status(superuser_client, staff):
    page = superuser_client.post(
        reverse("admin:accounts_user_change", args=[staff.pk]), user_form_data(staff, is_superuser="on")
    )
    assert page.status_code == 302
    staff.refresh_from_db()
    assert staff.is_superuser is True


# --- invitations -----------------------------------------------------------------------------------------------


def test_staff_see_only_their_invitations(staff_client, company, other_company):
    mine = Invitation.objects.create(company=company, email="a@acme.test")
    Invitation.objects.create(company=other_company, email="b@globex.test")
    assert changelist(staff_client, Invitation) == {mine}


def test_invitation_form_offers_only_their_company_and_colleagues(staff_client, staff, outsider):
    page = staff_client.get(reverse("admin:accounts_invitation_add"))
    form = page.context["adminform"].form
    assert set(form.fields["company"].queryset) == {staff.company}
    assert outsider not in set(form.fields["invited_by"].queryset)
    assert form.initial["company"] == staff.company_id
