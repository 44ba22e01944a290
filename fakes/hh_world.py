"""The state of the fake hh.ru (employers, vacancies, responses, resumes, OAuth grants) and its JSON shapes.

Pure Python behind one lock, no HTTP: ``fakes.hh`` serves it. Every shape and error follows the hh.ru employer
API as distilled in /work/helpers/hh_api.md from the public ``hhru/api`` repository (sections cited as §N):
OAuth ``docs/authorization_for_user.md`` and ``docs/errors.md``; ``docs/me.md``; ``docs/employer_vacancies.md``;
``docs/employer_negotiations.md``; ``docs/employer_resumes.md``. A refused call raises ``HHError`` with the
status and the ``{"errors": [...]}`` (or RFC 6749) body hh.ru answers with.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from dataclasses import dataclass, field

from .hh_oauth import Grant, OAuthMixin, api_error

MSK = dt.timezone(dt.timedelta(hours=3))
MAX_PER_PAGE = 50  # §0 / §2.2 / §3.2

# Employer-side states, which are also the collections and the action ids (§3.1, §4.1).
STATE_NAMES = {
    "response": "Отклик",
    "consider": "Подумать",
    "phone_interview": "Телефонное интервью",
    "assessment": "Оценка",
    "interview": "Собеседование",
    "offer": "Предложение о работе",
    "hired": "Выход на работу",
    "discard_by_employer": "Отказ",
}
ACTION_ORDER = ["consider", "phone_interview", "assessment", "interview", "offer", "hired", "discard_by_employer"]
TRANSITIONS = {
    "response": ["consider", "phone_interview", "assessment", "interview", "offer", "discard_by_employer"],
    "consider": ["phone_interview", "assessment", "interview", "offer", "discard_by_employer"],
    "phone_interview": ["consider", "assessment", "interview", "offer", "discard_by_employer"],
    "assessment": ["interview", "offer", "discard_by_employer"],
    "interview": ["offer", "hired", "discard_by_employer"],
    "offer": ["hired", "discard_by_employer"],
    "hired": [],
    "discard_by_employer": ["consider", "phone_interview", "interview"],
}
INVITED_STATES = {"phone_interview", "assessment", "interview", "offer", "hired"}
MESSAGE_REQUIRED = {"phone_interview", "assessment", "interview", "offer"}
NO_ARGUMENTS = {"consider", "hired"}  # like §3.2's "hold" example: "arguments": []
MAX_MESSAGE = 4000


def iso(moment: dt.datetime) -> str:
    """hh.ru's dates: ``2015-05-14T12:00:05+0300`` (no colon in the offset, §0)."""
    return moment.astimezone(MSK).strftime("%Y-%m-%dT%H:%M:%S%z")


def page_of(items: list, query: dict, *, default_per_page: int = 20) -> dict:
    """The paging envelope of §0: 0-based ``page``, ``per_page`` at most 50 (400 ``bad_argument`` otherwise)."""
    try:
        page = int(query.get("page", 0))
    except ValueError:
        raise api_error(400, "bad_argument", "page")
    try:
        per_page = int(query.get("per_page", default_per_page))
    except ValueError:
        raise api_error(400, "bad_argument", "per_page")
    if page < 0:
        raise api_error(400, "bad_argument", "page")
    if not 0 < per_page <= MAX_PER_PAGE:
        raise api_error(400, "bad_argument", "per_page")
    pages = (len(items) + per_page - 1) // per_page
    chunk = items[page * per_page : (page + 1) * per_page]
    return {"found": len(items), "pages": pages, "page": page, "per_page": per_page, "items": chunk}


@dataclass
class Employer:
    id: str
    name: str
    manager_id: str
    contacts_tariff: bool = True  # the tariff opens contacts of responses (§7, per-contact tariffs)


@dataclass
class Vacancy:
    id: str
    employer_id: str
    name: str
    area: str = "Москва"
    archived: bool = False
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(MSK))


@dataclass
class Negotiation:
    id: str
    vacancy_id: str
    resume_id: str
    contacts_open: bool = True
    employer_state: str = "response"
    state: str = "response"  # what the applicant sees: response, invitation, discard, hired
    viewed: bool = False
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(MSK))
    updated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(MSK))
    messages: list = field(default_factory=list)  # {"id", "text", "author", "state", "created_at"}
    actions: list = field(default_factory=list)  # {"action", "method", "message", "form", "from", "to"}


class World(OAuthMixin):
    """Everything the fake hh.ru knows. Methods take and return plain JSON-ready values."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str = ""):
        self.lock = threading.RLock()
        self.base_url = "http://127.0.0.1"
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri  # registered one; "" accepts any http(s) URI
        self.paid_api = True
        self.employers: dict[str, Employer] = {}
        self.vacancies: dict[str, Vacancy] = {}
        self.negotiations: dict[str, Negotiation] = {}
        self.resumes: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.grants: dict[str, Grant] = {}  # by access token
        self.by_refresh: dict[str, Grant] = {}
        self._ids = {"employer": 4240, "manager": 87000, "vacancy": 90000000, "negotiation": 1000000, "message": 500}

    def next_id(self, kind: str) -> str:
        with self.lock:
            self._ids[kind] += 1
            return str(self._ids[kind])

    # --- setup --------------------------------------------------------------------------------------------
    def add_employer(self, name: str, *, contacts_tariff: bool = True) -> str:
        with self.lock:
            employer = Employer(self.next_id("employer"), name, self.next_id("manager"), contacts_tariff)
            self.employers[employer.id] = employer
            return employer.id

    def add_vacancy(self, name: str, *, employer_id: str | None = None, area: str = "Москва") -> str:
        with self.lock:
            employer_id = employer_id or next(iter(self.employers))
            if employer_id not in self.employers:
                raise KeyError(f"no employer {employer_id}")
            vacancy = Vacancy(self.next_id("vacancy"), employer_id, name, area)
            self.vacancies[vacancy.id] = vacancy
            return vacancy.id

    def add_response(
        self,
        vacancy_id: str,
        first_name: str,
        last_name: str,
        *,
        middle_name: str = "",
        email: str = "",
        phone: str = "",
        city: str = "",
        title: str = "",
        experience: list | None = None,
        skills: list | None = None,
        education: list | None = None,
        about: str = "",
        total_months: int | None = None,
        contacts_open: bool = True,
        cover_letter: str = "",
        resume_id: str = "",
    ) -> str:
        """A candidate responds to the vacancy: a resume (reused when ``resume_id`` is known) and a negotiation."""
        with self.lock:
            if str(vacancy_id) not in self.vacancies:
                raise KeyError(f"no vacancy {vacancy_id}")
            resume_id = resume_id or secrets.token_hex(19)
            experience = [dict(entry) for entry in experience or []]
            if total_months is None:
                total_months = sum(_months(e.get("start"), e.get("end")) for e in experience)
            self.resumes.setdefault(
                resume_id,
                {
                    "id": resume_id,
                    "first_name": first_name,
                    "last_name": last_name,
                    "middle_name": middle_name or None,
                    "email": email,
                    "phone": phone,
                    "city": city or self.vacancies[str(vacancy_id)].area,
                    "title": title or "Без названия",
                    "experience": experience,
                    "skills": about,
                    "skill_set": list(skills or []),
                    "education": list(education or []),
                    "total_months": total_months,
                },
            )
            negotiation = Negotiation(self.next_id("negotiation"), str(vacancy_id), resume_id, contacts_open)
            if cover_letter:
                negotiation.messages.append(self._message(cover_letter, "applicant", "response"))
            self.negotiations[negotiation.id] = negotiation
            return negotiation.id

    def _message(self, text: str, author: str, state: str) -> dict:
        return {
            "id": self.next_id("message"),
            "text": text,
            "author": {"participant_type": author},
            "state": {"id": state, "name": state},
            "created_at": iso(dt.datetime.now(MSK)),
            "viewed_by_me": True,
            "viewed_by_opponent": False,
            "editable": False,
            "read": False,
            "address": None,
        }

    # --- reads (§2, §3, §7) -------------------------------------------------------------------------------
    def me(self, grant: Grant) -> dict:
        employer = self.employers[grant.employer_id]
        return {
            "id": employer.manager_id,
            "first_name": "Мария",
            "last_name": "Менеджерова",
            "middle_name": None,
            "email": f"manager{employer.manager_id}@example.com",
            "phone": "79160000000",
            "is_admin": False,
            "is_applicant": False,
            "is_employer": True,
            "is_application": False,
            "employer": {"id": employer.id, "name": employer.name, "manager_id": employer.manager_id},
            "manager": {"id": employer.manager_id, "has_admin_rights": True, "is_main_contact_person": True},
            "negotiations_url": f"{self.base_url}/negotiations",
        }

    def vacancy_json(self, vacancy: Vacancy) -> dict:
        employer = self.employers[vacancy.employer_id]
        return {
            "id": vacancy.id,
            "name": vacancy.name,
            "archived": vacancy.archived,
            "area": {"id": "1", "name": vacancy.area, "url": f"{self.base_url}/areas/1"},
            "url": f"{self.base_url}/vacancies/{vacancy.id}",
            "alternate_url": f"{self.base_url}/vacancy/{vacancy.id}",
            "published_at": iso(vacancy.created_at),
            "type": {"id": "open", "name": "Открытая"},
            "employer": {"id": employer.id, "name": employer.name},
            "counters": {"responses": sum(1 for n in self.negotiations.values() if n.vacancy_id == vacancy.id)},
        }

    def active_vacancies(self, grant: Grant, employer_id: str, query: dict) -> dict:
        with self.lock:
            if employer_id != grant.employer_id:
                raise api_error(404, "not_found")
            items = [self.vacancy_json(v) for v in self.vacancies.values() if v.employer_id == employer_id]
            return page_of([item for item in items if not item["archived"]], query)

    def own_vacancy(self, grant: Grant, vacancy_id: str) -> Vacancy:
        vacancy = self.vacancies.get(vacancy_id)
        if vacancy is None or vacancy.employer_id != grant.employer_id:
            raise api_error(404, "not_found")
        return vacancy

    def get_vacancy(self, vacancy_id: str) -> dict:
        with self.lock:
            vacancy = self.vacancies.get(vacancy_id)
            if vacancy is None:
                raise api_error(404, "not_found")
            return self.vacancy_json(vacancy)

    def collections(self, grant: Grant, query: dict) -> dict:
        """``GET /negotiations?vacancy_id=`` (§3.1): every collection, with its url and counters."""
        with self.lock:
            vacancy_id = query.get("vacancy_id", "")
            if not vacancy_id:
                raise api_error(400, "bad_argument", "vacancy_id")
            self.own_vacancy(grant, vacancy_id)
            mine = [n for n in self.negotiations.values() if n.vacancy_id == vacancy_id]
            collections = []
            for state, name in STATE_NAMES.items():
                inside = [n for n in mine if n.employer_state == state]
                collections.append(
                    {
                        "id": state,
                        "name": name,
                        "url": f"{self.base_url}/negotiations/{state}?vacancy_id={vacancy_id}",
                        "counters": {"total": len(inside), "with_updates": sum(not n.viewed for n in inside)},
                        "order_types": [],
                    }
                )
            states = [{"id": s, "name": n} for s, n in STATE_NAMES.items()]
            return {"collections": collections, "generated_collections": [], "employer_states": states}

    def collection(self, grant: Grant, collection: str, query: dict) -> dict:
        """``GET /negotiations/{collection}?vacancy_id=`` (§3.2), paged."""
        with self.lock:
            vacancy_id = query.get("vacancy_id", "")
            if not vacancy_id:
                raise api_error(400, "bad_argument", "vacancy_id")
            if collection not in STATE_NAMES:
                raise api_error(404, "not_found")
            self.own_vacancy(grant, vacancy_id)
            inside = [
                n for n in self.negotiations.values() if n.vacancy_id == vacancy_id and n.employer_state == collection
            ]
            inside.sort(key=lambda n: int(n.id))
            envelope = page_of(inside, query)
            envelope["items"] = [self.negotiation_json(n) for n in envelope["items"]]
            envelope["ordered_by"] = {"id": "created_at", "name": "по дате отклика"}
            return envelope

    def own_negotiation(self, grant: Grant, nid: str) -> Negotiation:
        negotiation = self.negotiations.get(nid)
        if negotiation is None or self.vacancies[negotiation.vacancy_id].employer_id != grant.employer_id:
            raise api_error(404, "not_found")
        return negotiation

    def negotiation_json(self, n: Negotiation, *, full: bool = False) -> dict:
        resume = self.resumes[n.resume_id]
        vacancy = self.vacancies[n.vacancy_id]
        actions = []
        for action in ACTION_ORDER:
            if action == n.employer_state:
                continue
            if action in NO_ARGUMENTS:
                arguments = []
            else:
                arguments = [{"id": "message", "required": action in MESSAGE_REQUIRED, "required_arguments": []}]
                arguments.append({"id": "send_sms", "required": False, "required_arguments": [{"id": "message"}]})
            actions.append(
                {
                    "id": action,
                    "name": STATE_NAMES[action],
                    "enabled": action in TRANSITIONS[n.employer_state],
                    "method": "PUT",
                    "url": f"{self.base_url}/negotiations/{action}/{n.id}",
                    "arguments": arguments,
                    "resulting_employer_state": {"id": action, "name": STATE_NAMES[action]},
                    "templates": [],
                }
            )
        item = {
            "id": n.id,
            "created_at": iso(n.created_at),
            "updated_at": iso(n.updated_at),
            "has_updates": not n.viewed,
            "state": {"id": n.state, "name": n.state},
            "employer_state": {"id": n.employer_state, "name": STATE_NAMES[n.employer_state]},
            "actions": actions,
            "url": f"{self.base_url}/negotiations/{n.id}",
            "messages_url": f"{self.base_url}/negotiations/{n.id}/messages",
            "viewed_by_opponent": n.viewed,
            "counters": {"messages": len(n.messages), "unread_messages": 0},
            "source": "NEGOTIATION",
            "templates": [],
            "test_result": None,
            "resume": {
                "id": resume["id"],
                "title": resume["title"],
                "url": f"{self.base_url}/resumes/{resume['id']}?topic_id={n.id}",
                "alternate_url": f"{self.base_url}/resume/{resume['id']}?vacancyId={n.vacancy_id}&t={n.id}",
                "first_name": resume["first_name"],
                "last_name": resume["last_name"],
                "middle_name": resume["middle_name"],
                "age": None,
                "can_view_full_info": True,
                "area": {"id": "1", "name": resume["city"], "url": f"{self.base_url}/areas/1"},
                "total_experience": {"months": resume["total_months"]},
                "experience": [
                    {k: e.get(k) for k in ("position", "company", "start", "end")} for e in resume["experience"][:3]
                ],
                "education": {"primary": [], "level": {"id": "higher", "name": "Высшее"}},
            },
        }
        if full:
            item["vacancy"] = {"id": vacancy.id, "name": vacancy.name, "archived": vacancy.archived}
            item["messaging_status"] = "ok" if self.can_message(n) else "no_invitation"
            item["professional_roles"] = []
        return item

    def negotiation_full(self, grant: Grant, nid: str) -> dict:
        """``GET /negotiations/{nid}`` (§3.3)."""
        with self.lock:
            return self.negotiation_json(self.own_negotiation(grant, nid), full=True)

    def can_message(self, n: Negotiation) -> bool:
        return n.state == "invitation" or n.employer_state in INVITED_STATES

    def resume_json(self, grant: Grant, resume_id: str, query: dict) -> dict:
        """The full resume (§7); contacts and names are null unless the tariff and the response open them."""
        with self.lock:
            resume = self.resumes.get(resume_id)
            if resume is None:
                raise api_error(404, "not_found")
            employer = self.employers[grant.employer_id]
            ours = [
                n
                for n in self.negotiations.values()
                if n.resume_id == resume_id and self.vacancies[n.vacancy_id].employer_id == employer.id
            ]
            if not ours:
                raise api_error(404, "not_found")
            topic = next((n for n in ours if n.id == query.get("topic_id")), None)
            if topic is not None:
                topic.viewed = True
            open_ = employer.contacts_tariff and any(n.contacts_open for n in ([topic] if topic else ours))
            contact = []
            if resume["phone"]:
                digits = re.sub(r"\D", "", resume["phone"])
                value = {"country": digits[:1], "city": digits[1:4], "number": digits[4:], "formatted": "+" + digits}
                contact.append({"type": {"id": "cell", "name": "Мобильный телефон"}, "preferred": True, "value": value})
            if resume["email"]:
                contact.append(
                    {"type": {"id": "email", "name": "Эл. почта"}, "preferred": False, "value": resume["email"]}
                )
            education = [
                {"name": e.get("name", ""), "organization": e.get("organization"), "result": e.get("result"),
                 "year": e.get("year")}
                for e in resume["education"]
            ]  # fmt: skip
            return {
                "id": resume["id"],
                "first_name": resume["first_name"] if open_ else None,
                "last_name": resume["last_name"] if open_ else None,
                "middle_name": resume["middle_name"] if open_ else None,
                "contact": contact if open_ else None,
                "site": [] if open_ else None,
                "photo": None,
                "title": resume["title"],
                "area": {"id": "1", "name": resume["city"], "url": f"{self.base_url}/areas/1"},
                "age": None,
                "birth_date": None,
                "experience": [
                    {
                        "company": e.get("company"),
                        "position": e.get("position"),
                        "start": e.get("start"),
                        "end": e.get("end"),
                        "description": e.get("description"),
                        "area": None,
                        "industries": [],
                    }
                    for e in resume["experience"]
                ],
                "total_experience": {"months": resume["total_months"]},
                "skills": resume["skills"] or None,
                "skill_set": resume["skill_set"],
                "education": {"level": {"id": "higher", "name": "Высшее"}, "primary": education, "additional": []},
                "language": [],
                "can_view_full_info": True,
                "hidden_fields": [],
                "alternate_url": f"{self.base_url}/resume/{resume['id']}",
                "actions": {"get_with_contact": None if open_ else {"url": f"{self.base_url}/resumes/{resume_id}"}},
            }

    # --- writes (§4) --------------------------------------------------------------------------------------
    def act(self, grant: Grant, action: str, nid: str, form: dict, method: str) -> None:
        """``PUT /negotiations/{action}/{nid}`` (§4.1): 204, or the ``negotiations`` errors."""
        with self.lock:
            n = self.own_negotiation(grant, nid)
            if action not in STATE_NAMES or action == "response":
                raise api_error(404, "not_found")
            if self.vacancies[n.vacancy_id].archived:
                raise api_error(403, "negotiations", "invalid_vacancy")
            if action not in TRANSITIONS[n.employer_state]:
                raise api_error(403, "negotiations", "wrong_state")
            message = form.get("message", "")
            if action in MESSAGE_REQUIRED and not message.strip():
                raise api_error(403, "negotiations", "empty_message")
            if len(message) > MAX_MESSAGE:
                raise api_error(403, "negotiations", "too_long_message")
            before = n.employer_state
            n.employer_state = action
            if action.startswith("discard"):
                n.state = "discard"
            elif action == "hired":
                n.state = "hired"
            elif action in INVITED_STATES:
                n.state = "invitation"
            n.updated_at = dt.datetime.now(MSK)
            n.actions.append({"action": action, "method": method, "message": message, "from": before, "to": action})
            if message and action not in NO_ARGUMENTS:
                n.messages.append(self._message(message, "employer", n.state))

    def send_message(self, grant: Grant, nid: str, form: dict) -> dict:
        """``POST /negotiations/{nid}/messages`` (§4.3): 201 with the message; only after an invitation."""
        with self.lock:
            n = self.own_negotiation(grant, nid)
            if self.vacancies[n.vacancy_id].archived:
                raise api_error(403, "negotiations", "archived")
            if not self.can_message(n):
                raise api_error(403, "negotiations", "no_invitation")
            text = form.get("message", "")
            if not text.strip():
                raise api_error(403, "negotiations", "message_cannot_be_empty")
            if len(text) > MAX_MESSAGE:
                raise api_error(403, "negotiations", "too_long_message")
            message = self._message(text, "employer", n.state)
            n.messages.append(message)
            n.updated_at = dt.datetime.now(MSK)
            return message

    def messages(self, grant: Grant, nid: str, query: dict) -> dict:
        with self.lock:
            return page_of(list(self.own_negotiation(grant, nid).messages), query)

    def move(self, nid: str, employer_state: str) -> None:
        """A manager moves the response on the site (no message, nothing recorded as sent by the API)."""
        if employer_state not in STATE_NAMES:
            raise KeyError(f"no employer state {employer_state}")
        with self.lock:
            n = self.negotiations[nid]
            n.employer_state = employer_state
            if employer_state.startswith("discard"):
                n.state = "discard"
            elif employer_state in INVITED_STATES:
                n.state = "hired" if employer_state == "hired" else "invitation"
            else:
                n.state = "response"

    def negotiation_record(self, nid: str) -> dict:
        """What a test asserts on: the state and everything our client sent to this response."""
        with self.lock:
            n = self.negotiations[str(nid)]
            return {
                "id": n.id,
                "vacancy_id": n.vacancy_id,
                "resume_id": n.resume_id,
                "employer_state": n.employer_state,
                "state": n.state,
                "viewed": n.viewed,
                "contacts_open": n.contacts_open,
                "actions": [dict(a) for a in n.actions],
                "messages": [
                    {"text": m["text"], "author": m["author"]["participant_type"], "state": m["state"]["id"]}
                    for m in n.messages
                ],
            }


def _months(start: str | None, end: str | None) -> int:
    """Whole months between two ``YYYY-MM-DD`` dates (``end`` None: today)."""
    try:
        a = dt.date.fromisoformat(start) if start else None
        b = dt.date.fromisoformat(end) if end else dt.date.today()
    except ValueError:
        return 0
    if a is None:
        return 0
    return max(0, (b.year - a.year) * 12 + b.month - a.month)
