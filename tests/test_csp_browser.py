"""Content-Security-Policy, Permissions-Policy and per-company framing: the headers, and every kind of page in a
real browser with zero CSP violations.

The browser test drives headless Debian Chromium against a real daphne (the chat needs its socket), like
``chat/tests/test_browser.py``: it loads login, dashboard, vacancy editor, team and settings, the careers page and
apply form, the candidate chat (answering over the socket), the response page (its live socket), the admin and
both API docs pages, and fails on any ``securitypolicyviolation`` event or console error. Then it embeds the
chat in a page of an allowed and of a foreign origin.
"""

import contextlib
import html
import os
import re
import sqlite3
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from accounts.tests.factories import CompanyFactory
from chat.tests.live_server import seeded_daphne
from screening.tests.factories import ResponseFactory
from smartbot.middleware import origin_normalise, origins_parse
from vacancies.tests.factories import VacancyFactory, full_script

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "pass-w0rd-123"
TIMEOUT_MS = 10_000


# --- Headers -------------------------------------------------------------------------------------


def _chat_of(company):
    vacancy = VacancyFactory(company=company)
    full_script(vacancy)
    return ResponseFactory(vacancy=vacancy)


def _directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in header.split("; ")}


@pytest.mark.django_db
def test_pages_send_a_strict_policy_a_permissions_policy_and_refuse_framing(client):
    answer = client.get(reverse("accounts:login"))
    policy = _directives(answer)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in answer["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["connect-src"].startswith("'self' ws")
    assert answer["X-Frame-Options"] == "DENY"
    assert "camera=()" in answer["Permissions-Policy"] and "microphone=()" in answer["Permissions-Policy"]


@pytest.mark.django_db
def test_the_chat_page_may_be_framed_by_the_company_origins_only(client):
    company = CompanyFactory(embed_origins="https://jobs.acme.example\nhttp://localhost:8080")
    response = _chat_of(company)
    answer = client.get(response.get_chat_url())
    assert _directives(answer)["frame-ancestors"] == "'self' https://jobs.acme.example http://localhost:8080"
    assert "X-Frame-Options" not in answer
    assert _directives(answer)["script-src"] == "'self'"


@pytest.mark.django_db
def test_a_stored_value_that_is_not_an_origin_never_reaches_the_header(client):
    company = CompanyFactory(embed_origins="https://ok.example\nhttps://x.example; script-src *\n'unsafe-inline'\n*")
    response = _chat_of(company)
    answer = client.get(response.get_chat_url())
    assert _directives(answer)["frame-ancestors"] == "'self' https://ok.example"
    assert "script-src 'self';" in answer["Content-Security-Policy"] + ";"


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://Jobs.Example.com/", "https://jobs.example.com"),
        ("https://jobs.example.com:443", "https://jobs.example.com"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://пример.рф", "https://xn--e1afmkfd.xn--p1ai"),
        ("https://jobs.example.com/careers", None),
        ("https://*.example.com", None),
        ("ftp://jobs.example.com", None),
        ("jobs.example.com", None),
        ("https://user@jobs.example.com", None),
        ("https://jobs.example.com:0", None),
        ("https://jobs.example.com:99999", None),
        ("https://jobs.example.com;", None),
        ("'self'", None),
    ],
)
def test_origins_are_scheme_host_and_port_only(typed, origin):
    assert origin_normalise(typed) == origin


def test_origins_parse_reports_the_lines_it_refused():
    assert origins_parse("https://a.example\n\n  https://a.example/ \nnot an origin") == (
        ["https://a.example"],
        ["not an origin"],
    )


@pytest.mark.django_db
def test_the_settings_form_refuses_what_is_not_an_origin_and_saves_origins_normalised(owner_client, company):
    url = reverse("accounts:settings")
    form = owner_client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    refused = owner_client.post(url, {**data, "embed_origins": "https://jobs.acme.example/careers"})
    assert refused.status_code == 200
    assert "Not a site address" in refused.content.decode()
    company.refresh_from_db()
    assert company.embed_origins == ""
    saved = owner_client.post(url, {**data, "embed_origins": "HTTPS://Jobs.Acme.Example/\r\nhttp://localhost:8080"})
    assert saved.status_code == 302
    assert saved.url == url
    company.refresh_from_db()
    assert company.embed_origins == "https://jobs.acme.example\nhttp://localhost:8080"


# --- In a browser ---------------------------------------------------------------------------------

SEED = textwrap.dedent(
    f"""
    import os
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import Role
    from accounts.tests.factories import CompanyFactory, UserFactory
    from vacancies.tests.factories import VacancyFactory, full_script
    company = CompanyFactory(name="Acme", slug="acme", embed_origins=os.environ["TEST_EMBED_ORIGIN"])
    UserFactory(company=company, role=Role.OWNER, email="owner@acme.test", first_name="Olga",
                is_staff=True, is_superuser=True, password={PASSWORD!r})
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-developer")
    full_script(vacancy)
    print(vacancy.pk)
    """
)

# Recorded in every page before its own scripts run (an init script is not subject to the page's CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__csp.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"needs {CHROMIUM} (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture
def embedder():
    """Another site on loopback that puts ``?src=`` in an iframe. Its origin is http://127.0.0.1:PORT, listed in
    the company's embed_origins; as http://localhost:PORT it is a site the company did not list. (A public
    site could not be used: Chromium refuses to let one frame a loopback address, whatever the CSP says.)"""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            source = html.escape(parse_qs(urlsplit(self.path).query)["src"][0])
            # An empty icon: no favicon request, which this little server would not answer.
            head = '<!doctype html><title>Jobs</title><link rel="icon" href="data:,">'
            body = f'{head}<iframe src="{source}"></iframe>'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield site.server_port
    site.shutdown()
    site.server_close()


@pytest.fixture
def server(tmp_path, embedder):
    """daphne on a seeded SQLite file of its own (in-memory channels, eager builtin evaluation, mail to files)."""
    with seeded_daphne(tmp_path, SEED, TEST_EMBED_ORIGIN=f"http://127.0.0.1:{embedder}") as daphne:
        daphne.vacancy_id = int(daphne.seed_output.split()[-1])
        yield daphne


@contextlib.contextmanager
def signed_in_page(*, base: str, email: str, password: str, viewport: dict | None = None, init_script: str = ""):
    """A headless Chromium page signed in as ``email`` at ``base``; yields ``(page, watch)``, closes on exit.

    ``watch`` (``Watch``) collects the context's console errors and CSP violations for ``watch.check``;
    ``viewport`` (``{"width": .., "height": ..}``) sizes the window, ``init_script`` runs before each page's own
    scripts. ``page.context`` opens more pages in the same session.
    """
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            context = browser.new_context(**({"viewport": viewport} if viewport else {}))
            context.set_default_timeout(TIMEOUT_MS)
            if init_script:
                context.add_init_script(init_script)
            watch = Watch(context)
            page = context.new_page()
            sign_in(page, base=base, email=email, password=password)
            yield page, watch
        finally:
            browser.close()


def sign_in(page, *, base: str, email: str, password: str) -> None:
    """Sign ``page`` in at ``base`` through the login form; returns on the dashboard (``/vacancies/``)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/vacancies/")


class Watch:
    """Collects CSP violations and console errors of every page of a browser context."""

    def __init__(self, context):
        self.problems: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("page", self._watch)

    def _watch(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on(
            "response",
            lambda answer: (
                answer.status >= 400 and self.problems.append(f"{page.url}: {answer.status} for {answer.url}")
            ),
        )

    def _console(self, page, message):
        text = message.text
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the admin's pages link no icon, so Chromium asks for /favicon.ico, which the site has not
        if message.type == "error" or "Content Security Policy" in text or "Permissions-Policy" in text:
            self.problems.append(f"{page.url}: console {message.type}: {text}")

    def check(self, page, where: str, *, expected_block: str = ""):
        """Fail with everything seen so far on ``page`` (its recorded violations) and in the console.

        ``expected_block``: the one address whose refusal is expected (and required) on this page.
        """
        violations = page.evaluate("window.__csp || []")
        problems = [f"{where}: {violation}" for violation in violations] + self.problems
        if expected_block:
            assert any(expected_block in problem for problem in problems), problems
            problems = [problem for problem in problems if expected_block not in problem]
        assert not problems, "\n".join(problems)


def _link_in_mail(mailbox: Path, email: str) -> str:
    for path in sorted(mailbox.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text()
        if f"To: {email}" in text:
            return re.search(r"https?://\S+/chat/[A-Za-z0-9_-]+/", text).group(0)
    raise AssertionError(f"no email to {email} in {mailbox}")


@pytest.mark.browser
def test_every_kind_of_page_works_under_the_policy_with_no_violation(chromium, server, embedder):
    from playwright.sync_api import expect, sync_playwright

    base = server.http_url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)

            # The candidate: careers page, vacancy page and apply form, then the chat and an answer over the socket.
            candidate = browser.new_context()
            candidate.set_default_timeout(TIMEOUT_MS)
            watch = Watch(candidate)
            page = candidate.new_page()
            page.goto(f"{base}/careers/acme/")
            expect(page.get_by_role("link", name="Python developer")).to_be_visible()
            watch.check(page, "careers")
            page.goto(f"{base}/careers/acme/python-developer/")
            page.fill("#id_full_name", "Anna Petrova")
            page.fill("#id_email", "anna@example.org")
            page.fill("#id_phone", "+7 900 123-45-67")
            page.fill("#id_city", "Moscow")
            page.fill("#id_resume_text", "Python developer, five years of Django.")
            page.check("#id_consent")
            watch.check(page, "apply form")
            page.get_by_role("button", name="Apply", exact=True).click()
            expect(page.locator("h1")).to_have_text("Check your inbox to continue")
            watch.check(page, "applied")
            link = _link_in_mail(server.mailbox, "anna@example.org")
            page.goto(link.replace(link.split("/chat/")[0], base))
            expect(page.locator("[data-status]")).to_have_text("Online")  # the socket is open
            expect(page.locator(".chat__msg--bot").last).to_have_text("Which city do you live in?")
            page.locator("[data-choices]").get_by_role("button", name="Moscow").click()
            expect(page.locator(".chat__msg--bot").last).to_have_text(
                "How many years of Python experience do you have?"
            )
            watch.check(page, "candidate chat")
            chat_url = page.url

            # The site the company listed shows the chat in its frame, socket and all.
            page.goto(f"http://127.0.0.1:{embedder}/jobs?{urlencode({'src': chat_url})}")
            expect(page.frame_locator("iframe").locator("[data-status]")).to_have_text("Online")
            watch.check(page, "embedded chat")
            with sqlite3.connect(server.database) as db:
                (response_id,) = db.execute("SELECT id FROM screening_response").fetchone()
            candidate.close()

            # A site the company did not list: the browser refuses to show the chat in its frame.
            elsewhere = browser.new_context()
            foreign = elsewhere.new_page()
            with foreign.expect_console_message(lambda message: "frame-ancestors" in message.text):
                foreign.goto(f"http://localhost:{embedder}/jobs?{urlencode({'src': chat_url})}")
            expect(foreign.frame_locator("iframe").locator("[data-status]")).to_have_count(0)
            elsewhere.close()

            # The recruiter (an owner with staff access): login, dashboard, editor, response, team, settings, admin.
            staff = browser.new_context()
            staff.set_default_timeout(TIMEOUT_MS)
            watch = Watch(staff)
            page = staff.new_page()
            page.goto(f"{base}/accounts/login/")
            watch.check(page, "login")
            page.fill("#id_username", "owner@acme.test")
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/vacancies/")
            expect(page.get_by_role("link", name="Python developer")).to_be_visible()
            watch.check(page, "dashboard")
            # The language switcher submits itself on change (a listener in app.js, not an inline handler).
            page.select_option("#lang-select", "ru")
            expect(page.locator("html")).to_have_attribute("lang", "ru")
            # The new page's deferred app.js attaches the listener at "load": switching back before it would be lost.
            page.wait_for_load_state("load")
            page.select_option("#lang-select", "en")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            for path, ready in [
                (f"/vacancies/{server.vacancy_id}/", "h1"),
                (f"/vacancies/{server.vacancy_id}/edit/", "form"),
                (f"/responses/{response_id}/", "#recruiter-chat [data-log]"),
                ("/responses/", "h1"),
                ("/accounts/team/", "h1"),
                ("/accounts/settings/", "#id_embed_origins"),
                ("/admin/", "#content"),
                ("/admin/vacancies/vacancy/", "#changelist"),
                (f"/admin/vacancies/vacancy/{server.vacancy_id}/change/", "#content-main form"),
            ]:
                page.goto(f"{base}{path}")
                expect(page.locator(ready).first).to_be_visible()
                watch.check(page, path)
            page.goto(f"{base}/responses/{response_id}/")
            expect(page.locator("#recruiter-chat [data-presence]")).to_be_visible()
            expect(page.locator("#recruiter-chat [data-log]")).to_contain_text("Which city do you live in?")
            watch.check(page, "response page, live")

            # The API docs pages: Swagger UI and ReDoc render the schema.
            page.goto(f"{base}/api/docs/")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("SmartBot API")
            expect(page.locator(".opblock").first).to_be_visible()
            watch.check(page, "swagger")
            page.goto(f"{base}/api/redoc/")
            # ReDoc parses and lays out the whole schema (~600 KB) before its first heading: on a machine ~3 x slower
            # than usual it was still "Loading ..." after 10 s (CI, 2026-12-01); the schema had arrived in 2.
            expect(page.locator("h1").first).to_contain_text("SmartBot API", timeout=3 * TIMEOUT_MS)
            # ReDoc's bundle would show Redocly's logo from their CDN: static/js/redoc-init.js never asks for it.
            watch.check(page, "redoc")
            staff.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
