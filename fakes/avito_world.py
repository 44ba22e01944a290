"""The fake Avito's state and JSON shapes: accounts, OAuth grants, vacancies, applications, resumes, chats.

Built from Avito's official OpenAPI specs as copied in the GitHub repository ``api-evangelist/avito`` @ ``5790f70``
(``openapi/_original/avito-{auth,user,item,job,messenger}-openapi.json``), cited below as auth/user/item/job/
messenger with the operation id. What the specs leave open is marked ASSUMED:

- the token endpoint's refusals are not documented: RFC 6749 §5.2 (``400 {"error": "invalid_grant"}``);
- the application states are listed only by ``applicationsGetStates`` at run time (the spec's one example is
  ``new``); the fake lists ``new``, ``invited`` and ``rejected`` and accepts only listed slugs (``400`` otherwise);
- how the Messenger API refuses an account without the «Максимальный» subscription (messenger ``info``) is not
  documented: ``403 {"error": {"code": 403, "message": ...}}``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass, field

TOKEN_TTL = 86_400  # seconds; auth ``getAccessTokenAuthorizationCode`` example "expires_in": 86400
CODE_TTL = 600
JOB_CATEGORY = 111  # item ``getItemsInfo`` ``category`` example (the "Вакансии" category)
DEFAULT_STATES = [
    {"slug": "new", "description": "Новый отклик"},
    {"slug": "invited", "description": "Приглашение"},
    {"slug": "rejected", "description": "Отказ"},
]
MESSAGE_MAX = 1000  # messenger ``postSendMessage``: "максимум 1000 символов"


class AvitoError(Exception):
    """A refusal: HTTP ``status`` with Avito's JSON ``body`` (and extra ``headers``)."""

    def __init__(self, status: int, body, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def api_error(status: int, message: str | None = None) -> AvitoError:
    """The specs' error shape: ``{"error": {"code": 403, "message": "Forbidden"}}`` (429 has no message)."""
    messages = {400: "Bad Request", 401: "Unauthorized", 402: "Payment required", 403: "Forbidden", 404: "Not found"}
    error = {"code": status}
    if message or status in messages:
        error["message"] = message or messages[status]
    return AvitoError(status, {"error": error})


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Grant:
    access_token: str
    refresh_token: str
    user_id: int
    scopes: frozenset
    expires_at: float


@dataclass
class Vacancy:
    id: int
    title: str
    user_id: int
    city: str = "Москва"
    status: str = "active"  # item statuses: active, removed, old, blocked, rejected

    @property
    def url(self) -> str:
        return f"https://www.avito.ru/moskva/vakansii/vakansiya_{self.id}"


@dataclass
class Application:
    id: str
    vacancy_id: int
    negotiation_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    applicant: dict
    phones: list
    chat_id: str | None
    resume_id: int | None
    type: str = "by_chat"
    state: str = "new"
    is_viewed: bool = False
    prevalidation: dict | None = None
    actions: list = field(default_factory=list)  # every apply_actions that touched it: {"action", "at"}


class World:
    """Everything the fake knows; every public method takes ``lock`` itself."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str):
        self.lock = threading.RLock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri  # the one registered with the application (auth tag ApplicationAccess)
        self.accounts: dict[int, dict] = {}
        self.codes: dict[str, tuple[int, frozenset, float]] = {}
        self.grants: dict[str, Grant] = {}
        self.by_refresh: dict[str, Grant] = {}
        self.vacancies: dict[int, Vacancy] = {}
        self.applications: dict[str, Application] = {}
        self.resumes: dict[int, dict] = {}
        self.chats: dict[str, list] = {}
        self.states = [dict(s) for s in DEFAULT_STATES]
        self.messenger_tariff = True  # False: the account lacks the «Максимальный» subscription
        self.contacts_paid = True  # False: resume contacts answer 402 "Payment required"
        self._next = 1000

    def _id(self) -> int:
        self._next += 1
        return self._next

    # --- setup ----------------------------------------------------------------------------------------------
    def add_account(self, name: str, email: str = "") -> int:
        with self.lock:
            user_id = 94_235_311 + len(self.accounts)
            self.accounts[user_id] = {"id": user_id, "name": name, "email": email or f"hr{user_id}@example.test"}
            return user_id

    def add_vacancy(self, title: str, *, user_id: int, city: str = "Москва", status: str = "active") -> int:
        with self.lock:
            vacancy = Vacancy(id=18_725_000 + self._id(), title=title, user_id=user_id, city=city, status=status)
            self.vacancies[vacancy.id] = vacancy
            return vacancy.id

    def add_application(self, vacancy_id: int, first_name: str, last_name: str, **f) -> str:
        """See ``FakeAvito.add_application``."""
        with self.lock:
            if int(vacancy_id) not in self.vacancies:
                raise KeyError(f"no vacancy {vacancy_id}")
            created = f.get("created_at") or now_utc()
            resume_id = None
            if f.get("resume", True) is not False:
                resume_id = self._add_resume(first_name, last_name, f.get("resume") or {}, f)
            chat_id = f"u2i-{self._id()}-{secrets.token_hex(4)}" if f.get("chat", True) else None
            if chat_id:
                self.chats[chat_id] = []
            middle = f.get("middle_name")
            application = Application(
                id=secrets.token_hex(12),
                vacancy_id=int(vacancy_id),
                negotiation_id=self._id(),
                created_at=created,
                updated_at=created,
                applicant={
                    "id": f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}",
                    "resume_id": str(resume_id) if resume_id else None,
                    "data": {
                        "name": " ".join(p for p in (last_name, first_name, middle) if p),
                        "full_name": {"first_name": first_name, "last_name": last_name, "patronymic": middle},
                        "birthday": f.get("birthday"),
                        "gender": f.get("gender"),
                        "citizenship": f.get("citizenship", "Россия"),
                        "education": f.get("education"),
                    },
                },
                phones=[{"value": f["phone"], "status": "received"}] if f.get("phone") else [],
                chat_id=chat_id,
                resume_id=resume_id,
                type="by_chat" if chat_id else "by_phone",
                prevalidation=f.get("prevalidation"),
            )
            self.applications[application.id] = application
            return application.id

    def _add_resume(self, first_name: str, last_name: str, resume: dict, f: dict) -> int:
        resume_id = 2_143_000_000 + self._id()
        contacts = []
        if f.get("email"):
            contacts.append({"type": "e-mail", "value": f["email"]})
        if f.get("phone"):
            contacts.append({"type": "phone", "value": f["phone"]})
        self.resumes[resume_id] = {
            "json": {
                "id": resume_id,
                "title": resume.get("title", "Продавец-кассир"),
                "description": resume.get("description", ""),
                "is_active": True,
                "is_purchased": True,
                "salary": resume.get("salary"),
                "start_time": rfc3339(now_utc()),
                "update_time": rfc3339(now_utc()),
                "url": f"/moskva/rezume/rezume_{resume_id}",
                "address_details": {"location": f.get("city", "Москва")},
                "params": {
                    "experience_list": resume.get("experience", []),
                    "education_list": resume.get("education_list", []),
                    "schedule": resume.get("schedule"),
                },
            },
            "contacts": {
                "name": f"{last_name} {first_name}",
                "full_name": {"first_name": first_name, "last_name": last_name, "patronymic": f.get("middle_name")},
                "contacts": contacts,
                "already_bought": False,
            },
        }
        return resume_id

    # --- OAuth (auth spec; tag ApplicationAccess) ------------------------------------------------------------
    def grant_code(self, user_id: int, scope: str) -> str:
        with self.lock:
            code = secrets.token_urlsafe(16)
            self.codes[code] = (user_id, frozenset(s for s in scope.split(",") if s), time.time() + CODE_TTL)
            return code

    def issue(self, user_id: int, scopes: frozenset) -> dict:
        with self.lock:
            grant = Grant(
                secrets.token_urlsafe(24), secrets.token_urlsafe(32), user_id, scopes, time.time() + TOKEN_TTL
            )
            self.grants[grant.access_token] = grant
            self.by_refresh[grant.refresh_token] = grant
            return {
                "access_token": grant.access_token,
                "expires_in": TOKEN_TTL,
                "refresh_token": grant.refresh_token,
                "scope": ",".join(sorted(scopes)),
                "token_type": "Bearer",
            }

    def token(self, form: dict) -> dict:
        """``POST /token``: authorization_code and refresh_token grants (client_credentials is not for partners)."""

        def refuse(error: str, description: str) -> AvitoError:
            return AvitoError(400, {"error": error, "error_description": description})  # ASSUMED (RFC 6749 §5.2)

        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            raise refuse("invalid_client", "client_id or client_secret is wrong")
        with self.lock:
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                entry = self.codes.pop(form.get("code", ""), None)
                if entry is None or entry[2] < time.time():
                    raise refuse("invalid_grant", "code is invalid or expired")
                return self.issue(entry[0], entry[1])
            if grant_type == "refresh_token":
                old = self.by_refresh.pop(form.get("refresh_token", ""), None)
                if old is None:
                    raise refuse("invalid_grant", "refresh_token is invalid")
                self.grants.pop(old.access_token, None)  # the pair is replaced ("Обновите оба значения")
                return self.issue(old.user_id, old.scopes)
            raise refuse("unsupported_grant_type", f"grant_type {grant_type!r}")

    def authenticate(self, headers: dict, scope: str | None) -> Grant:
        """The bearer check: none is 401; an unknown or expired token is 403 (auth: "будут возвращать код ошибки
        403"); a token without the operation's scope is 403 ("Неверный Token/Oauth Scope", user spec)."""
        value = headers.get("authorization", "")
        if not value.startswith("Bearer "):
            raise api_error(401)
        with self.lock:
            grant = self.grants.get(value[7:])
            if grant is None or grant.expires_at <= time.time():
                raise api_error(403)
            if scope and scope not in grant.scopes:
                raise api_error(403)
            return grant

    def expire_tokens(self) -> None:
        with self.lock:
            for grant in self.grants.values():
                grant.expires_at = time.time() - 1

    # --- user, items, vacancies --------------------------------------------------------------------------
    def me(self, grant: Grant) -> dict:
        """user ``getUserInfoSelf``."""
        account = self.accounts[grant.user_id]
        return {**account, "phone": "", "phones": [], "profile_url": f"https://avito.ru/user/{account['id']}/profile"}

    def items(self, grant: Grant, query: dict) -> dict:
        """item ``getItemsInfo``: the account's items, ``status`` (default active) and ``category`` filters."""
        try:
            per_page = int(query.get("per_page", 25))
            page = int(query.get("page", 1))
        except ValueError:
            raise api_error(400) from None
        if not (0 < per_page < 100) or page < 1:  # "больше 0 и меньше 100"
            raise api_error(400)
        statuses = query.get("status", "active").split(",")
        category = query.get("category")
        with self.lock:
            own = [
                v
                for v in sorted(self.vacancies.values(), key=lambda v: v.id)
                if v.user_id == grant.user_id and v.status in statuses
                and (category is None or category == str(JOB_CATEGORY))
            ]  # fmt: skip
            chunk = own[(page - 1) * per_page : page * per_page]
            return {
                "meta": {"page": page, "per_page": per_page},
                "resources": [
                    {
                        "id": v.id,
                        "title": v.title,
                        "address": v.city,
                        "category": {"id": JOB_CATEGORY, "name": "Вакансии"},
                        "price": None,
                        "status": v.status,
                        "url": v.url,
                    }
                    for v in chunk
                ],
            }

    def vacancy(self, grant: Grant, vacancy_id: str) -> dict:
        """job ``vacancyGetItem``: 404 unknown, 403 "Пользователь не владелец объявления"."""
        with self.lock:
            vacancy = self.vacancies.get(int(vacancy_id)) if vacancy_id.isdigit() else None
            if vacancy is None:
                raise api_error(404)
            if vacancy.user_id != grant.user_id:
                raise api_error(403)
            return {
                "id": vacancy.id,
                "uuid": f"vac-{vacancy.id}",
                "title": vacancy.title,
                "is_active": vacancy.status == "active",
                "url": vacancy.url,
                "addressDetails": {"city": vacancy.city, "address": vacancy.city},
                "description": "",
                "params": {},
            }

    # --- applications (job tag Job) ------------------------------------------------------------------------
    def _own(self, grant: Grant, application: Application) -> bool:
        vacancy = self.vacancies.get(application.vacancy_id)
        return vacancy is not None and vacancy.user_id == grant.user_id

    def get_ids(self, grant: Grant, query: dict, page_size: int) -> dict:
        """job ``applicationsGetIds``: newest first, ``cursor`` = the previous page's last id."""
        since = query.get("updatedAtFrom") or query.get("createdAtFrom")
        try:
            since_date = dt.date.fromisoformat(since) if since else None
        except ValueError:
            since_date = None
        if since_date is None or len(since) != 10:
            raise api_error(400, "Validation error")
        field_name = "updated_at" if query.get("updatedAtFrom") else "created_at"
        vacancy_ids = (
            {int(v) for v in query["vacancyIds"].split(",") if v.isdigit()} if query.get("vacancyIds") else None
        )
        with self.lock:
            rows = [
                a
                for a in self.applications.values()
                if self._own(grant, a)
                and getattr(a, field_name).date() >= since_date
                and (vacancy_ids is None or a.vacancy_id in vacancy_ids)
                and (not query.get("state") or a.state == query["state"])
            ]
            rows.sort(key=lambda a: (a.created_at, a.id), reverse=True)
            if cursor := query.get("cursor"):
                position = next((i for i, a in enumerate(rows) if a.id == cursor), None)
                if position is None:
                    raise api_error(400, "Validation error")
                rows = rows[position + 1 :]
            return {
                "applies": [
                    {
                        "id": a.id,
                        "created_at": rfc3339(a.created_at),
                        "updated_at": rfc3339(a.updated_at),
                        "state": a.state,
                    }
                    for a in rows[:page_size]
                ]
            }

    def get_by_ids(self, grant: Grant, body: dict) -> dict:
        """job ``applicationsGetByIds``: at most 100 ids; ids that are not the account's are left out."""
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or len(ids) > 100:
            raise api_error(400, "Validation error")
        with self.lock:
            found = [self.applications.get(str(i)) for i in ids]
            return {"applies": [self.application_json(a) for a in found if a and self._own(grant, a)]}

    def application_json(self, a: Application) -> dict:
        return {
            "id": a.id,
            "vacancy_id": a.vacancy_id,
            "negotiation_id": a.negotiation_id,
            "employee_id": None,
            "state": a.state,
            "is_viewed": a.is_viewed,
            "type": a.type,
            "created_at": rfc3339(a.created_at),
            "updated_at": rfc3339(a.updated_at),
            "applicant": a.applicant,
            "contacts": {"phones": a.phones, "chat": {"value": a.chat_id} if a.chat_id else None},
            "prevalidation": a.prevalidation,
            "enriched_properties": None,
            "price": None,
        }

    def apply_actions(self, grant: Grant, body: dict) -> dict:
        """job ``applicationsApplyActions``: ``action`` must be a slug of ``get_states`` (ASSUMED 400 otherwise)."""
        if not isinstance(body, dict) or not isinstance(body.get("ids"), list) or not body.get("action"):
            raise api_error(400, "Validation error")
        if len(body["ids"]) > 100:
            raise api_error(400, "Validation error")
        with self.lock:
            if body["action"] not in {s["slug"] for s in self.states}:
                raise api_error(400, "Validation error")
            changed = []
            for application_id in body["ids"]:
                a = self.applications.get(str(application_id))
                if a is None or not self._own(grant, a):
                    continue
                a.state, a.updated_at = body["action"], now_utc()
                a.actions.append({"action": body["action"], "at": rfc3339(a.updated_at)})
                changed.append(
                    {
                        "id": a.id,
                        "state": a.state,
                        "created_at": rfc3339(a.created_at),
                        "updated_at": rfc3339(a.updated_at),
                    }
                )
            return {"applies": changed}

    # --- resumes ----------------------------------------------------------------------------------------
    def resume(self, resume_id: str) -> dict:
        """job ``resumeGetItem``."""
        with self.lock:
            entry = self.resumes.get(int(resume_id)) if resume_id.isdigit() else None
            if entry is None:
                raise api_error(404)
            return entry["json"]

    def resume_contacts(self, resume_id: str) -> dict:
        """job ``resumeGetContacts``: free for a resume that came with a response; 402 without a views package."""
        with self.lock:
            entry = self.resumes.get(int(resume_id)) if resume_id.isdigit() else None
            if entry is None:
                raise api_error(404)
            if not self.contacts_paid:
                raise api_error(402)
            return entry["contacts"]

    # --- messenger ----------------------------------------------------------------------------------------
    def send_message(self, grant: Grant, user_id: str, chat_id: str, body: dict) -> dict:
        """messenger ``postSendMessage``: text only, at most 1000 characters, into one of the account's chats."""
        with self.lock:
            if str(grant.user_id) != user_id:
                raise api_error(403)
            if not self.messenger_tariff:
                raise api_error(403, "Messenger API is available on the subscription level «Максимальный»")
            if chat_id not in self.chats or not any(
                a.chat_id == chat_id and self._own(grant, a) for a in self.applications.values()
            ):
                raise api_error(404)
            text = ((body or {}).get("message") or {}).get("text") if isinstance(body, dict) else None
            if not isinstance(text, str) or not text or len(text) > MESSAGE_MAX or body.get("type") != "text":
                raise api_error(400, "Validation error")
            message = {
                "id": secrets.token_hex(16),
                "content": {"text": text},
                "created": int(time.time()),
                "direction": "out",
                "type": "text",
            }
            self.chats[chat_id].append(message)
            return message

    def application_record(self, application_id: str) -> dict:
        """The test view of one application: its JSON plus ``actions`` and the chat's ``messages``."""
        with self.lock:
            a = self.applications[application_id]
            return {
                **self.application_json(a),
                "actions": list(a.actions),
                "messages": list(self.chats.get(a.chat_id, [])) if a.chat_id else [],
            }
