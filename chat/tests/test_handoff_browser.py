"""In real browsers: a candidate presses "Talk to a person", the recruiter finds them in the queue, claims the
request (taking the chat over), talks, and hands back; the bot resumes where it stopped. The setup (daphne on
SQLite, Chromium, skipped locally without it) is ``test_browser``'s."""

import pytest

from chat.tests.test_browser import (  # noqa: F401 - the fixtures are used by name
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _at_the_second_question,
    _bot_says,
    _log_in,
    chromium,
    server,
)

pytestmark = pytest.mark.browser


def test_a_candidate_asks_for_a_person_and_a_recruiter_answers_from_the_queue(chromium, server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            candidate, response_id = _at_the_second_question(
                browser, server, name="Boris Ivanov", email="boris@example.org"
            )
            candidate.get_by_role("button", name="Talk to a person").click()
            log = candidate.locator("[data-log]")
            expect(log.locator(".chat__msg--candidate").last).to_have_text("I'd like to talk to a person.")
            expect(log).to_contain_text("A person will answer by")
            # The script goes on: the question awaited is asked again.
            _bot_says(candidate, "How many years of Python experience do you have?")

            staff = browser.new_context().new_page()
            _log_in(staff, server.http_url)
            staff.goto(f"{server.http_url}/responses/queue/")
            row = staff.locator("[data-queue-row]")
            expect(row).to_contain_text("Boris Ivanov")
            expect(row).to_contain_text("Asked for a person")
            expect(row).to_contain_text("I'd like to talk to a person.")
            row.get_by_role("button", name="Claim").click()
            staff.wait_for_url(f"**/responses/{response_id}/**")
            expect(candidate.locator(".chat__msg").last).to_have_text("Roman joined the chat")
            expect(candidate.get_by_role("button", name="Talk to a person")).to_be_hidden()

            staff.fill("#recruiter-text", "Hi Boris, Roman here. How can I help?")
            staff.press("#recruiter-text", "Enter")
            expect(candidate.locator(".chat__msg--recruiter").last).to_contain_text("How can I help?")

            staff.get_by_role("button", name="Hand back to the bot").click()
            expect(candidate.locator(".chat__msg--bot").last).to_contain_text("Let's continue.")
            staff.goto(f"{server.http_url}/responses/queue/")
            expect(staff.locator("#queue")).to_contain_text("Nobody is waiting for a person.")
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
