"""The site's own error pages (templates/404.html, 403.html, 400.html, 500.html), with DEBUG off as in tests.

404 and 403 are full pages of the site (menu and helpful links); 400 and 500 are rendered by Django with no
request and no context, so their layout (_error_base.html) reads nothing: no user, no database.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import path, reverse

from smartbot.api import server_error
from smartbot.urls import urlpatterns as site_urlpatterns


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


# This module doubles as a URLconf (@pytest.mark.urls) with two views that fail on purpose.
urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden), *site_urlpatterns]
handler500 = "smartbot.api.server_error"


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_404_page(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert [t.name for t in page.templates][:2] == ["404.html", "base.html"]
    html = page.content.decode()
    assert "Page not found" in html and 'class="topbar"' in html
    assert reverse("accounts:login") in html  # a visitor is offered the way in


@pytest.mark.django_db
def test_a_member_gets_links_back_into_the_dashboard_on_a_404(owner_client, company):
    html = owner_client.get(reverse("screening:response", args=[999_999])).content.decode()
    assert "Page not found" in html
    for url in (reverse("vacancies:list"), reverse("screening:list"), reverse("chat:careers", args=[company.slug])):
        assert f'href="{url}"' in html


@pytest.mark.django_db
def test_a_refused_action_gets_the_sites_403_page_naming_the_role(viewer_client):
    page = viewer_client.get(reverse("accounts:settings"))
    assert page.status_code == 403
    html = page.content.decode()
    assert "You may not do this" in html and "(Viewer)" in html
    assert f'href="{reverse("accounts:team")}"' in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_visitor_gets_the_403_page_too(client):
    page = client.get("/forbidden/")
    assert page.status_code == 403 and "You may not do this" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_gets_the_sites_500_page(client):
    client.raise_request_exception = False
    page = client.get("/boom/")
    assert page.status_code == 500
    html = page.content.decode()
    assert "Something went wrong on our side" in html and "app.css" in html


def test_a_crash_under_the_api_still_answers_json_not_the_page():
    answer = server_error(RequestFactory().get("/api/v1/me/"))
    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"


def test_the_500_and_400_pages_render_with_no_context_and_no_database():
    # No django_db mark: any query would fail the test.
    for name, text in (("500.html", "Something went wrong on our side"), ("400.html", "could not be read")):
        html = get_template(name).render()
        assert text in html and "csrfmiddlewaretoken" not in html and "/static/css/app.css" in html


@pytest.mark.django_db
def test_a_bad_request_gets_the_sites_400_page(client):
    page = client.get("/accounts/login/", {"next": "\x00"})
    assert page.status_code == 400
    assert "could not be read" in page.content.decode()
