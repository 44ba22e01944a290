"""The AI evaluation's quotes highlight the candidate's words on the response page, in headless Chromium against a
real daphne (js/quotes.js): in the resume (case and line breaks aside, around a redaction placeholder) and in the
folded answers table, one highlight at a time, and a note when the words are not on the page. No CSP violation.
"""

import pytest

from chat.tests.live_server import seed_script, seeded_daphne

# `chromium` skips (or, in CI, fails) when Debian's Chromium is missing.
from tests.test_csp_browser import chromium, signed_in_page  # noqa: F401

PASSWORD = "pass-w0rd-123"

SEED = seed_script(
    f"""
    from screening.tests.conftest import make_finished_response
    from screening.tests.receipts_data import quote, receipts_evaluation, requirement
    company = CompanyFactory(name="Acme", slug="acme")
    UserFactory(company=company, role=Role.VIEWER, email="vera@acme.test", first_name="Vera", password={PASSWORD!r})
    response = make_finished_response(company=company)
    evaluation = receipts_evaluation(response)
    evaluation.evidence = [
        requirement("Python", "yes", quote("PYTHON developer   with 5 years of Django")),
        requirement("Django", "partly", quote("[NAME] led a team of 4")),
        requirement("Location", "yes", quote("Baker Street, London\\nLinkedIn")),
        requirement("Kubernetes", "yes", quote("Kubernetes in production")),
        *[item for item in evaluation.evidence if item["kind"] == "answer"],
    ]
    evaluation.save()
    print(response.pk)
    """
)


@pytest.fixture
def server(tmp_path):
    with seeded_daphne(tmp_path, SEED) as daphne:
        daphne.response_id = int(daphne.seed_output.split()[-1])
        yield daphne


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_a_quote_highlights_the_candidates_words_where_they_are(server):
    from playwright.sync_api import expect

    base = server.http_url
    with signed_in_page(base=base, email="vera@acme.test", password=PASSWORD) as (page, watch):
        page.goto(f"{base}/responses/{server.response_id}/")
        marks = page.locator("mark.quote-mark")
        resume = page.locator("#resume > .resume")

        # Case and runs of spaces aside.
        page.locator('button.quote[data-quote^="PYTHON developer"]').click()
        expect(marks).to_have_count(1)
        expect(resume.locator("mark.quote-mark")).to_have_text("Python developer with 5 years of Django")
        expect(page.locator('button.quote[data-quote^="PYTHON developer"]')).to_have_attribute("aria-pressed", "true")

        # Around a placeholder of the redacted text: the longest piece found; the previous highlight goes.
        page.locator('button.quote[data-quote="[NAME] led a team of 4"]').click()
        expect(marks).to_have_count(1)
        expect(resume.locator("mark.quote-mark")).to_have_text("led a team of 4")
        assert "Python developer with 5 years" in resume.inner_text()  # the old mark left the text whole

        # Across a line break of the resume (a <br> on the page): one highlight per piece of text.
        page.locator('button.quote[data-quote^="Baker Street"]').click()
        expect(resume.locator("mark.quote-mark").first).to_have_text("Baker Street, London")
        assert "".join(resume.locator("mark.quote-mark").all_inner_texts()) == "Baker Street, LondonLinkedIn"

        # An answer's words: the folded answers open and the answer's cell holds the highlight.
        answers = page.locator("#answers details.answers")
        page.evaluate("document.querySelector('#answers details.answers').open = false")
        page.locator('#receipts-answers button.quote[data-quote="billing system in Django"]').click()
        expect(answers).to_have_attribute("open", "")
        cell = page.locator("[data-answer-question] mark.quote-mark")
        expect(cell).to_have_text("billing system in Django")
        expect(marks).to_have_count(1)
        assert page.evaluate(
            "(() => { const r = document.querySelector('mark.quote-mark').getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
        ), "the highlight is scrolled into view"

        # Words that are not on the page: no highlight, a note beside the button.
        missing = page.locator('button.quote[data-quote="Kubernetes in production"]')
        missing.click()
        expect(marks).to_have_count(0)
        expect(page.locator(".quote-note")).to_have_count(1)
        expect(page.locator(".quote-note")).to_have_text("Not found in the text shown")
        watch.check(page, "response page")
