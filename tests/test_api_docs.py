"""The API docs pages (Swagger UI, ReDoc) load nothing from another site, and the dashboard links to them."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def _foreign_urls(text: str) -> list[str]:
    """Absolute or protocol-relative addresses in ``text`` that point at a host other than the test server's."""
    return [url for url in URL.findall(text) if not re.match(r"(?:https?:)?//testserver(?:[/:]|$)", url)]


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_pages_name_no_other_host(client, name):
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert _foreign_urls(page.content.decode()) == []


def test_swagger_uis_start_script_names_no_other_host_and_no_validator(client):
    page = client.get(reverse("api:docs"))
    script = re.search(r'<script src="([^"]*\?script[^"]*)"', page.content.decode()).group(1)
    code = client.get(script.replace("&amp;", "&")).content.decode()
    assert _foreign_urls(code) == []
    # Swagger UI's badge would otherwise send the schema's address to validator.swagger.io.
    assert '"validatorUrl": null' in code


def test_redoc_is_started_by_a_static_script_with_system_fonts_and_no_logo(client):
    html = client.get(reverse("api:redoc")).content.decode()
    assert "js/redoc-init.js" in html and "fonts.googleapis" not in html
    init = Path(finders.find("js/redoc-init.js")).read_text(encoding="utf-8")
    assert "system-ui" in init and 'HTMLImageElement.prototype, "src"' in init


def test_members_find_the_api_docs_from_every_dashboard_page(viewer_client):
    html = viewer_client.get(reverse("vacancies:list")).content.decode()
    assert f'href="{reverse("api:docs")}"' in html and f'href="{reverse("api:redoc")}"' in html


def test_candidates_and_visitors_are_not_shown_the_api_docs(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("api:docs") not in html
