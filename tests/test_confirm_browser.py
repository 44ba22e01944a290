"""The queue page in a real browser. A destructive one-click action asks first (static/js/app.js's
``data-confirm``): "Done" does nothing when the recruiter says no, and resolves the request when they say yes.
The menu's badge follows the table's 5-second refresh (out of band), not only its own 30-second one."""

import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import chromium, signed_in_page  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from screening.services.human import human_request_open
    from screening.tests.factories import ResponseFactory
    from vacancies.tests.factories import VacancyFactory
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", password={PASSWORD!r})
    vacancy = VacancyFactory(company=company)
    for name in ("Anna Petrova", "Boris Ivanov"):
        print(human_request_open(response=ResponseFactory(vacancy=vacancy, full_name=name), reason="asked").pk)
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.request_id, daphne.other_id = map(int, daphne.seed_output.split())
        yield daphne


def _resolved(server, pk: int) -> bool:
    with sqlite3.connect(server.database) as db:
        row = db.execute("SELECT resolved_at FROM screening_humanrequest WHERE id = ?", (pk,)).fetchone()
    return row[0] is not None


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_done_asks_first_and_the_badge_follows_the_table(server):
    from playwright.sync_api import expect

    base = server.http_url
    with signed_in_page(base=base, email="rita@acme.test", password=PASSWORD) as (page, watch):
        page.goto(f"{base}/responses/queue/")
        row = page.locator(f"[data-queue-row='{server.request_id}']")
        badge = page.locator("#queue-badge [data-queue-count]")
        expect(row).to_be_visible()
        expect(badge).to_have_text("2")
        page.evaluate("window.stillThisPage = true")
        asked = []

        def say_no(dialog):
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", say_no)
        row.get_by_role("button", name="Done").click()
        assert asked == ["Mark this candidate as answered? They leave the queue."]
        # Sentinel: the table's next htmx refresh, asked after the click, still has the row, on this page.
        with page.expect_response(lambda answer: answer.url.endswith("/responses/queue/")):
            pass
        expect(row).to_be_visible()
        assert page.evaluate("window.stillThisPage") is True
        assert not _resolved(server, server.request_id)

        # Answered elsewhere (another tab, the chat): the table's next refresh updates the badge with it, well
        # before the badge's own 30 s.
        with sqlite3.connect(server.database) as db:
            db.execute(
                "UPDATE screening_humanrequest SET resolved_at = datetime('now') WHERE id = ?", (server.other_id,)
            )
        expect(page.locator("[data-queue-row]")).to_have_count(1)
        expect(badge).to_have_text("1")

        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Done").click()
        expect(page.locator(".message--success")).to_contain_text("Marked as answered.")
        expect(page.locator("[data-queue-row]")).to_have_count(0)
        expect(badge).to_have_count(0)
        assert _resolved(server, server.request_id)
        watch.check(page, "the queue after Done")
