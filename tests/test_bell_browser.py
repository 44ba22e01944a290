"""The notification bell in headless Chromium against a real daphne on the in-memory channel layer (as in
``make demo``): a notification written straight to the database, with no channel-layer push at all (as one made
in the Celery worker's process), still reaches the bell through static/js/bell.js's poll of
screening:notification_bell. The poll interval comes from the bell's ``data-bell-poll-seconds``; the test sets it
to 1 s before bell.js reads it.
"""

import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import chromium, signed_in_page  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    company = CompanyFactory(name="Acme", slug="acme")
    rita = UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", first_name="Rita",
                       password={PASSWORD!r})
    other = CompanyFactory(name="Globex", slug="globex")
    oscar = UserFactory(company=other, role=Role.OWNER, email="oscar@globex.test", password={PASSWORD!r})
    print(company.pk, rita.pk, other.pk, oscar.pk)
    """
)

# Runs before the page's scripts: the bell polls every second instead of every 30 (its listener is added
# first, so it runs before bell.js reads the attribute on DOMContentLoaded).
FAST_POLL = """
document.addEventListener("DOMContentLoaded", function () {
  var bell = document.querySelector("[data-bell]");
  if (bell) bell.setAttribute("data-bell-poll-seconds", "1");
});
"""


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.company_id, daphne.rita_id, daphne.other_id, daphne.oscar_id = map(int, daphne.seed_output.split())
        yield daphne


def _insert_notification(database, *, company_id: int, user_id: int) -> None:
    """A row as the worker's process would write it, with no push over any channel layer."""
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO screening_notification (company_id, user_id, kind, text, message, params, url, created_at) "
            "VALUES (?, ?, 'candidate_passed', 'Anna passed', '', '{}', '', datetime('now'))",
            (company_id, user_id),
        )


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_a_notification_made_without_a_socket_push_reaches_the_bell_through_the_poll(server):
    from playwright.sync_api import expect

    base = server.http_url
    with signed_in_page(base=base, email="rita@acme.test", password=PASSWORD, init_script=FAST_POLL) as (page, watch):
        bell = page.locator("[data-bell]")
        badge = bell.locator("[data-bell-count]")
        expect(badge).to_be_hidden()
        assert bell.get_attribute("data-bell-poll-seconds") == "1"

        # Someone else's notification (another company's member) never shows on this bell.
        _insert_notification(server.database, company_id=server.other_id, user_id=server.oscar_id)
        # The second poll from now was certainly asked after the row was written.
        for _ in range(2):
            with page.expect_response(lambda answer: "/notifications/bell/" in answer.url) as polled:
                pass
        assert polled.value.json() == {"unread": 0}
        expect(badge).to_be_hidden()

        _insert_notification(server.database, company_id=server.company_id, user_id=server.rita_id)
        _insert_notification(server.database, company_id=server.company_id, user_id=server.rita_id)
        expect(badge).to_be_visible()
        expect(badge).to_have_text("2")
        expect(bell.locator("[data-bell-label]")).to_have_text("Unread: 2")

        # Read elsewhere (another tab, the API): the next poll hides the number again.
        with sqlite3.connect(server.database) as db:
            db.execute(
                "UPDATE screening_notification SET read_at = datetime('now') WHERE user_id = ?", (server.rita_id,)
            )
        expect(badge).to_be_hidden()
        watch.check(page, "dashboard with the polling bell")
