"""The admin on a screening that needs review: the status in lists and filters, why a person should look, how each
answer was read and judged, and what the candidate asked; all read-only, decisions through the services."""

import pytest
from django.urls import reverse

from screening.models import Answer, Response
from screening.tests.factories import ResponseFactory
from screening.tests.review_scenario import needs_review_response, review_script
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def admin_url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


@pytest.fixture
def vacancy(company):
    vacancy = VacancyFactory(company=company, title="Backend engineer")
    review_script(vacancy)
    return vacancy


@pytest.fixture
def reviewed(vacancy):
    return needs_review_response(ResponseFactory(vacancy=vacancy, full_name="Anna Petrova"))


def test_the_response_list_filters_by_needs_review(viewer_client, reviewed, vacancy):
    ResponseFactory(vacancy=vacancy, full_name="Boris Passed", status=Response.Status.PASSED)
    page = viewer_client.get(admin_url(Response, "changelist"), {"status__exact": "needs_review"})
    assert page.status_code == 200
    assert [row.full_name for row in page.context["cl"].result_list] == ["Anna Petrova"]
    assert "?status__exact=needs_review" in page.content.decode()  # offered in the filter


def test_the_response_page_shows_the_review_reasons_and_the_answers_reading(viewer_client, reviewed):
    page = viewer_client.get(admin_url(Response, "change", reviewed.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "read as 2.5, close to the rule" in html  # the review reason
    answers = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is Answer)
    assert {"read_how", "confirmed", "needs_review", "rule"} <= set(answers.fieldsets[0][1]["fields"])
    rows = {answer.raw_text: answer for answer in (form.original for form in answers)}
    assert rows["2.5 years"].needs_review and rows["300k"].confirmed and rows["300k"].read_how == "magnitude"
    assert "magnitude" in html


def test_the_response_page_lists_what_the_candidate_asked_escaped(viewer_client, reviewed):
    html = viewer_client.get(admin_url(Response, "change", reviewed.pk)).content.decode()
    assert "Can I work &lt;b&gt;remotely&lt;/b&gt;?" in html
    assert "<b>remotely</b>" not in html
    assert "Yes, two days a week." in html and "Is there a gym?" in html


def test_the_answers_list_filters_those_that_need_review(viewer_client, reviewed):
    page = viewer_client.get(admin_url(Answer, "changelist"), {"needs_review__exact": "1"})
    assert page.status_code == 200
    assert [answer.raw_text for answer in page.context["cl"].result_list] == ["2.5 years"]
    confirmed = viewer_client.get(admin_url(Answer, "changelist"), {"confirmed__exact": "1"})
    assert [answer.raw_text for answer in confirmed.context["cl"].result_list] == ["300k"]


def test_a_recruiter_declines_a_response_that_needed_review_through_the_service(recruiter_client, recruiter, reviewed):
    page = recruiter_client.get(admin_url(Response, "change", reviewed.pk))
    data = {"new_status": "declined", "status_comment": "Needs 3 years", "new_note": ""}
    for formset in page.context["inline_admin_formsets"]:
        data.update({f"{formset.formset.prefix}-TOTAL_FORMS": 0, f"{formset.formset.prefix}-INITIAL_FORMS": 0})

    answer = recruiter_client.post(admin_url(Response, "change", reviewed.pk), data)

    assert answer.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == "declined"
    change = reviewed.history.last()
    assert (change.from_status, change.to_status, change.actor, change.comment) == (
        "needs_review",
        "declined",
        recruiter,
        "Needs 3 years",
    )


def test_an_outsider_does_not_see_the_response_or_its_answers(outsider_client, reviewed):
    assert outsider_client.get(admin_url(Response, "change", reviewed.pk)).status_code in (302, 404)
    page = outsider_client.get(admin_url(Answer, "changelist"), {"needs_review__exact": "1"})
    assert list(page.context["cl"].result_list) == []
