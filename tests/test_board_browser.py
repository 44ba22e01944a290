"""The pipeline board in headless Chromium against a real daphne (docs/pipeline.md): a card dragged to a decision
column moves (in the database too) and a second open board follows it live; a drop on a screening column is refused
with the service's message; without JavaScript the card's own form moves it. No CSP violation or console error."""

import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Watch, chromium  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from screening.models import Response
    from screening.tests.factories import ResponseFactory
    from vacancies.tests.factories import VacancyFactory
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", first_name="Rita", password={PASSWORD!r})
    vacancy = VacancyFactory(company=company, title="Python developer")
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova", score=80)
    boris = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Boris Ivanov", score=60)
    print(vacancy.pk, anna.pk, boris.pk)
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.vacancy_id, daphne.anna, daphne.boris = (int(part) for part in daphne.seed_output.split()[-3:])
        yield daphne


def _log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "rita@acme.test")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/vacancies/")


def _status(server, response_id) -> str:
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT status FROM screening_response WHERE id = ?", (response_id,)).fetchone()[0]


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_a_card_is_dragged_to_a_column_and_another_board_follows_it_live(server):
    from playwright.sync_api import expect, sync_playwright

    base = server.http_url
    board_url = f"{base}/responses/board/vacancy/{server.vacancy_id}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            watch = Watch(context)
            page = context.new_page()
            _log_in(page, base)
            page.goto(board_url)
            other = context.new_page()
            other.goto(board_url)
            expect(page.locator("#board[data-live]")).to_have_count(1)
            expect(other.locator("#board[data-live]")).to_have_count(1)

            page.drag_and_drop(f"#card-{server.anna}", "#column-shortlisted")
            expect(page.locator(f"#column-shortlisted #card-{server.anna}")).to_have_count(1)
            expect(page.locator("#column-shortlisted [data-count]")).to_have_text("1")
            expect(page.locator("#column-passed [data-count]")).to_have_text("1")
            assert _status(server, server.anna) == "shortlisted"
            # The other board heard it over ws/pipeline/ and moved the card with its counts.
            expect(other.locator(f"#column-shortlisted #card-{server.anna}")).to_have_count(1)
            expect(other.locator("#column-shortlisted [data-count]")).to_have_text("1")
            expect(other.locator("#column-passed [data-count]")).to_have_text("1")

            watch.check(page, "the board, after a move")
            watch.check(other, "the board following live")

            # A screening column refuses the card with the service's words (a 400, so no watch after it).
            page.drag_and_drop(f"#card-{server.boris}", "#column-rejected")
            expect(page.locator("[data-board-error]")).to_have_text("This status is set by the screening, not by hand.")
            expect(page.locator(f"#column-passed #card-{server.boris}")).to_have_count(1)
            assert _status(server, server.boris) == "passed"
            context.close()

            # Without JavaScript the card's own form moves it, and the page says so.
            plain = browser.new_context(java_script_enabled=False)
            plain.set_default_timeout(TIMEOUT_MS)
            page = plain.new_page()
            _log_in(page, base)
            page.goto(board_url)
            page.select_option(f"#move-{server.boris}", "interview")
            page.locator(f"#card-{server.boris}").get_by_role("button", name="Move").click()
            page.wait_for_url(f"{board_url}#card-{server.boris}")
            expect(page.locator(".messages")).to_contain_text("Boris Ivanov moved to Interview.")
            expect(page.locator(f"#column-interview #card-{server.boris}")).to_have_count(1)
            assert _status(server, server.boris) == "interview"
            plain.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
