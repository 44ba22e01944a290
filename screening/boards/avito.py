"""Avito ("Авито Работа") behind ``base.Provider``: OAuth 2, the account, vacancies, responses, messages, decisions.

Built against Avito's official OpenAPI specs as copied in the GitHub repository ``api-evangelist/avito`` @
``5790f70``: ``openapi/_original/avito-auth-openapi.json`` (auth), ``avito-user-openapi.json`` (user),
``avito-item-openapi.json`` (item), ``avito-job-openapi.json`` (job) and ``avito-messenger-openapi.json``
(messenger); each method names its operation ids. Tested against ``fakes.avito``.

What the specs do not give, and how this client copes:

- no token revocation endpoint: ``revoke`` does nothing (the owner removes the app's access on Avito);
- the authorize URL carries no redirect URI: Avito redirects to the one registered with the application
  (developers.avito.ru), so ``redirect_uri`` must equal it and is not sent;
- an expired token answers 403 (auth, ApplicationAccess step 8), as does a missing scope: a 403 is "auth" unless
  its body says payment (``resumeGetContacts`` answers 402/403 "Payment required") or it comes from the Messenger
  API, which Job accounts have only on the «Максимальный» subscription (messenger ``info``): "paid";
- the response states are not enumerated (``applicationsGetStates`` lists them at run time, the spec's one example
  is ``new``): ``write_decision`` picks the state by slug or description (``DECISION_STATES``) and refuses with a
  "bad_request" sentence when the account's list has none;
- no invitation or decision message in the Job API: messages go through the Messenger API into the response's
  chat (``contacts.chat.value``); a response by phone has no chat, so an invitation is refused ("bad_request")
  and a decision is written as a state only;
- 429 bodies carry only ``{"error": {"code": 429}}`` and X-RateLimit-* headers; ``Retry-After`` is read when sent.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Container, Iterator
from urllib.parse import urlencode

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

# auth ``securitySchemes.AuthorizationCode`` scopes this client needs, comma-separated as in the spec's example.
SCOPES = ("user:read", "items:info", "job:vacancy", "job:applications", "job:cv", "messenger:write")
JOB_CATEGORY = 111  # item ``getItemsInfo`` ``category`` (the spec's example; the "Вакансии" category)
ITEMS_PER_PAGE = 50  # ``getItemsInfo``: "больше 0 и меньше 100"
BATCH = 100  # ``applicationsGetByIds``: "Максимальный лимит = 100"
# ``applicationsGetIds`` needs ``updatedAtFrom`` or ``createdAtFrom``; "every response" starts before Avito Job's API.
HISTORY_FROM = dt.date(2019, 1, 1)
MESSAGE_MAX = 1000  # ``postSendMessage``: "максимум 1000 символов"
TIMEOUT = 20.0  # seconds per read; a whole answer gets three
MAX_BODY = 5 * 1024 * 1024  # bytes of one answer
MAX_DETAIL = 1000  # characters of Avito's error text kept in ``BoardError.detail``
SITE = "https://www.avito.ru"
# Slugs first, then words of the description (Russian), for the state each decision becomes.
DECISION_STATES = {
    DECISION_INVITE: (("invited", "invitation", "interview"), ("приглаш", "собеседован")),
    DECISION_DISCARD: (("rejected", "refused", "refusal", "discard", "declined"), ("отказ", "отклон")),
}


class AvitoProvider:
    """The Avito Job API client; stateless, every call reads the settings (``AVITO_*``) when it runs."""

    name = "avito"
    title = "Avito"
    # Avito's access tokens live 24 h and may be refreshed any time: renewed five minutes before they expire.
    refresh_early_seconds = 300

    # --- OAuth 2 (auth spec, tag ApplicationAccess) ----------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """``https://avito.ru/oauth?response_type=code&pro_users_flow=true&client_id&scope&state`` (step 2).

        ``redirect_uri`` is not part of Avito's URL: the redirect goes to the URI registered with the app.
        """
        query = {
            "response_type": "code",
            "pro_users_flow": "true",
            "client_id": settings.AVITO_CLIENT_ID,
            "scope": ",".join(SCOPES),
            "state": state,
        }
        return f"{settings.AVITO_OAUTH_URL}/oauth?{urlencode(query, safe=',:')}"

    def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        """``POST /token`` grant_type=authorization_code (``getAccessTokenAuthorizationCode``)."""
        return self._token({"grant_type": "authorization_code", "code": code})

    def refresh(self, *, refresh_token: str) -> Tokens:
        """``POST /token`` grant_type=refresh_token (``refreshAccessTokenAuthorizationCode``); a new pair."""
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, *, access_token: str) -> None:
        """Nothing: the auth spec has no revocation endpoint (tokens lapse after 24 h; a refresh token stays
        valid until the owner removes the app's access on Avito)."""

    def _token(self, form: dict) -> Tokens:
        form = {**form, "client_id": settings.AVITO_CLIENT_ID, "client_secret": settings.AVITO_CLIENT_SECRET}
        data = self._call("POST", "/token", data=form, token_call=True)
        access = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(access, str) or not access:
            raise BoardError(
                "unavailable", _("Avito answered the token request without a token."), detail=str(data)[:MAX_DETAIL]
            )
        expires_in = data.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and expires_in > 0:
            expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in)
        return Tokens(access_token=access, refresh_token=str(data.get("refresh_token") or ""), expires_at=expires_at)

    # --- account and vacancies ---------------------------------------------------------------------------
    def account(self, *, access_token: str) -> Account:
        """``GET /core/v1/accounts/self`` (user ``getUserInfoSelf``): ``id`` is the Messenger API's ``user_id``."""
        data = self._call("GET", "/core/v1/accounts/self", token=access_token)
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            raise _malformed(data)
        return Account(id=str(data["id"]), name=str(data.get("name") or data.get("email") or data["id"]))

    def vacancies(self, *, access_token: str, account: Account) -> list[BoardVacancyInfo]:
        """The account's active job items: ``GET /core/v1/items?category=111&status=active`` (item
        ``getItemsInfo``), page by page until a short page (the answer has no page count). An item's id is the
        vacancy id of the Job API. Items of employees are not listed (the spec says so)."""
        found: list[BoardVacancyInfo] = []
        page = 1
        while True:
            params = {"category": JOB_CATEGORY, "status": "active", "per_page": ITEMS_PER_PAGE, "page": page}
            data = self._call("GET", "/core/v1/items", token=access_token, params=params)
            resources = data.get("resources") if isinstance(data, dict) else None
            if not isinstance(resources, list):
                raise _malformed(data)
            for item in resources:
                if not isinstance(item, dict) or item.get("id") is None:
                    continue
                category = item.get("category") if isinstance(item.get("category"), dict) else {}
                if category.get("id") not in (None, JOB_CATEGORY):
                    continue
                found.append(
                    BoardVacancyInfo(
                        id=str(item["id"]),
                        name=str(item.get("title") or ""),
                        url=str(item.get("url") or ""),
                        archived=item.get("status") not in (None, "active"),
                        area=str(item.get("address") or ""),
                    )
                )
            if len(resources) < ITEMS_PER_PAGE or page >= 200:  # 200 pages: a bound against a looping server
                return found
            page += 1

    def vacancy(self, *, access_token: str, vacancy_id: str) -> BoardVacancyInfo:
        """``GET /job/v2/vacancies/{id}`` (job ``vacancyGetItem``); ``archived`` is ``not is_active``.

        The owner only: another account's vacancy answers 403 ("Пользователь не владелец объявления"), reported
        as "not_found" since the token itself works.
        """
        if not str(vacancy_id).isdigit():
            raise BoardError("not_found", _("No such Avito vacancy."), status=404)
        params = {"fields": "title,is_active,url", "params": "address"}
        try:
            data = self._call("GET", f"/job/v2/vacancies/{vacancy_id}", token=access_token, params=params)
        except BoardError as error:
            if error.status == 403 and error.kind == "auth":
                self.account(access_token=access_token)  # an expired token fails here as "auth"
                raise BoardError(
                    "not_found", _("This vacancy is not the connected Avito account's."), status=403
                ) from error
            raise
        if not isinstance(data, dict):
            raise _malformed(data)
        address = data.get("addressDetails") if isinstance(data.get("addressDetails"), dict) else {}
        return BoardVacancyInfo(
            id=str(data.get("id") or vacancy_id),
            name=str(data.get("title") or ""),
            url=str(data.get("url") or ""),
            archived=data.get("is_active") is False,
            area=str(address.get("city") or ""),
        )

    # --- responses -----------------------------------------------------------------------------------------
    def responses(
        self, *, access_token: str, vacancy_id: str, known: Container[str] = frozenset()
    ) -> Iterator[BoardResponse]:
        """Every response to the vacancy: ``GET /job/v1/applications/get_ids?updatedAtFrom=&vacancyIds=&cursor=``
        (job ``applicationsGetIds``, newest first, the cursor is the previous page's last id, until an empty
        page), then ``POST /job/v1/applications/get_by_ids`` (``applicationsGetByIds``) for each page, and per
        response its resume (``resumeGetItem``) and contacts (``resumeGetContacts``: free for a resume that came
        with a response; a "paid" or "not_found" refusal leaves the email empty and is noted in ``extra``). Ids in
        ``known`` (imported before) are passed over before any of those calls."""
        cursor, seen = "", set()
        while True:
            params = {"updatedAtFrom": HISTORY_FROM.isoformat(), "vacancyIds": str(vacancy_id)}
            if cursor:
                params["cursor"] = cursor
            data = self._call("GET", "/job/v1/applications/get_ids", token=access_token, params=params)
            applies = data.get("applies") if isinstance(data, dict) else None
            if not isinstance(applies, list):
                raise _malformed(data)
            ids = [str(a["id"]) for a in applies if isinstance(a, dict) and a.get("id") and str(a["id"]) not in seen]
            if not ids:
                return
            seen.update(ids)
            new = [i for i in ids if i not in known]
            for application in self._applications(access_token, new) if new else []:
                yield self._response(access_token, application)
            cursor = ids[-1]

    def _applications(self, access_token: str, ids: list[str]) -> list[dict]:
        found: list[dict] = []
        for start in range(0, len(ids), BATCH):
            body = {"ids": ids[start : start + BATCH]}
            data = self._call("POST", "/job/v1/applications/get_by_ids", token=access_token, json=body)
            applies = data.get("applies") if isinstance(data, dict) else None
            if not isinstance(applies, list):
                raise _malformed(data)
            found.extend(a for a in applies if isinstance(a, dict) and a.get("id"))
        return found

    def _response(self, access_token: str, a: dict) -> BoardResponse:
        applicant = _dict(a.get("applicant"))
        data = _dict(applicant.get("data"))
        full = _dict(data.get("full_name"))
        contacts = _dict(a.get("contacts"))
        phones = [p for p in contacts.get("phones") or [] if isinstance(p, dict) and p.get("value")]
        phone = _phone(phones[0]["value"]) if phones else ""
        chat_id = str(_dict(contacts.get("chat")).get("value") or "")
        resume_id = str(applicant.get("resume_id") or "")
        extra = {
            "avito_negotiation_id": a.get("negotiation_id"),
            "type": a.get("type") or "",
            "chat_id": chat_id,
            "applicant_id": applicant.get("id") or "",
        }
        resume, email, city, resume_url = {}, "", "", ""
        if resume_id.isdigit():
            resume = self._optional(access_token, f"/job/v2/resumes/{resume_id}", extra, "resume_error")
            contact = self._optional(access_token, f"/job/v1/resumes/{resume_id}/contacts/", extra, "contacts_error")
            for item in contact.get("contacts") or []:
                if not isinstance(item, dict) or not item.get("value"):
                    continue
                if item.get("type") == "e-mail" and not email:
                    email = str(item["value"])
                elif item.get("type") == "phone" and not phone:
                    phone = _phone(item["value"])
                elif item.get("type") == "chat_id" and not chat_id:
                    extra["chat_id"] = chat_id = str(item["value"])
            full = full or _dict(contact.get("full_name"))
            city = str(_dict(resume.get("address_details")).get("location") or "")
            if resume.get("url"):
                resume_url = str(resume["url"])
                resume_url = resume_url if resume_url.startswith("http") else SITE + resume_url
        first, last = str(full.get("first_name") or ""), str(full.get("last_name") or "")
        if not (first or last):
            first = str(data.get("name") or "")  # "Иванов Иван Иванович": the spec gives no order to split by
        return BoardResponse(
            negotiation_id=str(a["id"]),
            vacancy_id=str(a.get("vacancy_id") or ""),
            state=str(a.get("state") or ""),
            created_at=_when(a.get("created_at")),
            resume_id=resume_id,
            resume_url=resume_url,
            first_name=first,
            last_name=last,
            middle_name=str(full.get("patronymic") or ""),
            email=email,
            phone=phone,
            city=city,
            resume_text=resume_text(resume, a.get("prevalidation")),
            extra=extra,
        )

    def _optional(self, access_token: str, path: str, extra: dict, key: str) -> dict:
        """A resume part that a tariff or a deleted resume may withhold: those refusals leave it empty."""
        try:
            data = self._call("GET", path, token=access_token)
        except BoardError as error:
            if error.kind not in ("paid", "not_found"):
                raise
            extra[key] = error.kind
            return {}
        return data if isinstance(data, dict) else {}

    # --- messages and decisions --------------------------------------------------------------------------
    def invite_to_screening(self, *, access_token: str, negotiation_id: str, message: str) -> None:
        """Send ``message`` into the response's Avito chat: ``POST /messenger/v1/accounts/{user_id}/chats/
        {chat_id}/messages`` (messenger ``postSendMessage``, text only, at most 1000 characters). The chat id comes
        from ``applicationsGetByIds`` (``contacts.chat.value``), else the resume's ``chat_id`` contact. A response
        by phone has no chat: "bad_request", since the Job API has no invitation of its own."""
        application = self._application(access_token, negotiation_id)
        chat_id = self._chat_id(access_token, application)
        if not chat_id:
            raise BoardError(
                "bad_request",
                _("This Avito response came by phone and has no chat: Avito cannot pass the candidate a message."),
            )
        self._send(access_token, chat_id, message)

    def write_decision(self, *, access_token: str, negotiation_id: str, decision: str, message: str) -> None:
        """Move the response to the state of ``decision`` (``POST /job/v1/applications/apply_actions``, job
        ``applicationsApplyActions``; the slug from ``applicationsGetStates``), then send ``message`` into its chat
        when it has one (as ``invite_to_screening``). The state is written first, so a retry after a failed message
        repeats an idempotent state change, not the message."""
        if decision not in DECISION_STATES:
            raise BoardError("bad_request", _("Unknown decision %(decision)s.") % {"decision": decision})
        application = self._application(access_token, negotiation_id)
        slug = self._state_for(access_token, decision)
        body = {"action": slug, "ids": [str(negotiation_id)]}
        data = self._call("POST", "/job/v1/applications/apply_actions", token=access_token, json=body)
        applies = data.get("applies") if isinstance(data, dict) else None
        if not isinstance(applies, list):
            raise _malformed(data)
        if not any(isinstance(x, dict) and str(x.get("id")) == str(negotiation_id) for x in applies):
            raise BoardError(
                "not_found", _("Avito did not change this response's state."), detail=str(data)[:MAX_DETAIL]
            )
        if message.strip():
            chat_id = self._chat_id(access_token, application)
            if chat_id:
                self._send(access_token, chat_id, message)

    def _application(self, access_token: str, application_id: str) -> dict:
        found = self._applications(access_token, [str(application_id)])
        if not found:
            raise BoardError("not_found", _("No such Avito response for this account."), status=404)
        return found[0]

    def _chat_id(self, access_token: str, application: dict) -> str:
        chat = _dict(_dict(application.get("contacts")).get("chat")).get("value")
        if chat:
            return str(chat)
        resume_id = str(_dict(application.get("applicant")).get("resume_id") or "")
        if resume_id.isdigit():
            contact = self._optional(access_token, f"/job/v1/resumes/{resume_id}/contacts/", {}, "contacts_error")
            for item in contact.get("contacts") or []:
                if isinstance(item, dict) and item.get("type") == "chat_id" and item.get("value"):
                    return str(item["value"])
        return ""

    def _send(self, access_token: str, chat_id: str, message: str) -> None:
        if not message.strip():
            raise BoardError("bad_request", _("The message to the candidate is empty."))
        if len(message) > MESSAGE_MAX:
            raise BoardError(
                "bad_request", _("Avito messages are limited to %(max)d characters.") % {"max": MESSAGE_MAX}
            )
        user_id = self.account(access_token=access_token).id
        body = {"message": {"text": message}, "type": "text"}
        path = f"/messenger/v1/accounts/{user_id}/chats/{chat_id}/messages"
        try:
            self._call("POST", path, token=access_token, json=body)
        except BoardError as error:
            if error.status == 403:  # the same token just worked for the account: the subscription or the scope
                raise BoardError(
                    "paid",
                    _(
                        "Avito's Messenger API needs the «Максимальный» subscription for Job accounts "
                        "(and the messenger:write permission)."
                    ),
                    detail=error.detail,
                    status=403,
                ) from error
            raise

    def _state_for(self, access_token: str, decision: str) -> str:
        """The slug of ``applicationsGetStates`` (``GET /job/v1/applications/get_states``) for ``decision``."""
        data = self._call("GET", "/job/v1/applications/get_states", token=access_token)
        states = data.get("states") if isinstance(data, dict) else None
        if not isinstance(states, list):
            raise _malformed(data)
        states = [s for s in states if isinstance(s, dict) and s.get("slug")]
        slugs, words = DECISION_STATES[decision]
        for wanted in slugs:
            if any(s["slug"] == wanted for s in states):
                return wanted
        for state in states:
            if any(w in str(state.get("description") or "").lower() for w in words):
                return str(state["slug"])
        raise BoardError(
            "bad_request",
            _("Avito lists no response state for the decision %(decision)s.") % {"decision": decision},
            detail=str([s.get("slug") for s in states])[:MAX_DETAIL],
        )

    # --- transport --------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, token: str = "", token_call: bool = False, **kwargs):
        """One request; the JSON answer, or ``BoardError`` for any failure (the kinds of ``base.BoardError``).

        The body is read up to ``MAX_BODY`` bytes within three ``TIMEOUT``s in total (httpx's timeouts are per
        read; a slow drip would pass them).
        """
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + 3 * TIMEOUT
        try:
            with (
                httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client,
                client.stream(method, settings.AVITO_API_URL + path, headers=headers, **kwargs) as response,
            ):
                status, response_headers, chunks, size = response.status_code, response.headers, [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BODY or time.monotonic() > deadline:
                        raise BoardError("unavailable", _("Avito sent an answer too large or too slow to read."))
                    chunks.append(chunk)
        except httpx.HTTPError as error:
            message = _("Avito could not be reached; we will try again.")
            raise BoardError("unavailable", message, detail=repr(error)[:MAX_DETAIL]) from error
        body = b"".join(chunks)
        if status >= 400:
            raise _error(status, response_headers, body, token_call=token_call)
        if 300 <= status < 400:
            raise _malformed(body)
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            raise _malformed(body) from error


def _error(status: int, headers: httpx.Headers, body: bytes, *, token_call: bool) -> BoardError:
    """The ``BoardError`` of a 4xx/5xx answer; the specs' error body is ``{"error": {"code", "message"}}``."""
    detail = body[:MAX_DETAIL].decode("utf-8", "replace")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    text = str(error.get("message") or "") if isinstance(error, dict) else str(error or "")
    paid = status == 402 or (isinstance(error, dict) and error.get("code") == 402) or "payment" in text.lower()
    if token_call and status in (400, 401, 403):  # RFC 6749 §5.2: invalid_grant, invalid_client
        message = _("Avito refused the authorization; connect the account again.")
        return BoardError("auth", message, detail=detail, status=status)
    if status == 429:
        message = _("Avito's rate limit was reached; we will try again later.")
        return BoardError("rate_limit", message, detail=detail, retry_after=_retry_after(headers), status=status)
    if paid:
        message = _("Avito asks for payment: the account's tariff does not include this.")
        return BoardError("paid", message, detail=detail, status=status)
    if status in (401, 403):
        message = _("Avito refused the token: it expired or lacks a permission.")
        return BoardError("auth", message, detail=detail, status=status)
    if status == 404:
        message = _("Avito has no such vacancy, response or resume.")
        return BoardError("not_found", message, detail=detail, status=status)
    if status in (400, 409, 422):
        return BoardError("bad_request", _("Avito refused the request as invalid."), detail=detail, status=status)
    return BoardError(
        "unavailable", _("Avito is unavailable right now; we will try again."), detail=detail, status=status
    )


def _retry_after(headers: httpx.Headers) -> float | None:
    try:
        value = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if 0 <= value < 86_400 else None


def _malformed(data) -> BoardError:
    text = data[:MAX_DETAIL].decode("utf-8", "replace") if isinstance(data, bytes) else str(data)[:MAX_DETAIL]
    return BoardError("unavailable", _("Avito sent an answer we could not read."), detail=text)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _phone(value) -> str:
    """Avito's phones are digits ("79211234455") or E.164 ("+79213223344"): E.164 out."""
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return f"+{digits}" if 10 <= len(digits) <= 15 else ""


def _when(value) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def resume_text(resume: dict, prevalidation=None) -> str:
    """Plain text of a ``resumeGetItem`` answer (title, salary, experience, education, description) and of the
    response's prevalidation answers ("label: value" lines)."""
    lines: list[str] = []
    if resume.get("title"):
        lines.append(str(resume["title"]))
    if isinstance(resume.get("salary"), int | float):
        lines.append(_("Salary: %(salary)s RUB") % {"salary": resume["salary"]})
    params = _dict(resume.get("params"))
    experience = [e for e in params.get("experience_list") or [] if isinstance(e, dict)]
    if experience:
        lines.append("")
        lines.append(_("Experience:"))
        for job in experience:
            period = f"{job.get('work_start') or '?'} – {job.get('work_finish') or _('present')}"
            head = ", ".join(str(job[k]) for k in ("position", "company") if job.get(k))
            lines.append(f"- {head} ({period})")
            if job.get("responsibilities"):
                lines.append(f"  {job['responsibilities']}")
    education = [e for e in params.get("education_list") or [] if isinstance(e, dict)]
    if education or params.get("education"):
        lines.append("")
        level = params.get("education")
        lines.append(_("Education: %(level)s") % {"level": level} if level else _("Education:"))
        for school in education:
            parts = [str(school[k]) for k in ("institution", "specialty", "education_stop") if school.get(k)]
            lines.append(f"- {', '.join(parts)}")
    if resume.get("description"):
        lines.append("")
        lines.append(str(resume["description"]))
    answers = [s for s in (_dict(prevalidation).get("summary") or []) if isinstance(s, dict) and s.get("value")]
    if answers:
        lines.append("")
        lines.append(_("Answers on Avito:"))
        lines.extend(f"- {s.get('label') or s.get('variable') or ''}: {s['value']}" for s in answers)
    return "\n".join(lines).strip()
