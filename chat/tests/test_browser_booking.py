"""Interview booking in a real browser: a candidate finishes the chat, books a time the bot offers as buttons,
and the recruiter sees the booking on the vacancy's slots page and the response page, and is notified.

Same setup as ``test_browser.py``: headless Debian Chromium against a real daphne process on a seeded SQLite
file. Skipped locally without Chromium, failing in CI.
"""

import os
import re
import sqlite3
import textwrap
from pathlib import Path

import pytest

from chat.tests.live_server import seeded_daphne

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"]
PASSWORD = "pass-w0rd-123"
TIMEOUT_MS = 10_000

SEED = textwrap.dedent(
    f"""
    import django
    django.setup()
    from datetime import timedelta
    from django.core.management import call_command
    from django.utils import timezone
    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import Role
    from accounts.tests.factories import CompanyFactory, UserFactory
    from screening.services.scheduling import slot_create
    from vacancies.tests.factories import VacancyFactory, full_script
    company = CompanyFactory(name="Acme", slug="acme", time_zone="Europe/Berlin")
    recruiter = UserFactory(company=company, role=Role.RECRUITER, email="recruiter@acme.test", first_name="Roman",
                            password={PASSWORD!r})
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-developer")
    full_script(vacancy)
    for days in (2, 3):
        slot_create(vacancy=vacancy, starts_at=timezone.now() + timedelta(days=days), interviewers=[recruiter],
                    video_url="https://meet.example.com/acme")
    print(vacancy.pk)
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
    with seeded_daphne(tmp_path, SEED) as daphne:
        yield daphne


def _chat_link(mailbox: Path, email: str) -> str:
    for path in sorted(mailbox.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text()
        if f"To: {email}" in text:
            return re.search(r"https?://\S+/chat/[A-Za-z0-9_-]+/", text).group(0)
    raise AssertionError(f"no email to {email} in {mailbox}")


def test_a_candidate_books_a_time_offered_in_the_chat_and_the_recruiter_sees_it(chromium, server):
    from playwright.sync_api import expect, sync_playwright

    base = server.http_url
    vacancy_id = int(server.seed_output.split()[-1])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            candidate = browser.new_context(timezone_id="Asia/Tokyo")
            candidate.set_default_timeout(TIMEOUT_MS)
            page = candidate.new_page()
            page.goto(f"{base}/careers/acme/python-developer/")
            page.fill("#id_full_name", "Anna Petrova")
            page.fill("#id_email", "anna@example.org")
            page.fill("#id_phone", "+7 900 123-45-67")
            page.fill("#id_city", "Moscow")
            page.fill("#id_resume_text", "Python developer, five years of Django and PostgreSQL.")
            page.check("#id_consent")
            page.get_by_role("button", name="Apply", exact=True).click()
            link = _chat_link(server.mailbox, "anna@example.org")
            page.goto(link.replace(link.split("/chat/")[0], base))
            token = re.search(r"/chat/([A-Za-z0-9_-]+)/", page.url).group(1)

            bot = page.locator(".chat__msg--bot")
            choices = page.locator("[data-choices]")
            expect(bot.last).to_have_text("Which city do you live in?")
            choices.get_by_role("button", name="Moscow").click()
            expect(bot.last).to_have_text("How many years of Python experience do you have?")
            page.fill("#chat-text", "5")
            page.press("#chat-text", "Enter")
            expect(bot.last).to_have_text("Are you allowed to work in Russia?")
            choices.get_by_role("button", name="Yes").click()
            expect(bot.last).to_have_text("Which of these do you use?")
            choices.get_by_label("Django").check()
            page.get_by_role("button", name="Send").click()
            expect(bot.last).to_have_text("Tell us about a project you are proud of.")
            page.fill("#chat-text", "A payments platform in Django serving a million users every day.")
            page.press("#chat-text", "Enter")

            # The bot offers the two times as buttons, in the browser's zone (Tokyo), named.
            times = page.locator("[data-slots] button")
            expect(times).to_have_count(2)
            expect(times.first).to_contain_text("(Asia/Tokyo)")
            times.first.click()
            expect(bot.last).to_contain_text("Your interview is booked")
            expect(bot.last).to_contain_text("(Asia/Tokyo)")

            # The booking page behind the private link shows it, in the browser's zone too.
            page.goto(f"{base}/chat/{token}/interview/")
            expect(page.locator("#time-zone")).to_contain_text("Asia/Tokyo")
            expect(page.locator("#booking")).to_contain_text("(Asia/Tokyo)")
            candidate.close()

            with sqlite3.connect(server.database) as db:
                (response_id,) = db.execute("SELECT id FROM screening_response WHERE token = ?", (token,)).fetchone()
                booked = db.execute(
                    "SELECT status, candidate_time_zone FROM screening_booking WHERE response_id = ?", (response_id,)
                ).fetchall()
                assert booked == [("booked", "Asia/Tokyo")]
                notified = db.execute(
                    "SELECT count(*) FROM screening_notification WHERE kind = 'interview_booked'"
                ).fetchone()[0]
                assert notified == 1  # the slot's interviewer
                invitations = db.execute(
                    "SELECT count(*) FROM screening_sentemail WHERE template = 'booking_confirmed' AND ics LIKE ?",
                    ("BEGIN:VCALENDAR%",),
                ).fetchone()[0]
                assert invitations == 1  # the confirmation with its .ics
            assert any('filename="invite.ics"' in p.read_text() for p in server.mailbox.glob("*.log"))

            staff = browser.new_context()
            staff.set_default_timeout(TIMEOUT_MS)
            page = staff.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "recruiter@acme.test")
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            page.goto(f"{base}/responses/slots/vacancy/{vacancy_id}/")
            expect(page.locator("#slots")).to_contain_text("Anna Petrova")
            expect(page.locator("#interviews")).to_contain_text("Booked")
            page.goto(f"{base}/responses/{response_id}/")
            expect(page.locator("#interview .badge--booked")).to_have_text("Booked")  # loaded by htmx
            staff.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
