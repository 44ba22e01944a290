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
from pathlib import Path

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

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

SEED = seed_script(
    f"""
    from vacancies.tests.factories import VacancyFactory, full_script
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="recruiter@acme.test", first_name="Roman",
                password={PASSWORD!r})
    UserFactory(company=company, role=Role.OWNER, email="owner@acme.test", first_name="Olga",
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
    with seeded_daphne(tmp_path, SEED) as daphne:
        yield daphne


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


def _at_the_second_question(browser, server, *, name, email):
    """A candidate who applied and answered the city: ``(their page, awaiting the years question; response id)``."""
    candidate = browser.new_context().new_page()
    token = _apply(candidate, server, name=name, email=email)
    _bot_says(candidate, "Which city do you live in?")
    candidate.locator("[data-choices]").get_by_role("button", name="Moscow").click()
    _bot_says(candidate, "How many years of Python experience do you have?")
    with sqlite3.connect(server.database) as db:
        (response_id,) = db.execute("SELECT id FROM screening_response WHERE token = ?", (token,)).fetchone()
    return candidate, response_id


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


def _log_in(page, base_url, email="recruiter@acme.test"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", email)
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
            page.fill("#chat-text", "a lot")
            page.press("#chat-text", "Enter")
            expect(page.locator(".chat__msg--bot", has_text="Please answer with a number")).to_have_count(1)
            _bot_says(page, "How many years of Python experience do you have?")
            page.fill("#chat-text", "5")
            page.press("#chat-text", "Enter")

            _bot_says(page, "Are you allowed to work in Russia?")
            choices.get_by_role("button", name="Yes").click()

            _bot_says(page, "Which of these do you use?")
            choices.get_by_label("Django").check()
            choices.get_by_label("FastAPI").check()
            page.get_by_role("button", name="Send").click()

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
            candidate, response_id = _at_the_second_question(
                browser, server, name="Boris Ivanov", email="boris@example.org"
            )
            choices = candidate.locator("[data-choices]")

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
            choices.get_by_label("Django").check()
            candidate.get_by_role("button", name="Send").click()
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


# The pages a new user tripped on (issue 11) ---------------------------------------------------------------


def _scrolled_to_end(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector, "el => el.scrollHeight > el.clientHeight && el.scrollTop + el.clientHeight >= el.scrollHeight - 2"
    )


def test_a_candidate_on_a_phone_keeps_the_file_sees_the_count_ticks_boxes_and_is_warned_before_4000(chromium, server):
    """At 390 px: the apply form marks required fields and keeps the resume file across an error; the chat counts
    the questions, shows the bot typing, offers boxes with one Send button, refuses (and keeps) a text over
    4,000 characters, and a finished chat reopens at its end."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            context = browser.new_context(viewport={"width": 390, "height": 760})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()

            # Apply: required fields marked; a bad phone is refused by the server and the chosen file is kept.
            page.goto(f"{server.http_url}/careers/acme/python-developer/")
            expect(page.locator('label[for="id_full_name"]')).to_have_class("is-required")
            expect(page.locator("#id_phone")).to_have_attribute("required", "")
            page.fill("#id_full_name", "Clara Smirnova")
            page.fill("#id_email", "clara@example.org")
            page.fill("#id_phone", "call me")
            page.fill("#id_city", "Moscow")
            page.set_input_files(
                "#id_resume_file",
                files=[{"name": "cv.txt", "mimeType": "text/plain", "buffer": b"Python developer, Django, 5 years."}],
            )
            page.check("#id_consent")
            page.get_by_role("button", name="Apply", exact=True).click()
            expect(page.locator("#apply .errorlist")).to_contain_text("phone number")
            expect(page.locator("#apply")).to_contain_text("Kept from your last try: cv.txt.")
            page.fill("#id_phone", "+7 900 123-45-67")
            page.check("#id_consent")
            page.get_by_role("button", name="Apply", exact=True).click()
            expect(page.locator("h1")).to_have_text("Check your inbox to continue")
            with sqlite3.connect(server.database) as db:
                resume_file, resume_text = db.execute(
                    "SELECT resume_file, resume_text FROM screening_response WHERE email = ?",
                    ("clara@example.org",),
                ).fetchone()
            assert resume_file.endswith(".txt") and resume_text == "Python developer, Django, 5 years."
            link = _link_in_mail(server.mailbox, "clara@example.org")
            page.goto(link.replace(link.split("/chat/")[0], server.http_url))

            progress = page.locator("#chat [data-progress]")
            typing = page.locator("#chat [data-typing]")
            choices = page.locator("[data-choices]")
            expect(page.locator("[data-status]")).to_have_text("Online")
            expect(progress).to_have_text("Question 1 of 5")
            choices.get_by_role("button", name="Moscow").click()
            expect(progress).to_have_text("Question 2 of 5")

            # The bot's typing shows while it "writes" and always goes away.
            page.fill("#chat-text", "5")
            page.press("#chat-text", "Enter")
            expect(typing).to_have_text("The assistant is typing…")
            _bot_says(page, "Are you allowed to work in Russia?")
            expect(typing).to_have_text("")
            expect(progress).to_have_text("Question 3 of 5")
            choices.get_by_role("button", name="Yes").click()

            # Multiple choice: boxes, a prompt, and the one Send button of the page.
            _bot_says(page, "Which of these do you use?")
            expect(progress).to_have_text("Question 4 of 5")
            expect(choices).to_contain_text("Choose all that apply, then press Send.")
            expect(choices.get_by_role("checkbox")).to_have_count(3)
            expect(choices.get_by_role("button")).to_have_count(0)
            expect(page.get_by_role("button", name="Send")).to_have_count(1)
            choices.get_by_label("Django").check()
            choices.get_by_label("FastAPI").check()
            page.get_by_role("button", name="Send").click()
            expect(page.locator(".chat__msg--candidate").last).to_have_text("Django, FastAPI")

            # Over 4,000 characters: said before sending, nothing sent, nothing cut.
            _bot_says(page, "Tell us about a project you are proud of.")
            expect(progress).to_have_text("Question 5 of 5")
            answers = page.locator(".chat__msg--candidate").count()
            page.fill("#chat-text", "a" * 4001)
            counter = page.locator("#chat [data-counter]")
            expect(counter).to_have_text("4,001 of 4,000 characters: too long to send. Please shorten your answer.")
            expect(page.get_by_role("button", name="Send")).to_be_disabled()
            page.press("#chat-text", "Enter")
            expect(page.locator(".chat__msg--candidate")).to_have_count(answers)
            assert len(page.input_value("#chat-text")) == 4001
            page.press("#chat-text", "Backspace")
            expect(counter).to_have_text("4,000 of 4,000 characters")
            expect(page.get_by_role("button", name="Send")).to_be_enabled()
            page.get_by_role("button", name="Send").click()

            expect(page.locator("[data-finished]")).to_have_text("The chat is finished. Thank you!")
            expect(progress).to_be_hidden()
            expect(typing).to_have_text("")
            assert len(page.locator(".chat__msg--candidate").last.inner_text()) == 4000

            # Reopened, the finished chat shows its end: the outcome.
            page.reload()
            expect(page.locator("[data-finished]")).to_be_visible()
            expect(page.locator(".chat__msg--bot").last).to_be_in_viewport()
            assert _scrolled_to_end(page, "#chat [data-log]")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways
            context.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()


def test_the_recruiters_controls_follow_the_chat_and_nothing_typed_is_lost(chromium, server):
    """ "Take over" only while the bot leads, "Hand back" and the box only while this recruiter leads, nothing
    in a finished chat; a refused message and text left when the bot took the lead again stay in the box."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            candidate, response_id = _at_the_second_question(
                browser, server, name="Denis Orlov", email="denis@example.org"
            )
            choices = candidate.locator("[data-choices]")

            staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            _log_in(staff, server.http_url)
            staff.goto(f"{server.http_url}/responses/{response_id}/")
            chat = staff.locator("#recruiter-chat")
            take_over = chat.get_by_role("button", name="Take over", exact=True)
            hand_back = chat.get_by_role("button", name="Hand back to the bot")
            box = chat.locator("#recruiter-text")
            send = chat.locator('[data-action="message"] [data-send]')
            lead = chat.locator("[data-lead]")
            expect(chat.locator("[data-presence]")).to_contain_text("Candidate online")

            # The bot leads: only "Take over".
            expect(lead).to_have_text("The bot leads the chat.")
            expect(take_over).to_be_visible()
            expect(hand_back).to_be_hidden()
            expect(box).to_be_hidden()

            # Taken over: "Hand back" and the box, no "Take over".
            take_over.click()
            expect(lead).to_have_text("You lead the chat; the bot is paused.")
            expect(take_over).to_be_hidden()
            expect(hand_back).to_be_visible()
            expect(box).to_be_visible()
            expect(candidate.locator(".chat__msg").last).to_have_text("Roman joined the chat")

            # The server refuses a message (a lone surrogate cannot be stored): the text stays in the box.
            staff.eval_on_selector(
                "#recruiter-text", "el => { el.value = 'Hello \\ud800 there'; el.dispatchEvent(new Event('input')); }"
            )
            send.click()
            expect(chat.locator("[data-error]")).to_contain_text("cannot be stored")
            assert staff.eval_on_selector("#recruiter-text", "el => el.value.length") == len("Hello x there")
            expect(send).to_be_enabled()

            # Text left in the box when the bot leads again is kept, with "Take over and send".
            box.fill("Can you start in May?")
            hand_back.click()
            expect(lead).to_have_text("The bot leads the chat.")
            expect(take_over).to_be_visible()
            expect(hand_back).to_be_hidden()
            expect(box).to_have_value("Can you start in May?")
            expect(send).to_have_text("Take over and send")
            expect(chat.locator("[data-hint]")).to_contain_text("Your text is kept")
            send.click()
            expect(candidate.locator(".chat__msg--recruiter").last).to_contain_text("Can you start in May?")
            expect(box).to_have_value("")
            expect(lead).to_have_text("You lead the chat; the bot is paused.")
            expect(hand_back).to_be_visible()

            # Another member's page while Roman leads: who leads, and no controls.
            other = browser.new_context().new_page()
            _log_in(other, server.http_url, email="owner@acme.test")
            other.goto(f"{server.http_url}/responses/{response_id}/")
            other_chat = other.locator("#recruiter-chat")
            expect(other_chat.locator("[data-lead]")).to_have_text("Roman leads the chat; the bot is paused.")
            expect(other_chat.get_by_role("button", name="Take over", exact=True)).to_be_hidden()
            expect(other_chat.get_by_role("button", name="Hand back to the bot")).to_be_hidden()
            expect(other_chat.locator("#recruiter-text")).to_be_hidden()

            # Roman hands back: the other page offers "Take over" live, Roman's box goes away (it is empty).
            hand_back.click()
            expect(other_chat.get_by_role("button", name="Take over", exact=True)).to_be_visible()
            expect(box).to_be_hidden()

            # The candidate finishes: nothing to take over or send on either page.
            candidate.fill("#chat-text", "5")
            candidate.press("#chat-text", "Enter")
            _bot_says(candidate, "Are you allowed to work in Russia?")
            choices.get_by_role("button", name="Yes").click()
            _bot_says(candidate, "Which of these do you use?")
            choices.get_by_label("Django").check()
            candidate.get_by_role("button", name="Send").click()
            _bot_says(candidate, "Tell us about a project you are proud of.")
            candidate.fill("#chat-text", "A screening bot.")
            candidate.press("#chat-text", "Enter")
            expect(candidate.locator("[data-finished]")).to_be_visible()
            for page in (staff, other):
                live = page.locator("#recruiter-chat")
                expect(live.locator("[data-lead]")).to_have_text("The screening chat is finished.")
                expect(live.locator("form[data-action]:visible")).to_have_count(0)
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
