"""A password change (every way there is to make one) and "sign out everywhere" revoke every JWT and session."""

import re

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tokens import TOKEN_VERSION_CLAIM, VersionedRefreshToken

pytestmark = pytest.mark.django_db

PASSWORD = "pass-w0rd-123"
NEW_PASSWORD = "brand-new-secret-2026"
ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
VERIFY = "/api/v1/auth/token/verify/"
# Where a session whose tokens were revoked is sent from the account page.
LOGIN_FOR_ACCOUNT = f"{reverse('accounts:login')}?next={reverse('accounts:account')}"


@pytest.fixture
def member(company):
    return UserFactory(company=company, email="mia@acme.test")


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True, email="root@smartbot.test"))
    return client


class NewerHasher(MD5PasswordHasher):
    """A cheap stand-in for "the hasher got stronger": passwords stored with the old one are rehashed at login."""

    algorithm = "md5-newer"


def _obtain(email: str, password: str = PASSWORD) -> dict:
    answer = APIClient().post(TOKEN, {"email": email, "password": password}, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _me(access: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api.get(ME).status_code


def _refresh(refresh: str):
    return APIClient().post(REFRESH, {"refresh": refresh}, format="json")


def _verify(token: str) -> int:
    return APIClient().post(VERIFY, {"token": token}, format="json").status_code


def _assert_revoked(tokens: dict) -> None:
    assert _me(tokens["access"]) == 401
    refused = _refresh(tokens["refresh"])
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_not_valid"
    assert _verify(tokens["access"]) == 401
    assert _verify(tokens["refresh"]) == 401


def test_tokens_from_the_endpoint_carry_the_version_and_work(member):
    tokens = _obtain(member.email)

    assert VersionedRefreshToken(tokens["refresh"])[TOKEN_VERSION_CLAIM] == 0
    assert _me(tokens["access"]) == 200
    assert _verify(tokens["access"]) == 200
    assert _refresh(tokens["refresh"]).status_code == 200


def test_sign_out_everywhere_revokes_access_and_refresh_tokens_and_new_ones_work(member):
    old = _obtain(member.email)

    services.user_sign_out_everywhere(user=member)

    _assert_revoked(old)
    new = _obtain(member.email)
    assert _me(new["access"]) == 200
    renewed = _refresh(new["refresh"])
    assert renewed.status_code == 200
    assert _me(renewed.json()["access"]) == 200


def test_a_rotated_refresh_token_keeps_the_version_and_is_revoked_with_it(member):
    rotated = _refresh(_obtain(member.email)["refresh"]).json()
    assert _me(rotated["access"]) == 200

    services.user_sign_out_everywhere(user=member)

    _assert_revoked(rotated)


def test_another_users_tokens_are_untouched(member, owner):
    theirs = _obtain(owner.email)

    services.user_sign_out_everywhere(user=member)

    assert _me(theirs["access"]) == 200
    assert _refresh(theirs["refresh"]).status_code == 200


def test_the_password_change_service_revokes_tokens(member):
    old = _obtain(member.email)

    services.user_password_change(user=member, password=NEW_PASSWORD)

    _assert_revoked(old)
    assert _me(_obtain(member.email, NEW_PASSWORD)["access"]) == 200


def test_the_account_page_password_change_revokes_tokens_and_other_sessions_and_keeps_this_one(client, member):
    tokens = _obtain(member.email)
    client.force_login(member)
    elsewhere = client.__class__()
    elsewhere.force_login(member)

    answer = client.post(
        reverse("accounts:account"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert answer.status_code == 302
    assert answer.url == reverse("accounts:account")
    _assert_revoked(tokens)
    assert client.get(reverse("accounts:account")).status_code == 200
    assert elsewhere.get(reverse("accounts:account")).url == LOGIN_FOR_ACCOUNT  # sent to the login page
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_changes_nothing(client, member):
    tokens = _obtain(member.email)
    client.force_login(member)

    answer = client.post(
        reverse("accounts:account"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert answer.status_code == 200
    assert "old_password" in answer.context["form"].errors
    assert _me(tokens["access"]) == 200


def test_the_sign_out_everywhere_button_revokes_tokens_and_other_sessions_and_keeps_this_one(client, member):
    tokens = _obtain(member.email)
    client.force_login(member)
    elsewhere = client.__class__()
    elsewhere.force_login(member)
    session_key = client.session.session_key

    assert client.get(reverse("accounts:account")).content.count(b"sign-out-everywhere") == 1
    answer = client.post(reverse("accounts:sign_out_everywhere"))

    assert answer.status_code == 302
    assert answer.url == reverse("accounts:account")
    _assert_revoked(tokens)
    assert client.get(reverse("accounts:account")).status_code == 200
    assert client.session.session_key != session_key  # the kept session got a new key
    assert elsewhere.get(reverse("accounts:account")).url == LOGIN_FOR_ACCOUNT


def test_sign_out_everywhere_answers_post_only(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405
    assert User.objects.get(pk=member.pk).token_version == 0


def test_the_password_reset_link_revokes_tokens(client, member, django_capture_on_commit_callbacks):
    tokens = _obtain(member.email)
    with django_capture_on_commit_callbacks(execute=True):  # the email is queued on commit
        client.post(reverse("accounts:password_reset"), {"email": member.email})
    path = re.search(r"https?://\S+?(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(path, follow=True)
    answer = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert answer.status_code == 302
    assert answer.url == reverse("accounts:password_reset_complete")
    _assert_revoked(tokens)


def test_the_admins_password_change_revokes_tokens(member):
    tokens = _obtain(member.email)

    form = AdminPasswordChangeForm(member, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()

    _assert_revoked(tokens)


def test_the_admin_page_password_change_revokes_tokens(superuser_client, member):
    tokens = _obtain(member.email)

    answer = superuser_client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert answer.status_code == 302, answer.content[-2000:]
    assert answer.url == reverse("admin:accounts_user_change", args=[member.pk])
    _assert_revoked(tokens)


def test_a_password_hash_upgrade_at_login_revokes_nothing(member, settings):
    tokens = _obtain(member.email)
    # Logging in with a hasher that is no longer the first one rehashes the password and saves it.
    settings.PASSWORD_HASHERS = [f"{__name__}.NewerHasher", *settings.PASSWORD_HASHERS]

    assert _me(_obtain(member.email)["access"]) == 200

    assert User.objects.get(pk=member.pk).password.startswith("md5-newer$")
    assert _me(tokens["access"]) == 200
    assert User.objects.get(pk=member.pk).token_version == 0


def test_a_token_for_a_deleted_user_is_refused_with_401_not_500(member):
    tokens = _obtain(member.email)
    member.delete()

    assert _refresh(tokens["refresh"]).status_code == 401
    assert _verify(tokens["access"]) == 401
    assert _me(tokens["access"]) == 401


def test_a_token_made_before_versions_existed_counts_as_version_zero(member):
    from rest_framework_simplejwt.tokens import RefreshToken

    legacy = RefreshToken.for_user(member)  # no "ver" claim
    assert _me(str(legacy.access_token)) == 200

    services.user_sign_out_everywhere(user=member)

    assert _me(str(legacy.access_token)) == 401
    assert _refresh(str(legacy)).status_code == 401
