"""The Avito provider against the fake Avito on loopback: the ``base.Provider`` contract, request by request."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from screening.boards import DECISION_DISCARD, DECISION_INVITE, BoardError
from screening.boards.avito import SCOPES, AvitoProvider

REDIRECT = "http://testserver/integrations/avito/callback/"


@pytest.fixture
def avito():
    return AvitoProvider()


@pytest.fixture
def token(fake_avito):
    return fake_avito.grant_tokens()["access_token"]


def _experience():
    return [
        {
            "company": "Пятёрочка",
            "position": "Кассир",
            "responsibilities": "Работа на кассе, выкладка товара",
            "work_start": "2021-03-01",
            "work_finish": None,
        }
    ]


# --- OAuth -------------------------------------------------------------------------------------------------------
def test_connecting_goes_through_the_consent_page_and_exchanges_the_code_for_tokens(fake_avito, avito):
    fake_avito.redirect_uri = REDIRECT
    url = avito.authorize_url(state="st-1", redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(fake_avito.base_url + "/oauth?")
    assert query["response_type"] == ["code"] and query["client_id"] == [fake_avito.client_id]
    assert query["scope"] == [",".join(SCOPES)] and query["state"] == ["st-1"]
    assert "redirect_uri" not in query  # Avito redirects to the registered URI

    back = fake_avito.approve_url(url)
    assert back.startswith(REDIRECT)
    answer = parse_qs(urlsplit(back).query)
    assert answer["state"] == ["st-1"]
    tokens = avito.exchange_code(code=answer["code"][0], redirect_uri=REDIRECT)

    assert tokens.access_token and tokens.refresh_token
    assert dt.timedelta(hours=23) < tokens.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)
    (call,) = fake_avito.requests_to("/token")
    assert call.form["grant_type"] == "authorization_code" and call.form["client_secret"] == fake_avito.client_secret
    assert avito.account(access_token=tokens.access_token).id == str(fake_avito.user_id)


def test_a_denied_consent_comes_back_with_an_error_and_no_code(fake_avito, avito):
    back = fake_avito.approve_url(avito.authorize_url(state="st-2", redirect_uri=REDIRECT), allow=False)
    assert parse_qs(urlsplit(back).query) == {"error": ["access_denied"], "state": ["st-2"]}


def test_a_used_code_is_refused_as_auth(fake_avito, avito):
    back = fake_avito.approve_url(avito.authorize_url(state="s", redirect_uri=REDIRECT))
    code = parse_qs(urlsplit(back).query)["code"][0]
    avito.exchange_code(code=code, redirect_uri=REDIRECT)
    with pytest.raises(BoardError) as caught:
        avito.exchange_code(code=code, redirect_uri=REDIRECT)
    assert caught.value.kind == "auth" and caught.value.status == 400


def test_an_expired_token_is_auth_and_refresh_gives_a_new_working_pair(fake_avito, avito):
    pair = fake_avito.grant_tokens()
    fake_avito.expire_tokens()
    with pytest.raises(BoardError) as caught:
        avito.account(access_token=pair["access_token"])
    assert caught.value.kind == "auth" and caught.value.status == 403 and not caught.value.retryable

    tokens = avito.refresh(refresh_token=pair["refresh_token"])
    assert tokens.refresh_token != pair["refresh_token"]
    assert avito.account(access_token=tokens.access_token).name == "Demo Employer"
    with pytest.raises(BoardError) as again:  # a refresh token is replaced with the pair
        avito.refresh(refresh_token=pair["refresh_token"])
    assert again.value.kind == "auth"


def test_revoke_is_a_documented_no_op_that_calls_nothing(fake_avito, avito, token):
    avito.revoke(access_token=token)
    assert fake_avito.requests == []


def test_a_token_without_a_scope_is_refused_as_auth(fake_avito, avito):
    token = fake_avito.grant_tokens(scope="user:read")["access_token"]
    with pytest.raises(BoardError) as caught:
        avito.vacancies(access_token=token, account=avito.account(access_token=token))
    assert caught.value.kind == "auth"


# --- account and vacancies -------------------------------------------------------------------------------------
def test_vacancies_are_the_accounts_active_job_items_over_all_pages(fake_avito, avito, token):
    extra = [fake_avito.add_vacancy(f"Грузчик {n}") for n in range(60)]
    fake_avito.archive_vacancy(extra[0])
    other = fake_avito.add_account("Other")
    fake_avito.add_vacancy("Чужая", user_id=other)

    found = avito.vacancies(access_token=token, account=avito.account(access_token=token))

    ids = [v.id for v in found]
    assert ids == [str(v) for v in [*fake_avito.vacancy_ids, *extra[1:]]]
    first = found[0]
    assert (first.name, first.area, first.archived) == ("Продавец-кассир", "Москва", False)
    assert first.url.startswith("https://www.avito.ru/")
    pages = fake_avito.requests_to("/core/v1/items")
    assert [c.query["page"] for c in pages] == ["1", "2"]
    assert {c.query["category"] for c in pages} == {"111"} and {c.query["status"] for c in pages} == {"active"}


def test_one_vacancy_says_whether_it_is_archived(fake_avito, avito, token):
    vacancy_id = fake_avito.vacancy_ids[1]
    live = avito.vacancy(access_token=token, vacancy_id=str(vacancy_id))
    assert (live.name, live.area, live.archived) == ("Курьер", "Санкт-Петербург", False)
    fake_avito.archive_vacancy(vacancy_id)
    assert avito.vacancy(access_token=token, vacancy_id=str(vacancy_id)).archived is True


def test_an_unknown_or_foreign_vacancy_is_not_found(fake_avito, avito, token):
    with pytest.raises(BoardError) as unknown:
        avito.vacancy(access_token=token, vacancy_id="999")
    assert unknown.value.kind == "not_found"
    foreign = fake_avito.add_vacancy("Чужая", user_id=fake_avito.add_account("Other"))
    with pytest.raises(BoardError) as caught:
        avito.vacancy(access_token=token, vacancy_id=str(foreign))
    assert caught.value.kind == "not_found" and caught.value.status == 403


# --- responses ---------------------------------------------------------------------------------------------------
def test_responses_are_mapped_with_contacts_and_the_resume_text(fake_avito, avito, token):
    vacancy_id = fake_avito.vacancy_ids[0]
    application_id = fake_avito.add_application(
        vacancy_id, "Иван", "Иванов", middle_name="Петрович", phone="79211234455", email="ivan@example.test",
        city="Казань", resume={"title": "Кассир", "salary": 60000, "experience": _experience(),
                               "description": "Ответственный, без вредных привычек"},
        prevalidation={"status": "success", "summary": [{"label": "Гражданство", "value": "РФ", "variable": "x"}]},
    )  # fmt: skip
    fake_avito.add_application(fake_avito.vacancy_ids[1], "Другой", "Кандидат")

    (response,) = list(avito.responses(access_token=token, vacancy_id=str(vacancy_id)))

    assert response.negotiation_id == application_id and response.vacancy_id == str(vacancy_id)
    assert response.full_name == "Иван Петрович Иванов"
    assert (response.email, response.phone, response.city, response.state) == (
        "ivan@example.test", "+79211234455", "Казань", "new",
    )  # fmt: skip
    assert response.created_at.tzinfo is not None
    assert response.resume_url.startswith("https://www.avito.ru/moskva/rezume/")
    for text in ("Кассир", "Salary: 60000", "Кассир, Пятёрочка (2021-03-01 – present)", "Работа на кассе",
                 "Ответственный", "Гражданство: РФ"):  # fmt: skip
        assert text in response.resume_text
    assert response.extra["chat_id"].startswith("u2i-") and response.extra["type"] == "by_chat"
    (ids_call,) = fake_avito.requests_to("/job/v1/applications/get_ids")[:1]
    assert ids_call.query["vacancyIds"] == str(vacancy_id) and "updatedAtFrom" in ids_call.query


def test_responses_page_with_the_cursor_until_an_empty_page(fake_avito, avito, token):
    fake_avito.page_size = 2
    vacancy_id = fake_avito.vacancy_ids[0]
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    ids = [
        fake_avito.add_application(vacancy_id, f"Имя{n}", "Фамилия", created_at=start + dt.timedelta(hours=n))
        for n in range(5)
    ]

    found = [r.negotiation_id for r in avito.responses(access_token=token, vacancy_id=str(vacancy_id))]

    assert found == list(reversed(ids))  # newest first, each once
    calls = fake_avito.requests_to("/job/v1/applications/get_ids")
    assert [c.query.get("cursor") for c in calls] == [None, ids[3], ids[1], ids[0]]
    assert len(fake_avito.requests_to("/job/v1/applications/get_by_ids")) == 3


def test_a_response_by_phone_without_resume_keeps_the_phone_and_name(fake_avito, avito, token):
    vacancy_id = fake_avito.vacancy_ids[0]
    fake_avito.add_application(vacancy_id, "Пётр", "Петров", phone="79990001122", chat=False, resume=False)
    (response,) = avito.responses(access_token=token, vacancy_id=str(vacancy_id))
    assert (response.full_name, response.phone, response.email, response.resume_text) == (
        "Пётр Петров", "+79990001122", "", "",
    )  # fmt: skip
    assert response.extra["type"] == "by_phone" and fake_avito.requests_to("/job/v1/resumes/") == []


def test_contacts_refused_for_payment_leave_the_email_empty_and_say_so(fake_avito, avito, token):
    vacancy_id = fake_avito.vacancy_ids[0]
    fake_avito.add_application(vacancy_id, "Анна", "Смирнова", email="anna@example.test", phone="79001112233")
    fake_avito.contacts_paid = False
    (response,) = avito.responses(access_token=token, vacancy_id=str(vacancy_id))
    assert response.email == "" and response.phone == "+79001112233"
    assert response.extra["contacts_error"] == "paid"


# --- invitations and decisions -----------------------------------------------------------------------------------
def test_the_invitation_is_a_message_in_the_responses_chat(fake_avito, avito, token):
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Иван", "Иванов")
    avito.invite_to_screening(access_token=token, negotiation_id=application_id, message="Пройдите: http://x/c/1")

    record = fake_avito.application(application_id)
    assert [m["content"]["text"] for m in record["messages"]] == ["Пройдите: http://x/c/1"]
    assert record["state"] == "new"  # an invitation to our screening is not a state on Avito
    (call,) = fake_avito.requests_to("/messenger/")
    assert (
        call.path == f"/messenger/v1/accounts/{fake_avito.user_id}/chats/{record['contacts']['chat']['value']}/messages"
    )
    assert call.form == {"message": {"text": "Пройдите: http://x/c/1"}, "type": "text"}


def test_a_response_by_phone_cannot_be_invited(fake_avito, avito, token):
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Пётр", "Петров", chat=False, resume=False)
    with pytest.raises(BoardError) as caught:
        avito.invite_to_screening(access_token=token, negotiation_id=application_id, message="Hi")
    assert caught.value.kind == "bad_request" and "phone" in caught.value.message
    assert fake_avito.requests_to("/messenger/") == []


def test_a_message_longer_than_avito_allows_is_refused_before_sending(fake_avito, avito, token):
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Иван", "Иванов")
    with pytest.raises(BoardError) as caught:
        avito.invite_to_screening(access_token=token, negotiation_id=application_id, message="x" * 1001)
    assert caught.value.kind == "bad_request" and fake_avito.requests_to("/messenger/") == []


def test_without_the_maximum_subscription_messages_are_paid(fake_avito, avito, token):
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Иван", "Иванов")
    fake_avito.messenger_tariff = False
    with pytest.raises(BoardError) as caught:
        avito.invite_to_screening(access_token=token, negotiation_id=application_id, message="Hi")
    assert caught.value.kind == "paid" and "Максимальный" in caught.value.message


@pytest.mark.parametrize(("decision", "state"), [(DECISION_INVITE, "invited"), (DECISION_DISCARD, "rejected")])
def test_a_decision_sets_the_state_and_sends_the_message(fake_avito, avito, token, decision, state):
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Иван", "Иванов")
    avito.write_decision(access_token=token, negotiation_id=application_id, decision=decision, message="Спасибо!")

    record = fake_avito.application(application_id)
    assert record["state"] == state and [a["action"] for a in record["actions"]] == [state]
    assert [m["content"]["text"] for m in record["messages"]] == ["Спасибо!"]
    (call,) = fake_avito.requests_to("/job/v1/applications/apply_actions")
    assert call.form == {"action": state, "ids": [application_id]}


def test_a_decision_changed_later_is_written_again(fake_avito, avito, token):
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Иван", "Иванов", chat=False)
    avito.write_decision(access_token=token, negotiation_id=application_id, decision=DECISION_INVITE, message="Да")
    avito.write_decision(access_token=token, negotiation_id=application_id, decision=DECISION_DISCARD, message="")
    record = fake_avito.application(application_id)
    assert [a["action"] for a in record["actions"]] == ["invited", "rejected"] and record["messages"] == []


def test_states_are_found_by_description_when_the_slugs_differ(fake_avito, avito, token):
    fake_avito.set_states([{"slug": "new", "description": "Новый"}, {"slug": "st_7", "description": "Отказ кандидату"}])
    application_id = fake_avito.add_application(fake_avito.vacancy_ids[0], "Иван", "Иванов", chat=False)
    avito.write_decision(access_token=token, negotiation_id=application_id, decision=DECISION_DISCARD, message="")
    assert fake_avito.application(application_id)["state"] == "st_7"
    with pytest.raises(BoardError) as caught:
        avito.write_decision(access_token=token, negotiation_id=application_id, decision=DECISION_INVITE, message="")
    assert caught.value.kind == "bad_request" and "invite" in caught.value.message


def test_a_decision_on_an_unknown_response_is_not_found(fake_avito, avito, token):
    with pytest.raises(BoardError) as caught:
        avito.write_decision(access_token=token, negotiation_id="0" * 24, decision=DECISION_INVITE, message="x")
    assert caught.value.kind == "not_found" and fake_avito.requests_to("/job/v1/applications/apply_actions") == []


# --- errors ------------------------------------------------------------------------------------------------------
def test_429_is_a_rate_limit_with_retry_after(fake_avito, avito, token):
    fake_avito.fail_next(429, retry_after=7, path="/job/v1/applications/get_ids")
    with pytest.raises(BoardError) as caught:
        list(avito.responses(access_token=token, vacancy_id=str(fake_avito.vacancy_ids[0])))
    assert (caught.value.kind, caught.value.retry_after, caught.value.retryable) == ("rate_limit", 7.0, True)
    assert list(avito.responses(access_token=token, vacancy_id=str(fake_avito.vacancy_ids[0]))) == []


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, None, "auth"),
        (403, None, "auth"),
        (402, None, "paid"),
        (403, {"error": {"code": 402, "message": "Payment required"}}, "paid"),
        (404, None, "not_found"),
        (400, None, "bad_request"),
        (500, None, "unavailable"),
        (503, None, "unavailable"),
        (200, b"<html>not json</html>", "unavailable"),
        (200, {"unexpected": True}, "unavailable"),
    ],
)
def test_each_failure_maps_to_its_kind(fake_avito, avito, token, status, body, kind):
    fake_avito.fail_next(status, body=body, path="/core/v1/accounts/self")
    with pytest.raises(BoardError) as caught:
        avito.account(access_token=token)
    assert caught.value.kind == kind
    assert caught.value.retryable is (kind == "unavailable")


def test_an_answer_too_large_to_read_is_unavailable(fake_avito, avito, token):
    fake_avito.fail_next(200, body=b"[" + b"1," * (3 * 1024 * 1024) + b"1]", path="/core/v1/accounts/self")
    with pytest.raises(BoardError) as caught:
        avito.account(access_token=token)
    assert caught.value.kind == "unavailable" and "too large" in caught.value.message


def test_the_fake_redirects_to_our_integrations_callback(fake_avito, avito, settings):
    back = fake_avito.approve_url(avito.authorize_url(state="s", redirect_uri="ignored"))
    assert back.startswith(settings.SITE_URL + "/responses/integrations/callback/?code=")


def test_a_server_that_is_down_is_unavailable(settings, avito):
    settings.AVITO_API_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(BoardError) as caught:
        avito.account(access_token="x")
    assert caught.value.kind == "unavailable" and caught.value.retryable


def test_the_provider_satisfies_the_interface(avito):
    from screening.boards.base import Provider

    assert (avito.name, avito.title) == ("avito", "Avito")
    for method in ("authorize_url", "exchange_code", "refresh", "revoke", "account", "vacancies", "vacancy",
                   "responses", "invite_to_screening", "write_decision"):  # fmt: skip
        assert callable(getattr(avito, method)) and hasattr(Provider, method)
