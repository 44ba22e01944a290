"""The admin's entrance and its company, user and invitation pages: members enter with their role, nothing more.

Personas: ``owner``, ``recruiter``, ``viewer`` of Acme, ``outsider`` (owner of Globex), and a superuser
(``root``). Nobody is given ``is_staff`` or a permission row: the role is what counts.
"""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, Invitation, Role, User
from accounts.tests.factories import InvitationFactory, UserFactory
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
LOGIN = reverse("admin:login")


@pytest.fixture
def root():
    return UserFactory(email="root@smartbot.test", company=None, is_superuser=True)


@pytest.fixture
def superuser_client(client, root):
    client.force_login(root)
    return client


def changelist(client, model):
    page = client.get(reverse(f"admin:accounts_{model._meta.model_name}_changelist"))
    assert page.status_code == 200
    return set(page.context["cl"].queryset)


def company_form_data(company, **changes):
    data = {
        "name": company.name,
        "slug": company.slug,
        "description": company.description,
        "ai_enabled": "on",
        "ai_monthly_budget": "",
        "phone_region": "RU",
        "retention_months": "",
        "embed_origins": "",
    }
    data.update(changes)
    return data


# --- the entrance ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner_client", "recruiter_client", "viewer_client"])
def test_every_member_enters_the_admin_without_staff_status_or_permissions(request, persona):
    client = request.getfixturevalue(persona)
    user = client.get(INDEX).wsgi_request.user
    assert (user.is_staff, user.user_permissions.exists(), user.groups.exists()) == (False, False, False)
    page = client.get(INDEX)
    assert page.status_code == 200
    assert "Vacancies" in page.content.decode()


def test_a_user_without_a_company_is_sent_to_the_login_even_with_staff_status(client):
    client.force_login(UserFactory(company=None, is_staff=True))
    page = client.get(INDEX)
    assert page.status_code == 302
    assert page.url.startswith(LOGIN)


def test_a_member_logs_in_on_the_admin_login_page(client, owner):
    page = client.post(LOGIN, {"username": owner.email, "password": PASSWORD, "next": INDEX})
    assert page.status_code == 302
    assert page.url == INDEX
    assert client.get(INDEX).status_code == 200


def test_the_admin_login_refuses_an_account_without_a_company(client):
    user = UserFactory(company=None, email="nobody@example.com")
    page = client.post(LOGIN, {"username": user.email, "password": PASSWORD, "next": INDEX})
    assert page.status_code == 200
    assert "of a SmartBot account" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_member_with_two_factor_must_give_the_code_for_the_admin(client, recruiter):
    TOTPDevice.objects.create(user=recruiter, name="phone", confirmed=True)
    client.force_login(recruiter)
    page = client.get(INDEX)
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:two_factor_verify"))


def test_the_admin_password_page_is_the_account_page(owner_client):
    page = owner_client.get(reverse("admin:password_change"))
    assert page.status_code == 302
    assert page.url == reverse("accounts:account")


# --- companies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner_client", "recruiter_client", "viewer_client"])
def test_members_see_only_their_company(request, persona, company, other_company):
    assert changelist(request.getfixturevalue(persona), Company) == {company}


def test_superuser_sees_every_company(superuser_client, company, other_company):
    assert changelist(superuser_client, Company) == {company, other_company}


def test_members_cannot_open_another_company(owner_client, other_company):
    page = owner_client.get(reverse("admin:accounts_company_change", args=[other_company.pk]))
    # Django's admin sends the page of an object it cannot find (here: another company's) to its index.
    assert (page.status_code, page.url) == (302, INDEX)
    assert other_company.name not in page.content.decode()


def test_the_owner_edits_their_company_as_on_the_settings_page(owner_client, company):
    page = owner_client.post(
        reverse("admin:accounts_company_change", args=[company.pk]),
        company_form_data(company, name="  Acme Ltd ", slug="Acme-Ltd", phone_region="KZ", description=" Hi "),
    )
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_company_changelist")
    company.refresh_from_db()
    # company_update normalises: the name and description stripped, the slug lower case.
    assert (company.name, company.slug, company.description) == ("Acme Ltd", "acme-ltd", "Hi")


def test_the_company_page_refuses_what_the_settings_page_refuses(owner_client, company, other_company):
    url = reverse("admin:accounts_company_change", args=[company.pk])
    data = company_form_data(company, slug=other_company.slug, embed_origins="javascript:alert(1)")
    admin_errors = owner_client.post(url, data).context["adminform"].form.errors
    settings_errors = owner_client.post(reverse("accounts:settings"), data).context["form"].errors
    assert admin_errors["slug"] == settings_errors["slug"]
    assert admin_errors["embed_origins"] == settings_errors["embed_origins"]
    company.refresh_from_db()
    assert company.slug == "acme"


def test_the_owner_cannot_set_what_the_settings_page_does_not_offer(owner_client, company):
    page = owner_client.post(
        reverse("admin:accounts_company_change", args=[company.pk]),
        company_form_data(company, chat_link_expiry_days="1"),
    )
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_company_changelist")
    company.refresh_from_db()
    assert company.chat_link_expiry_days == 90


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_recruiters_and_viewers_read_the_company_and_change_nothing(request, persona, company):
    client = request.getfixturevalue(persona)
    url = reverse("admin:accounts_company_change", args=[company.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(url, company_form_data(company, name="Taken over")).status_code == 403
    company.refresh_from_db()
    assert company.name == "Acme"


def test_the_owner_cannot_add_or_delete_companies(owner_client, company):
    assert owner_client.get(reverse("admin:accounts_company_add")).status_code == 403
    page = owner_client.post(reverse("admin:accounts_company_delete", args=[company.pk]), {"post": "yes"})
    assert page.status_code == 403
    assert Company.objects.filter(pk=company.pk).exists()


def test_superuser_adds_a_company_and_sets_its_chat_link_periods(superuser_client, company):
    page = superuser_client.post(
        reverse("admin:accounts_company_add"),
        {
            **company_form_data(company, name="Initech", slug="initech", phone_region="KZ", retention_months="24"),
            "chat_link_read_only_days": "30",
            "chat_link_expiry_days": "90",
        },
    )
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_company_changelist")
    new = Company.objects.get(slug="initech")
    assert (new.name, new.phone_region, new.retention_months) == ("Initech", "KZ", 24)
    page = superuser_client.post(
        reverse("admin:accounts_company_change", args=[new.pk]),
        {
            **company_form_data(new, phone_region="KZ"),
            "chat_link_read_only_days": "7",
            "chat_link_expiry_days": "14",
        },
    )
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_company_changelist")
    new.refresh_from_db()
    assert (new.chat_link_read_only_days, new.chat_link_expiry_days) == (7, 14)


def test_company_autocomplete_offers_only_their_company(owner_client, company, other_company):
    page = owner_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "invitation", "field_name": "company", "term": ""},
    )
    assert [item["id"] for item in page.json()["results"]] == [str(company.pk)]


# --- users -----------------------------------------------------------------------------------------------------


def test_members_see_only_their_colleagues_and_no_superuser(viewer_client, owner, recruiter, viewer, outsider, root):
    root.company = owner.company
    root.save()
    assert changelist(viewer_client, User) == {owner, recruiter, viewer}


def test_superuser_sees_every_user(superuser_client, root, owner, outsider):
    assert changelist(superuser_client, User) == {root, owner, outsider}


def test_members_cannot_open_a_user_of_another_company(owner_client, outsider):
    change = reverse("admin:accounts_user_change", args=[outsider.pk])
    for url in (change, change.replace("/change/", "/delete/")):
        page = owner_client.get(url)
        assert (page.status_code, page.get("Location")) in ((302, INDEX), (403, None), (404, None)), url
        assert outsider.email not in page.content.decode()


def user_form_data(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "company": user.company_id or "",
        "role": user.role,
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["owner_client", "recruiter_client"])
def test_no_member_changes_a_role_in_the_admin(request, persona, recruiter, viewer):
    client = request.getfixturevalue(persona)
    url = reverse("admin:accounts_user_change", args=[viewer.pk])
    page = client.post(url, user_form_data(viewer, role=Role.OWNER, is_staff="on", is_superuser="on"))
    assert page.status_code == 403
    viewer.refresh_from_db()
    assert (viewer.role, viewer.is_staff, viewer.is_superuser) == (Role.VIEWER, False, False)


def test_no_member_sets_a_password_adds_or_deletes_a_user(owner_client, recruiter):
    password_url = reverse("admin:auth_user_password_change", args=[recruiter.pk])
    page = owner_client.post(password_url, {"password1": "x-Pass-123456", "password2": "x-Pass-123456"})
    assert page.status_code == 403
    assert owner_client.get(reverse("admin:accounts_user_add")).status_code == 403
    delete = reverse("admin:accounts_user_delete", args=[recruiter.pk])
    assert owner_client.post(delete, {"post": "yes"}).status_code == 403
    recruiter.refresh_from_db()
    assert recruiter.check_password(PASSWORD)


def test_a_member_reads_a_colleague_without_the_password_or_rights(owner_client, recruiter):
    page = owner_client.get(reverse("admin:accounts_user_change", args=[recruiter.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    shown = {field for _name, options in page.context["adminform"].fieldsets for field in options["fields"]}
    assert {"email", "company", "role"} <= shown
    assert not shown & {"password", "is_staff", "is_superuser", "groups", "user_permissions"}


def test_superuser_sees_every_field_and_changes_rights(superuser_client, recruiter):
    url = reverse("admin:accounts_user_change", args=[recruiter.pk])
    fields = superuser_client.get(url).context["adminform"].form.fields
    for name in ("is_superuser", "groups", "user_permissions", "role", "company"):
        assert name in fields
    assert "username" not in fields
    page = superuser_client.post(url, user_form_data(recruiter, role=Role.OWNER, is_superuser="on"))
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_user_changelist")
    recruiter.refresh_from_db()
    assert (recruiter.role, recruiter.is_superuser) == (Role.OWNER, True)


def test_the_owner_resets_a_teammates_two_factor_but_not_their_own(owner_client, owner, recruiter, outsider):
    for user in (recruiter, outsider):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = owner_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "two_factor_reset", "_selected_action": [owner.pk, recruiter.pk, outsider.pk]},
        follow=True,
    )
    assert page.redirect_chain == [(reverse("admin:accounts_user_changelist"), 302)]
    assert list(TOTPDevice.objects.values_list("user__email", flat=True)) == [outsider.email]
    assert [str(m) for m in page.context["messages"]] == [
        "Turn your own two-factor sign-in off on your two-factor page.",
        "Two-factor sign-in reset for 1 users.",
    ]


def test_a_recruiter_is_not_offered_the_two_factor_reset(recruiter_client, owner):
    TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    page = recruiter_client.get(reverse("admin:accounts_user_changelist"))
    assert page.context["action_form"] is None or "two_factor_reset" not in str(page.context["action_form"])
    recruiter_client.post(
        reverse("admin:accounts_user_changelist"), {"action": "two_factor_reset", "_selected_action": [owner.pk]}
    )
    assert TOTPDevice.objects.filter(user=owner).exists()


# --- invitations -----------------------------------------------------------------------------------------------


def test_members_see_only_their_invitations(viewer_client, company, other_company):
    mine = InvitationFactory(company=company, email="a@acme.test")
    InvitationFactory(company=other_company, email="b@globex.test")
    assert changelist(viewer_client, Invitation) == {mine}


def test_the_owner_invites_through_the_service(
    owner_client, owner, company, other_company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = owner_client.post(
            reverse("admin:accounts_invitation_add"),
            {"company": other_company.pk, "email": " New@Acme.test ", "role": Role.VIEWER},
        )
    assert page.status_code == 200  # another company is not a choice
    assert "company" in page.context["adminform"].form.errors
    with django_capture_on_commit_callbacks(execute=True):
        page = owner_client.post(
            reverse("admin:accounts_invitation_add"),
            {"company": company.pk, "email": "New@Acme.test", "role": Role.VIEWER},
        )
    assert page.status_code == 302
    assert page.url == reverse("admin:accounts_invitation_changelist")
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.email, invitation.role, invitation.invited_by) == (
        company,
        "new@acme.test",
        Role.VIEWER,
        owner,
    )
    assert [message.to for message in mail.outbox] == [["new@acme.test"]]


def test_inviting_a_member_shows_the_services_refusal(owner_client, company, recruiter):
    page = owner_client.post(
        reverse("admin:accounts_invitation_add"), {"company": company.pk, "email": recruiter.email, "role": "viewer"}
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["email"]
    assert not Invitation.objects.exists()


def test_the_owner_revokes_an_invitation_and_cannot_edit_one(owner_client, company):
    invitation = InvitationFactory(company=company, email="a@acme.test")
    change = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    assert (
        owner_client.post(change, {"company": company.pk, "email": "b@acme.test", "role": "owner"}).status_code == 403
    )
    page = owner_client.post(reverse("admin:accounts_invitation_delete", args=[invitation.pk]), {"post": "yes"})
    assert page.status_code == 302
    assert page.url == INDEX  # Django's choice after a delete where nothing can be changed
    assert not Invitation.objects.exists()


def test_a_recruiter_neither_invites_nor_revokes(recruiter_client, company):
    invitation = InvitationFactory(company=company, email="a@acme.test")
    add = reverse("admin:accounts_invitation_add")
    assert (
        recruiter_client.post(add, {"company": company.pk, "email": "x@acme.test", "role": "owner"}).status_code == 403
    )
    delete = reverse("admin:accounts_invitation_delete", args=[invitation.pk])
    assert recruiter_client.post(delete, {"post": "yes"}).status_code == 403
    assert list(Invitation.objects.all()) == [invitation]
