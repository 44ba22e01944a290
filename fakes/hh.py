"""A fake hh.ru on loopback: the OAuth pages and the employer API on one port, speaking the real API.

Built from the public ``hhru/api`` documentation as distilled in /work/helpers/hh_api.md (its sections are cited
as §N in ``fakes.hh_world``, which holds the state and the JSON shapes). ``FakeHH().start()`` serves it in a
thread; point both ``HH_API_URL`` and ``HH_OAUTH_URL`` at ``base_url``. Routes:

- ``GET /oauth/authorize`` (a consent page whose form POSTs back, then 302 to ``redirect_uri?code=&state=``);
- ``POST /token`` and the legacy ``POST /oauth/token``; ``DELETE /token`` (and ``/oauth/token``);
- ``GET /me``, ``GET /employers/{id}/vacancies/active``, ``GET /vacancies/{id}``;
- ``GET /negotiations?vacancy_id=``, ``GET /negotiations/{collection}?vacancy_id=``, ``GET /negotiations/{nid}``,
  ``PUT /negotiations/{action}/{nid}``, ``GET|POST /negotiations/{nid}/messages``, ``GET /resumes/{id}``.

Every API call needs ``HH-User-Agent`` or ``User-Agent`` (400 ``bad_user_agent``) and a bearer token (403
``oauth`` errors). A test drives it with Python methods (``add_response``, ``fail_next``, ``expire_tokens``...),
the demo with the same controls as JSON routes under ``/_fake/``. ``requests`` records every call.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import loopback
from .hh_oauth import HHError, api_error
from .hh_world import World

DEFAULT_CLIENT_ID = "smartbot-demo-client"
DEFAULT_CLIENT_SECRET = "smartbot-demo-secret"  # noqa: S105 - a fake's published credential, not a secret
DEFAULT_ERROR_BODIES = {
    400: {"errors": [{"type": "bad_argument"}]},
    403: {"errors": [{"type": "api_access_payment", "value": "action_must_be_payed"}]},
    404: {"errors": [{"type": "not_found"}]},
    429: {"errors": [{"type": "too_many_requests"}]},
    503: {"errors": [{"type": "service_unavailable"}]},
}


@dataclass
class Captured:
    """One request the fake received: ``path`` without the query, ``query`` and ``form`` as flat dicts."""

    method: str
    path: str
    query: dict
    headers: dict
    form: dict
    raw: bytes = b""

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


@dataclass
class _Failure:
    prefix: str
    status: int
    body: object
    retry_after: float | None
    count: int
    method: str | None = None
    delay: float = 0.0


class FakeHH:
    """A faithful fake hh.ru. At start: employer "Demo Employer" (``employer_id``) with two active vacancies."""

    def __init__(self, *, client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET):
        self.world = World(client_id=client_id, client_secret=client_secret)
        self.requests: list[Captured] = []
        self.skip_consent = False  # True: the authorize GET redirects at once (access granted earlier, §1.1)
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.employer_id = self.world.add_employer("Demo Employer")
        self.vacancy_ids = [
            self.world.add_vacancy("Python-разработчик", employer_id=self.employer_id, area="Москва"),
            self.world.add_vacancy("Менеджер по продажам", employer_id=self.employer_id, area="Санкт-Петербург"),
        ]
        self.current_employer_id = self.employer_id  # who is "logged in" on the consent page

    # --- test controls --------------------------------------------------------------------------------------
    @property
    def client_id(self) -> str:
        return self.world.client_id

    @property
    def client_secret(self) -> str:
        return self.world.client_secret

    @property
    def paid_api(self) -> bool:
        """False: every negotiation method answers 403 ``api_access_payment``/``action_must_be_payed``."""
        return self.world.paid_api

    @paid_api.setter
    def paid_api(self, value: bool) -> None:
        self.world.paid_api = bool(value)

    def add_employer(self, name: str, *, contacts_tariff: bool = True) -> str:
        """A new employer account; ``contacts_tariff=False``: full resumes come without names and contacts."""
        return self.world.add_employer(name, contacts_tariff=contacts_tariff)

    def add_vacancy(self, name: str, *, employer_id: str | None = None, area: str = "Москва") -> str:
        return self.world.add_vacancy(name, employer_id=employer_id or self.employer_id, area=area)

    def add_response(self, vacancy_id: str, first_name: str, last_name: str, **fields) -> str:
        """A candidate's response (a negotiation in the ``response`` collection); returns its id.

        ``fields``: ``email``, ``phone``, ``city``, ``title``, ``middle_name``, ``experience`` (dicts with
        ``position``, ``company``, ``start``/``end`` as ``YYYY-MM-DD``, ``description``), ``skills`` (list),
        ``education`` (dicts with ``name``, ``organization``, ``result``, ``year``), ``about``, ``total_months``,
        ``contacts_open`` (default True), ``cover_letter``, ``resume_id`` (reuse a resume).
        """
        return self.world.add_response(str(vacancy_id), first_name, last_name, **fields)

    def negotiation(self, nid: str) -> dict:
        """``{"employer_state", "state", "actions": [{"action", "message", ...}], "messages": [...], ...}``."""
        return self.world.negotiation_record(str(nid))

    def archive_vacancy(self, vacancy_id: str) -> None:
        with self.world.lock:
            self.world.vacancies[str(vacancy_id)].archived = True

    def set_employer_state(self, nid: str, employer_state: str) -> None:
        """Move a response as a manager would on the site (``response``, ``interview``, ``hired``...)."""
        self.world.move(str(nid), employer_state)

    def expire_tokens(self) -> None:
        """Every access token expires now (refresh becomes allowed; API calls get 403 ``token_expired``)."""
        self.world.expire_tokens()

    def grant_tokens(self, employer_id: str | None = None) -> dict:
        """Tokens as the token endpoint gives them, without the browser dance (for tests that need a token)."""
        with self.world.lock:
            return self.world._issue(employer_id or self.employer_id, self.client_id)

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        body=None,
        retry_after: float | None = None,
        count: int = 1,
        method: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next ``count`` calls whose path starts with ``path_prefix`` answer ``status`` (after auth checks).

        ``body``: a dict (JSON), bytes or str (sent raw), or None for hh.ru's usual body for the status (403 is
        the paid-method refusal, 500 a non-JSON page). ``retry_after`` adds a ``Retry-After`` header; ``delay``
        seconds pass before the answer (a client's timeout).
        """
        with self._lock:
            self._failures.append(
                _Failure(path_prefix, status, body, retry_after, count, method and method.upper(), delay)
            )

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[Captured]:
        return [r for r in self.requests if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    @property
    def base_url(self) -> str:
        return loopback.base_url(self._server)

    def approve_url(self, authorize_url: str, *, employer_id: str | None = None, allow: bool = True) -> str:
        """Play the owner's browser: open the consent page, press Allow (or Deny); return the redirect target."""
        parts = urlsplit(authorize_url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        status, _, page = self._http("GET", target)
        if status == 302:
            return _header(_, "Location")
        if status != 200:
            raise AssertionError(f"authorize page answered {status}: {page[:200]!r}")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.decode()))
        fields = {k: html.unescape(v) for k, v in fields.items()}
        fields["employer_id"] = employer_id or self.current_employer_id
        fields["decision"] = "allow" if allow else "deny"
        status, headers, page = self._http("POST", "/oauth/authorize", urlencode(fields))
        if status != 302:
            raise AssertionError(f"consent answered {status}: {page[:200]!r}")
        return _header(headers, "Location")

    def _http(self, method: str, target: str, body: str | None = None):
        host, port = self._server.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=10)
        headers = {"User-Agent": "FakeBrowser/1.0"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    # --- server -----------------------------------------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> FakeHH:
        self._server, self._thread = loopback.serve(self._handle, host=host, port=port)
        self.world.base_url = self.base_url
        return self

    def stop(self) -> None:
        loopback.stop(self._server)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form = {}
        if "json" in headers.get("content-type", ""):
            try:
                form = json.loads(raw or b"{}")
            except ValueError:
                form = {}
        elif raw:
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        request = Captured(handler.command, parts.path, query, headers, form, raw)
        if not parts.path.startswith("/_fake/"):
            with self._lock:
                self.requests.append(request)
        try:
            status, body, extra = self._route(request)
        except HHError as error:
            status, body, extra = error.status, error.body, error.headers
        except Exception:  # a bug in the fake: answer like a broken server, and say why on stderr
            traceback.print_exc()
            status, body, extra = 500, b"Internal Server Error", {}
        loopback.send(handler, status, body, extra)

    def _route(self, r: Captured):
        path, method, world = r.path.rstrip("/") or "/", r.method, self.world
        if path.startswith("/_fake/"):
            try:
                return self._control(r, path)
            except (KeyError, TypeError, ValueError) as error:  # a control call missing or naming a wrong thing
                raise HHError(400, {"errors": [{"type": "bad_argument", "value": str(error)[:200]}]})
        if path == "/oauth/authorize":
            return self._authorize(r)
        if not (r.headers.get("hh-user-agent") or r.headers.get("user-agent")):
            raise api_error(400, "bad_user_agent", "unset")
        if path in ("/token", "/oauth/token") and method == "POST":
            self._maybe_fail(r)
            return 200, world.token(r.form), {}
        public_vacancy = re.fullmatch(r"/vacancies/(\w+)", path)
        if public_vacancy and method == "GET" and "authorization" not in r.headers:
            self._maybe_fail(r)  # a vacancy is public on hh.ru: no token needed (§2.3)
            return 200, world.get_vacancy(public_vacancy[1]), {}
        grant = world.authenticate(r.headers)
        self._maybe_fail(r)
        if path in ("/token", "/oauth/token") and method == "DELETE":
            world.revoke(grant)
            return 204, None, {}
        if path == "/me" and method == "GET":
            return 200, world.me(grant), {}
        if m := re.fullmatch(r"/employers/(\w+)/vacancies/active", path):
            return 200, world.active_vacancies(grant, m[1], r.query), {}
        if public_vacancy and method == "GET":
            return 200, world.get_vacancy(public_vacancy[1]), {}
        if path.startswith("/negotiations") and not world.paid_api:
            raise api_error(403, "api_access_payment", "action_must_be_payed")
        if path == "/negotiations" and method == "GET":
            return 200, world.collections(grant, r.query), {}
        if (m := re.fullmatch(r"/negotiations/(\d+)/messages", path)) and method == "POST":
            return 201, world.send_message(grant, m[1], r.form), {}
        if (m := re.fullmatch(r"/negotiations/(\d+)/messages", path)) and method == "GET":
            return 200, world.messages(grant, m[1], r.query), {}
        if (m := re.fullmatch(r"/negotiations/(\d+)", path)) and method == "GET":
            return 200, world.negotiation_full(grant, m[1]), {}
        if (m := re.fullmatch(r"/negotiations/(\w+)", path)) and method == "GET":
            return 200, world.collection(grant, m[1], r.query), {}
        if (m := re.fullmatch(r"/negotiations/(\w+)/(\d+)", path)) and method == "PUT":
            # The FAQ sends the arguments in the query, the reference in the form body (§4.1): take both.
            world.act(grant, m[1], m[2], {**r.query, **r.form}, method)
            return 204, None, {}
        if (m := re.fullmatch(r"/resumes/(\w+)", path)) and method == "GET":
            return 200, world.resume_json(grant, m[1], r.query), {}
        raise api_error(404, "not_found")

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
        if failure.delay:
            time.sleep(failure.delay)
        body = failure.body
        if body is None:
            body = DEFAULT_ERROR_BODIES.get(failure.status, b"Internal Server Error")
        headers = {}
        if failure.retry_after is not None:
            seconds = failure.retry_after
            headers["Retry-After"] = str(int(seconds) if float(seconds).is_integer() else seconds)
        raise HHError(failure.status, body, headers)

    def _authorize(self, r: Captured):
        """The consent page (§1.1): GET shows it, its form POSTs the owner's answer, which redirects back."""
        params = r.query if r.method == "GET" else r.form
        try:
            self.world.check_authorize(params)
        except HHError as error:
            page = f"<!doctype html><title>hh.ru</title><h1>Ошибка</h1><p>{html.escape(str(error.body))}</p>"
            return 400, page.encode(), {"Content-Type": "text/html; charset=utf-8"}
        redirect_uri = params.get("redirect_uri") or self.world.redirect_uri
        if r.method == "GET" and not self.skip_consent:
            return 200, self._consent_page(params).encode(), {"Content-Type": "text/html; charset=utf-8"}
        if r.method not in ("GET", "POST"):
            raise api_error(405, "method_not_allowed")
        answer = {"state": params["state"]} if "state" in params else {}
        if r.method == "POST" and params.get("decision") != "allow":
            answer = {"error": "access_denied", **answer}
        else:
            employer_id = params.get("employer_id") or self.current_employer_id
            if employer_id not in self.world.employers:
                employer_id = self.current_employer_id
            answer = {"code": self.world.grant_code(params, employer_id), **answer}
        location = redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(answer)
        return 302, b"", {"Location": location}

    def _consent_page(self, params: dict) -> str:
        keep = {k: params[k] for k in ("response_type", "client_id", "state", "redirect_uri") if k in params}
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in keep.items()
        )
        with self.world.lock:
            options = "".join(
                f'<option value="{e.id}"{" selected" if e.id == self.current_employer_id else ""}>'
                f"{html.escape(e.name)}</option>"
                for e in self.world.employers.values()
            )
            name = self.world.employers[self.current_employer_id].name
        return (
            "<!doctype html><html><head><meta charset=utf-8><title>hh.ru: доступ приложения</title></head><body>"
            f"<h1>Allow SmartBot access to {html.escape(name)}</h1>"
            '<form method="post" action="/oauth/authorize">'
            f"{hidden}<label>Employer <select name=employer_id>{options}</select></label> "
            '<button type="submit" name="decision" value="allow">Allow</button> '
            '<button type="submit" name="decision" value="deny">Deny</button></form></body></html>'
        )

    def _control(self, r: Captured, path: str):
        """The test controls over HTTP (JSON in and out), for the demo and scripts."""
        body, get = r.form if isinstance(r.form, dict) else {}, r.method == "GET"
        if path == "/_fake/employers" and not get:
            return 201, {"id": self.add_employer(body["name"], contacts_tariff=body.get("contacts_tariff", True))}, {}
        if path == "/_fake/vacancies" and not get:
            vid = self.add_vacancy(body["name"], employer_id=body.get("employer_id"), area=body.get("area", "Москва"))
            return 201, {"id": vid}, {}
        if m := re.fullmatch(r"/_fake/vacancies/(\w+)/archive", path):
            self.archive_vacancy(m[1])
            return 200, {"id": m[1], "archived": True}, {}
        if path == "/_fake/responses" and not get:
            fields = {k: v for k, v in body.items() if k not in ("vacancy_id", "first_name", "last_name")}
            return (
                201,
                {"id": self.add_response(body["vacancy_id"], body["first_name"], body["last_name"], **fields)},
                {},
            )
        if m := re.fullmatch(r"/_fake/negotiations/(\d+)", path):
            if m[1] not in self.world.negotiations:
                raise api_error(404, "not_found")
            return 200, self.negotiation(m[1]), {}
        if (m := re.fullmatch(r"/_fake/negotiations/(\d+)/state", path)) and not get:
            self.set_employer_state(m[1], body["employer_state"])
            return 200, self.negotiation(m[1]), {}
        if path == "/_fake/expire_tokens":
            self.expire_tokens()
            return 200, {"ok": True}, {}
        if path == "/_fake/fail_next" and not get:
            self.fail_next(
                body["path_prefix"], int(body["status"]), body.get("body"), body.get("retry_after"),
                int(body.get("count", 1)), body.get("method"),
            )  # fmt: skip
            return 200, {"ok": True}, {}
        if path == "/_fake/paid_api" and not get:
            self.paid_api = bool(body.get("enabled", True))
            return 200, {"paid_api": self.paid_api}, {}
        if path == "/_fake/requests":
            return 200, [{"method": c.method, "path": c.path, "query": c.query} for c in list(self.requests)], {}
        if path == "/_fake/state":
            return 200, self._state(), {}
        raise api_error(404, "not_found")

    def _state(self) -> dict:
        with self.world.lock:
            return {
                "base_url": self.base_url,
                "client_id": self.client_id,
                "employers": [
                    {"id": e.id, "name": e.name, "contacts_tariff": e.contacts_tariff}
                    for e in self.world.employers.values()
                ],
                "vacancies": [
                    {"id": v.id, "name": v.name, "employer_id": v.employer_id, "archived": v.archived}
                    for v in self.world.vacancies.values()
                ],
                "negotiations": [self.negotiation(nid) for nid in self.world.negotiations],
                "paid_api": self.paid_api,
            }


def _header(headers, name: str) -> str:
    return next((v for k, v in headers if k.lower() == name.lower()), "")


def main(argv: list[str] | None = None) -> None:
    """Serve the fake hh.ru until interrupted: ``python -m fakes.hh --port 8701`` (docs/integrations.md)."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake hh.ru (OAuth pages and employer API) on loopback.")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    args = parser.parse_args(argv)
    fake = FakeHH(client_id=args.client_id, client_secret=args.client_secret).start(port=args.port, host=args.host)
    print(f"fake hh.ru on {fake.base_url}", flush=True)
    print(
        f"  HH_API_URL={fake.base_url} HH_OAUTH_URL={fake.base_url} "
        f"HH_CLIENT_ID={fake.client_id} HH_CLIENT_SECRET={fake.client_secret}",
        flush=True,
    )
    print(f"  employer {fake.employer_id} 'Demo Employer', vacancies {', '.join(fake.vacancy_ids)}", flush=True)
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
