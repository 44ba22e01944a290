"""The question editor's script in headless Chromium against a real daphne: the review band shows for number
rules, the unit for number questions and the aliases for choice questions; what the recruiter typed is saved.
No Content-Security-Policy violation or console error on the way."""

import json
import sqlite3

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import chromium, signed_in_page  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from vacancies.tests.factories import VacancyFactory
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.RECRUITER, email="rita@acme.test", first_name="Rita", password={PASSWORD!r})
    print(VacancyFactory(company=company, status="draft", title="Analyst").pk)
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.vacancy_id = int(daphne.seed_output.split()[-1])
        yield daphne


def _visible(form, name: str) -> bool:
    return form.locator(f"[data-field='{name}']").is_visible()


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_the_editor_shows_the_band_unit_and_aliases_where_they_apply_and_saves_them(server):
    from playwright.sync_api import expect

    base = server.http_url
    with signed_in_page(base=base, email="rita@acme.test", password=PASSWORD) as (page, watch):
        page.goto(f"{base}/vacancies/{server.vacancy_id}/edit/")
        first, second = page.locator("[data-question-form]").nth(0), page.locator("[data-question-form]").nth(1)
        # A free-text question: none of the three.
        assert not any(_visible(first, name) for name in ("review_value", "unit", "aliases"))

        first.locator("[name$='-text']").fill("Years of SQL?")
        first.locator("[name$='-kind']").select_option("number")
        assert _visible(first, "unit") and not _visible(first, "aliases")
        assert not _visible(first, "review_value")  # no rule yet
        first.locator("[name$='-knockout']").select_option("at_least")
        assert _visible(first, "review_value")
        review = first.locator("[name$='-review_value']")
        expect(review).to_have_attribute("placeholder", "optional, below the knockout value, e.g. 2")
        first.locator("[name$='-knockout_value']").fill("3")
        review.fill("2")
        first.locator("[name$='-unit']").select_option("years")

        second.locator("[name$='-text']").fill("Which city?")
        second.locator("[name$='-kind']").select_option("single_choice")
        assert _visible(second, "aliases") and not _visible(second, "unit")
        second.locator("[name$='-options']").fill("Moscow\nSaint Petersburg")
        second.locator("[name$='-aliases']").fill("Saint Petersburg: SPb, Piter")

        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{base}/vacancies/{server.vacancy_id}/")
        expect(page.locator("body")).to_contain_text("Must be at least 3; 2 to 3 goes to review")
        expect(page.locator("body")).to_contain_text("Saint Petersburg: SPb, Piter")
        watch.check(page, "the question editor with a review band, a unit and aliases")
    with sqlite3.connect(server.database) as db:
        rows = db.execute(
            "SELECT kind, unit, knockout_value, review_value, aliases FROM vacancies_screeningquestion "
            "WHERE vacancy_id = ? ORDER BY position",
            (server.vacancy_id,),
        ).fetchall()
    assert [row[:4] for row in rows] == [("number", "years", "3", "2"), ("single_choice", "", "", "")]
    assert json.loads(rows[1][4]) == {"Saint Petersburg": ["SPb", "Piter"]}
