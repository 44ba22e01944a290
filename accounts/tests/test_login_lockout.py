"""The login lockout (django-axes, accounts.lockout): the HTML login, the admin's and the token endpoint
lock a (email, address) pair after LOGIN_FAILURE_LIMIT failures, even for the right password; the owner
unlocks a teammate from the team page."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
TOKEN = "/api/v1/auth/token/"
WRONG = "not-the-password"
DASHBOARD = reverse("vacancies:list")  # where a successful login goes


def html_login(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def admin_login(client, email, password, **extra):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"}, **extra)


def assert_retry_after_counts_from_the_lock(response, locked_at: float) -> None:
    """Retry-After is the 15-minute cool-off less the seconds since the lock (these requests take their time
    on a busy machine; the header must account for them, never exceed the cool-off)."""
    since_lock = time.monotonic() - locked_at
    assert 900 - since_lock - 1 <= int(response["Retry-After"]) <= 900


def token_login(email, password, **extra):
    return APIClient().post(TOKEN, {"email": email, "password": password}, format="json", **extra)


def test_the_61st_html_login_is_locked_out_even_with_the_right_password(client, settings, owner):
    assert settings.AXES_FAILURE_LIMIT == 10
    locked_at = time.monotonic()  # no later than the lock (the 10th failure)
    codes = [html_login(client, owner.email, WRONG).status_code for _n in range(60)]
    assert codes == [200] * 9 + [429] * 51  # the 10th failure locks
    page = html_login(client, owner.email, PASSWORD)
    assert page.status_code == 429
    assert "_auth_user_id" not in client.session
    body = page.content.decode()
    assert "Logging in is paused" in body and "in 15 minutes" in body and "unlock" in body
    assert_retry_after_counts_from_the_lock(page, locked_at)
    # Attempts while locked out are not counted: they cannot keep the lockout going.
    assert AccessAttempt.objects.get().failures_since_start == 10


def test_the_61st_admin_login_is_locked_out_even_with_the_right_password(client):
    root = UserFactory(email="root@smartbot.test", company=None, is_staff=True, is_superuser=True)
    codes = [admin_login(client, root.email, WRONG).status_code for _n in range(60)]
    assert codes == [200] * 9 + [429] * 51
    page = admin_login(client, root.email, PASSWORD)
    assert page.status_code == 429
    assert "Logging in is paused" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_61st_token_request_is_locked_out_even_with_the_right_password(owner):
    locked_at = time.monotonic()
    codes = [token_login(owner.email, WRONG).status_code for _n in range(60)]
    assert codes == [401] * 9 + [429] * 51
    answer = token_login(owner.email, PASSWORD)
    assert answer.status_code == 429
    error = answer.json()["error"]
    assert error["code"] == "locked_out"
    assert "in 15 minutes" in error["message"]
    assert "access" not in answer.json()
    assert_retry_after_counts_from_the_lock(answer, locked_at)


def test_the_form_the_admin_and_the_api_count_together(client, owner):
    for _n in range(4):
        html_login(client, owner.email, WRONG)
    for _n in range(4):
        token_login(owner.email.upper(), WRONG)  # the email in any case is the same account
    assert html_login(client, "Owner@ACME.test", WRONG).status_code == 200
    assert admin_login(client, owner.email, WRONG).status_code == 429  # the 10th failure


def test_rotating_x_forwarded_for_does_not_dodge_the_lockout(client, owner):
    codes = [
        html_login(client, owner.email, WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(12)
    ]
    assert codes[9:] == [429, 429, 429]
    assert html_login(client, owner.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_a_stranger_cannot_lock_the_owner_out_from_elsewhere(client, owner):
    for _n in range(10):
        html_login(client, owner.email, WRONG, REMOTE_ADDR="203.0.113.66")
    assert html_login(client, owner.email, PASSWORD, REMOTE_ADDR="203.0.113.66").status_code == 429
    assert html_login(client, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.7").url == DASHBOARD


def test_the_lockout_lifts_after_the_cool_off(client, settings, owner):
    for _n in range(10):
        html_login(client, owner.email, WRONG)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert html_login(client, owner.email, PASSWORD).url == DASHBOARD


def test_a_successful_login_forgets_earlier_failures(client, owner):
    for _n in range(9):
        html_login(client, owner.email, WRONG)
    assert html_login(client, owner.email, PASSWORD).url == DASHBOARD
    client.logout()
    assert not AccessAttempt.objects.exists()
    assert [html_login(client, owner.email, WRONG).status_code for _n in range(9)] == [200] * 9


def test_failed_logins_are_recorded_for_the_admin(client, owner):
    for _n in range(3):
        html_login(client, owner.email, WRONG)
    assert AccessFailureLog.objects.filter(username=owner.email).count() == 3
    root = UserFactory(email="root@smartbot.test", company=None, is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and owner.email in page.content.decode()
    assert client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200


def test_a_companys_staff_do_not_see_the_login_records(client, company, owner):
    from django.contrib.auth.models import Permission

    staff = UserFactory(company=company, email="staff@acme.test", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="axes"))
    html_login(client, owner.email, WRONG)
    client.force_login(staff)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


# --- The owner unlocks a teammate ---------------------------------------------------------------------


def _lock_out(client, user):
    for _n in range(10):
        html_login(client, user.email, WRONG)
    client.logout()
    assert html_login(client, user.email, PASSWORD).status_code == 429


def _unlock_url(user):
    return reverse("accounts:member_unlock", args=[user.pk])


def test_the_team_page_shows_a_locked_out_teammate_with_an_unlock_button(client, owner, recruiter):
    _lock_out(client, recruiter)
    client.force_login(owner)
    body = client.get(reverse("accounts:team")).content.decode()
    assert "locked out" in body
    assert _unlock_url(recruiter) in body
    assert _unlock_url(owner) not in body


def test_the_owner_unlocks_a_teammate(client, owner, recruiter):
    _lock_out(client, recruiter)
    client.force_login(owner)
    page = client.post(_unlock_url(recruiter))
    assert page.status_code == 302 and page.url == reverse("accounts:team")
    assert not AccessAttempt.objects.filter(username=recruiter.email).exists()
    client.logout()
    assert html_login(client, recruiter.email, PASSWORD).url == DASHBOARD
    assert client.session["_auth_user_id"] == str(recruiter.pk)


@pytest.mark.parametrize(("persona", "status"), [("recruiter", 403), ("viewer", 403), ("outsider", 404)])
def test_only_the_owner_of_the_company_may_unlock(client, request, owner, recruiter, viewer, outsider, persona, status):
    victim = UserFactory(company=owner.company, email="locked@acme.test")
    _lock_out(client, victim)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_unlock_url(victim)).status_code == status
    assert AccessAttempt.objects.filter(username=victim.email).exists()
    client.logout()
    assert html_login(client, victim.email, PASSWORD).status_code == 429


def test_unlocking_answers_post_only(client, owner, recruiter):
    client.force_login(owner)
    assert client.get(_unlock_url(recruiter)).status_code == 405


def test_a_password_reset_lifts_the_lockout(client, owner, mailoutbox):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _lock_out(client, owner)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    url = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(owner)])
    form_url = client.get(url).url  # Django swaps the token for a session marker
    new = "a-brand-new-Passw0rd"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.url == reverse("accounts:password_reset_complete")
    assert html_login(client, owner.email, new).url == DASHBOARD
