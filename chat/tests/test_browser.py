"""The whole candidate path in a real browser: apply on the public page, screen in the live chat, recruiter sees it.

Headless Debian Chromium (``/usr/bin/chromium``, installed by ``.ci/run``;
Playwright never downloads a browser here) against a real daphne process,
because the chat needs WebSockets and Django's ``live_server`` is WSGI-only.
The server gets its own SQLite file database, migrated and seeded by a
subprocess: this test is about the browser path, not the database. Skipped
locally without Chromium, failing in CI.
"""

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from chat.tests.live_server import Daphne, server_env

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "pass-w0rd-123"
TIMEOUT_MS = 10_000

SEED = textwrap.dedent(
    f"""
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import Role
    from accounts.tests.factories import CompanyFactory, UserFactory
    from vacancies.tests.factories import VacancyFactory, full_script
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="recruiter@acme.test", first_name="Roman",
                password={PASSWORD!r})
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-developer")
    full_script(vacancy)
    """
)


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"needs {CHROMIUM} (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture
def server(tmp_path):
    """daphne on a seeded SQLite file of its own, with in-memory channels and eager (builtin) evaluation."""
    database = tmp_path / "browser.sqlite3"
    mailbox = tmp_path / "mail"
    env = server_env(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="smartbot.settings",
        # Django's file backend: each email the server sends is a file here, read like an inbox.
        # django-environ takes the path after "filemail://" and drops one slash: "//" keeps it absolute.
        EMAIL_URL=f"filemail:///{mailbox}",
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr[-4000:]
    daphne = Daphne(env=env, log=tmp_path / "daphne.log").start()
    try:
        daphne.wait_ready()
        daphne.database = database
        daphne.mailbox = mailbox
        yield daphne
    finally:
        daphne.stop()


def _bot_says(page, text):
    from playwright.sync_api import expect

    expect(page.locator(".chat__msg--bot").last).to_have_text(text)


def _link_in_mail(mailbox: Path, email: str) -> str:
    """The chat link of the newest email sent to ``email`` (the file backend writes one file per connection)."""
    for path in sorted(mailbox.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text()
        if f"To: {email}" in text:
            return re.search(r"https?://\S+/chat/[A-Za-z0-9_-]+/", text).group(0)
    raise AssertionError(f"no email to {email} in {mailbox}")


def _apply(page, server, *, name, email):
    """Apply on the careers page, see "check your inbox", open the chat link from the email."""
    from playwright.sync_api import expect

    base_url = server.http_url
    page.goto(f"{base_url}/careers/acme/python-developer/")
    page.fill("#id_full_name", name)
    page.fill("#id_email", email)
    page.fill("#id_phone", "+7 900 123-45-67")
    page.fill("#id_city", "Moscow")
    page.fill("#id_resume_text", "Python developer, five years of Django and PostgreSQL.")
    page.check("#id_consent")
    page.check("#id_ai_consent")  # the recruiter's page then shows the AI's advice at the end
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("h1")).to_have_text("Check your inbox to continue")
    assert "/chat/" not in page.content()  # the page never hands out the link; the mailbox does
    link = _link_in_mail(server.mailbox, email)
    page.goto(link.replace(link.split("/chat/")[0], base_url))
    return re.search(r"/chat/([A-Za-z0-9_-]+)/", page.url).group(1)


def _log_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "recruiter@acme.test")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_candidate_applies_and_finishes_the_chat_and_the_recruiter_sees_the_result(chromium, server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            candidate = browser.new_context()
            candidate.set_default_timeout(TIMEOUT_MS)
            page = candidate.new_page()
            token = _apply(page, server, name="Anna Petrova", email="anna@example.org")

            # The socket is open and the bot greets Anna by her first name.
            expect(page.locator("[data-status]")).to_have_text("Online")
            expect(page.locator(".chat__msg--bot").first).to_contain_text("Anna")
            choices = page.locator("[data-choices]")
            _bot_says(page, "Which city do you live in?")
            choices.get_by_role("button", name="Moscow").click()

            _bot_says(page, "How many years of Python experience do you have?")
            page.fill("#chat-text", "five")
            page.press("#chat-text", "Enter")
            expect(page.locator(".chat__msg--bot", has_text="Please answer with a number")).to_have_count(1)
            _bot_says(page, "How many years of Python experience do you have?")
            page.fill("#chat-text", "5")
            page.press("#chat-text", "Enter")

            _bot_says(page, "Are you allowed to work in Russia?")
            choices.get_by_role("button", name="Yes").click()

            _bot_says(page, "Which of these do you use?")
            choices.get_by_role("button", name="Django").click()
            choices.get_by_role("button", name="FastAPI").click()
            choices.get_by_role("button", name="Send").click()

            _bot_says(page, "Tell us about a project you are proud of.")
            page.fill("#chat-text", "A screening bot <b>in Django</b>.")
            page.press("#chat-text", "Enter")

            # The closing message, the chat read-only, every answer acknowledged, HTML shown as text.
            expect(page.locator(".chat__form.muted")).to_have_text("The chat is finished. Thank you!")
            expect(page.locator("#chat-text")).to_have_count(0)
            expect(page.locator(".chat__msg.is-pending")).to_have_count(0)
            expect(page.locator(".chat__msg--candidate").last).to_have_text("A screening bot <b>in Django</b>.")
            closing = page.locator(".chat__msg--bot").last.inner_text()
            assert closing and "Tell us about" not in closing
            candidate.close()

            with sqlite3.connect(server.database) as db:
                response_id, status, score = db.execute(
                    "SELECT id, status, score FROM screening_response WHERE token = ?", (token,)
                ).fetchone()
                answers = db.execute("SELECT count(*) FROM screening_answer WHERE response_id = ?", (response_id,))
                assert answers.fetchone()[0] == 5
            assert status == "passed" and score is not None

            # The recruiter logs in in another browser and sees the finished response with its score and status.
            staff = browser.new_context()
            staff.set_default_timeout(TIMEOUT_MS)
            page = staff.new_page()
            _log_in(page, server.http_url)
            page.goto(f"{server.http_url}/responses/{response_id}/")
            expect(page.locator("h1")).to_contain_text("Anna Petrova")
            expect(page.locator("h1 .badge--passed")).to_have_text("Passed")
            expect(page.locator(".page-head .score")).to_have_text(f"{score} / 100")
            expect(page.locator("#answers")).to_contain_text("Django, FastAPI")
            staff.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()


def test_a_recruiter_watches_the_chat_live_takes_it_over_and_hands_it_back(chromium, server):
    """The issue's "done when", in two browsers: live transcript, takeover, hand-back, result and AI evaluation."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            candidate = browser.new_context().new_page()
            token = _apply(candidate, server, name="Boris Ivanov", email="boris@example.org")
            choices = candidate.locator("[data-choices]")
            _bot_says(candidate, "Which city do you live in?")
            choices.get_by_role("button", name="Moscow").click()
            _bot_says(candidate, "How many years of Python experience do you have?")
            with sqlite3.connect(server.database) as db:
                (response_id,) = db.execute("SELECT id FROM screening_response WHERE token = ?", (token,)).fetchone()

            # The recruiter opens the response page while the candidate is in the chat.
            staff = browser.new_context().new_page()
            _log_in(staff, server.http_url)
            staff.goto(f"{server.http_url}/responses/{response_id}/")
            log = staff.locator("#recruiter-chat [data-log]")
            expect(log).to_contain_text("Which city do you live in?")
            expect(staff.locator("#recruiter-chat [data-presence]")).to_contain_text("Candidate online")

            # The candidate's next answer appears on the recruiter's page without a reload.
            candidate.fill("#chat-text", "4")
            candidate.press("#chat-text", "Enter")
            _bot_says(candidate, "Are you allowed to work in Russia?")
            expect(log.locator(".chat__msg--candidate").last).to_have_text("4")
            expect(log.locator(".chat__msg--bot").last).to_contain_text("Are you allowed to work in Russia?")

            # Take over: the candidate is told who joined; they talk directly; the bot stays silent.
            staff.get_by_role("button", name="Take over").click()
            expect(candidate.locator(".chat__msg").last).to_have_text("Roman joined the chat")
            staff.fill("#recruiter-text", "Hi Boris, <i>quick question</i>: can you start in May?")
            staff.press("#recruiter-text", "Enter")
            expect(candidate.locator(".chat__msg--recruiter").last).to_contain_text(
                "Hi Boris, <i>quick question</i>: can you start in May?"
            )
            candidate.fill("#chat-text", "Yes, May works.")
            candidate.press("#chat-text", "Enter")
            expect(log.locator(".chat__msg--candidate").last).to_have_text("Yes, May works.")
            expect(candidate.locator(".chat__msg--bot").last).to_contain_text("Are you allowed to work in Russia?")

            # Hand back: the bot asks again where it stopped, and the screening runs to the end.
            staff.get_by_role("button", name="Hand back to the bot").click()
            expect(candidate.locator(".chat__msg--bot").last).to_contain_text("Are you allowed to work in Russia?")
            expect(candidate.locator(".chat__msg--bot").last).to_contain_text("Let's continue.")
            choices.get_by_role("button", name="Yes").click()
            _bot_says(candidate, "Which of these do you use?")
            choices.get_by_role("button", name="Django").click()
            choices.get_by_role("button", name="Send").click()
            _bot_says(candidate, "Tell us about a project you are proud of.")
            candidate.fill("#chat-text", "A screening bot.")
            candidate.press("#chat-text", "Enter")
            expect(candidate.locator(".chat__form.muted")).to_have_text("The chat is finished. Thank you!")

            # The recruiter's page follows: the chat is finished and the AI evaluation block reloads by itself.
            expect(staff.locator("#recruiter-chat [data-lead]")).to_have_text("The screening chat is finished.")
            expect(staff.locator("#evaluation")).to_have_attribute("data-evaluation-status", "done")
            expect(staff.locator("#evaluation")).to_contain_text("Builtin evaluator")
            staff.reload()
            expect(staff.locator("h1 .badge--passed")).to_have_text("Passed")
            expect(staff.locator(".page-head .score")).to_contain_text("/ 100")
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
