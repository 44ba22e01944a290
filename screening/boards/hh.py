"""The hh.ru employer API client (``base.Provider``), built against the public ``hhru/api`` documentation.

References are to /work/helpers/hh_api.md (§N), which cites the ``hhru/api`` paths:
- OAuth 2 (§1): authorize ``{HH_OAUTH_URL}/oauth/authorize``; tokens ``POST {HH_API_URL}/token`` (form body);
  revoke ``DELETE {HH_API_URL}/token`` (``docs/authorization_for_user.md`` before ``ac6c945``, current OpenAPI).
  A refresh token is single-use and works only after the access token expired: earlier, hh.ru answers
  ``invalid_grant``/``token not expired``, raised here as "bad_request" (the old token still works).
- ``GET /me`` (§2.1, ``docs/me.md``), ``GET /employers/{id}/vacancies/active`` (§2.2,
  ``docs/employer_vacancies.md``), ``GET /vacancies/{id}`` (§2.3).
- Negotiations (§3, ``docs/employer_negotiations.md`` at ``82e932e``): collections per vacancy, each collection
  paged (0-based, ``per_page`` at most 50), the full resume by the item's ``resume.url`` (it carries
  ``topic_id``); state changes through the item's ``actions[]`` (url + method, form field ``message``, 204,
  §4.1); ``POST /negotiations/{nid}/messages`` only after an invitation (§4.3).
- Errors (§1.6, §5, ``docs/errors.md``): ``{"errors": [{"type", "value"}]}``; a bad token is 403 ``oauth``;
  a paid method is 403 ``api_access_payment``/``action_must_be_payed``.

Every request sends ``HH-User-Agent`` (§0), has ``HH_TIMEOUT``, reads at most ``MAX_BODY`` bytes, and only
follows URLs under ``HH_API_URL`` (the board's ``url`` fields must not carry our token elsewhere).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Container, Iterator
from urllib.parse import quote, urlencode

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from .base import (
    DECISION_DISCARD,
    DECISION_INVITE,
    Account,
    BoardError,
    BoardResponse,
    BoardVacancyInfo,
    Tokens,
)
from .hh_resume import as_dict, as_list, as_str, response_from

PER_PAGE = 50  # hh.ru's maximum (§0)
MAX_PAGES = 100  # per list: 5000 vacancies or responses per collection is far beyond a real vacancy
MAX_BODY = 5 * 1024 * 1024  # bytes of one response body
MAX_DETAIL = 1000  # characters of the board's error text kept in ``BoardError.detail``

# The first of these enabled on a response is how it is invited to the screening (a first, phone-like step).
SCREENING_ACTIONS = ("phone_interview", "assessment", "consider", "invitation")
# A response already invited or further on: the screening link goes as a message instead.
INVITED_STATES = frozenset({"phone_interview", "assessment", "invitation", "interview", "offer", "hired"})
INVITE_ACTIONS = ("interview", "invitation", "offer")
DECIDED_INVITE_STATES = frozenset({"interview", "invitation", "offer", "hired"})
# Error values that mean "the employer's tariff does not include this" (§5, §7).
PAID_VALUES = frozenset(
    {"action_must_be_payed", "not_enough_purchased_services", "no_available_service", "cant_view_contacts"}
)
ARCHIVED_VALUES = frozenset({"invalid_vacancy", "archived", "unavailable_for_archived"})


class HHProvider:
    """hh.ru behind ``base.Provider``. Stateless: every method takes the token it needs."""

    name = "hh"
    title = "hh.ru"
    # hh.ru refuses a refresh while the access token is valid (400 invalid_grant "token not expired", §1.3).
    refresh_early_seconds = 0

    # --- OAuth 2 (§1) ----------------------------------------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """``{HH_OAUTH_URL}/oauth/authorize?response_type=code&client_id=&state=&redirect_uri=`` (§1.1)."""
        query = urlencode(
            {"response_type": "code", "client_id": settings.HH_CLIENT_ID, "state": state, "redirect_uri": redirect_uri}
        )
        return f"{settings.HH_OAUTH_URL}/oauth/authorize?{query}"

    def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        """``POST /token`` with ``grant_type=authorization_code`` (§1.2)."""
        return self._token(
            {
                "grant_type": "authorization_code",
                "client_id": settings.HH_CLIENT_ID,
                "client_secret": settings.HH_CLIENT_SECRET,
                "code": code,
                "redirect_uri": redirect_uri,
            }
        )

    def refresh(self, *, refresh_token: str) -> Tokens:
        """``POST /token`` with ``grant_type=refresh_token`` (§1.3): a new pair; the old refresh token is spent.

        Only after the access token expired: before, "bad_request" with ``detail`` "token not expired".
        """
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, *, access_token: str) -> None:
        """``DELETE /token`` (§1.4): 204. A token hh.ru already refuses (403 ``oauth``) is not an error."""
        try:
            self._call("DELETE", "/token", access_token=access_token, want_json=False)
        except BoardError as error:
            if error.kind != "auth":
                raise

    def _token(self, form: dict) -> Tokens:
        with self._client() as client:
            status, headers, body = _send(client, "POST", f"{settings.HH_API_URL}/token", data=form)
        if status != 200:
            raise _token_error(status, body, headers)
        data = _json_object(body)
        access, refresh = as_str(data.get("access_token"), 2000), as_str(data.get("refresh_token"), 2000)
        if not access:
            raise BoardError("unavailable", _("hh.ru answered without a token."), detail=_detail(body), status=status)
        expires_in = data.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and 0 < expires_in < 10**9:
            expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in)
        return Tokens(access_token=access, refresh_token=refresh, expires_at=expires_at)

    # --- account and vacancies (§2) ------------------------------------------------------------------------
    def account(self, *, access_token: str) -> Account:
        """``GET /me``: the employer and the manager the token acts for."""
        me = self._call("GET", "/me", access_token=access_token)
        employer, manager = as_dict(me.get("employer")), as_dict(me.get("manager"))
        employer_id = as_str(employer.get("id"), 40)
        if not employer_id:
            raise BoardError("bad_request", _("This hh.ru account is not an employer's account."), status=200)
        manager_id = as_str(manager.get("id"), 40) or as_str(employer.get("manager_id"), 40)
        return Account(id=employer_id, name=as_str(employer.get("name")), manager_id=manager_id)

    def vacancies(self, *, access_token: str, account: Account) -> list[BoardVacancyInfo]:
        """Every page of ``GET /employers/{id}/vacancies/active`` (the current manager's active vacancies)."""
        path = f"/employers/{_seg(account.id)}/vacancies/active"
        found = []
        for page in self._pages(path, access_token=access_token):
            found += [v for v in (_vacancy(item) for item in as_list(page.get("items"))) if v]
        return found

    def vacancy(self, *, access_token: str, vacancy_id: str) -> BoardVacancyInfo:
        """``GET /vacancies/{id}``: an archived vacancy is still readable, with ``archived`` true."""
        info = _vacancy(self._call("GET", f"/vacancies/{_seg(vacancy_id)}", access_token=access_token))
        if info is None:
            raise BoardError("unavailable", _("hh.ru answered with a vacancy we could not read."))
        return info

    # --- responses (§3, §7) ----------------------------------------------------------------------------------
    def responses(
        self, *, access_token: str, vacancy_id: str, known: Container[str] = frozenset()
    ) -> Iterator[BoardResponse]:
        """Every response to the vacancy: each collection of ``GET /negotiations?vacancy_id=``, every page, and
        each one's full resume by ``resume.url`` for the contacts. A full resume refused (403, 404) leaves the
        short one; a response seen in two collections (moved meanwhile) is given once; one in ``known`` is not
        given at all, and its resume not opened (hh.ru counts resume views: ``resumes/view_limit_exceeded``)."""
        index = self._call("GET", "/negotiations", access_token=access_token, params={"vacancy_id": vacancy_id})
        seen: set[str] = set()
        collections = [as_dict(c) for c in as_list(index.get("collections"))]
        for collection in collections:
            collection_id = as_str(collection.get("id"), 80)
            if not collection_id:
                continue
            fallback = f"/negotiations/{_seg(collection_id)}?vacancy_id={_seg(vacancy_id)}"
            url = as_str(collection.get("url"), 2000) or fallback
            for page in self._pages(url, access_token=access_token):
                for item in [as_dict(i) for i in as_list(page.get("items"))]:
                    nid = as_str(item.get("id"), 40)
                    if not nid or nid in seen or nid in known:
                        continue
                    seen.add(nid)
                    full = self._full_resume(access_token, as_dict(item.get("resume")))
                    response = response_from(item, full, vacancy_id=str(vacancy_id), collection=collection_id)
                    if response is not None:
                        yield response

    def _full_resume(self, access_token: str, short: dict) -> dict | None:
        url = as_str(short.get("url"), 2000)
        if not url:
            return None
        try:
            return self._call("GET", url, access_token=access_token)
        except BoardError as error:
            # No access to this resume for the tariff, or it is gone: the short resume is what we get.
            if error.kind in ("paid", "not_found", "bad_request"):
                return None
            raise

    # --- writes (§4) -----------------------------------------------------------------------------------------
    def invite_to_screening(self, *, access_token: str, negotiation_id: str, message: str) -> None:
        """Move the response to the first enabled of ``SCREENING_ACTIONS`` that takes a message, with ``message``;
        a response already invited (or further on) gets ``message`` as a message instead (§4.3).

        A response already declined on hh.ru is not revived: "bad_request".
        """
        negotiation = self._negotiation(access_token, negotiation_id)
        employer_state = _state_id(negotiation, "employer_state")
        if employer_state.startswith("discard"):
            raise BoardError("bad_request", _("The candidate was already declined on hh.ru."), detail=employer_state)
        if employer_state not in INVITED_STATES and _state_id(negotiation, "state") != "invitation":
            action = _pick(negotiation, SCREENING_ACTIONS, with_message=True)
            if action is not None:
                self._act(access_token, action, message)
                return
        self._call(
            "POST",
            f"/negotiations/{_seg(negotiation_id)}/messages",
            access_token=access_token,
            data={"message": message},
            want_json=False,
        )

    def write_decision(self, *, access_token: str, negotiation_id: str, decision: str, message: str) -> None:
        """Move the response to an invitation (the first enabled of ``INVITE_ACTIONS``) or a rejection (the first
        enabled action whose id starts with "discard"), with ``message`` when the action takes one.

        Idempotent: a response already in that state is left alone. No such action enabled: "bad_request".
        """
        negotiation = self._negotiation(access_token, negotiation_id)
        employer_state = _state_id(negotiation, "employer_state")
        if decision == DECISION_INVITE:
            if employer_state in DECIDED_INVITE_STATES:
                return
            action = _pick(negotiation, INVITE_ACTIONS)
        elif decision == DECISION_DISCARD:
            if employer_state.startswith("discard"):
                return
            action = _pick(negotiation, None)
        else:
            raise ValueError(f"unknown decision {decision!r}")
        if action is None:
            raise BoardError(
                "bad_request",
                _("hh.ru does not allow this decision for the response in its current state."),
                detail=employer_state,
            )
        self._act(access_token, action, message)

    def _negotiation(self, access_token: str, negotiation_id: str) -> dict:
        return self._call("GET", f"/negotiations/{_seg(negotiation_id)}", access_token=access_token)

    def _act(self, access_token: str, action: dict, message: str) -> None:
        """Call an ``actions[]`` entry (§4.1): its url and method, ``message`` as a form field if it takes one."""
        arguments = {as_str(as_dict(a).get("id"), 40) for a in as_list(action.get("arguments"))}
        method = as_str(action.get("method"), 10).upper() or "PUT"
        if method not in ("PUT", "POST"):
            raise BoardError("unavailable", _("hh.ru offered an action we cannot call."), detail=method)
        data = {"message": message} if "message" in arguments and message else {}
        self._call(method, as_str(action.get("url"), 2000), access_token=access_token, data=data, want_json=False)

    # --- HTTP ------------------------------------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        agent = settings.HH_USER_AGENT
        return httpx.Client(
            timeout=settings.HH_TIMEOUT,
            headers={"HH-User-Agent": agent, "User-Agent": agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    def _pages(self, url: str, *, access_token: str, params: dict | None = None) -> Iterator[dict]:
        """Each page of a list (``page`` from 0, ``per_page`` 50), at most ``MAX_PAGES``."""
        for page in range(MAX_PAGES):
            body = self._call(
                "GET", url, access_token=access_token, params={**(params or {}), "page": page, "per_page": PER_PAGE}
            )
            yield body
            pages = body.get("pages")
            if not isinstance(pages, int) or isinstance(pages, bool) or page + 1 >= pages:
                return

    def _call(
        self,
        method: str,
        url: str,
        *,
        access_token: str,
        params: dict | None = None,
        data: dict | None = None,
        want_json: bool = True,
    ) -> dict:
        """One API call: ``url`` is a path or an absolute URL under ``HH_API_URL``. A JSON object, or {} when
        ``want_json`` is False; any failure is a ``BoardError``."""
        base = settings.HH_API_URL
        if url.startswith("/"):
            url = base + url
        elif not url.startswith(base + "/"):
            raise BoardError("unavailable", _("hh.ru gave a link outside its API."), detail=url[:200])
        # The board's urls carry their own query (``?vacancy_id=``); httpx's ``params=`` would replace it.
        target = httpx.URL(url).copy_merge_params(params or {})
        headers = {"Authorization": f"Bearer {access_token}"}
        with self._client() as client:
            status, response_headers, body = _send(client, method, target, data=data, headers=headers)
        if not 200 <= status < 300:
            raise _api_error(status, body, response_headers)
        if not want_json:
            return {}
        return _json_object(body)


def _send(client: httpx.Client, method: str, url: str | httpx.URL, **kwargs) -> tuple[int, httpx.Headers, bytes]:
    """One request: ``(status, headers, body)``, the body read (decompressed) up to ``MAX_BODY`` bytes and within
    a total of three ``HH_TIMEOUT``s (httpx's timeouts are per read, a slow drip would pass them)."""
    deadline = time.monotonic() + 3 * settings.HH_TIMEOUT
    too_large = _("hh.ru sent an answer too large to read.")
    try:
        with client.stream(method, url, **kwargs) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > MAX_BODY:
                raise BoardError("unavailable", too_large, status=response.status_code)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY:
                    raise BoardError("unavailable", too_large, status=response.status_code)
                if time.monotonic() > deadline:
                    raise BoardError("unavailable", _("hh.ru answered too slowly."), status=response.status_code)
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)
    except httpx.HTTPError as exc:
        raise _unavailable(exc)


def _unavailable(exc: Exception) -> BoardError:
    return BoardError("unavailable", _("hh.ru could not be reached; we will try again."), detail=repr(exc)[:200])


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise BoardError("unavailable", _("hh.ru sent an answer we could not read."), detail=_detail(body))
    return data


def _detail(body: bytes) -> str:
    return body[:MAX_DETAIL].decode("utf-8", "replace")


def _errors(body: bytes) -> list[tuple[str, str]]:
    """hh.ru's ``errors`` list as ``(type, value)`` pairs (§5); [] for any other body."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return []
    pairs = []
    for error in as_list(as_dict(data).get("errors"))[:20]:
        error = as_dict(error)
        pairs.append((as_str(error.get("type"), 80), as_str(error.get("value"), 80)))
    return pairs


def _retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds: a number or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return min(max(seconds, 0.0), 86400.0) if seconds == seconds else None  # NaN is not a delay


def _api_error(status: int, body: bytes, headers: httpx.Headers) -> BoardError:
    """An API error onto ``BoardError``'s kinds (base.py): oauth -> auth, payment -> paid, 429 -> rate_limit,
    archived vacancy -> archived, 404 -> not_found, other 4xx -> bad_request, 5xx and the rest -> unavailable."""
    errors = _errors(body)
    types = {t for t, _v in errors}
    values = {v for _t, v in errors}
    detail = _detail(body)
    if status == 429:
        return BoardError(
            "rate_limit",
            _("hh.ru asks us to slow down; we will try again later."),
            detail=detail,
            retry_after=_retry_after(headers),
            status=status,
        )
    if status >= 500:
        message = _("hh.ru is not working right now; we will try again.")
        return BoardError("unavailable", message, detail=detail, retry_after=_retry_after(headers), status=status)
    if status in (401, 403) and ("oauth" in types or status == 401):
        return BoardError("auth", _auth_message(values), detail=detail, status=status)
    if "api_access_payment" in types or values & PAID_VALUES:
        return BoardError("paid", _paid_message(values), detail=detail, status=status)
    if values & ARCHIVED_VALUES:
        return BoardError("archived", _("The vacancy is archived on hh.ru."), detail=detail, status=status)
    if status == 404:
        return BoardError(
            "not_found", _("hh.ru has no such vacancy, response or resume."), detail=detail, status=status
        )
    if status in (400, 403, 409, 422):
        return BoardError("bad_request", _("hh.ru refused the request."), detail=detail, status=status)
    return BoardError("unavailable", _("hh.ru answered unexpectedly; we will try again."), detail=detail, status=status)


def _auth_message(values: set[str]) -> str:
    if "token_expired" in values:
        return _("The access to hh.ru has expired; it will be renewed.")
    if "token_revoked" in values:
        return _("The access to hh.ru was revoked on hh.ru: connect the account again.")
    return _("hh.ru does not accept our access: connect the account again.")


def _paid_message(values: set[str]) -> str:
    if values & {"cant_view_contacts", "no_available_service"}:
        return _(
            "hh.ru refuses: your tariff does not include candidates' contacts. Buy access to the resume "
            "database (contacts) on hh.ru, then try again."
        )
    return _(
        "hh.ru refuses: your company's hh.ru tariff does not include API access to responses. Buy paid API "
        "access for the employer account on hh.ru (or ask your hh.ru manager), then try again."
    )


def _token_error(status: int, body: bytes, headers: httpx.Headers) -> BoardError:
    """The token endpoint's RFC 6749 errors (§1.5): a spent or bad code or refresh token -> "auth"; a refresh
    before expiry -> "bad_request"; a 429 or 5xx as elsewhere."""
    if status == 429 or status >= 500:
        return _api_error(status, body, headers)
    try:
        data = as_dict(json.loads(body))
    except (ValueError, RecursionError):
        data = {}
    error, description = as_str(data.get("error"), 80), as_str(data.get("error_description"), 200)
    detail = _detail(body)
    if description == "token not expired":
        return BoardError("bad_request", _("hh.ru renews access only after it expires."), detail=detail, status=status)
    if error in ("invalid_grant", "invalid_request", "invalid_client") or status in (400, 401, 403):
        message = (
            _("hh.ru does not know this application: check HH_CLIENT_ID and HH_CLIENT_SECRET.")
            if error == "invalid_client"
            else _("hh.ru refused the authorization: connect the account again.")
        )
        return BoardError("auth", message, detail=detail, status=status)
    return BoardError("unavailable", _("hh.ru answered unexpectedly; we will try again."), detail=detail, status=status)


def _vacancy(item) -> BoardVacancyInfo | None:
    item = as_dict(item)
    vacancy_id = as_str(item.get("id"), 40)
    if not vacancy_id:
        return None
    archived = item.get("archived")
    return BoardVacancyInfo(
        id=vacancy_id,
        name=as_str(item.get("name")),
        url=as_str(item.get("alternate_url"), 500),
        # The short form in the docs shows "false" as a string (§2.3): read both.
        archived=archived is True or archived == "true",
        area=as_str(as_dict(item.get("area")).get("name")),
    )


def _seg(value) -> str:
    """An id as one path segment: nothing in it can reach another path."""
    return quote(str(value), safe="")


def _state_id(negotiation: dict, key: str) -> str:
    return as_str(as_dict(negotiation.get(key)).get("id"), 80)


def _pick(negotiation: dict, ids: tuple[str, ...] | None, *, with_message: bool = False) -> dict | None:
    """The first enabled action among ``ids`` in that order (None: the first whose id starts with "discard")."""
    actions = [as_dict(a) for a in as_list(negotiation.get("actions"))]
    enabled = [a for a in actions if a.get("enabled") is True and as_str(a.get("url"), 2000)]
    if with_message:
        enabled = [
            a for a in enabled if "message" in {as_str(as_dict(x).get("id"), 40) for x in as_list(a.get("arguments"))}
        ]
    if ids is None:
        return next((a for a in enabled if as_str(a.get("id"), 80).startswith("discard")), None)
    for wanted in ids:
        for action in enabled:
            if as_str(action.get("id"), 80) == wanted:
                return action
    return None
