"""Sign-up, password reset and invitations answer the same way whether an address has an account or not."""

import re
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail, signing
from django.urls import reverse

from accounts import services
from accounts.models import Company, Role, User
from accounts.tests.factories import CompanyFactory, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
PASSWORD = "tps-reports-2026"


def _data(**overrides):
    return {
        "company_name": "Initech",
        "company_slug": "",
        "first_name": "Peter",
        "last_name": "Gibbons",
        "email": "peter@initech.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def _signup(client, capture, **overrides):
    with capture(execute=True):
        page = client.post(SIGNUP, _data(**overrides), follow=True)
    # The form again (refused), or for a new address and a known one alike the "check your inbox" page.
    assert page.redirect_chain in ([], [(reverse("accounts:signup_sent"), 302)])
    return page


def _confirm_path(body: str) -> str:
    return re.search(r"https?://\S+?(/accounts/signup/confirm/\S+/)", body).group(1)


class CountingHasher(MD5PasswordHasher):
    """Counts the passwords it hashes: the same work in both branches keeps the answer time alike."""

    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


def _page(response) -> str:
    # The page without the CSRF token, which differs on every request.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_known_and_an_unknown_email_get_the_same_answer(client, django_capture_on_commit_callbacks):
    UserFactory(email="known@initech.test", company=CompanyFactory(slug="initech-old"))
    known = _signup(client, django_capture_on_commit_callbacks, email="Known@Initech.test", company_slug="a")
    unknown = _signup(client, django_capture_on_commit_callbacks, email="new@initech.test", company_slug="b")

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:signup_sent"), 302)]
    assert known.status_code == unknown.status_code == 200
    assert _page(known).replace("known@initech.test", "X") == _page(unknown).replace("new@initech.test", "X")


def test_the_account_holder_is_told_someone_tried_and_nothing_changes(client, django_capture_on_commit_callbacks):
    holder = UserFactory(email="peter@initech.test", first_name="Pete")
    companies = Company.objects.count()

    _signup(client, django_capture_on_commit_callbacks, email="PETER@initech.test")

    (email,) = mail.outbox
    assert email.to == ["peter@initech.test"]
    assert "tried to create a new SmartBot account" in email.body
    assert reverse("accounts:login") in email.body
    assert reverse("accounts:password_reset") in email.body
    assert "/accounts/signup/confirm/" not in email.body
    assert Company.objects.count() == companies
    holder.refresh_from_db()
    assert holder.check_password("pass-w0rd-123")
    assert holder.first_name == "Pete"
    assert "_auth_user_id" not in client.session


def test_both_branches_hash_the_password_once(client, settings, django_capture_on_commit_callbacks):
    UserFactory(email="known@initech.test")
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]

    CountingHasher.calls = 0
    _signup(client, django_capture_on_commit_callbacks, email="known@initech.test")
    known = CountingHasher.calls
    CountingHasher.calls = 0
    _signup(client, django_capture_on_commit_callbacks, email="new@initech.test")

    assert known == CountingHasher.calls == 1


def test_a_taken_careers_address_is_refused_for_known_and_unknown_emails_alike(
    client, django_capture_on_commit_callbacks
):
    CompanyFactory(slug="initech")
    UserFactory(email="known@initech.test")

    known = _signup(client, django_capture_on_commit_callbacks, email="known@initech.test", company_slug="initech")
    unknown = _signup(client, django_capture_on_commit_callbacks, email="new@initech.test", company_slug="initech")

    assert known.context["form"].errors == unknown.context["form"].errors
    assert "company_slug" in known.context["form"].errors
    assert mail.outbox == []


def test_nobody_can_log_in_before_confirming(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)

    answer = client.post(reverse("accounts:login"), {"username": "peter@initech.test", "password": PASSWORD})

    assert answer.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_link_without_the_password_activates_nothing(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    path = _confirm_path(mail.outbox[0].body)

    answer = client.post(path, {"password": "someone-elses-guess"})

    assert answer.status_code == 200
    assert "password" in answer.context["form"].errors
    assert not User.objects.get(email="peter@initech.test").is_active
    assert "_auth_user_id" not in client.session


def test_a_link_works_once(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    path = _confirm_path(mail.outbox[0].body)
    client.post(path, {"password": PASSWORD})
    client.post(reverse("accounts:logout"))

    assert client.get(path).status_code == 404
    assert client.post(path, {"password": PASSWORD}).status_code == 404
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:1tAbCd:forged-signature"])
def test_a_forged_link_is_a_404(client, token):
    assert client.get(reverse("accounts:signup_confirm", args=[token])).status_code == 404


def test_an_expired_link_is_a_404(client, settings, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    user = User.objects.get(email="peter@initech.test")

    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - (settings.SIGNUP_CONFIRMATION_HOURS * 3600 + 60))

    old = SignedLongAgo(salt=services.SIGNUP_CONFIRMATION_SALT).sign_object({"u": user.pk, "e": user.email})

    assert client.get(reverse("accounts:signup_confirm", args=[old])).status_code == 404
    fresh = services.signup_confirmation_token(user)
    assert client.get(reverse("accounts:signup_confirm", args=[fresh])).status_code == 200


def test_signing_up_again_before_confirming_replaces_the_pending_sign_up(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    _signup(
        client, django_capture_on_commit_callbacks, company_name="Initrode", password1="x-2" * 5, password2="x-2" * 5
    )

    user = User.objects.get(email="peter@initech.test")
    assert Company.objects.filter(members=user).get().name == "Initrode"
    assert len(mail.outbox) == 2
    assert all("/accounts/signup/confirm/" in email.body for email in mail.outbox)
    answer = client.post(_confirm_path(mail.outbox[1].body), {"password": "x-2" * 5})
    assert answer.status_code == 302
    assert answer.url == reverse("vacancies:list")
    assert User.objects.get(email="peter@initech.test").is_active


def test_an_account_deactivated_after_use_is_not_a_pending_sign_up(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    company = CompanyFactory(name="Old Co")
    UserFactory(
        email="peter@initech.test", company=company, role=Role.OWNER, is_active=False, last_login=timezone.now()
    )

    _signup(client, django_capture_on_commit_callbacks)

    assert "tried to create a new SmartBot account" in mail.outbox[0].body
    company.refresh_from_db()
    assert company.name == "Old Co"


# --- Password reset: Django's view is neutral already; kept that way ----------------------------------------


def test_password_reset_answers_known_and_unknown_emails_alike(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the email is queued on commit
        known = client.post(reverse("accounts:password_reset"), {"email": owner.email}, follow=True)
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@acme.test"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert _page(known) == _page(unknown)
    assert [email.to for email in mail.outbox] == [[owner.email]]


# --- Invitations: accepting with an address that has an account meanwhile ------------------------------------


def test_accepting_an_invitation_with_a_taken_email_looks_like_a_used_invitation(
    client, company, owner, django_capture_on_commit_callbacks
):
    used = InvitationFactory(company=company, email="used@acme.test", invited_by=owner)
    services.invitation_accept(invitation=used, first_name="U", last_name="Sed", password=PASSWORD)
    taken = InvitationFactory(company=company, email="dana@elsewhere.test", invited_by=owner)
    holder = UserFactory(email="dana@elsewhere.test")
    form = {"first_name": "Dana", "last_name": "S", "password1": PASSWORD, "password2": PASSWORD}

    with django_capture_on_commit_callbacks(execute=True):
        answer_taken = client.post(reverse("accounts:accept_invite", args=[taken.token]), form)
    answer_used = client.post(reverse("accounts:accept_invite", args=[used.token]), form)

    assert answer_taken.status_code == answer_used.status_code == 410
    # The same page but for its own address (the form's action).
    assert _page(answer_taken).replace(taken.token, "T") == _page(answer_used).replace(used.token, "T")
    (email,) = mail.outbox
    assert email.to == [holder.email]
    assert "join Acme" in email.body
    holder.refresh_from_db()
    assert holder.company != company
    assert "_auth_user_id" not in client.session
