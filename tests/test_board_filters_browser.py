"""The pipeline board filtered by a tag in headless Chromium against a real daphne (docs/pipeline.md "Board"): the
table's filter form narrows the cards, a card dragged to a decision column moves and the board stays filtered, and a
second filtered board follows the move live (the card fetched with the filters). No CSP violation or console
error."""

import re
import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import chromium, signed_in_page  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from screening.models import Response, Tag
    from screening.tests.factories import ResponseFactory
    from vacancies.tests.factories import VacancyFactory
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", first_name="Rita", password={PASSWORD!r})
    vacancy = VacancyFactory(company=company, title="Python developer")
    remote = Tag.objects.create(company=company, name="remote")
    anna = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Anna Petrova", score=80)
    boris = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, full_name="Boris Ivanov", score=60)
    anna.tags.add(remote)
    print(vacancy.pk, remote.pk, anna.pk, boris.pk)
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.vacancy_id, daphne.remote, daphne.anna, daphne.boris = (
            int(part) for part in daphne.seed_output.split()[-4:]
        )
        yield daphne


def _status(server, response_id) -> str:
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT status FROM screening_response WHERE id = ?", (response_id,)).fetchone()[0]


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_a_tag_filtered_board_moves_a_card_and_stays_filtered_here_and_live(server, tmp_path):
    from playwright.sync_api import expect

    base = server.http_url
    board_url = f"{base}/responses/board/vacancy/{server.vacancy_id}/"
    with signed_in_page(
        base=base,
        email="rita@acme.test",
        password=PASSWORD,
        viewport={"width": 1400, "height": 900},
    ) as (page, watch):
        context = page.context
        try:
            page.goto(board_url)
            expect(page.locator("#column-passed [data-count]")).to_have_text("2")
            page.select_option("#id_tag", str(server.remote))
            page.get_by_role("button", name="Apply").click()
            page.wait_for_url(re.compile(rf"/board/vacancy/{server.vacancy_id}/\?(.*&)?tag={server.remote}$"))
            expect(page.locator("#column-passed [data-count]")).to_have_text("1")
            expect(page.locator(f"#card-{server.boris}")).to_have_count(0)
            other = context.new_page()
            other.goto(f"{board_url}?tag={server.remote}")
            expect(page.locator("#board[data-live]")).to_have_count(1)
            expect(other.locator("#board[data-live]")).to_have_count(1)

            page.drag_and_drop(f"#card-{server.anna}", "#column-shortlisted")
            expect(page.locator(f"#column-shortlisted #card-{server.anna}")).to_have_count(1)
            expect(page.locator("#column-passed [data-count]")).to_have_text("0")
            assert _status(server, server.anna) == "shortlisted"
            expect(other.locator(f"#column-shortlisted #card-{server.anna}")).to_have_count(1)
            expect(other.locator("#column-shortlisted [data-count]")).to_have_text("1")
            expect(other.locator("#column-passed [data-count]")).to_have_text("0")
            # The move's card keeps the filters in its plain form too.
            expect(page.locator(f'#card-{server.anna} input[name="filters"]')).to_have_value(f"tag={server.remote}")
            page.screenshot(path=str(tmp_path / "board-filtered.png"), full_page=True)
            watch.check(page, "the filtered board after a move")
            watch.check(other, "the filtered board following live")

            # A change to a card outside the filters is neither shown nor counted on the filtered board.
            plain = context.new_page()
            plain.goto(board_url)
            expect(plain.locator("#board[data-live]")).to_have_count(1)
            plain.select_option(f"#move-{server.boris}", "interview")
            plain.locator(f"#card-{server.boris}").get_by_role("button", name="Move").click()
            expect(plain.locator(f"#column-interview #card-{server.boris}")).to_have_count(1)
            assert _status(server, server.boris) == "interview"
            page.reload()
            expect(page.locator("#column-interview [data-count]")).to_have_text("0")
            # A sentinel after it: Anna's move reaches the filtered board, so Boris's came and was left out.
            plain.select_option(f"#move-{server.anna}", "offer")
            plain.locator(f"#card-{server.anna}").get_by_role("button", name="Move").click()
            expect(other.locator(f"#column-offer #card-{server.anna}")).to_have_count(1)
            expect(other.locator(f"#card-{server.boris}")).to_have_count(0)
            expect(other.locator("#column-interview [data-count]")).to_have_text("0")
            context.close()
        except BaseException:
            print(f"--- daphne ---\n{server.output()}")
            raise
