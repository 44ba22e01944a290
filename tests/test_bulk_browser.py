"""A bulk status change in headless Chromium against a real daphne (docs/pipeline.md "Bulk actions"): a recruiter
ticks rows of the responses table, chooses "Change status" → Shortlisted and runs it; the progress page's bar
reaches done (the Celery task runs eagerly in this server) and the table shows the new statuses, in the database
too, while the response not ticked keeps its own. No CSP violation or console error."""

import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import chromium, signed_in_page  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from screening.models import Response
    from screening.tests.factories import ResponseFactory
    from vacancies.tests.factories import VacancyFactory
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", first_name="Rita", password={PASSWORD!r})
    vacancy = VacancyFactory(company=company, title="Python developer")
    people = [
        ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name=name, score=score)
        for name, score in (("Anna Petrova", 90), ("Boris Ivanov", 80), ("Clara Smirnova", 70))
    ]
    print(vacancy.pk, *(person.pk for person in people))
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.vacancy_id, daphne.anna, daphne.boris, daphne.clara = (
            int(part) for part in daphne.seed_output.split()[-4:]
        )
        yield daphne


def _statuses(server) -> dict[int, str]:
    with sqlite3.connect(server.database) as db:
        return dict(db.execute("SELECT id, status FROM screening_response").fetchall())


def _history(server) -> list[tuple[int, str, str]]:
    with sqlite3.connect(server.database) as db:
        return db.execute(
            "SELECT response_id, from_status, to_status FROM screening_statuschange ORDER BY response_id"
        ).fetchall()


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_a_bulk_status_change_runs_to_done_and_the_table_shows_the_new_statuses(server, tmp_path):
    from playwright.sync_api import expect

    base = server.http_url
    table_url = f"{base}/responses/?vacancy={server.vacancy_id}"
    with signed_in_page(
        base=base,
        email="rita@acme.test",
        password=PASSWORD,
        viewport={"width": 1280, "height": 900},
    ) as (page, watch):
        context = page.context
        try:
            page.goto(table_url)
            for person in (server.anna, server.boris):
                page.check(f'input[name="ids"][value="{person}"]')
            page.select_option("#bulk-kind", "status")
            page.select_option("#bulk-status", "shortlisted")
            page.get_by_role("button", name="Run").click()

            page.wait_for_url(f"{base}/responses/bulk/**")
            progress = page.locator("#bulk-progress")
            expect(progress).to_have_attribute("data-state", "finished")
            expect(progress).to_have_attribute("data-done", "2")
            expect(progress).to_have_attribute("data-failed", "0")
            bar = page.locator("#bulk-progress progress")
            expect(bar).to_have_attribute("max", "2")
            expect(bar).to_have_attribute("value", "2")
            expect(page.locator("#bulk-progress [role=status]")).to_contain_text("2 done, 0 failed, of 2.")
            page.screenshot(path=str(tmp_path / "bulk-progress.png"), full_page=True)
            watch.check(page, "the bulk action's progress page")

            page.goto(table_url)
            expected = {server.anna: "Shortlisted", server.boris: "Shortlisted", server.clara: "Passed"}
            for person, status in expected.items():
                expect(page.locator(f'tr[data-response-row="{person}"]')).to_contain_text(status)
            page.screenshot(path=str(tmp_path / "bulk-table.png"), full_page=True)
            watch.check(page, "the table after the bulk action")
            context.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise

    statuses = _statuses(server)
    assert (statuses[server.anna], statuses[server.boris], statuses[server.clara]) == (
        "shortlisted",
        "shortlisted",
        "passed",
    )
    # Each changed once, through the status service (one history line each), whatever the task's retries.
    assert [row for row in _history(server) if row[2] == "shortlisted"] == [
        (server.anna, "passed", "shortlisted"),
        (server.boris, "passed", "shortlisted"),
    ]
