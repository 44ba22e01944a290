"""Bytes no endpoint can store (lone surrogates, NUL, absurd nesting) get a 400 in the API's error shape on every
API endpoint, the HTML forms refuse them as form errors, and an unhandled exception under /api/ is a JSON 500.

The API table is built from the URLconf (``smartbot.api_urls``), so an endpoint added later is in it; a URL
argument the table does not know fails the test, asking for a value.
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Invitation, Role
from accounts.tests.factories import UserFactory
from screening.models import (
    Answer,
    Booking,
    BulkAction,
    ChatMessage,
    HumanRequest,
    InterviewSlot,
    Note,
    Response,
    SavedFilter,
    Tag,
    WebhookEndpoint,
)
from smartbot import api_urls
from smartbot import urls as smartbot_urls
from smartbot.parsers import JSON_MAX_DEPTH, json_too_deep
from tests.api import conftest as api_fixtures
from vacancies.models import ScreeningQuestion, Vacancy

pytestmark = pytest.mark.django_db

# The API tests' fixtures: a vacancy with a full script, a finished response, JWT clients.
vacancy = api_fixtures.vacancy
finished_response = api_fixtures.finished_response
owner_api = api_fixtures.owner_api
jwt_client = api_fixtures.jwt_client

DEEP = 100_000
BAD_JSON = {
    "lone surrogate": b'{"title": "\\ud800", "full_name": "\\ud800"}',
    "lone low surrogate in a key": b'{"\\udc00": 1}',
    "reversed surrogate pair": b'["\\ude00\\ud83d"]',
    "NUL": b'{"title": "a\\u0000b", "full_name": "a\\u0000b"}',
    "NUL in a key": b'{"a\\u0000": "b"}',
    "arrays nested 100k deep": b"[" * DEEP + b"]" * DEEP,
    "objects nested 100k deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "unclosed nesting 100k deep": b"[" * DEEP,
    "not UTF-8": b'{"title": "\xff\xfe"}',
    "a 5000-digit number": b'{"title": ' + b"9" * 5000 + b"}",
}
BAD_FORM = {
    "NUL in a value": "title=a%00b&full_name=a%00b",
    "NUL in a name": "ti%00tle=x",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield pattern


def _methods(pattern: URLPattern) -> list[str]:
    callback = pattern.callback
    if getattr(callback, "actions", None):  # a viewset route: HTTP method -> action
        # DRF adds "head" to this dict at the route's first GET; a HEAD answer has no body to check anyway.
        return sorted(method for method in callback.actions if method not in ("head", "options"))
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:  # a plain function view (the JSON 404 catch-all): it answers any method
        return ["get", "post"]
    return [method for method in view_class.http_method_names if method != "options" and hasattr(view_class, method)]


@pytest.fixture
def api_endpoints(finished_response, vacancy, company, owner):
    """[(method, path)] of every route under /api/, with the URL arguments of company A's objects."""
    tag = Tag.objects.create(company=company, name="Keep")
    invitation = Invitation.objects.create(company=company, email="new@acme.example", role=Role.RECRUITER)
    endpoint = WebhookEndpoint.objects.create(
        company=company, url="https://acme.example/h", events=["response.completed"]
    )
    now = timezone.now()
    slot = InterviewSlot.objects.create(
        company=company, vacancy=vacancy, starts_at=now + timedelta(days=2), time_zone="Europe/Moscow"
    )
    booking = Booking.objects.create(company=company, slot=slot, response=finished_response)
    human = HumanRequest.objects.create(
        company=company, response=finished_response, reason="asked", due_at=now + timedelta(hours=4)
    )
    objects = {
        "vacancy": vacancy.pk,
        "question": vacancy.questions.first().pk,
        "response": finished_response.pk,
        "webhook": endpoint.pk,
        "slot": slot.pk,
        "booking": booking.pk,
        "human": human.pk,
        # bulk actions, tags, saved filters (docs/pipeline.md)
        "bulk": BulkAction.objects.create(company=company, kind="reevaluate").pk,
        "tag": tag.pk,
        "saved": SavedFilter.objects.create(user=owner, name="Mine").pk,
        # the team (docs/audit.md) and the board's move (docs/pipeline.md)
        "team": UserFactory(company=company, role=Role.RECRUITER).pk,
        "team-invitation-resend": invitation.pk,
        "team-invitation-revoke": invitation.pk,
        "board": finished_response.pk,
    }
    rows = []
    for pattern in _walk(api_urls.urlpatterns):
        if pattern.name is None:
            path = "/api/no-such-endpoint/"
        else:
            kwargs = {}
            for name in pattern.pattern.regex.groupindex:
                if name == "pk":
                    kwargs[name] = objects.get(pattern.name) or objects[pattern.name.split("-")[0]]
                else:
                    kwargs[name] = {
                        "vacancy_id": vacancy.pk,
                        "company_slug": company.slug,
                        "slug": vacancy.slug,
                        "key": "screening_finished",
                        "language": "en",
                        "tag_id": tag.pk,
                    }[name]
            path = reverse(f"api:{pattern.name}", kwargs=kwargs)
        rows.extend((method, path) for method in _methods(pattern))
    return rows


def snapshot():
    models = [Vacancy, ScreeningQuestion, Response, Answer, Note, WebhookEndpoint, ChatMessage]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def assert_refused(answer, label):
    assert answer.status_code == 400, (label, answer.status_code, answer.content[:300])
    assert answer["Content-Type"].startswith("application/json"), label
    assert answer.content, label
    error = answer.json()["error"]
    assert error["code"] == "parse_error" and error["message"], (label, error)


def test_every_api_endpoint_refuses_bad_json_with_a_400_in_the_error_shape(owner, api_endpoints):
    api = jwt_client(owner)
    assert len({url for _method, url in api_endpoints}) >= 20  # the table really is the whole API
    before = snapshot()
    for method, url in api_endpoints:
        for label, body in BAD_JSON.items():
            answer = api.generic(method.upper(), url, body, content_type="application/json")
            assert_refused(answer, f"{method} {url}: {label}")
    assert snapshot() == before


def test_every_api_endpoint_refuses_a_nul_in_a_form_body(owner, api_endpoints):
    api = jwt_client(owner)
    before = snapshot()
    for method, url in api_endpoints:
        for label, body in BAD_FORM.items():
            answer = api.generic(method.upper(), url, body, content_type="application/x-www-form-urlencoded")
            assert_refused(answer, f"{method} {url}: {label}")
    assert snapshot() == before


def test_every_api_endpoint_refuses_a_nul_in_the_query_string(owner, api_endpoints):
    api = jwt_client(owner)
    for method, url in api_endpoints:
        for query in ("search=a%00b", "status=%00", "a%00=1", "search=%FF", "search=%ED%A0%80", "search=%C0%AF"):
            assert_refused(api.generic(method.upper(), f"{url}?{query}"), f"{method} {url}?{query}")


def test_escapes_that_are_not_utf8_are_refused_not_replaced(owner_api):
    # Django would decode them to U+FFFD and search for text nobody typed; the surrogate ED A0 80 included.
    for query in ("search=%FF", "search=%ED%A0%80", "search=%C0%AF"):
        answer = owner_api.get(f"/api/v1/responses/?{query}")
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "parse_error", query
    assert owner_api.get("/api/v1/responses/?search=%D0%90%D0%BD%D0%BD%D0%B0").status_code == 200  # "Анна"


def test_a_login_with_escapes_that_are_not_utf8_is_refused_and_not_counted(owner):
    from axes.models import AccessAttempt

    answer = APIClient().generic(
        "POST", "/api/v1/auth/token/", "email=%FF&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "parse_error"
    assert AccessAttempt.objects.count() == 0


def test_public_apply_refuses_bad_bytes_in_json_form_and_multipart_and_stores_nothing(vacancy):
    api = APIClient()
    path = reverse("api:public-apply", kwargs={"company_slug": vacancy.company.slug, "slug": vacancy.slug})
    good = {
        "full_name": "Anna Petrova",
        "email": "anna@example.org",
        "phone": "+7 900 123-45-67",
        "resume_text": "Python developer.",
        "consent": "true",
    }
    before = snapshot()
    for field in ("full_name", "resume_text", "city"):
        for bad in ("Anna\ud800", "Anna\x00"):
            # json.dumps escapes both as \uXXXX, as a client would send them.
            body = json.dumps({**good, field: bad}).encode()
            assert_refused(api.generic("POST", path, body, "application/json"), f"json {field}")
        assert_refused(api.post(path, {**good, field: "Anna\x00"}, format="multipart"), f"multipart {field}")
    assert_refused(api.post(path, {**good, "resu\x00me_text": "x"}, format="multipart"), "multipart name")
    assert snapshot() == before


def test_the_depth_scan_counts_brackets_outside_strings_only():
    assert not json_too_deep('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')
    assert not json_too_deep('["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]')
    assert not json_too_deep("[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH)
    assert json_too_deep("[" * (JSON_MAX_DEPTH + 1))


def test_a_surrogate_pair_and_ordinary_nesting_still_go_through(owner_api):
    # A character outside the BMP is a surrogate pair in JSON's escapes and one character once decoded.
    body = b'{"title": "Backend \\ud83d\\udc0d developer", "questions": [{"text": "Django?", "kind": "yes_no"}]}'
    answer = owner_api.generic("POST", "/api/v1/vacancies/", body, "application/json")
    assert answer.status_code == 201, answer.content
    assert Vacancy.objects.get().title == "Backend 🐍 developer"


# --- HTML forms ----------------------------------------------------------------------


def test_the_careers_form_refuses_a_nul_as_a_form_error(vacancy):
    before = snapshot()
    answer = Client().post(
        reverse("chat:vacancy", args=[vacancy.company.slug, vacancy.slug]),
        {
            "full_name": "Anna\x00 Petrova",
            "email": "anna@example.org",
            "phone": "+7 900 123-45-67",
            "city": "Mos\x00cow",
            "resume_text": "Python\x00",
            "consent": "on",
        },
    )
    assert answer.status_code == 400  # the page again, with the form and its errors
    assert answer.content.decode().count("Null characters are not allowed.") == 3
    assert snapshot() == before


def test_the_chat_answer_form_refuses_a_nul_and_stores_nothing(vacancy):
    from screening.tests.factories import ResponseFactory

    response = ResponseFactory(vacancy=vacancy)
    client = Client()
    client.get(response.get_chat_url())  # opens the chat: the bot asks the first question
    before = snapshot()
    answer = client.post(
        reverse("chat:fallback", args=[response.token]), {"client_id": "c1", "text": "Mos\x00cow"}, follow=True
    )
    assert answer.status_code == 200
    assert answer.redirect_chain == [(f"{response.get_chat_url()}#chat-form", 302)]
    assert "Null characters are not allowed." in answer.content.decode()
    assert snapshot() == before


def test_an_html_page_refuses_a_nul_in_the_query_string_with_a_400(owner_client):
    assert owner_client.get("/responses/?q=a%00b").status_code == 400
    assert owner_client.get("/responses/?q=%ED%A0%80").status_code == 400
    assert owner_client.get("/responses/search/?q=a%00b").status_code == 400
    assert owner_client.get("/responses/search/?q=%ED%A0%80").status_code == 400


# --- Unhandled exceptions ----------------------------------------------------------------


def _fails(request):
    raise RuntimeError("an unexpected failure (a bug, an outage)")


# This module is also the URLconf of the tests below: the site's routes plus a view that fails, in and out of /api/.
urlpatterns = [path("api/v1/fails/", _fails), path("fails/", _fails), *smartbot_urls.urlpatterns]
handler500 = smartbot_urls.handler500


@pytest.mark.urls(__name__)
def test_an_unhandled_exception_under_api_is_a_json_500_in_the_error_shape():
    answer = Client(raise_request_exception=False).get("/api/v1/fails/")
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["code"] == "server_error" and error["message"] and error["fields"] == {}
    assert "unexpected failure" not in answer.content.decode()


@pytest.mark.urls(__name__)
def test_an_unhandled_exception_on_a_page_is_still_the_html_500():
    answer = Client(raise_request_exception=False).get("/fails/")
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("text/html")
