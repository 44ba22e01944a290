"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis), authenticated.

Every operation gets generated requests (valid and invalid); the checks fail the test on any 5xx, on a
status code the schema does not list, on a wrong content type, or on a body that breaks the schema.
Path ids are pointed at seeded objects so the real serializers answer, not only the 404 branch.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from screening.models import WebhookDelivery, WebhookEndpoint
from smartbot.wsgi import application


def _load_schema():
    # Generated in-process (the same generator /api/schema/ serves): no request at collection time,
    # when the test settings (ALLOWED_HOSTS) are not in place yet.
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application
    return loaded


schema = _load_schema()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(owner, vacancy, finished_response, company, settings):
    """The owner's token and ids of real objects for path parameters."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis' WSGI client calls "localhost"
    endpoint = WebhookEndpoint.objects.create(
        company=company, url="https://ats.example/hook", events=["response.completed"]
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="response.completed", event_id="evt_seed", payload={"a": 1})
    # Like Django's test client: the test's transaction must survive the requests' end-of-request hooks.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {
        "token": str(RefreshToken.for_user(owner).access_token),
        "vacancies": vacancy.pk,
        "questions": vacancy.questions.first().pk,
        "responses": finished_response.pk,
        "webhooks": endpoint.pk,
        "company_slug": "acme",
        "slug": vacancy.slug,
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _point_at_seeded_objects(case, seeded):
    params = case.path_parameters or {}
    path = case.operation.path
    for name, value in list(params.items()):
        if name == "id" and isinstance(value, int):
            collection = path.split("/")[3]  # /api/v1/<collection>/...
            if path.endswith("/questions/{id}/"):
                collection = "questions"
            params[name] = seeded.get(collection, value)
        elif name == "vacancy_id" and isinstance(value, int):
            params[name] = seeded["vacancies"]
        elif name in ("company_slug", "slug") and isinstance(value, str) and value.isascii() and value[:1] in "abc":
            params[name] = seeded[name]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, seeded):
    _point_at_seeded_objects(case, seeded)
    cache.clear()  # throttling is tested elsewhere; here every request must reach the view
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['token']}"}, checks=CHECKS)
