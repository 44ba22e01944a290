"""Views of the AI work: the evaluation block, re-evaluate, usage page, suggested questions. Personas throughout."""

from decimal import Decimal

import pytest
from django.urls import reverse

from screening import evaluation as ai
from screening.models import Evaluation, LLMCall, QuestionSuggestion
from screening.tests import fake_openai
from screening.tests.conftest import make_finished_response
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def _evaluation(response, **fields):
    defaults = {
        "prompt_version": ai.PROMPT_VERSION,
        "status": "done",
        "evaluator": "llm",
        "score": 81,
        "summary": "Strong <b>fit</b> <script>alert(1)</script>",
        "strengths": ["Django <img src=x onerror=alert(2)>"],
        "concerns": ["No Kubernetes"],
        "recommendation": "advance",
        "evidence": [{"requirement": "Python", "met": "yes", "evidence": "5 years <i>x</i>"}],
        "model": "gpt-4o-mini",
    }
    return Evaluation.objects.create(response=response, **{**defaults, **fields})


# --- Evaluation block --------------------------------------------------------------------------


def test_member_sees_the_evaluation_escaped_with_the_evaluator_label(viewer_client, finished_response):
    _evaluation(finished_response)
    page = viewer_client.get(reverse("screening:evaluation", args=[finished_response.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "&lt;img src=x" in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "81" in html and "badge--advance" in html and "No Kubernetes" in html
    assert "gpt-4o-mini" in html
    assert "AI advises, you decide." in html
    # A viewer gets no Re-evaluate button.
    assert reverse("screening:reevaluate", args=[finished_response.pk]) not in html


def test_builtin_label_and_budget_reason_are_shown(recruiter_client, finished_response):
    _evaluation(finished_response, evaluator="builtin", fallback_reason="budget_spent", model="builtin")
    html = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk])).content.decode()
    assert "Builtin evaluator" in html
    assert "monthly AI budget is spent" in html


def test_a_failed_evaluation_shows_the_reason_escaped_and_a_retry_button(recruiter_client, finished_response):
    _evaluation(finished_response, status="failed", score=None, summary="", error="Bad <output> twice")
    html = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk])).content.decode()
    assert "The evaluation failed." in html and "Bad &lt;output&gt; twice" in html
    assert reverse("screening:reevaluate", args=[finished_response.pk]) in html
    assert "Retry the evaluation" in html


def test_a_pending_evaluation_is_marked_for_polling(recruiter_client, finished_response):
    _evaluation(finished_response, status="pending", score=None)
    html = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk])).content.decode()
    assert 'data-evaluation-status="pending"' in html
    assert "js/evaluation.js" in html


def test_outsider_gets_404_for_the_evaluation(outsider_client, finished_response):
    _evaluation(finished_response)
    assert outsider_client.get(reverse("screening:evaluation", args=[finished_response.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, finished_response):
    page = client.get(reverse("screening:evaluation", args=[finished_response.pk]))
    assert page.status_code == 302 and "login" in page.url


# --- Re-evaluate -------------------------------------------------------------------------------------


def test_recruiter_re_evaluates_in_place(
    recruiter_client, finished_response, no_llm, django_capture_on_commit_callbacks
):
    evaluation = _evaluation(finished_response)
    with django_capture_on_commit_callbacks(execute=True):
        page = recruiter_client.post(reverse("screening:reevaluate", args=[finished_response.pk]))
    assert page.status_code == 302 and page.url.endswith("#evaluation")
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.evaluator) == ("done", "builtin")
    assert Evaluation.objects.count() == 1


def test_re_evaluate_by_fetch_returns_the_block(owner_client, finished_response, no_llm):
    page = owner_client.post(
        reverse("screening:reevaluate", args=[finished_response.pk]), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert page.status_code == 200
    assert 'id="evaluation"' in page.content.decode()
    assert Evaluation.objects.get().status == "pending"  # the task runs after commit


def test_viewer_cannot_re_evaluate(viewer_client, finished_response, fake_llm):
    evaluation = _evaluation(finished_response)
    page = viewer_client.post(reverse("screening:reevaluate", args=[finished_response.pk]))
    assert page.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == "done" and fake_llm.requests == []


def test_outsider_cannot_re_evaluate(outsider_client, finished_response, fake_llm):
    page = outsider_client.post(reverse("screening:reevaluate", args=[finished_response.pk]))
    assert page.status_code == 404
    assert not Evaluation.objects.exists() and fake_llm.requests == []


def test_re_evaluate_needs_post(recruiter_client, finished_response):
    assert recruiter_client.get(reverse("screening:reevaluate", args=[finished_response.pk])).status_code == 405


# --- Usage --------------------------------------------------------------------------------------------


def test_usage_page_shows_this_months_calls_tokens_cost_and_budget_left(viewer_client, company, other_company):
    company.ai_monthly_budget = Decimal("5.00")
    company.save()
    LLMCall.objects.create(company=company, purpose="evaluation", model="m", tokens_in=1000, tokens_out=200,
                           cost=Decimal("1.250000"))  # fmt: skip
    LLMCall.objects.create(company=company, purpose="suggestion", model="m", tokens_in=300, tokens_out=100,
                           cost=Decimal("0.250000"), ok=False)  # fmt: skip
    LLMCall.objects.create(company=other_company, purpose="evaluation", model="m", tokens_in=99999, cost=Decimal("9"))
    page = viewer_client.get(reverse("screening:usage"))
    assert page.status_code == 200
    usage = page.context["usage"]
    assert (usage["calls"], usage["failed_calls"], usage["tokens_in"], usage["tokens_out"]) == (2, 1, 1300, 300)
    assert usage["cost"] == Decimal("1.5") and usage["budget_left"] == Decimal("3.5")
    html = page.content.decode()
    assert "1,300" in html and "$3.50" in html and "99,999" not in html


def test_usage_page_says_when_the_budget_is_spent(owner_client, company, fake_llm):
    company.ai_monthly_budget = Decimal("1.00")
    company.save()
    LLMCall.objects.create(company=company, purpose="evaluation", model="m", cost=Decimal("2"))
    html = owner_client.get(reverse("screening:usage")).content.decode()
    assert "budget is spent" in html


def test_usage_page_query_count_is_fixed(viewer_client, company, django_assert_max_num_queries):
    for _ in range(20):
        LLMCall.objects.create(company=company, purpose="evaluation", model="m", cost=Decimal("0.01"))
    with django_assert_max_num_queries(10):
        viewer_client.get(reverse("screening:usage"))


def test_usage_needs_a_company_member(client):
    assert client.get(reverse("screening:usage")).status_code == 302


# --- Suggested questions ------------------------------------------------------------------------------


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Backend developer", requirements="Python\nDjango")


def test_recruiter_asks_for_suggestions_and_sees_them(
    recruiter_client, vacancy, no_llm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = recruiter_client.post(
            reverse("screening:suggest", args=[vacancy.pk]), {"count": 3, "difficulty": "easy"}
        )
    suggestion = QuestionSuggestion.objects.get()
    assert page.status_code == 302 and page.url == reverse("screening:suggestion", args=[suggestion.pk])
    html = recruiter_client.get(page.url).content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "done"
    assert html.count('name="action" value="accept"') == 3
    assert "Builtin templates" in html


def test_a_pending_batch_page_reloads_by_itself(recruiter_client, vacancy):
    suggestion = QuestionSuggestion.objects.create(vacancy=vacancy, count=3)
    html = recruiter_client.get(reverse("screening:suggestion", args=[suggestion.pk])).content.decode()
    assert 'http-equiv="refresh"' in html


def test_accepting_with_edits_adds_the_question(recruiter_client, vacancy):
    items = [{**q, "state": "new"} for q in fake_openai.VALID_SUGGESTIONS["questions"]]
    suggestion = QuestionSuggestion.objects.create(vacancy=vacancy, status="done", evaluator="llm", items=items)
    url = reverse("screening:suggestion", args=[suggestion.pk])
    data = {"action": "accept", "index": 1, "q1-text": "On-call <b>ok</b>?", "q1-kind": "yes_no", "q1-options": "",
            "q1-knockout": "must_equal", "q1-knockout_value": "yes", "q1-allowed_options": ""}  # fmt: skip
    page = recruiter_client.post(url, data)
    assert page.status_code == 302
    question = vacancy.questions.get()
    assert (question.text, question.kind, question.knockout_value) == ("On-call <b>ok</b>?", "yes_no", "yes")
    html = recruiter_client.get(url).content.decode()
    assert "On-call &lt;b&gt;ok&lt;/b&gt;?" in html and "<b>ok</b>" not in html


def test_accepting_an_invalid_edit_shows_the_errors_and_adds_nothing(recruiter_client, vacancy):
    items = [{**q, "state": "new"} for q in fake_openai.VALID_SUGGESTIONS["questions"]]
    suggestion = QuestionSuggestion.objects.create(vacancy=vacancy, status="done", evaluator="llm", items=items)
    data = {"action": "accept", "index": 0, "q0-text": "Years?", "q0-kind": "number", "q0-options": "",
            "q0-knockout": "at_least", "q0-knockout_value": "many", "q0-allowed_options": ""}  # fmt: skip
    page = recruiter_client.post(reverse("screening:suggestion", args=[suggestion.pk]), data)
    assert page.status_code == 400
    assert "Enter a number." in page.content.decode()
    assert vacancy.questions.count() == 0


def test_discarding(recruiter_client, vacancy):
    items = [{**q, "state": "new"} for q in fake_openai.VALID_SUGGESTIONS["questions"]]
    suggestion = QuestionSuggestion.objects.create(vacancy=vacancy, status="done", evaluator="llm", items=items)
    page = recruiter_client.post(
        reverse("screening:suggestion", args=[suggestion.pk]), {"action": "discard", "index": 2}
    )
    assert page.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.items[2]["state"] == "discarded"


def test_viewer_sees_suggestions_but_cannot_ask_accept_or_discard(viewer_client, vacancy):
    items = [{**q, "state": "new"} for q in fake_openai.VALID_SUGGESTIONS["questions"]]
    suggestion = QuestionSuggestion.objects.create(vacancy=vacancy, status="done", evaluator="llm", items=items)
    url = reverse("screening:suggestion", args=[suggestion.pk])
    page = viewer_client.get(url)
    assert page.status_code == 200 and 'value="accept"' not in page.content.decode()
    assert viewer_client.post(url, {"action": "discard", "index": 0}).status_code == 403
    assert (
        viewer_client.post(
            reverse("screening:suggest", args=[vacancy.pk]), {"count": 3, "difficulty": "easy"}
        ).status_code
        == 403
    )
    suggestion.refresh_from_db()
    assert suggestion.items[0]["state"] == "new"
    assert QuestionSuggestion.objects.count() == 1


def test_outsider_gets_404_for_suggestions(outsider_client, vacancy):
    suggestion = QuestionSuggestion.objects.create(vacancy=vacancy, status="done", items=[])
    assert outsider_client.get(reverse("screening:suggestion", args=[suggestion.pk])).status_code == 404
    assert (
        outsider_client.post(
            reverse("screening:suggestion", args=[suggestion.pk]), {"action": "discard", "index": 0}
        ).status_code
        == 404
    )
    page = outsider_client.post(reverse("screening:suggest", args=[vacancy.pk]), {"count": 3, "difficulty": "easy"})
    assert page.status_code == 404
    assert QuestionSuggestion.objects.count() == 1


def test_the_editor_block_offers_suggestions_for_a_saved_vacancy(recruiter_client, vacancy):
    from django.template.loader import render_to_string

    html = render_to_string(
        "screening/_suggestions.html", {"vacancy": vacancy, "user": vacancy.company.members.first()}
    )
    assert reverse("screening:suggest", args=[vacancy.pk]) in html
    assert "Save the vacancy first" in render_to_string("screening/_suggestions.html", {"vacancy": None})


def test_response_page_includes_the_evaluation_block(recruiter_client, company):
    response = make_finished_response(company=company)
    _evaluation(response)
    page = recruiter_client.get(reverse("screening:response", args=[response.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="evaluation"' in html and "js/evaluation.js" in html
    assert reverse("screening:reevaluate", args=[response.pk]) in html


def test_vacancy_editor_includes_the_suggestions_block(recruiter_client, vacancy):
    page = recruiter_client.get(reverse("vacancies:edit", args=[vacancy.pk]))
    assert page.status_code == 200
    assert reverse("screening:suggest", args=[vacancy.pk]) in page.content.decode()


def test_without_ai_consent_the_block_says_so_and_offers_no_evaluate_button(recruiter_client, company):
    response = make_finished_response(company=company, ai_consent_at=None)
    page = recruiter_client.get(reverse("screening:response", args=[response.pk])).content.decode()
    assert 'id="no-ai-consent"' in page
    assert reverse("screening:reevaluate", args=[response.pk]) not in page
