"""When a board's access token is renewed (``services.boards.board_call``): hh.ru only once it has expired (it
refuses an early refresh), Avito a few minutes before (its tokens live a day and may be renewed any time)."""

import datetime as dt

import pytest
from django.utils import timezone

from screening.boards import provider
from screening.models import BoardConnection
from screening.services.boards import board_call

pytestmark = pytest.mark.django_db


def connection_of(company, name: str, tokens: dict, *, expires_in: dt.timedelta) -> BoardConnection:
    return BoardConnection.objects.create(
        company=company,
        provider=name,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        token_expires_at=timezone.now() + expires_in,
        connected_at=timezone.now(),
    )


def test_avito_renews_a_token_about_to_expire_before_using_it(fake_avito, company):
    tokens = fake_avito.grant_tokens()
    connection = connection_of(company, "avito", tokens, expires_in=dt.timedelta(minutes=2))
    avito = provider("avito")

    account = board_call(connection=connection, call=lambda token: avito.account(access_token=token))

    connection.refresh_from_db()
    assert account.name and connection.access_token != tokens["access_token"]
    assert connection.token_expires_at > timezone.now() + dt.timedelta(hours=23)


def test_hh_uses_a_token_until_it_expires(fake_hh, company):
    tokens = fake_hh.grant_tokens()
    connection = connection_of(company, "hh", tokens, expires_in=dt.timedelta(minutes=2))
    hh = provider("hh")

    board_call(connection=connection, call=lambda token: hh.account(access_token=token))

    connection.refresh_from_db()
    assert connection.access_token == tokens["access_token"]  # an early refresh would be refused by hh.ru
    assert not fake_hh.requests_to("/token", "POST")
