"""The response page's AI block shows the receipts: each claim with the candidate's words, dropped claims as dropped,
unstable advice, advice made under an older rubric, advice from before receipts; candidate text always escaped."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from screening.tests.receipts_data import HOSTILE_QUOTE, quote, receipts_evaluation, requirement
from vacancies.models import ScreeningQuestion

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _page(client, response) -> str:
    page = client.get(reverse("screening:response", args=[response.pk]))
    assert page.status_code == 200
    return page.content.decode()


def _block(client, response) -> str:
    page = client.get(reverse("screening:evaluation", args=[response.pk]), headers=HTMX)
    assert page.status_code == 200
    return page.content.decode()


def _section(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}".*?</(table|div|ul)>', html, re.S)
    assert found, f"no {element_id!r} on the page"
    return found.group(0)


def _rows(table: str) -> dict[str, str]:
    """The table's body rows by their first cell's text."""
    rows = {}
    for row in re.findall(r'<tr class="receipt .*?</tr>', table, re.S):
        first = re.search(r"<td>(.*?)</td>", row, re.S).group(1)
        rows[" ".join(re.sub(r"<.*?>", " ", first).split())] = row
    return rows


def test_each_requirement_shows_its_level_who_judged_and_the_quotes_as_buttons(viewer_client, finished_response):
    receipts_evaluation(finished_response)
    html = _page(viewer_client, finished_response)
    rows = _rows(_section(html, "receipts-requirements"))
    assert list(rows) == ["Python", "Django", "Kubernetes", "PostgreSQL"]
    python = rows["Python"]
    assert "✓ yes" in python and "Model" in python
    assert (
        '<button type="button" class="quote" data-quote="Python developer with 5 years of Django" data-source="resume"'
    ) in python
    assert "“Python developer with 5 years of Django”</button>" in python
    assert "partly" in rows["Django"] and 'data-quote="[NAME] led a team of 4"' in rows["Django"]
    assert "✗ no" in rows["PostgreSQL"] and "—" in rows["PostgreSQL"] and "dropped" not in rows["PostgreSQL"]


def test_a_dropped_claim_is_marked_dropped_never_shown_as_fact(viewer_client, finished_response):
    receipts_evaluation(finished_response)
    html = _page(viewer_client, finished_response)
    kubernetes = _rows(_section(html, "receipts-requirements"))["Kubernetes"]
    assert "receipt--dropped" in kubernetes and "✗ no" in kubernetes and "✓" not in kubernetes
    assert "The model's claim was dropped: its quote is not in the candidate's words" in html_lib.unescape(kubernetes)
    assert 'class="quote"' not in kubernetes
    assert "1 claim of the model was dropped: its quotes are not in the candidate's words" in html_lib.unescape(html)


def test_answers_strengths_and_concerns_carry_their_receipts(viewer_client, finished_response):
    evaluation = receipts_evaluation(finished_response)
    html = _page(viewer_client, finished_response)
    answers = _rows(_section(html, "receipts-answers"))
    free_text, years = (item["question_id"] for item in evaluation.evidence if item["kind"] == "answer")
    billing = next(row for label, row in answers.items() if label.startswith("Tell us"))
    assert f'data-quote="billing system in Django" data-source="answer:{free_text}"' in billing
    years_row = next(row for label, row in answers.items() if label.startswith("How many years"))
    assert "Rule" in years_row and f'data-source="answer:{years}"' in years_row
    # The answers table is where those quotes are found: each answer's text names its question.
    assert f'data-answer-question="{free_text}">I built a billing system' in html
    strengths = _section(html, "strengths")
    assert "Built a billing system" in strengths and 'data-quote="Built a billing system (2019-2023)"' in strengths
    concerns = _section(html, "concerns")
    assert "No verified evidence for: Kubernetes" in concerns and "SmartBot check" in concerns
    assert 'class="quote"' not in concerns


def test_the_scores_the_model_own_number_and_the_provenance(viewer_client, finished_response):
    receipts_evaluation(finished_response)
    html = _page(viewer_client, finished_response)
    assert "Model's own score: 90" in html_lib.unescape(html) and "72" in html and "badge--advance" in html
    provenance = _section(html, "evaluation-provenance")
    assert "rubric r1" in provenance and "<code" in provenance and ">0123456789ab</code>" in provenance
    assert "Deterministic" not in html and "runs, spread" not in html
    assert 'id="evaluation-stale"' not in html
    assert "js/quotes" in html


def test_the_model_own_score_is_not_repeated_when_it_agrees(viewer_client, finished_response):
    receipts_evaluation(finished_response, model_score=72)
    assert 'id="model-score"' not in _page(viewer_client, finished_response)


def test_the_builtin_evaluator_says_it_is_deterministic(viewer_client, finished_response):
    receipts_evaluation(finished_response, evaluator="builtin", model="builtin", model_score=None)
    html = _page(viewer_client, finished_response)
    assert "Deterministic: the same input always gives the same advice" in html
    assert 'id="model-score"' not in html


def test_unstable_advice_asks_for_a_person_with_the_runs_and_their_spread(viewer_client, finished_response):
    receipts_evaluation(finished_response, recommendation="unstable", run_scores=[40, 75, 62], score_spread=35)
    html = _page(viewer_client, finished_response)
    assert "badge--unstable" in html and "Unstable: needs a person" in html
    assert "Runs scored 40, 75, 62: 35 points apart" in html
    assert "3 runs, spread 35 points" in _section(html, "evaluation-provenance")


def test_advice_under_a_changed_vacancy_rubric_is_stale_with_the_re_evaluate_button(
    recruiter_client, finished_response
):
    receipts_evaluation(finished_response)
    assert 'id="evaluation-stale"' not in _page(recruiter_client, finished_response)
    ScreeningQuestion.objects.filter(vacancy=finished_response.vacancy, position=2).update(weight=7)
    for html in (_page(recruiter_client, finished_response), _block(recruiter_client, finished_response)):
        stale = "Made under an older rubric (the vacancy's weights, rules or requirements changed): re-evaluate"
        assert stale in html_lib.unescape(html)
        assert reverse("screening:reevaluate", args=[finished_response.pk]) in html and "Re-evaluate" in html


def test_advice_under_an_older_rubric_version_is_stale(viewer_client, finished_response):
    receipts_evaluation(finished_response, rubric_version="r0")
    assert 'id="evaluation-stale"' in _block(viewer_client, finished_response)


def test_advice_from_before_receipts_reads_as_not_verified(viewer_client, finished_response):
    legacy = {"text": "Knows Django", "quotes": [], "by": "legacy"}
    receipts_evaluation(
        finished_response,
        evidence=[requirement("Python", "yes", by="legacy")],
        strengths=[legacy],
        concerns=[],
        rubric_version="",
        rubric_hash="",
        input_hash="",
        model_score=None,
        dropped_claims=0,
        run_scores=[],
    )
    html = _page(viewer_client, finished_response)
    python = _rows(_section(html, "receipts-requirements"))["Python (before receipts: not verified)"]
    assert "Not verified" in python and "Model" not in python
    assert "Knows Django" in html and html.count("(before receipts: not verified)") == 2
    assert 'id="evaluation-stale"' in html and "dropped" not in html


def test_hostile_quotes_and_labels_are_escaped_everywhere(viewer_client, finished_response):
    hostile = quote(HOSTILE_QUOTE)
    receipts_evaluation(
        finished_response,
        evidence=[requirement("<b>Python</b>", "yes", hostile)],
        strengths=[{"text": "<script>alert(2)</script>", "quotes": [hostile], "by": "model"}],
        concerns=[{"text": "<i>x</i>", "quotes": [], "by": "smartbot"}],
    )
    for html in (_page(viewer_client, finished_response), _block(viewer_client, finished_response)):
        assert "<img src=x" not in html and "<script>alert(2)" not in html and "<b>Python" not in html
        assert "<i>x</i>" not in html
        escaped = html_lib.escape(HOSTILE_QUOTE, quote=True).replace("&#x27;", "&#39;")
        assert f'data-quote="{html_lib.escape(HOSTILE_QUOTE)}"' in html or f'data-quote="{escaped}"' in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html and "&lt;b&gt;Python&lt;/b&gt;" in html


def test_outsider_sees_no_receipts(outsider_client, finished_response):
    receipts_evaluation(finished_response)
    assert outsider_client.get(reverse("screening:response", args=[finished_response.pk])).status_code == 404
    url = reverse("screening:evaluation", args=[finished_response.pk])
    assert outsider_client.get(url, headers=HTMX).status_code == 404


def test_the_page_with_receipts_keeps_its_query_count(viewer_client, finished_response, django_assert_max_num_queries):
    receipts_evaluation(finished_response)  # fresh: staleness is checked against the vacancy's questions
    with django_assert_max_num_queries(15):  # 13, the bell's unread count on a cold cache, the tags (issue 15)
        _page(viewer_client, finished_response)
