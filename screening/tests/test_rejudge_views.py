"""The re-judging pages and links: the preview, applying it, the vacancy page's and the editor's links, the
"judged by" note on the response page, and the audit record in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from screening import services
from screening.models import Answer, Rejudge, Response, StatusChange
from screening.tests.factories import ResponseFactory
from vacancies import services as vacancy_services
from vacancies.tests.factories import VacancyFactory, full_script
from vacancies.tests.test_views import existing, post_data

pytestmark = pytest.mark.django_db

STORY = "I built a payroll system for a bank in Django with a team of four people over two years."


@pytest.fixture
def vacancy(company, owner):
    vacancy = VacancyFactory(company=company, created_by=owner, title="Backend engineer", pass_threshold=50)
    full_script(vacancy)
    return vacancy


def _years(vacancy):
    return vacancy.questions.get(position=2)


def _screen(vacancy, name, years):
    response = ResponseFactory(vacancy=vacancy, full_name=name)
    services.response_start_chat(response=response)
    raws = {1: "Moscow", 2: years, 3: "yes", 4: "Django", 5: STORY}
    for question in vacancy.questions.order_by("position"):
        services.response_submit_answer(response=response, question=question, raw=raws[question.position])
    return services.response_finish(response=response)


@pytest.fixture
def tightened(vacancy):
    """Anna (6 years) and Clara (3 years) passed "at least 3"; then the rule became "at least 5"."""
    people = {"Anna": _screen(vacancy, "Anna", "6"), "Clara": _screen(vacancy, "Clara", "3")}
    vacancy_services.question_update(question=_years(vacancy), data={"knockout_value": "5"})
    return people


def _url(question):
    return reverse("screening:rejudge", args=[question.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_preview_lists_who_flips_and_offers_editors_to_apply(recruiter_client, vacancy, tightened):
    page = recruiter_client.get(_url(_years(vacancy)))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-response="{tightened["Clara"].pk}"' in html
    assert f'data-response="{tightened["Anna"].pk}"' not in html  # 6 years pass either way
    assert "Must be at least 5" in html and "must be at least 3" in html
    assert "1 other response keeps its outcome." in html
    assert 'name="fingerprint"' in html
    assert "Re-judge 2 answers under the new rule" in html


def test_a_viewer_sees_the_preview_read_only_and_cannot_apply(viewer_client, vacancy, tightened):
    page = viewer_client.get(_url(_years(vacancy)))
    assert page.status_code == 200
    assert 'name="fingerprint"' not in page.content.decode()
    assert "Only owners and recruiters can apply this." in page.content.decode()
    assert viewer_client.post(_url(_years(vacancy))).status_code == 403
    assert not Rejudge.objects.exists()
    assert Response.objects.get(pk=tightened["Clara"].pk).status == "passed"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_and_nothing_changes(outsider_client, vacancy, tightened, method):
    assert getattr(outsider_client, method)(_url(_years(vacancy))).status_code == 404
    assert not Rejudge.objects.exists()


def test_posting_applies_and_goes_back_to_the_vacancy(owner_client, owner, vacancy, tightened):
    question = _years(vacancy)
    fingerprint = services.rejudge_preview(question=question).fingerprint

    page = owner_client.post(_url(question), {"fingerprint": fingerprint}, follow=True)

    assert page.redirect_chain == [(vacancy.get_absolute_url(), 302)]
    assert "Re-judged 2 answers under the new rule. 1 response&#x27;s outcome changed" in page.content.decode()
    assert Response.objects.get(pk=tightened["Clara"].pk).status == "rejected"
    assert StatusChange.objects.filter(response=tightened["Clara"], actor=owner, to_status="rejected").exists()
    assert Rejudge.objects.get().actor == owner


def test_posting_a_preview_of_a_rule_changed_since_applies_nothing(owner_client, vacancy, tightened):
    question = _years(vacancy)
    fingerprint = services.rejudge_preview(question=question).fingerprint
    vacancy_services.question_update(question=question, data={"knockout_value": "4"})

    page = owner_client.post(_url(question), {"fingerprint": fingerprint}, follow=True)

    assert page.redirect_chain == [(_url(question), 302)]
    assert "The rule changed since this preview" in page.content.decode()
    assert not Rejudge.objects.exists()


def test_nothing_to_rejudge_says_so(viewer_client, vacancy):
    _screen(vacancy, "Anna", "6")
    page = viewer_client.get(_url(_years(vacancy)))
    assert "there is nothing to re-judge" in page.content.decode()


def test_the_vacancy_page_links_to_rejudging_until_it_is_done(viewer_client, owner, vacancy, tightened):
    link = f'href="{_url(_years(vacancy))}"'
    html = viewer_client.get(vacancy.get_absolute_url()).content.decode()
    assert link in html
    assert "Re-judge past answers under the new rule (2 answers judged by an older rule)" in html

    services.rejudge_apply(question=_years(vacancy), actor=owner)

    assert link not in viewer_client.get(vacancy.get_absolute_url()).content.decode()


def test_the_editor_offers_rejudging_after_a_rule_with_answers_changed(recruiter_client, vacancy):
    _screen(vacancy, "Clara", "3")
    rows = existing(vacancy)
    rows[1]["knockout_value"] = "5"
    data = post_data(rows, initial=5, title=vacancy.title, slug=vacancy.slug, pass_threshold="50")

    page = recruiter_client.post(reverse("vacancies:edit", args=[vacancy.pk]), data, follow=True)

    html = page.content.decode()
    assert "“How many years of Python experience do you have?”: 1 answer was judged by an older rule." in html
    assert f'<a href="{_url(_years(vacancy))}">Re-judge past answers under the new rule</a>' in html


def test_the_editor_says_nothing_when_no_rule_changed(recruiter_client, vacancy):
    _screen(vacancy, "Clara", "3")
    data = post_data(existing(vacancy), initial=5, title=vacancy.title, slug=vacancy.slug, pass_threshold="50")
    html = recruiter_client.post(reverse("vacancies:edit", args=[vacancy.pk]), data, follow=True).content.decode()
    assert "judged by an older rule" not in html


def test_the_response_page_names_the_rule_an_old_verdict_was_judged_by(viewer_client, owner, vacancy, tightened):
    url = tightened["Clara"].get_absolute_url()
    html = viewer_client.get(url).content.decode()
    assert "judged by: must be at least 3" in html

    services.rejudge_apply(question=_years(vacancy), actor=owner)

    assert "judged by:" not in viewer_client.get(url).content.decode()


def test_an_answer_stored_before_rules_were_kept_is_flagged_only_when_its_verdict_disagrees(
    viewer_client, vacancy, tightened
):
    Answer.objects.filter(question__vacancy=vacancy).update(rule={})
    anna = viewer_client.get(tightened["Anna"].get_absolute_url()).content.decode()
    clara = viewer_client.get(tightened["Clara"].get_absolute_url()).content.decode()
    assert "judged by an earlier rule" not in anna  # 6 passes "at least 5" too
    assert "judged by an earlier rule" in clara  # 3 passed "at least 3", would fail "at least 5"


# --- the audit record in the admin -------------------------------------------------------------------------------


def _admin(name, *args):
    return reverse(f"admin:screening_rejudge_{name}", args=args)


def test_the_admin_shows_rejudgements_read_only_and_only_to_their_company(
    owner, outsider, vacancy, tightened, other_company
):
    audit = services.rejudge_apply(question=_years(vacancy), actor=owner)
    other = VacancyFactory(company=other_company)
    full_script(other)
    _screen(other, "Zed", "3")
    vacancy_services.question_update(question=_years(other), data={"knockout_value": "5"})
    foreign = services.rejudge_apply(question=_years(other), actor=outsider)

    client = _client(owner)
    page = client.get(_admin("changelist"))
    assert list(page.context["cl"].queryset) == [audit]
    assert client.get(_admin("change", audit.pk)).context["has_change_permission"] is False
    assert client.get(_admin("change", foreign.pk)).status_code in (302, 404)
    assert client.get(_admin("add")).status_code == 403
    assert client.post(_admin("delete", audit.pk), {"post": "yes"}).status_code == 403
    assert Rejudge.objects.count() == 2
