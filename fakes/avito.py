"""A fake Avito on loopback: the OAuth consent page and the Job, User, Item and Messenger API on one port.

Built from Avito's official OpenAPI specs as copied in ``api-evangelist/avito`` @ ``5790f70``
(``openapi/_original/avito-*-openapi.json``; ``fakes.avito_world`` holds the state and the JSON shapes and says
what is ASSUMED where the specs are silent). ``FakeAvito().start()`` serves it in a thread; point both
``AVITO_API_URL`` and ``AVITO_OAUTH_URL`` at ``base_url``. Routes (operation ids of the specs):

- ``GET /oauth`` (the consent page; its form POSTs back, then 302 to the *registered* ``redirect_uri`` with
  ``code`` and ``state``: Avito's authorize URL carries no redirect URI) and ``POST /token``
  (``getAccessTokenAuthorizationCode``, ``refreshAccessTokenAuthorizationCode``);
- ``GET /core/v1/accounts/self`` (``getUserInfoSelf``), ``GET /core/v1/items`` (``getItemsInfo``),
  ``GET /job/v2/vacancies/{id}`` (``vacancyGetItem``);
- ``GET /job/v1/applications/get_ids``, ``POST .../get_by_ids``, ``POST .../apply_actions``, ``GET .../get_states``;
- ``GET /job/v2/resumes/{id}`` (``resumeGetItem``), ``GET /job/v1/resumes/{id}/contacts/`` (``resumeGetContacts``);
- ``POST /messenger/v1/accounts/{user_id}/chats/{chat_id}/messages`` (``postSendMessage``).

Every API call needs ``Authorization: Bearer`` with the operation's OAuth scope (403 otherwise, as for an expired
token). Tests drive it with Python methods (``add_application``, ``application``, ``fail_next``,
``expire_tokens``...), the demo with the same controls as JSON routes under ``/_fake/``; ``requests`` records
every call.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import sys
import threading
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import loopback
from .avito_world import AvitoError, World, api_error

DEFAULT_CLIENT_ID = "smartbot-avito-demo-client"
DEFAULT_CLIENT_SECRET = "smartbot-avito-demo-secret"  # noqa: S105 - a fake's published credential, not a secret
# SITE_URL + screening:integrations_callback, as registered with the application on developers.avito.ru
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/responses/integrations/callback/"
PAGE_SIZE = 100  # job ``applicationsGetIds``: "Максимальный лимит = 100"
RATE_LIMIT = 60  # X-RateLimit-Limit on every API answer (requests a minute); the number is illustrative

# The OAuth scope each route needs (the specs' ``security`` ``AuthorizationCode`` lists).
SCOPES = [
    ("GET", r"/core/v1/accounts/self", "user:read"),
    ("GET", r"/core/v1/items", "items:info"),
    ("GET", r"/job/v2/vacancies/(\d+)", "job:vacancy"),
    ("GET", r"/job/v1/applications/get_ids", "job:applications"),
    ("POST", r"/job/v1/applications/get_by_ids", "job:applications"),
    ("POST", r"/job/v1/applications/apply_actions", "job:applications"),
    ("GET", r"/job/v1/applications/get_states", "job:applications"),
    ("GET", r"/job/v2/resumes/(\d+)", "job:cv"),
    ("GET", r"/job/v1/resumes/(\d+)/contacts", "job:cv"),
    ("POST", r"/messenger/v1/accounts/(\d+)/chats/([\w-]+)/messages", "messenger:write"),
]


@dataclass
class Captured:
    """One request the fake received: ``path`` without the query; ``query`` and ``form`` as dicts (JSON parsed)."""

    method: str
    path: str
    query: dict
    headers: dict
    form: object
    raw: bytes = b""


@dataclass
class _Failure:
    prefix: str
    status: int
    body: object
    retry_after: float | None
    count: int
    method: str | None = None
    headers: dict = field(default_factory=dict)


class FakeAvito:
    """A faithful fake Avito. At start: account "Demo Employer" (``user_id``) with two active vacancies."""

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
    ):
        self.world = World(client_id=client_id, client_secret=client_secret, redirect_uri=redirect_uri)
        self.requests: list[Captured] = []
        self.page_size = PAGE_SIZE
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.user_id = self.world.add_account("Demo Employer", "hr@demo-employer.test")
        self.vacancy_ids = [
            self.world.add_vacancy("Продавец-кассир", user_id=self.user_id, city="Москва"),
            self.world.add_vacancy("Курьер", user_id=self.user_id, city="Санкт-Петербург"),
        ]
        self.current_user_id = self.user_id  # who is "logged in" on the consent page

    # --- test controls --------------------------------------------------------------------------------------
    @property
    def client_id(self) -> str:
        return self.world.client_id

    @property
    def client_secret(self) -> str:
        return self.world.client_secret

    @property
    def redirect_uri(self) -> str:
        """The redirect URI registered with the application on developers.avito.ru (the consent page uses it)."""
        return self.world.redirect_uri

    @redirect_uri.setter
    def redirect_uri(self, value: str) -> None:
        self.world.redirect_uri = value

    @property
    def messenger_tariff(self) -> bool:
        """False: the account lacks the «Максимальный» subscription; the Messenger API answers 403."""
        return self.world.messenger_tariff

    @messenger_tariff.setter
    def messenger_tariff(self, value: bool) -> None:
        self.world.messenger_tariff = bool(value)

    @property
    def contacts_paid(self) -> bool:
        """False: resume contacts answer 402 "Payment required" (no views package)."""
        return self.world.contacts_paid

    @contacts_paid.setter
    def contacts_paid(self, value: bool) -> None:
        self.world.contacts_paid = bool(value)

    def set_states(self, states: list[dict]) -> None:
        """What ``applicationsGetStates`` lists (``[{"slug", "description"}]``); ``apply_actions`` accepts these."""
        with self.world.lock:
            self.world.states = [dict(s) for s in states]

    def add_account(self, name: str, email: str = "") -> int:
        return self.world.add_account(name, email)

    def add_vacancy(self, title: str, *, user_id: int | None = None, city: str = "Москва", status: str = "active"):
        """A vacancy (an item of the job category); ``status``: active, old, removed, blocked, rejected."""
        return self.world.add_vacancy(title, user_id=user_id or self.user_id, city=city, status=status)

    def archive_vacancy(self, vacancy_id: int) -> None:
        """The vacancy's publication ends (item status ``old``; ``vacancyGetItem`` says ``is_active: false``)."""
        with self.world.lock:
            self.world.vacancies[int(vacancy_id)].status = "old"

    def add_application(self, vacancy_id: int, first_name: str, last_name: str, **fields) -> str:
        """A candidate's response to the vacancy; returns its id (24 hex digits, as the spec's example).

        ``fields``: ``middle_name``, ``phone`` (digits, "79211234455"), ``email`` (only in the resume's contacts),
        ``city``, ``chat`` (default True: a "by_chat" response with a chat id; False: "by_phone"), ``resume``
        (a dict with ``title``, ``description``, ``salary``, ``schedule``, ``experience`` as the spec's
        ``experience_list`` items, ``education_list``; False: no resume), ``prevalidation``, ``created_at``
        (aware datetime), ``birthday``, ``gender``, ``citizenship``, ``education``.
        """
        return self.world.add_application(vacancy_id, first_name, last_name, **fields)

    def application(self, application_id: str) -> dict:
        """The application as ``get_by_ids`` gives it, plus ``actions`` (``apply_actions`` history) and the
        ``messages`` sent into its chat."""
        return self.world.application_record(str(application_id))

    def expire_tokens(self) -> None:
        """Every access token expires now: API calls answer 403, refresh tokens still work."""
        self.world.expire_tokens()

    def grant_tokens(self, user_id: int | None = None, scope: str | None = None) -> dict:
        """Tokens as the token endpoint gives them, without the browser dance; every scope unless ``scope``."""
        scopes = {s for _, _, s in SCOPES} if scope is None else set(scope.split(","))
        return self.world.issue(user_id or self.user_id, frozenset(scopes))

    def fail_next(
        self,
        status: int,
        *,
        retry_after: float | None = None,
        path: str = "/",
        body=None,
        count: int = 1,
        method: str | None = None,
    ) -> None:
        """The next ``count`` API calls whose path starts with ``path`` answer ``status`` (after the token check).

        ``body``: a dict (JSON), bytes or str (sent raw), or None for Avito's usual ``{"error": {"code",
        "message"}}`` (a 500 is then a non-JSON page). ``retry_after`` adds a ``Retry-After`` header.
        """
        with self._lock:
            self._failures.append(_Failure(path, status, body, retry_after, count, method and method.upper()))

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[Captured]:
        return [r for r in self.requests if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    @property
    def base_url(self) -> str:
        return loopback.base_url(self._server)

    def approve_url(self, authorize_url: str, *, user_id: int | None = None, allow: bool = True) -> str:
        """Play the owner's browser: open the consent page, press Allow (or Deny); return the redirect target."""
        parts = urlsplit(authorize_url)
        status, _, page = self._http("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        if status != 200:
            raise AssertionError(f"authorize page answered {status}: {page[:200]!r}")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.decode()))
        fields = {k: html.unescape(v) for k, v in fields.items()}
        fields["user_id"] = str(user_id or self.current_user_id)
        fields["decision"] = "allow" if allow else "deny"
        status, headers, page = self._http("POST", "/oauth", urlencode(fields))
        if status != 302:
            raise AssertionError(f"consent answered {status}: {page[:200]!r}")
        return next((v for k, v in headers if k.lower() == "location"), "")

    def _http(self, method: str, target: str, body: str | None = None):
        host, port = self._server.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=10)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    # --- server -----------------------------------------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> FakeAvito:
        self._server, self._thread = loopback.serve(self._handle, host=host, port=port)
        return self

    def stop(self) -> None:
        loopback.stop(self._server)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form: object = {}
        if "json" in headers.get("content-type", ""):
            try:
                form = json.loads(raw or b"{}")
            except ValueError:
                form = None  # a body that is not JSON: the route answers 400
        elif raw:
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        request = Captured(handler.command, parts.path, query, headers, form, raw)
        if not parts.path.startswith("/_fake/"):
            with self._lock:
                self.requests.append(request)
        try:
            status, body, extra = self._route(request)
        except AvitoError as error:
            status, body, extra = error.status, error.body, dict(error.headers)
        except Exception:  # a bug in the fake: answer like a broken server, and say why on stderr
            traceback.print_exc()
            status, body, extra = 500, b"Internal Server Error", {}
        if parts.path.startswith(("/core/", "/job/", "/messenger/")):
            extra.setdefault("X-RateLimit-Limit", str(RATE_LIMIT))
            extra.setdefault("X-RateLimit-Remaining", str(RATE_LIMIT - 1))
        loopback.send(handler, status, body, extra)

    def _route(self, r: Captured):
        path, method, world = r.path.rstrip("/") or "/", r.method, self.world
        if path.startswith("/_fake/"):
            return self._control(r, path)
        if path == "/oauth":
            return self._authorize(r)
        if path == "/token" and method == "POST":
            self._maybe_fail(r)
            return 200, world.token(r.form if isinstance(r.form, dict) else {}), {}
        route = next(((re.fullmatch(p, path), s) for m, p, s in SCOPES if m == method and re.fullmatch(p, path)), None)
        if route is None:
            raise api_error(404)
        match, scope = route
        grant = world.authenticate(r.headers, scope)
        self._maybe_fail(r)
        groups = match.groups()
        if path == "/core/v1/accounts/self":
            return 200, world.me(grant), {}
        if path == "/core/v1/items":
            return 200, world.items(grant, r.query), {}
        if path.startswith("/job/v2/vacancies/"):
            return 200, world.vacancy(grant, groups[0]), {}
        if path == "/job/v1/applications/get_ids":
            return 200, world.get_ids(grant, r.query, self.page_size), {}
        if path == "/job/v1/applications/get_by_ids":
            return 200, world.get_by_ids(grant, r.form), {}
        if path == "/job/v1/applications/apply_actions":
            return 200, world.apply_actions(grant, r.form), {}
        if path == "/job/v1/applications/get_states":
            with world.lock:
                return 200, {"states": [dict(s) for s in world.states]}, {}
        if path.startswith("/job/v2/resumes/"):
            return 200, world.resume(groups[0]), {}
        if path.startswith("/job/v1/resumes/"):
            return 200, world.resume_contacts(groups[0]), {}
        return 200, world.send_message(grant, groups[0], groups[1], r.form), {}

    def _maybe_fail(self, r: Captured) -> None:
        with self._lock:
            for failure in self._failures:
                if r.path.startswith(failure.prefix) and failure.method in (None, r.method):
                    failure.count -= 1
                    if failure.count <= 0:
                        self._failures.remove(failure)
                    break
            else:
                return
        headers = {}
        if failure.retry_after is not None:
            seconds = failure.retry_after
            headers["Retry-After"] = str(int(seconds) if float(seconds).is_integer() else seconds)
        if failure.body is not None:
            raise AvitoError(failure.status, failure.body, headers)
        if failure.status == 500:
            raise AvitoError(500, b"Internal Server Error", headers)
        error = api_error(failure.status)
        if failure.status == 503:
            error.body["error"]["message"] = "Service temporarily unavailable. Please, contact support"
        error.headers.update(headers)
        raise error

    def _authorize(self, r: Captured):
        """The consent page (auth tag ApplicationAccess, steps 2-4): GET shows it, its form POSTs the answer."""
        params = r.query if r.method == "GET" else (r.form if isinstance(r.form, dict) else {})
        problem = ""
        if params.get("response_type") != "code":
            problem = "response_type must be code"
        elif params.get("client_id") != self.client_id:
            problem = "unknown client_id"
        elif not params.get("scope"):
            problem = "scope is required"
        if problem:
            page = f"<!doctype html><title>Авито</title><h1>Ошибка</h1><p>{html.escape(problem)}</p>"
            return 400, page.encode(), {"Content-Type": "text/html; charset=utf-8"}
        if r.method == "GET":
            return 200, self._consent_page(params).encode(), {"Content-Type": "text/html; charset=utf-8"}
        answer = {}
        if params.get("decision") != "allow":
            answer["error"] = "access_denied"
        else:
            user_id = int(params.get("user_id") or self.current_user_id)
            if user_id not in self.world.accounts:
                user_id = self.current_user_id
            answer["code"] = self.world.grant_code(user_id, params["scope"])
        if "state" in params:
            answer["state"] = params["state"]
        redirect_uri = self.world.redirect_uri
        return 302, b"", {"Location": redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(answer)}

    def _consent_page(self, params: dict) -> str:
        keep = {k: params[k] for k in ("response_type", "client_id", "scope", "state") if k in params}
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in keep.items()
        )
        with self.world.lock:
            options = "".join(
                f'<option value="{a["id"]}"{" selected" if a["id"] == self.current_user_id else ""}>'
                f"{html.escape(a['name'])}</option>"
                for a in self.world.accounts.values()
            )
        scopes = html.escape(params.get("scope", ""))
        return (
            "<!doctype html><html><head><meta charset=utf-8><title>Авито: доступ приложения</title></head><body>"
            f"<h1>Allow SmartBot access</h1><p>Scopes: {scopes}</p>"
            f'<form method="post" action="/oauth">{hidden}<label>Account <select name=user_id>{options}</select>'
            '</label> <button type="submit" name="decision" value="allow">Allow</button> '
            '<button type="submit" name="decision" value="deny">Deny</button></form></body></html>'
        )

    def _control(self, r: Captured, path: str):
        """The test controls over HTTP (JSON in and out), for the demo and scripts."""
        body, get = (r.form if isinstance(r.form, dict) else {}), r.method == "GET"
        if path == "/_fake/vacancies" and not get:
            vid = self.add_vacancy(body["title"], user_id=body.get("user_id"), city=body.get("city", "Москва"))
            return 201, {"id": vid}, {}
        if m := re.fullmatch(r"/_fake/vacancies/(\d+)/archive", path):
            self.archive_vacancy(int(m[1]))
            return 200, {"id": int(m[1]), "status": "old"}, {}
        if path == "/_fake/applications" and not get:
            fields = {k: v for k, v in body.items() if k not in ("vacancy_id", "first_name", "last_name")}
            application_id = self.add_application(body["vacancy_id"], body["first_name"], body["last_name"], **fields)
            return 201, {"id": application_id}, {}
        if m := re.fullmatch(r"/_fake/applications/(\w+)", path):
            if m[1] not in self.world.applications:
                raise api_error(404)
            return 200, self.application(m[1]), {}
        if path == "/_fake/expire_tokens":
            self.expire_tokens()
            return 200, {"ok": True}, {}
        if path == "/_fake/fail_next" and not get:
            self.fail_next(
                int(body["status"]), retry_after=body.get("retry_after"), path=body.get("path", "/"),
                body=body.get("body"), count=int(body.get("count", 1)), method=body.get("method"),
            )  # fmt: skip
            return 200, {"ok": True}, {}
        if path == "/_fake/redirect_uri" and not get:
            self.redirect_uri = body["redirect_uri"]
            return 200, {"redirect_uri": self.redirect_uri}, {}
        if path == "/_fake/requests":
            return 200, [{"method": c.method, "path": c.path, "query": c.query} for c in list(self.requests)], {}
        if path == "/_fake/state":
            with self.world.lock:
                return (
                    200,
                    {
                        "base_url": self.base_url,
                        "client_id": self.client_id,
                        "redirect_uri": self.redirect_uri,
                        "accounts": list(self.world.accounts.values()),
                        "vacancies": [vars(v) for v in self.world.vacancies.values()],
                        "applications": [self.application(a) for a in self.world.applications],
                    },
                    {},
                )
        raise api_error(404)


def main(argv: list[str] | None = None) -> None:
    """Serve the fake Avito until interrupted: ``python -m fakes.avito --port 8703``."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Avito (OAuth page, Job/User/Item/Messenger API) on loopback.")
    parser.add_argument("--port", type=int, default=8703)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--redirect-uri", default=DEFAULT_REDIRECT_URI, help="the registered redirect URI")
    args = parser.parse_args(argv)
    fake = FakeAvito(client_id=args.client_id, client_secret=args.client_secret, redirect_uri=args.redirect_uri)
    fake.start(port=args.port, host=args.host)
    print(f"fake Avito on {fake.base_url} (redirects to {fake.redirect_uri})", flush=True)
    print(
        f"  AVITO_API_URL={fake.base_url} AVITO_OAUTH_URL={fake.base_url} "
        f"AVITO_CLIENT_ID={fake.client_id} AVITO_CLIENT_SECRET={fake.client_secret}",
        flush=True,
    )
    print(f"  account {fake.user_id} 'Demo Employer', vacancies {', '.join(map(str, fake.vacancy_ids))}", flush=True)
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
