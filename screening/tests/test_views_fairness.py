"""The fairness report page and block: running the check, the owner's acknowledgement, htmx and no-JS."""

import pytest
from django.test import Client
from django.urls import reverse

from screening import services
from screening.models import FairnessCheck
from screening.tests import fake_openai
from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, status=Vacancy.Status.DRAFT, requirements="Python\nDjango\nPostgreSQL")


def _url(vacancy):
    return reverse("screening:fairness", kwargs={"vacancy_pk": vacancy.pk})


def _over(vacancy) -> FairnessCheck:
    return FairnessCheck.objects.create(
        vacancy=vacancy,
        key=services.fairness_key(vacancy=vacancy),
        status=FairnessCheck.Status.DONE,
        max_difference=25,
        threshold=5,
        results=[
            {
                "pair": "gender_en",
                "kind": "gender",
                "language": "en",
                "score_a": 83,
                "score_b": 58,
                "difference": 25,
                "recommendation_a": "advance",
                "recommendation_b": "hold",
            }
        ],
    )


def test_the_page_without_a_check_offers_to_run_it(recruiter_client, vacancy, no_llm):
    page = recruiter_client.get(_url(vacancy))
    assert page.status_code == 200
    assert b"No fairness check yet" in page.content
    assert b"Run the fairness check" in page.content
    assert b"<html" in page.content


def test_a_viewer_reads_but_gets_no_buttons(viewer_client, vacancy, no_llm):
    _over(vacancy)
    page = viewer_client.get(_url(vacancy))
    assert page.status_code == 200
    assert b"gender_en" in page.content
    assert b"Run the fairness check" not in page.content
    assert b"Acknowledge and allow publishing" not in page.content


def test_running_the_check_from_the_page(recruiter_client, vacancy, no_llm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = recruiter_client.post(_url(vacancy))
    assert answer.status_code == 302 and answer["Location"] == _url(vacancy)
    check = FairnessCheck.objects.get(vacancy=vacancy)
    assert check.status == FairnessCheck.Status.DONE and check.max_difference == 0
    page = recruiter_client.get(_url(vacancy))
    assert b"Every pair is within the threshold" in page.content


def test_htmx_gets_the_block_which_polls_while_the_check_runs(recruiter_client, vacancy, fake_llm, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    block = recruiter_client.post(_url(vacancy), headers=HTMX)
    assert block.status_code == 200
    assert b"<html" not in block.content
    assert b'data-fairness-status="pending"' in block.content and b"every 2s" in block.content
    assert "HX-Request" in block["Vary"]


def test_only_the_owner_sees_and_uses_the_acknowledgement(recruiter, vacancy, owner, fake_llm):
    owner_client, recruiter_client = Client(), Client()
    owner_client.force_login(owner)
    recruiter_client.force_login(recruiter)
    check = _over(vacancy)
    assert b"Acknowledge and allow publishing" not in recruiter_client.get(_url(vacancy)).content
    url = reverse("screening:fairness_acknowledge", kwargs={"pk": check.pk})
    assert recruiter_client.post(url, {"note": "ok"}).status_code == 403
    assert b"Acknowledge and allow publishing" in owner_client.get(_url(vacancy)).content

    refused = owner_client.post(url, {"note": ""}, headers=HTMX)
    assert refused.status_code == 422
    check.refresh_from_db()
    assert check.acknowledged_at is None

    answer = owner_client.post(url, {"note": "Reviewed; a person reads every advice."})
    assert answer.status_code == 302 and answer["Location"] == _url(vacancy)
    check.refresh_from_db()
    assert check.acknowledged_by == owner and check.acknowledgement == "Reviewed; a person reads every advice."
    page = owner_client.get(_url(vacancy))
    assert b"fairness-acknowledged" in page.content and b"Reviewed; a person reads every advice." in page.content


def test_outsider_gets_404(outsider_client, vacancy, no_llm):
    check = _over(vacancy)
    assert outsider_client.get(_url(vacancy)).status_code == 404
    assert outsider_client.post(_url(vacancy)).status_code == 404
    url = reverse("screening:fairness_acknowledge", kwargs={"pk": check.pk})
    assert outsider_client.post(url, {"note": "mine now"}).status_code == 404
    assert not FairnessCheck.objects.exclude(pk=check.pk).exists()
    check.refresh_from_db()
    assert check.acknowledged_at is None


def test_a_biased_model_end_to_end_through_the_pages(
    owner_client, vacancy, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.default = fake_openai.reading("biased")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(_url(vacancy))
    check = FairnessCheck.objects.get(vacancy=vacancy)
    assert check.over_threshold
    page = owner_client.get(_url(vacancy))
    assert b"fairness-over" in page.content and b"Acknowledge and allow publishing" in page.content


def test_after_a_check_over_the_threshold_a_recruiter_cannot_re_run_it_and_is_told_why(
    recruiter_client, owner, vacancy, fake_llm
):
    _over(vacancy)
    answer = recruiter_client.post(_url(vacancy))
    assert answer.status_code == 403
    assert "only the owner may run it again" in answer.content.decode()
    assert FairnessCheck.objects.filter(vacancy=vacancy).count() == 1
    owner_client = Client()
    owner_client.force_login(owner)
    assert owner_client.post(_url(vacancy)).status_code == 302
    assert FairnessCheck.objects.filter(vacancy=vacancy).count() == 2
