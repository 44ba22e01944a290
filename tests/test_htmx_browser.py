"""The pages htmx makes live, in headless Chromium against a real daphne: with JavaScript (blocks swapped in
place, addresses pushed, the evaluation block polling until it is done) and without (plain forms and links).
No Content-Security-Policy violation or console error on the way, and nothing scrolls sideways on a phone.
"""

import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Watch, chromium  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from screening import ai
    from screening.models import Evaluation, Response
    from screening.tests.conftest import make_finished_response
    from screening.tests.factories import ResponseFactory
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", first_name="Rita", password={PASSWORD!r})
    finished = make_finished_response(company=company)
    Evaluation.objects.create(response=finished, prompt_version=ai.PROMPT_VERSION, status="pending")
    for _ in range(3):
        ResponseFactory(vacancy=finished.vacancy, status=Response.Status.REJECTED, score=20)
    print(finished.pk)
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.response_id = int(daphne.seed_output.split()[-1])
        yield daphne


def _log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "rita@acme.test")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/vacancies/")


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_the_responses_table_and_the_evaluation_block_work_through_htmx_and_without_javascript(server):
    from playwright.sync_api import expect, sync_playwright

    base, response_url = server.http_url, f"{server.http_url}/responses/{server.response_id}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=TIMEOUT_MS)
            live = browser.new_context(viewport={"width": 390, "height": 844})
            live.set_default_timeout(TIMEOUT_MS)
            watch = Watch(live)
            page = live.new_page()
            _log_in(page, base)

            # Filtering swaps the table in place (the page is not reloaded: the marker stays) and pushes the address.
            page.goto(f"{base}/responses/")
            expect(page.locator("#responses tbody tr")).to_have_count(4)
            page.evaluate("window.stillThisPage = true")
            page.select_option("#id_status", "rejected")
            expect(page.locator("#responses tbody tr")).to_have_count(3)
            assert "status=rejected" in page.evaluate("location.search")
            page.get_by_role("link", name="Score", exact=True).click()
            expect(page.locator("th a[title='Sort ascending']")).to_have_text("Score ↓")
            assert "sort=-score" in page.evaluate("location.search")
            assert page.evaluate("window.stillThisPage") is True
            assert _sideways(page) == 0
            watch.check(page, "responses, filtered through htmx")

            # The evaluation block polls while the evaluation is pending and stops once it is done.
            page.goto(response_url)
            block = page.locator("#evaluation")
            expect(block).to_have_attribute("data-evaluation-status", "pending")
            page.evaluate("window.stillThisPage = true")
            with sqlite3.connect(server.database) as db:
                db.execute(
                    "UPDATE screening_evaluation SET status = 'done', score = 77, evaluator = 'builtin', "
                    "recommendation = 'advance', summary = 'Fits.' WHERE response_id = ?",
                    (server.response_id,),
                )
            expect(block).to_have_attribute("data-evaluation-status", "done")
            expect(block.locator(".stat__value").first).to_contain_text("77")
            assert "every" not in block.get_attribute("hx-trigger")
            # Re-evaluate posts through htmx: the block is replaced, the page stays.
            block.get_by_role("button", name="Re-evaluate").click()
            expect(block.locator(".evaluation__meta")).to_contain_text("Builtin evaluator")
            assert page.evaluate("window.stillThisPage") is True
            assert _sideways(page) == 0
            watch.check(page, "response page, evaluation through htmx")
            live.close()

            # Without JavaScript: the same form and links, as whole pages.
            plain = browser.new_context(java_script_enabled=False)
            plain.set_default_timeout(TIMEOUT_MS)
            page = plain.new_page()
            _log_in(page, base)
            page.goto(f"{base}/responses/")
            page.select_option("#id_status", "rejected")
            page.get_by_role("button", name="Apply").click()
            page.wait_for_url("**status=rejected**")
            expect(page.locator("#responses tbody tr")).to_have_count(3)
            page.get_by_role("link", name="Score", exact=True).click()
            page.wait_for_url("**sort=-score**")
            page.goto(response_url)
            page.get_by_role("button", name="Re-evaluate").click()
            page.wait_for_url(f"{response_url}#evaluation")
            expect(page.locator(".messages")).to_contain_text("The evaluation was queued")
            plain.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
        finally:
            browser.close()
