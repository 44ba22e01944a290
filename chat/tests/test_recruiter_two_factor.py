"""The recruiters' chat socket asks for the second factor as every page does: a session that gave only the
password sees no transcript and cannot take over."""

import pytest
from asgiref.sync import sync_to_async
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from chat.tests.conftest import HOST, ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie(client, user, *, verified_with=None) -> bytes:
    client.force_login(user)
    if verified_with is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_with.persistent_id
        session.save()
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(recruiter_socket, response, client, user, **kwargs):
    cookie = await sync_to_async(_session_cookie)(client, user, **kwargs)
    sock = await recruiter_socket(response, headers=[HOST, ORIGIN, (b"cookie", cookie)])
    return sock, await sock.connect()


async def test_a_recruiter_with_two_factor_is_refused_until_the_session_gave_a_code(
    response, recruiter_socket, client, recruiter
):
    device = await sync_to_async(TOTPDevice.objects.create)(user=recruiter, name="phone", confirmed=True)
    sock, (connected, code) = await _connect(recruiter_socket, response, client, recruiter)
    assert (connected, code) == (False, 4403)
    sock, (connected, _code) = await _connect(recruiter_socket, response, client, recruiter, verified_with=device)
    assert connected
    hello = await sock.recv()
    assert hello["type"] == "hello"
    await sock.close()


async def test_a_device_of_someone_else_does_not_verify_the_session(
    response, recruiter_socket, client, recruiter, owner
):
    await sync_to_async(TOTPDevice.objects.create)(user=recruiter, name="phone", confirmed=True)
    other = await sync_to_async(TOTPDevice.objects.create)(user=owner, name="phone", confirmed=True)
    _sock, (connected, code) = await _connect(recruiter_socket, response, client, recruiter, verified_with=other)
    assert (connected, code) == (False, 4403)


async def test_a_company_that_requires_two_factor_keeps_members_without_a_device_out(
    response, recruiter_socket, client, recruiter
):
    company = response.vacancy.company
    company.require_two_factor = True
    await sync_to_async(company.save)()
    _sock, (connected, code) = await _connect(recruiter_socket, response, client, recruiter)
    assert (connected, code) == (False, 4403)
