import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("accounts:logout")


def test_posting_logs_out_and_shows_the_login_page(owner_client):
    response = owner_client.post(URL)

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in owner_client.session


def test_a_plain_link_does_not_log_out(owner_client, owner):
    response = owner_client.get(URL)

    assert response.status_code == 405
    assert owner_client.session["_auth_user_id"] == str(owner.pk)
