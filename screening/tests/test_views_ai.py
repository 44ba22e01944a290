"""Views of the AI work: the evaluation block, re-evaluate, usage page, suggested questions. Personas throughout."""

from decimal import Decimal

import pytest
from django.urls import reverse

from screening import ai
from screening.models import Evaluation, LLMCall, QuestionSuggestion
from screening.tests import fake_openai
from screening.tests.conftest import make_finished_response
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

# What htmx sends with each of its requests (django-htmx reads it as request.htmx).
HTMX = {"HX-Request": "true"}


def _evaluation(response, **fields):
    defaults = {
        "prompt_version": ai.PROMPT_VERSION,
        "status": "done",
        "evaluator": "llm",
        "score": 81,
        "summary": "Strong <b>fit</b> <script>alert(1)</script>",
        "strengths": [{"text": "Django <img src=x onerror=alert(2)>", "quotes": [], "by": "model"}],
        "concerns": [{"text": "No Kubernetes", "quotes": [], "by": "smartbot"}],
        "recommendation": "advance",
        "evidence": [
            {
                "kind": "requirement",
                "label": "Python",
                "question_id": None,
                "level": "yes",
                "by": "model",
                "quotes": [{"text": "5 years <i>x</i>", "source": "resume"}],
                "weight": 1,
                "credit": 1.0,
                "dropped": False,
            }
        ],
        "rubric_version": ai.RUBRIC_VERSION,
        "model": "gpt-4o-mini",
    }
    return Evaluation.objects.create(response=response, **{**defaults, **fields})


# --- Evaluation block --------------------------------------------------------------------------


def test_member_sees_the_evaluation_escaped_with_the_evaluator_label(viewer_client, finished_response):
    _evaluation(finished_response)
    page = viewer_client.get(reverse("screening:evaluation", args=[finished_response.pk]), headers=HTMX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" not in html and html.count('id="evaluation"') == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "&lt;img src=x" in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "81" in html and "badge--advance" in html and "No Kubernetes" in html
    assert "gpt-4o-mini" in html
    assert "AI advises, you decide." in html
    # A viewer gets no Re-evaluate button.
    assert reverse("screening:reevaluate", args=[finished_response.pk]) not in html


def test_builtin_label_and_budget_reason_are_shown(recruiter_client, finished_response):
    _evaluation(finished_response, evaluator="builtin", fallback_reason="budget_spent", model="builtin")
    html = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk]), headers=HTMX)
    html = html.content.decode()
    assert "Builtin evaluator" in html
    assert "monthly AI budget is spent" in html


def test_a_failed_evaluation_shows_the_reason_escaped_and_a_retry_button(recruiter_client, finished_response):
    _evaluation(finished_response, status="failed", score=None, summary="", error="Bad <output> twice")
    html = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk]), headers=HTMX)
    html = html.content.decode()
    assert "The evaluation failed." in html and "Bad &lt;output&gt; twice" in html
    assert reverse("screening:reevaluate", args=[finished_response.pk]) in html
    assert "Retry the evaluation" in html


@pytest.mark.parametrize("status", ["pending", "running"])
def test_a_queued_or_running_evaluation_polls_itself_through_htmx(recruiter_client, finished_response, status):
    _evaluation(finished_response, status=status, score=None)
    url = reverse("screening:evaluation", args=[finished_response.pk])
    page = recruiter_client.get(url, headers=HTMX)
    html = page.content.decode()
    assert f'data-evaluation-status="{status}"' in html
    assert f'hx-get="{url}"' in html and 'hx-swap="outerHTML"' in html
    assert 'hx-trigger="every 2s, smartbot:evaluation-updated from:document"' in html
    assert "HX-Request" in page["Vary"]


def test_a_finished_evaluation_stops_polling_and_only_listens_for_updates(recruiter_client, finished_response):
    _evaluation(finished_response)
    html = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk]), headers=HTMX)
    html = html.content.decode()
    assert 'hx-trigger="smartbot:evaluation-updated from:document"' in html and "every" not in html


def test_the_evaluation_address_opened_without_htmx_goes_to_the_response_page(recruiter_client, finished_response):
    _evaluation(finished_response)
    page = recruiter_client.get(reverse("screening:evaluation", args=[finished_response.pk]))
    assert page.status_code == 302
    assert page.url == reverse("screening:response", args=[finished_response.pk]) + "#evaluation"


def test_outsider_gets_404_for_the_evaluation(outsider_client, finished_response):
    _evaluation(finished_response)
    url = reverse("screening:evaluation", args=[finished_response.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.get(url, headers=HTMX).status_code == 404


def test_anonymous_is_sent_to_login(client, finished_response):
    url = reverse("screening:evaluation", args=[finished_response.pk])
    page = client.get(url)
    assert page.status_code == 302 and page.url == f"{reverse('accounts:login')}?next={url}"


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


def test_re_evaluate_by_htmx_returns_the_block_polling_the_queued_evaluation(owner_client, finished_response, no_llm):
    page = owner_client.post(reverse("screening:reevaluate", args=[finished_response.pk]), headers=HTMX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" not in html and 'id="evaluation"' in html and "every 2s" in html
    assert Evaluation.objects.get().status == "pending"  # the task runs after commit
    # No message is left for the next page: the block itself shows the outcome.
    assert list(owner_client.get(reverse("screening:usage")).context["messages"]) == []


def test_the_re_evaluate_form_posts_plainly_and_through_htmx(recruiter_client, finished_response):
    _evaluation(finished_response)
    html = recruiter_client.get(reverse("screening:response", args=[finished_response.pk])).content.decode()
    url = reverse("screening:reevaluate", args=[finished_response.pk])
    assert f'method="post" action="{url}"' in html
    assert f'hx-post="{url}" hx-target="#evaluation" hx-swap="outerHTML"' in html


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
    answer = client.get(reverse("screening:usage"))
    assert answer.status_code == 302
    assert answer.url == f"{reverse('accounts:login')}?next={reverse('screening:usage')}"


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
    assert page.url == url
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
    assert page.url == reverse("screening:suggestion", args=[suggestion.pk])
    suggestion.refresh_from_db()
    assert suggestion.items[2]["state"] == "discarded"


def _batch(vacancy):
    items = [{**q, "state": "new"} for q in fake_openai.VALID_SUGGESTIONS["questions"]]
    return QuestionSuggestion.objects.create(vacancy=vacancy, status="done", evaluator="llm", items=items)


def test_each_suggestion_row_posts_plainly_and_through_htmx(recruiter_client, vacancy):
    suggestion = _batch(vacancy)
    url = reverse("screening:suggestion", args=[suggestion.pk])
    html = recruiter_client.get(url).content.decode()
    assert html.count(f'method="post" action="{url}"') == len(suggestion.items)
    assert f'hx-post="{url}" hx-target="#suggestion-1" hx-swap="outerHTML"' in html


def test_discarding_by_htmx_returns_the_row_only(recruiter_client, vacancy):
    suggestion = _batch(vacancy)
    url = reverse("screening:suggestion", args=[suggestion.pk])
    page = recruiter_client.post(url, {"action": "discard", "index": 2}, headers=HTMX)
    assert page.status_code == 200 and "HX-Request" in page["Vary"]
    html = page.content.decode()
    assert "<html" not in html and html.count("<section") == 1 and 'id="suggestion-2"' in html
    assert "Discarded" in html and 'value="discard"' not in html
    suggestion.refresh_from_db()
    assert suggestion.items[2]["state"] == "discarded"
    assert list(recruiter_client.get(url).context["messages"]) == []


def test_accepting_by_htmx_returns_the_accepted_row(recruiter_client, vacancy):
    suggestion = _batch(vacancy)
    data = {"action": "accept", "index": 1, "q1-text": "On call?", "q1-kind": "yes_no", "q1-options": "",
            "q1-knockout": "", "q1-knockout_value": "", "q1-allowed_options": ""}  # fmt: skip
    page = recruiter_client.post(reverse("screening:suggestion", args=[suggestion.pk]), data, headers=HTMX)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="suggestion-1"' in html and "Accepted" in html and "was added to the vacancy" in html
    assert vacancy.questions.get().text == "On call?"


def test_an_invalid_edit_by_htmx_returns_the_row_with_its_errors_as_422(recruiter_client, vacancy):
    suggestion = _batch(vacancy)
    data = {"action": "accept", "index": 0, "q0-text": "Years?", "q0-kind": "number", "q0-options": "",
            "q0-knockout": "at_least", "q0-knockout_value": "many", "q0-allowed_options": ""}  # fmt: skip
    page = recruiter_client.post(reverse("screening:suggestion", args=[suggestion.pk]), data, headers=HTMX)
    assert page.status_code == 422
    html = page.content.decode()
    assert "<html" not in html and 'id="suggestion-0"' in html and "Enter a number." in html
    assert 'value="accept"' in html and vacancy.questions.count() == 0


def test_an_unknown_action_or_row_changes_nothing(recruiter_client, vacancy):
    suggestion = _batch(vacancy)
    url = reverse("screening:suggestion", args=[suggestion.pk])
    page = recruiter_client.post(url, {"action": "explode", "index": 0})
    assert page.status_code == 302 and page.url == url
    assert recruiter_client.post(url, {"action": "discard", "index": 99}, headers=HTMX).status_code == 400
    suggestion.refresh_from_db()
    assert {item["state"] for item in suggestion.items} == {"new"}


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


def test_the_suggestions_block_is_a_page_without_htmx_and_the_block_with_it(recruiter_client, viewer, vacancy):
    url = reverse("screening:suggest", args=[vacancy.pk])
    page = recruiter_client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode() and f'action="{url}"' in page.content.decode()
    block = recruiter_client.get(url, HTTP_HX_REQUEST="true")
    assert block.status_code == 200 and "<html" not in block.content.decode()
    assert 'id="suggestions"' in block.content.decode() and "HX-Request" in block["Vary"]
    # A viewer reads the block but gets no form, and cannot queue a batch.
    viewer_client = recruiter_client  # one test client: the persona fixtures share it
    viewer_client.force_login(viewer)
    seen = viewer_client.get(url, HTTP_HX_REQUEST="true")
    assert seen.status_code == 200 and f'action="{url}"' not in seen.content.decode()
    assert viewer_client.post(url, {"count": 3, "difficulty": "easy"}).status_code == 403
    assert not QuestionSuggestion.objects.exists()


def test_outsider_gets_404_for_the_suggestions_block(outsider_client, vacancy):
    assert outsider_client.get(reverse("screening:suggest", args=[vacancy.pk])).status_code == 404


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
    assert 'id="evaluation"' in html and 'hx-trigger="smartbot:evaluation-updated from:document"' in html
    assert "js/evaluation.js" not in html and "django_htmx/htmx-2.min.js" in html
    assert reverse("screening:reevaluate", args=[response.pk]) in html
    # The AI verdict comes before the answers, which are folded.
    assert html.index('id="evaluation"') < html.index('id="answers"') < html.index('id="transcript"')
    assert '<details class="answers">' in html


def test_vacancy_editor_includes_the_suggestions_block(recruiter_client, vacancy):
    page = recruiter_client.get(reverse("vacancies:edit", args=[vacancy.pk]))
    assert page.status_code == 200
    assert reverse("screening:suggest", args=[vacancy.pk]) in page.content.decode()


def test_without_ai_consent_the_block_says_so_and_offers_no_evaluate_button(recruiter_client, company):
    response = make_finished_response(company=company, ai_consent_at=None)
    page = recruiter_client.get(reverse("screening:response", args=[response.pk])).content.decode()
    assert 'id="no-ai-consent"' in page
    assert reverse("screening:reevaluate", args=[response.pk]) not in page
