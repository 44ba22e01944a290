"""JWT obtain / refresh (rotating, blacklisted) / verify, session auth for the browser, 401 shapes."""

from datetime import timedelta

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

OBTAIN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
VERIFY_URL = "/api/v1/auth/token/verify/"
ME = "/api/v1/me/"


def test_access_tokens_are_short_lived_and_refresh_tokens_rotate():
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=15)
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] == timedelta(days=7)
    assert settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] and settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"]


def test_owner_obtains_a_pair_with_email_and_password_and_reads_their_profile(anon_api, owner):
    answer = anon_api.post(OBTAIN_URL, {"email": "OWNER@acme.test".lower(), "password": PASSWORD}, format="json")
    assert answer.status_code == 200
    access = answer.json()["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == "owner@acme.test"
    assert me.json()["role"] == "owner"
    assert me.json()["company"]["slug"] == "acme"


def test_the_email_is_read_whatever_its_letter_case_as_on_the_sign_in_page(anon_api, owner):
    answer = anon_api.post(OBTAIN_URL, {"email": " OWNER@Acme.Test ", "password": PASSWORD}, format="json")
    assert answer.status_code == 200, answer.json()


def test_wrong_password_is_a_401_in_the_error_shape(anon_api, owner):
    answer = anon_api.post(OBTAIN_URL, {"email": "owner@acme.test", "password": "nope"}, format="json")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "no_active_account"
    assert set(answer.json()["error"]) == {"code", "message", "fields"}


def test_missing_fields_are_field_errors(anon_api):
    answer = anon_api.post(OBTAIN_URL, {}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"email", "password"}


def test_refresh_rotates_and_the_old_refresh_token_stops_working(anon_api, owner):
    pair = anon_api.post(OBTAIN_URL, {"email": "owner@acme.test", "password": PASSWORD}, format="json").json()
    rotated = anon_api.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != pair["refresh"]
    assert rotated.json()["access"]
    again = anon_api.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "token_not_valid"


def test_verify_accepts_a_valid_token_and_refuses_garbage(anon_api, owner):
    pair = anon_api.post(OBTAIN_URL, {"email": "owner@acme.test", "password": PASSWORD}, format="json").json()
    assert anon_api.post(VERIFY_URL, {"token": pair["access"]}, format="json").status_code == 200
    bad = anon_api.post(VERIFY_URL, {"token": "not-a-token"}, format="json")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "token_not_valid"


def test_no_credentials_is_401_with_www_authenticate(anon_api):
    answer = anon_api.get("/api/v1/vacancies/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["error"]["code"] == "not_authenticated"


def test_a_garbage_bearer_token_is_401(anon_api):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")
    answer = anon_api.get("/api/v1/vacancies/")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_not_valid"


def test_a_stale_token_on_the_token_endpoint_does_not_block_login(anon_api, owner):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")
    answer = anon_api.post(OBTAIN_URL, {"email": "owner@acme.test", "password": PASSWORD}, format="json")
    assert answer.status_code == 200


def test_the_browser_session_works_and_writes_need_the_csrf_token(owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(ME).status_code == 200
    refused = client.post("/api/v1/vacancies/", {"title": "Tester"}, format="json")
    assert refused.status_code == 403
    assert "csrf" in refused.json()["error"]["message"].lower()


def test_a_user_without_a_company_is_refused(anon_api):
    from accounts.tests.factories import UserFactory
    from tests.api.conftest import jwt_client

    loner = UserFactory(company=None)
    assert jwt_client(loner).get("/api/v1/vacancies/").status_code == 403
