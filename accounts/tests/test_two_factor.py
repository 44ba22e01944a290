"""Two-factor sign-in: setup, the code after the password, backup codes, the company rule, the API and resets.

Codes are real TOTP codes computed here from the device's key (RFC 6238, ``django_otp.oath``); a code for the
next 30-second step is used where a second code is needed (the server accepts one step either side, and never
a step it has already accepted).
"""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Role
from accounts.tests.factories import UserFactory
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-w0rd-123"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
ACCOUNT = reverse("accounts:two_factor")
LOGIN = reverse("accounts:login")
DASHBOARD = reverse("vacancies:list")
# Where the dashboard sends a signed-in session that still owes a code.
HELD = f"{VERIFY}?next=%2Fvacancies%2F"
TOKEN = reverse("api:token")


def code_now(device) -> str:
    """The code the user's app shows right now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_next(device) -> str:
    """The code of the next 30-second step (accepted now; a step the device has not used yet)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + device.step
    return f"{generator.token():06d}"


def code_wrong(device) -> str:
    """A 6-digit code that no step the server accepts now can show."""
    near = set()
    for offset in (-2, -1, 0, 1, 2):
        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        generator.time = time.time() + offset * device.step
        near.add(generator.token())
    return f"{next(n for n in range(1_000_000) if n not in near):06d}"


def turn_on(user):
    """Two-factor on for ``user`` through the services, as the setup page does; returns (device, backup codes)."""
    device = services.two_factor_setup_start(user=user)
    result = services.two_factor_setup_confirm(user=user, code=code_now(device))
    # Turning it on signed the user out everywhere: log in after this with the fresh row.
    user.refresh_from_db()
    return result


def verified_client(client, user, device):
    """``client`` signed in as ``user`` with a session that gave a code of ``device``."""
    client.force_login(user)
    mark_verified(client, device)
    return client


def mark_verified(client, device):
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def password_login(client, user):
    answer = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert answer.status_code == 302, answer.content
    assert answer.url == DASHBOARD  # the dashboard holds a session that owes a code (below)
    return answer


@pytest.fixture
def no_throttle(settings):
    # Wrong codes make django-otp refuse attempts for 1, 2, 4... seconds; tests that type a wrong code and
    # then the right one switch that off.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# --- Setup ------------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_for_smartbot_and_the_users_email(recruiter_client, recruiter):
    page = recruiter_client.get(SETUP)

    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'class="qr-code"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    device = TOTPDevice.objects.get(user=recruiter)
    assert device.confirmed is False
    assert device.config_url.startswith("otpauth://totp/SmartBot%3Arecruiter%40acme.test?")
    assert "issuer=SmartBot" in device.config_url
    # Reloading shows the same key, so a code from the already scanned entry still works.
    recruiter_client.get(SETUP)
    assert list(TOTPDevice.objects.filter(user=recruiter)) == [device]


def test_the_first_code_turns_two_factor_on_and_shows_ten_backup_codes_once(recruiter_client, recruiter):
    recruiter_client.get(SETUP)
    device = TOTPDevice.objects.get(user=recruiter)

    page = recruiter_client.post(SETUP, {"code": code_now(device)})

    assert page.status_code == 200
    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in page.content.decode()
    device.refresh_from_db()
    assert device.confirmed is True
    assert sorted(StaticToken.objects.filter(device__user=recruiter).values_list("token", flat=True)) == sorted(codes)
    # This session gave the code: the dashboard opens, and the page does not show the codes again.
    assert recruiter_client.get(DASHBOARD).status_code == 200
    account = recruiter_client.get(ACCOUNT).content.decode()
    assert "10 backup codes left" in account
    assert codes[0] not in account


def test_a_wrong_code_at_setup_is_refused_and_two_factor_stays_off(recruiter_client, recruiter):
    recruiter_client.get(SETUP)
    device = TOTPDevice.objects.get(user=recruiter)

    page = recruiter_client.post(SETUP, {"code": code_wrong(device)})

    assert page.status_code == 200
    assert page.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=recruiter, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=recruiter).exists()


# --- The code after the password ----------------------------------------------------------------


def test_after_the_password_every_page_asks_for_the_code_first(client, recruiter):
    device, _codes = turn_on(recruiter)

    password_login(client, recruiter)
    held = client.get(DASHBOARD)

    assert held.status_code == 302
    assert held.url == f"{VERIFY}?next=%2Fvacancies%2F"
    assert client.get(reverse("accounts:team")).url == f"{VERIFY}?next=%2Faccounts%2Fteam%2F"
    assert client.get(VERIFY).status_code == 200

    done = client.post(VERIFY, {"code": code_next(device), "next": DASHBOARD})

    assert done.status_code == 302
    assert done.url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_code_keeps_the_pages_closed(client, recruiter):
    device, _codes = turn_on(recruiter)
    password_login(client, recruiter)

    page = client.post(VERIFY, {"code": code_wrong(device)})

    assert page.status_code == 200
    assert page.context["form"].errors["code"]
    assert client.get(DASHBOARD).url == HELD


def test_a_code_already_used_does_not_work_a_second_time(client, recruiter, no_throttle):
    device, _codes = turn_on(recruiter)
    code = code_next(device)
    password_login(client, recruiter)
    assert client.post(VERIFY, {"code": code}).url == DASHBOARD

    other = APIClient()
    answer = other.post(TOKEN, {"email": recruiter.email, "password": PASSWORD, "otp": code}, format="json")

    assert answer.status_code == 401


def test_repeated_wrong_codes_are_throttled_even_before_a_right_one(client, recruiter, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600
    device, _codes = turn_on(recruiter)
    password_login(client, recruiter)
    client.post(VERIFY, {"code": code_wrong(device)})

    page = client.post(VERIFY, {"code": code_next(device)})

    assert "Too many wrong codes" in str(page.context["form"].errors["code"])
    assert client.get(DASHBOARD).url == HELD


def test_a_backup_code_works_once(client, recruiter):
    _device, codes = turn_on(recruiter)
    password_login(client, recruiter)

    assert client.post(VERIFY, {"code": codes[0].upper()}).url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    client.post(reverse("accounts:logout"))

    password_login(client, recruiter)
    page = client.post(VERIFY, {"code": codes[0]})

    assert page.status_code == 200
    assert page.context["form"].errors["code"]
    assert StaticToken.objects.filter(device__user=recruiter).count() == 9


def test_logout_and_the_language_switch_stay_open_to_a_session_that_owes_a_code(client, recruiter):
    turn_on(recruiter)
    password_login(client, recruiter)

    assert client.post(reverse("set_language"), {"language": "ru", "next": VERIFY}).url == VERIFY
    assert client.post(reverse("accounts:logout")).url == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_next_address_after_the_code_stays_on_this_site(client, recruiter):
    device, _codes = turn_on(recruiter)
    password_login(client, recruiter)

    done = client.post(VERIFY, {"code": code_next(device), "next": "https://evil.example/"})

    assert done.url == DASHBOARD


def test_a_session_that_owes_a_code_gets_a_json_403_from_the_api(client, recruiter):
    turn_on(recruiter)
    password_login(client, recruiter)

    answer = client.get(reverse("api:me"))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "two_factor_required"


def test_htmx_requests_are_sent_to_the_code_page_with_a_client_redirect(client, recruiter):
    turn_on(recruiter)
    password_login(client, recruiter)

    answer = client.get(DASHBOARD, headers={"HX-Request": "true"})

    assert answer.headers["HX-Redirect"].startswith(VERIFY)


def test_staff_with_two_factor_must_give_the_code_for_the_admin_too(client, company):
    staff = UserFactory(company=company, role=Role.OWNER, email="staff@acme.test", is_staff=True, is_superuser=True)
    device, _codes = turn_on(staff)
    client.force_login(staff)

    held = client.get("/admin/")

    assert held.status_code == 302
    assert held.url.startswith(VERIFY)
    mark_verified(client, device)
    assert client.get("/admin/").status_code == 200


def test_users_without_two_factor_see_no_change(recruiter_client):
    assert recruiter_client.get(DASHBOARD).status_code == 200
    assert recruiter_client.get(VERIFY).url == DASHBOARD


def test_careers_pages_and_the_candidate_chat_stay_open_to_anonymous_visitors(client, company, recruiter):
    company.require_two_factor = True
    company.save()
    turn_on(recruiter)
    vacancy = VacancyFactory(company=company, status="open")
    response = ResponseFactory(vacancy=vacancy)

    assert client.get(reverse("chat:careers", args=[company.slug])).status_code == 200
    assert client.get(reverse("chat:vacancy", args=[company.slug, vacancy.slug])).status_code == 200
    assert client.get(reverse("chat:candidate", args=[response.token])).status_code == 200


# --- The user's own page: new backup codes, turning it off ------------------------------------


def test_new_backup_codes_replace_the_old_ones(client, recruiter):
    device, old = turn_on(recruiter)
    recruiter_client = verified_client(client, recruiter, device)

    page = recruiter_client.post(reverse("accounts:two_factor_backup_codes"), {"code": code_next(device)})

    assert page.status_code == 200
    new = page.context["codes"]
    tokens = set(StaticToken.objects.filter(device__user=recruiter).values_list("token", flat=True))
    assert tokens == set(new)
    assert not tokens & set(old)


def test_two_factor_is_turned_off_with_the_password(client, recruiter):
    device, _codes = turn_on(recruiter)
    recruiter_client = verified_client(client, recruiter, device)

    answer = recruiter_client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})

    assert answer.status_code == 302
    assert answer.url == ACCOUNT
    assert not TOTPDevice.objects.filter(user=recruiter).exists()
    assert not StaticDevice.objects.filter(user=recruiter).exists()
    assert recruiter_client.get(DASHBOARD).status_code == 200


def test_two_factor_is_turned_off_with_a_current_code(client, recruiter):
    device, _codes = turn_on(recruiter)
    recruiter_client = verified_client(client, recruiter, device)

    answer = recruiter_client.post(reverse("accounts:two_factor_disable"), {"code": code_next(device)})

    assert answer.status_code == 302
    assert answer.url == ACCOUNT
    assert not TOTPDevice.objects.filter(user=recruiter).exists()


def test_a_wrong_password_or_no_proof_leaves_two_factor_on(client, recruiter):
    device, _codes = turn_on(recruiter)
    recruiter_client = verified_client(client, recruiter, device)
    url = reverse("accounts:two_factor_disable")

    assert recruiter_client.post(url, {"password": "wrong-one"}).status_code == 400
    assert recruiter_client.post(url, {}).status_code == 400
    assert TOTPDevice.objects.filter(user=recruiter, confirmed=True).exists()


def test_it_cannot_be_turned_off_where_the_company_requires_it(client, recruiter, company):
    device, _codes = turn_on(recruiter)
    recruiter_client = verified_client(client, recruiter, device)
    company.require_two_factor = True
    company.save()

    answer = recruiter_client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})

    assert answer.status_code == 400
    assert TOTPDevice.objects.filter(user=recruiter, confirmed=True).exists()


# --- The company rule ---------------------------------------------------------------------------


def test_the_owner_requires_two_factor_in_the_company_settings(owner_client, company):
    data = {"name": "Acme", "slug": "acme", "phone_region": "RU", "require_two_factor": "on"}

    answer = owner_client.post(reverse("accounts:settings"), data)

    assert answer.status_code == 302
    assert answer.url == reverse("accounts:settings")
    company.refresh_from_db()
    assert company.require_two_factor is True


def test_members_without_a_device_are_sent_to_set_it_up_when_the_company_requires_it(recruiter_client, company):
    company.require_two_factor = True
    company.save()

    held = recruiter_client.get(DASHBOARD)

    assert held.status_code == 302
    assert held.url == f"{SETUP}?next=%2Fvacancies%2F"
    setup = recruiter_client.get(SETUP)
    assert setup.status_code == 200
    assert "Your company requires" in setup.content.decode()


def test_after_setting_it_up_a_required_member_reaches_the_dashboard(recruiter_client, recruiter, company):
    company.require_two_factor = True
    company.save()
    recruiter_client.get(SETUP)
    device = TOTPDevice.objects.get(user=recruiter)

    recruiter_client.post(SETUP, {"code": code_now(device)})

    assert recruiter_client.get(DASHBOARD).status_code == 200


# --- The API token --------------------------------------------------------------------------------


def test_the_api_token_needs_the_code_of_a_user_with_two_factor(recruiter, no_throttle):
    device, _codes = turn_on(recruiter)
    api = APIClient()
    credentials = {"email": recruiter.email, "password": PASSWORD}

    missing = api.post(TOKEN, credentials, format="json")
    wrong = api.post(TOKEN, {**credentials, "otp": code_wrong(device)}, format="json")
    right = api.post(TOKEN, {**credentials, "otp": code_next(device)}, format="json")

    assert missing.status_code == 400
    assert "otp" in missing.json()["error"]["fields"]
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_code"
    assert set(wrong.json()["error"]) == {"code", "message", "fields"}
    assert right.status_code == 200
    assert {"access", "refresh"} <= set(right.json())


def test_the_api_token_of_a_user_without_two_factor_needs_no_code(recruiter):
    answer = APIClient().post(TOKEN, {"email": recruiter.email, "password": PASSWORD}, format="json")

    assert answer.status_code == 200


def test_the_api_token_is_refused_to_a_member_who_owes_the_companys_setup(recruiter, company):
    company.require_two_factor = True
    company.save()

    answer = APIClient().post(TOKEN, {"email": recruiter.email, "password": PASSWORD}, format="json")

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "two_factor_setup_required"


# --- The owner's reset on the team page -----------------------------------------------------------


def test_the_owner_resets_a_teammates_two_factor(owner_client, recruiter):
    turn_on(recruiter)
    recruiter_client = Client()
    recruiter_client.force_login(recruiter)
    team = owner_client.get(reverse("accounts:team")).content.decode()
    url = reverse("accounts:two_factor_reset", args=[recruiter.pk])
    assert url in team

    answer = owner_client.post(url)

    assert answer.status_code == 302
    assert answer.url == reverse("accounts:team")
    assert not TOTPDevice.objects.filter(user=recruiter).exists()
    assert not StaticDevice.objects.filter(user=recruiter).exists()
    # Whoever held the recruiter's sessions is signed out; the password alone signs them in again.
    assert recruiter_client.get(DASHBOARD).url == f"{LOGIN}?next={DASHBOARD}"
    password_login(recruiter_client, recruiter)
    assert recruiter_client.get(DASHBOARD).status_code == 200


def test_an_outsider_gets_404_and_nothing_changes(outsider_client, recruiter):
    turn_on(recruiter)

    answer = outsider_client.post(reverse("accounts:two_factor_reset", args=[recruiter.pk]))

    assert answer.status_code == 404
    assert TOTPDevice.objects.filter(user=recruiter, confirmed=True).exists()


@pytest.mark.parametrize("persona", ["recruiter_client", "viewer_client"])
def test_only_the_owner_may_reset(request, persona, company):
    member = UserFactory(company=company, role=Role.RECRUITER, email="other@acme.test")
    turn_on(member)

    answer = request.getfixturevalue(persona).post(reverse("accounts:two_factor_reset", args=[member.pk]))

    assert answer.status_code == 403
    assert TOTPDevice.objects.filter(user=member, confirmed=True).exists()


def test_a_superuser_resets_two_factor_with_the_admin_action(client, company, recruiter):
    turn_on(recruiter)
    admin = UserFactory(company=None, email="root@smartbot.test", is_staff=True, is_superuser=True)
    client.force_login(admin)

    answer = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "two_factor_reset", "_selected_action": [recruiter.pk]},
    )

    assert answer.status_code == 302
    assert answer.url == reverse("admin:accounts_user_changelist")
    assert not TOTPDevice.objects.filter(user=recruiter).exists()
    assert not StaticDevice.objects.filter(user=recruiter).exists()
