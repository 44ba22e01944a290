"""The hh.ru provider's contract, against the fake hh.ru on loopback (``fakes.hh``): the real HTTP client runs.

Effects are read on the fake: what it recorded (``negotiation``, ``requests``), never our own functions.
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from screening.boards import DECISION_DISCARD, DECISION_INVITE, Account, BoardError, provider
from screening.boards.hh import MAX_BODY, HHProvider

REDIRECT = "http://testserver/integrations/hh/callback"


@pytest.fixture
def hh():
    return HHProvider()


@pytest.fixture
def token(fake_hh):
    return fake_hh.grant_tokens()["access_token"]


def _ivan(fake, vacancy_id=None, **fields):
    defaults = {
        "email": "ivan@example.com",
        "phone": "+7 916 123-45-67",
        "title": "Python developer",
        "experience": [
            {
                "position": "Backend developer",
                "company": "Acme",
                "start": "2019-03-01",
                "end": None,
                "description": "Django and PostgreSQL",
            },
            {"position": "Intern", "company": "Globex", "start": "2018-01-01", "end": "2019-02-01"},
        ],
        "skills": ["Python", "Django"],
        "education": [{"name": "MSU", "organization": "CMC", "result": "Applied maths", "year": 2018}],
    }
    return fake.add_response(vacancy_id or fake.vacancy_ids[0], "Ivan", "Petrov", **{**defaults, **fields})


def _error(call) -> BoardError:
    with pytest.raises(BoardError) as caught:
        call()
    return caught.value


# --- OAuth -----------------------------------------------------------------------------------------------------
def test_the_registry_gives_the_hh_provider():
    assert isinstance(provider("hh"), HHProvider)


def test_the_owner_approves_and_the_code_becomes_tokens_that_work(fake_hh, hh):
    url = hh.authorize_url(state="st4te", redirect_uri=REDIRECT)
    assert url.startswith(f"{fake_hh.base_url}/oauth/authorize?")

    target = fake_hh.approve_url(url)

    assert target.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(target).query)
    assert query["state"] == ["st4te"]
    tokens = hh.exchange_code(code=query["code"][0], redirect_uri=REDIRECT)
    assert tokens.access_token and tokens.refresh_token
    assert dt.timedelta(days=13) < tokens.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=14)
    assert hh.account(access_token=tokens.access_token) == Account(
        id=fake_hh.employer_id, name="Demo Employer", manager_id=fake_hh.world.employers[fake_hh.employer_id].manager_id
    )
    token_call = fake_hh.requests_to("/token", "POST")[0]
    assert token_call.form["grant_type"] == "authorization_code"
    assert token_call.form["client_secret"] == fake_hh.client_secret


def test_a_code_is_single_use(fake_hh, hh):
    code = parse_qs(urlsplit(fake_hh.approve_url(hh.authorize_url(state="s", redirect_uri=REDIRECT))).query)["code"]
    hh.exchange_code(code=code[0], redirect_uri=REDIRECT)

    error = _error(lambda: hh.exchange_code(code=code[0], redirect_uri=REDIRECT))

    assert error.kind == "auth"
    assert "code has already been used" in error.detail


def test_a_denied_consent_comes_back_without_a_code(fake_hh, hh):
    target = fake_hh.approve_url(hh.authorize_url(state="s", redirect_uri=REDIRECT), allow=False)

    assert parse_qs(urlsplit(target).query) == {"error": ["access_denied"], "state": ["s"]}


def test_refresh_is_refused_before_expiry_and_accepted_after(fake_hh, hh):
    first = fake_hh.grant_tokens()

    early = _error(lambda: hh.refresh(refresh_token=first["refresh_token"]))
    assert (early.kind, early.retryable) == ("bad_request", False)
    assert "token not expired" in early.detail
    assert hh.account(access_token=first["access_token"]).id == fake_hh.employer_id  # still works

    fake_hh.expire_tokens()
    assert _error(lambda: hh.account(access_token=first["access_token"])).kind == "auth"
    renewed = hh.refresh(refresh_token=first["refresh_token"])

    assert renewed.access_token != first["access_token"]
    assert hh.account(access_token=renewed.access_token).id == fake_hh.employer_id
    spent = _error(lambda: hh.refresh(refresh_token=first["refresh_token"]))
    assert spent.kind == "auth"
    assert "already been refreshed" in spent.detail


def test_revoke_ends_the_token_and_revoking_again_is_not_an_error(fake_hh, hh, token):
    hh.revoke(access_token=token)

    error = _error(lambda: hh.account(access_token=token))
    assert error.kind == "auth"
    assert "token_revoked" in error.detail
    hh.revoke(access_token=token)
    assert [r.method for r in fake_hh.requests_to("/token")] == ["DELETE", "DELETE"]


def test_every_call_names_us_in_hh_user_agent(fake_hh, hh, token, settings):
    hh.account(access_token=token)

    assert fake_hh.requests[-1].headers["hh-user-agent"] == settings.HH_USER_AGENT


# --- vacancies --------------------------------------------------------------------------------------------------
def test_vacancies_are_read_across_every_page_without_the_archived(fake_hh, hh, token):
    added = [fake_hh.add_vacancy(f"Vacancy {i}") for i in range(110)]
    fake_hh.archive_vacancy(added[0])
    account = hh.account(access_token=token)

    vacancies = hh.vacancies(access_token=token, account=account)

    assert {v.id for v in vacancies} == set(fake_hh.vacancy_ids) | set(added[1:])
    pages = [r.query for r in fake_hh.requests_to(f"/employers/{fake_hh.employer_id}/vacancies/active")]
    assert [(q["page"], q["per_page"]) for q in pages] == [("0", "50"), ("1", "50"), ("2", "50")]
    first = next(v for v in vacancies if v.id == fake_hh.vacancy_ids[0])
    assert (first.name, first.area, first.archived) == ("Python-разработчик", "Москва", False)


def test_one_vacancy_says_when_it_is_archived(fake_hh, hh, token):
    fake_hh.archive_vacancy(fake_hh.vacancy_ids[1])

    assert hh.vacancy(access_token=token, vacancy_id=fake_hh.vacancy_ids[1]).archived is True
    assert hh.vacancy(access_token=token, vacancy_id=fake_hh.vacancy_ids[0]).archived is False


# --- responses --------------------------------------------------------------------------------------------------
def test_responses_come_from_every_collection_and_page_with_contacts_and_resume(fake_hh, hh, token):
    vacancy_id = fake_hh.vacancy_ids[0]
    ivan = _ivan(fake_hh)
    others = [fake_hh.add_response(vacancy_id, f"Name{i}", "Doe", email=f"c{i}@example.com") for i in range(55)]
    fake_hh.set_employer_state(others[0], "interview")
    fake_hh.set_employer_state(others[1], "discard_by_employer")
    fake_hh.add_response(fake_hh.vacancy_ids[1], "Other", "Vacancy")

    responses = list(hh.responses(access_token=token, vacancy_id=vacancy_id))

    assert sorted(r.negotiation_id for r in responses) == sorted([ivan, *others])
    got = next(r for r in responses if r.negotiation_id == ivan)
    assert (got.full_name, got.email, got.phone, got.city) == (
        "Ivan Petrov",
        "ivan@example.com",
        "+79161234567",
        "Москва",
    )
    assert got.vacancy_id == vacancy_id
    assert got.state == "response"
    assert got.resume_id == fake_hh.negotiation(ivan)["resume_id"]
    assert got.created_at.tzinfo is not None
    for text in ("Python developer", "Backend developer, Acme (2019-03 – ", "Django and PostgreSQL",
                 "Intern, Globex (2018-01 – 2019-02)", "Python, Django", "MSU, CMC, Applied maths, 2018"):  # fmt: skip
        assert text in got.resume_text
    assert {r.state for r in responses if r.negotiation_id in others[:2]} == {"interview", "discard_by_employer"}
    # The full resume is read by the item's resume.url (with topic_id), which marks the response viewed on hh.ru.
    assert fake_hh.negotiation(ivan)["viewed"] is True
    resume_calls = fake_hh.requests_to("/resumes/")
    assert len(resume_calls) == 56
    assert all("topic_id" in r.query for r in resume_calls)
    pages = [r.query.get("page") for r in fake_hh.requests_to("/negotiations/response")]
    assert pages == ["0", "1"]


def test_contacts_stay_empty_when_the_tariff_does_not_open_them(fake_hh, hh):
    employer = fake_hh.add_employer("Budget LLC", contacts_tariff=False)
    vacancy = fake_hh.add_vacancy("Courier", employer_id=employer)
    nid = _ivan(fake_hh, vacancy)
    token = fake_hh.grant_tokens(employer)["access_token"]

    (got,) = hh.responses(access_token=token, vacancy_id=vacancy)

    assert (got.negotiation_id, got.email, got.phone) == (nid, "", "")
    assert got.full_name == "Ivan Petrov"  # the short resume of a response keeps the names
    assert "Backend developer" in got.resume_text


def test_a_response_with_closed_contacts_comes_without_them(fake_hh, hh, token):
    _ivan(fake_hh, contacts_open=False)

    (got,) = hh.responses(access_token=token, vacancy_id=fake_hh.vacancy_ids[0])

    assert (got.email, got.phone, got.first_name) == ("", "", "Ivan")


def test_a_refused_full_resume_falls_back_to_the_short_one(fake_hh, hh, token):
    _ivan(fake_hh)
    fake_hh.fail_next("/resumes/", 403, body={"errors": [{"type": "resumes", "value": "cant_view_contacts"}]})

    (got,) = hh.responses(access_token=token, vacancy_id=fake_hh.vacancy_ids[0])

    assert (got.full_name, got.email, got.extra["full_resume"]) == ("Ivan Petrov", "", False)
    assert "Backend developer, Acme" in got.resume_text


# --- invitation and decisions ----------------------------------------------------------------------------------
def test_the_invitation_moves_the_response_to_a_phone_interview_with_our_message(fake_hh, hh, token):
    nid = _ivan(fake_hh)

    hh.invite_to_screening(access_token=token, negotiation_id=nid, message="Screening: http://x/chat/abc")

    record = fake_hh.negotiation(nid)
    assert (record["employer_state"], record["state"]) == ("phone_interview", "invitation")
    assert [(a["action"], a["message"]) for a in record["actions"]] == [
        ("phone_interview", "Screening: http://x/chat/abc")
    ]
    assert fake_hh.requests_to(f"/negotiations/phone_interview/{nid}", "PUT")[0].form == {
        "message": "Screening: http://x/chat/abc"
    }


def test_an_already_invited_response_gets_the_invitation_as_a_message(fake_hh, hh, token):
    nid = _ivan(fake_hh)
    fake_hh.set_employer_state(nid, "interview")

    hh.invite_to_screening(access_token=token, negotiation_id=nid, message="Screening link")

    record = fake_hh.negotiation(nid)
    assert record["employer_state"] == "interview"
    assert record["actions"] == []
    assert record["messages"] == [{"text": "Screening link", "author": "employer", "state": "invitation"}]


def test_a_response_declined_on_hh_is_not_invited(fake_hh, hh, token):
    nid = _ivan(fake_hh)
    fake_hh.set_employer_state(nid, "discard_by_employer")

    assert _error(lambda: hh.invite_to_screening(access_token=token, negotiation_id=nid, message="m")).kind == (
        "bad_request"
    )
    assert fake_hh.negotiation(nid)["actions"] == []


def test_a_positive_decision_invites_to_an_interview_once(fake_hh, hh, token):
    nid = _ivan(fake_hh)
    hh.invite_to_screening(access_token=token, negotiation_id=nid, message="link")

    for _ in range(2):
        hh.write_decision(access_token=token, negotiation_id=nid, decision=DECISION_INVITE, message="Welcome")

    record = fake_hh.negotiation(nid)
    assert record["employer_state"] == "interview"
    assert [(a["action"], a["message"]) for a in record["actions"]] == [
        ("phone_interview", "link"),
        ("interview", "Welcome"),
    ]


def test_a_rejection_is_written_once_and_a_changed_decision_again(fake_hh, hh, token):
    nid = _ivan(fake_hh)

    hh.write_decision(access_token=token, negotiation_id=nid, decision=DECISION_DISCARD, message="Sorry")
    hh.write_decision(access_token=token, negotiation_id=nid, decision=DECISION_DISCARD, message="Sorry")
    hh.write_decision(access_token=token, negotiation_id=nid, decision=DECISION_INVITE, message="Come after all")

    record = fake_hh.negotiation(nid)
    assert [(a["action"], a["message"]) for a in record["actions"]] == [
        ("discard_by_employer", "Sorry"),
        ("interview", "Come after all"),
    ]
    assert record["state"] == "invitation"


def test_a_decision_hh_does_not_allow_now_is_a_bad_request(fake_hh, hh, token):
    nid = _ivan(fake_hh)
    fake_hh.set_employer_state(nid, "hired")

    error = _error(
        lambda: hh.write_decision(access_token=token, negotiation_id=nid, decision=DECISION_DISCARD, message="m")
    )

    assert (error.kind, error.detail) == ("bad_request", "hired")
    assert fake_hh.requests_to("/negotiations/discard_by_employer") == []


# --- errors ---------------------------------------------------------------------------------------------------
def test_too_many_requests_is_a_rate_limit_with_retry_after(fake_hh, hh, token):
    fake_hh.fail_next("/negotiations", 429, retry_after=7)

    error = _error(lambda: list(hh.responses(access_token=token, vacancy_id=fake_hh.vacancy_ids[0])))

    assert (error.kind, error.retry_after, error.retryable, error.status) == ("rate_limit", 7.0, True, 429)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (503, None, "unavailable"),
        (500, b"<html>oops</html>", "unavailable"),
        (400, {"errors": [{"type": "bad_argument", "value": "vacancy_id"}]}, "bad_request"),
        (409, {"errors": [{"type": "conflict"}]}, "bad_request"),
        (404, None, "not_found"),
        (403, None, "paid"),
        (200, b"{not json", "unavailable"),
        (200, b"[1, 2]", "unavailable"),
    ],
)
def test_each_failure_has_its_kind(fake_hh, hh, token, status, body, kind):
    fake_hh.fail_next("/me", status, body=body)

    error = _error(lambda: hh.account(access_token=token))

    assert error.kind == kind
    assert error.retryable is (kind == "unavailable")


def test_a_tariff_without_paid_api_says_what_to_buy(fake_hh, hh, token):
    fake_hh.paid_api = False

    error = _error(lambda: list(hh.responses(access_token=token, vacancy_id=fake_hh.vacancy_ids[0])))

    assert (error.kind, error.status) == ("paid", 403)
    assert "action_must_be_payed" in error.detail
    assert "API access" in error.message


def test_an_archived_vacancy_refuses_decisions_as_archived(fake_hh, hh, token):
    nid = _ivan(fake_hh)
    fake_hh.archive_vacancy(fake_hh.vacancy_ids[0])

    error = _error(
        lambda: hh.write_decision(access_token=token, negotiation_id=nid, decision=DECISION_DISCARD, message="m")
    )

    assert error.kind == "archived"
    assert fake_hh.negotiation(nid)["employer_state"] == "response"


def test_unknown_things_are_not_found(fake_hh, hh, token):
    assert _error(lambda: list(hh.responses(access_token=token, vacancy_id="123"))).kind == "not_found"
    assert _error(lambda: hh.invite_to_screening(access_token=token, negotiation_id="9", message="m")).kind == (
        "not_found"
    )


def test_a_bad_token_is_auth(fake_hh, hh):
    error = _error(lambda: hh.account(access_token="not-a-token"))

    assert (error.kind, error.status) == ("auth", 403)
    assert "bad_authorization" in error.detail


def test_a_huge_body_is_unavailable_not_a_crash(fake_hh, hh, token):
    fake_hh.fail_next("/me", 200, body=b'{"a": "' + b"x" * MAX_BODY + b'"}')

    assert _error(lambda: hh.account(access_token=token)).kind == "unavailable"


def test_a_slow_board_times_out_as_unavailable(fake_hh, hh, token, settings):
    settings.HH_TIMEOUT = 0.2
    fake_hh.fail_next("/me", 200, body={"employer": {"id": "1"}}, delay=2)

    assert _error(lambda: hh.account(access_token=token)).kind == "unavailable"


def test_an_unreachable_board_is_unavailable(hh, settings):
    settings.HH_API_URL = "http://127.0.0.1:9"

    error = _error(lambda: hh.account(access_token="t"))

    assert (error.kind, error.retryable) == ("unavailable", True)


# --- the fake itself, where other tests rely on its faithfulness -------------------------------------------------
def _raw(fake, method, path, headers=None, body=None):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", int(fake.base_url.rsplit(":", 1)[1]), timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_fake_refuses_a_call_without_a_user_agent(fake_hh, token):
    status, body = _raw(fake_hh, "GET", "/me", {"Authorization": f"Bearer {token}"})

    assert (status, body) == (400, b'{"errors": [{"type": "bad_user_agent", "value": "unset"}]}')


def test_the_fake_keeps_the_legacy_token_endpoint_and_refuses_a_foreign_client(fake_hh):
    form = "grant_type=authorization_code&client_id=someone&client_secret=x&code=y"
    headers = {"User-Agent": "t", "Content-Type": "application/x-www-form-urlencoded"}

    status, body = _raw(fake_hh, "POST", "/oauth/token", headers, form)

    assert status == 400
    assert b'"error": "invalid_client"' in body
    assert _raw(fake_hh, "GET", "/oauth/authorize?response_type=code&client_id=someone")[0] == 400


def test_the_fake_refuses_a_message_before_an_invitation_and_a_move_not_allowed(fake_hh, token):
    nid = _ivan(fake_hh)
    headers = {"User-Agent": "t", "Authorization": f"Bearer {token}"}
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}

    assert _raw(fake_hh, "POST", f"/negotiations/{nid}/messages", form, "message=hi") == (
        403,
        b'{"errors": [{"type": "negotiations", "value": "no_invitation"}]}',
    )
    assert _raw(fake_hh, "PUT", f"/negotiations/hired/{nid}", form, "")[1] == (
        b'{"errors": [{"type": "negotiations", "value": "wrong_state"}]}'
    )
