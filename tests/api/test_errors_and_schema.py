"""One JSON error shape for every error; the OpenAPI schema and its docs page."""

import io

import pytest
from django.core.management import call_command
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


def assert_error(answer, status, code=None):
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_400_has_field_errors(owner_api):
    error = assert_error(owner_api.post("/api/v1/vacancies/", {"title": ""}, format="json"), 400, "invalid")
    assert "title" in error["fields"]


def test_400_for_malformed_json(owner_api):
    answer = owner_api.generic("POST", "/api/v1/vacancies/", "{not json", content_type="application/json")
    assert_error(answer, 400, "parse_error")


def test_401_403_404_405_409_415(anon_api, owner_api, viewer_api, vacancy):
    assert_error(anon_api.get("/api/v1/responses/"), 401, "not_authenticated")
    assert_error(viewer_api.post("/api/v1/vacancies/", {"title": "X"}, format="json"), 403, "permission_denied")
    assert_error(owner_api.get("/api/v1/vacancies/999999/"), 404, "not_found")
    assert_error(owner_api.get("/api/v1/vacancies/abc/"), 404, "not_found")
    assert_error(owner_api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(anon_api.get("/api/nothing-here"), 404, "not_found")
    assert_error(owner_api.delete("/api/v1/responses/"), 405, "method_not_allowed")
    assert_error(owner_api.post(f"/api/v1/vacancies/{vacancy.pk}/publish/"), 409, "conflict")
    answer = owner_api.post("/api/v1/vacancies/", "title=X", content_type="text/plain")
    assert_error(answer, 415, "unsupported_media_type")


def test_429_per_user_with_retry_after(owner_api, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/min"})
    for _ in range(3):
        assert owner_api.get("/api/v1/vacancies/").status_code == 200
    answer = owner_api.get("/api/v1/vacancies/")
    assert_error(answer, 429, "throttled")
    assert 0 < int(answer["Retry-After"]) <= 60


def test_the_schema_generates_with_no_warnings():
    # The same check CI runs: DEBUG=1 manage.py spectacular --validate --fail-on-warn --file /dev/null
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stdout=out, stderr=out)


def test_schema_is_served_and_documents_the_error_shape(anon_api):
    answer = anon_api.get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    assert "Error" in schema["components"]["schemas"]
    listing = schema["paths"]["/api/v1/responses/"]["get"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(listing["responses"])
    names = {p["name"] for p in listing["parameters"]}
    assert {
        "vacancy",
        "status",
        "min_score",
        "max_score",
        "created_from",
        "created_to",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= names
    public = schema["paths"]["/api/v1/public/companies/{company_slug}/vacancies/{slug}/"]["get"]
    assert "401" not in public["responses"]
    public_question = schema["components"]["schemas"]["PublicQuestion"]["properties"]
    assert "knockout" not in public_question and "allowed_options" not in public_question


def test_the_docs_page_loads_its_assets_from_our_static_files(anon_api):
    answer = anon_api.get("/api/docs/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "//cdn"):
        assert cdn not in html
    redoc = anon_api.get("/api/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc
