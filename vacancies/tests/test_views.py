"""The vacancy pages with the personas: owner, recruiter, viewer of Acme and an outsider from Globex."""

import pytest
from django.conf import settings
from django.urls import reverse

from screening.models import Response
from screening.tests.factories import ResponseFactory
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory, full_script

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy(company):
    vacancy = VacancyFactory(company=company, title="Python developer", slug="python-dev", status=Vacancy.Status.DRAFT)
    full_script(vacancy)
    return vacancy


def snapshot():
    """Everything a write could touch, to prove that a refused request changed nothing."""
    return (
        list(Vacancy.objects.order_by("pk").values()),
        list(ScreeningQuestion.objects.order_by("pk").values()),
        Response.objects.count(),
    )


def management(total, initial):
    return {
        "questions-TOTAL_FORMS": str(total),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }


def post_data(questions, *, initial=0, **fields):
    data = {
        "title": "Data engineer",
        "slug": "",
        "description": "Pipelines.",
        "requirements": "SQL\nPython",
        "location": "Kazan",
        "salary_from": "100000",
        "salary_to": "200000",
        "salary_currency": "RUB",
        "employment_type": "full_time",
        "pass_threshold": "55",
        "language": "en",
        **management(len(questions), initial),
    }
    data.update(fields)
    for index, question in enumerate(questions):
        for key, value in question.items():
            data[f"questions-{index}-{key}"] = value
    return data


def existing(vacancy):
    """The edit form's questions as the browser sends them back, unchanged."""
    rows = []
    for position, question in enumerate(vacancy.questions.all(), start=1):
        row = {
            "id": str(question.pk),
            "text": question.text,
            "kind": question.kind,
            "options": "\r\n".join(question.options),
            "knockout": question.knockout,
            "knockout_value": question.knockout_value,
            "allowed_options": "\r\n".join(question.allowed_options),
            "weight": str(question.weight),
            "ORDER": str(position),
        }
        if question.required:
            row["required"] = "on"
        rows.append(row)
    return rows


# --- list -------------------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("vacancies:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_list_shows_the_company_vacancies_with_counts(owner_client, company, other_company):
    vacancy = VacancyFactory(company=company, title="Backend developer")
    for status in ["passed", "passed", "rejected", "new"]:
        ResponseFactory(vacancy=vacancy, status=status)
    VacancyFactory(company=other_company, title="Secret Globex job")
    response = owner_client.get(reverse("vacancies:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Backend developer" in html and "Secret Globex job" not in html
    row = response.context["vacancies"][0]
    assert (row.responses_total, row.responses_passed, row.responses_rejected) == (4, 2, 1)
    assert f"{reverse('screening:list')}?vacancy={vacancy.pk}" in html


def test_list_filters_by_status(viewer_client, company):
    VacancyFactory(company=company, title="Open one", status=Vacancy.Status.OPEN)
    VacancyFactory(company=company, title="Draft one", status=Vacancy.Status.DRAFT)
    html = viewer_client.get(reverse("vacancies:list"), {"status": "draft"}).content.decode()
    assert "Draft one" in html and "Open one" not in html
    html = viewer_client.get(reverse("vacancies:list"), {"status": "bogus"}).content.decode()
    assert "Draft one" in html and "Open one" in html


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_vacancies(owner_client, company, count, django_assert_max_num_queries):
    for vacancy in VacancyFactory.create_batch(count, company=company):
        ResponseFactory(vacancy=vacancy, status="passed")
    with django_assert_max_num_queries(6):  # 5, and the bell's unread count on a cold cache
        response = owner_client.get(reverse("vacancies:list"))
    assert response.status_code == 200
    assert len(response.context["vacancies"]) == count


# --- detail -----------------------------------------------------------------------------------------------------


def test_detail_shows_script_rules_link_and_counts(viewer_client, vacancy):
    ResponseFactory(vacancy=vacancy, status="rejected")
    response = viewer_client.get(reverse("vacancies:detail", args=[vacancy.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    link = settings.SITE_URL + reverse("chat:vacancy", args=["acme", "python-dev"])
    assert f'data-copy="{link}"' in html
    assert "Which city do you live in?" in html
    # The rule in the words the response page and the rejection reasons use (ScreeningQuestion.rule_text).
    assert "Must be one of: Moscow" in html
    assert "Must be at least 3" in html
    assert "Must be “yes”" in html
    assert "Must include one of: Django, FastAPI" in html
    assert "No knockout rule" in html
    assert f"{reverse('screening:list')}?vacancy={vacancy.pk}" in html
    assert response.context["counts"] == {
        "responses_total": 1,
        "responses_passed": 0,
        "responses_rejected": 1,
        "responses_needs_review": 0,
    }
    # A viewer reads only: no buttons that would answer 403.
    assert reverse("vacancies:edit", args=[vacancy.pk]) not in html
    assert reverse("vacancies:publish", args=[vacancy.pk]) not in html


def test_detail_escapes_user_text(owner_client, company):
    vacancy = VacancyFactory(company=company, title="<script>alert(1)</script>")
    html = owner_client.get(reverse("vacancies:detail", args=[vacancy.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# --- create and edit ----------------------------------------------------------------------------------------


def test_create_page_offers_the_question_editor(recruiter_client):
    response = recruiter_client.get(reverse("vacancies:create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="questions-TOTAL_FORMS" value="2"' in html  # two blank questions work without JavaScript
    assert 'id="question-template"' in html and "js/question-editor.js" in html


def test_create_saves_the_vacancy_with_its_questions(recruiter_client, recruiter, company):
    data = post_data(
        [
            {
                "text": "Years of SQL?",
                "kind": "number",
                "knockout": "at_least",
                "knockout_value": "2",
                "weight": "3",
                "required": "on",
                "ORDER": "2",
            },
            {
                "text": "Where do you live?",
                "kind": "single_choice",
                "options": "Kazan\r\nMoscow",
                "knockout": "one_of",
                "allowed_options": "Kazan",
                "weight": "1",
                "required": "on",
                "ORDER": "1",
            },
            {"text": "", "kind": "text", "weight": "1", "required": "on"},  # a blank extra form
        ]
    )
    response = recruiter_client.post(reverse("vacancies:create"), data)
    vacancy = Vacancy.objects.get(company=company)
    assert response.status_code == 302 and response["Location"] == vacancy.get_absolute_url()
    assert vacancy.slug == "data-engineer" and vacancy.created_by == recruiter and vacancy.status == "draft"
    assert list(vacancy.questions.values_list("text", "position")) == [("Where do you live?", 1), ("Years of SQL?", 2)]


def test_create_with_an_invalid_question_shows_the_error_and_saves_nothing(recruiter_client):
    data = post_data(
        [
            {"text": "Fine?", "kind": "yes_no", "weight": "1"},
            {"text": "Broken?", "kind": "yes_no", "knockout": "must_equal", "knockout_value": "perhaps", "weight": "1"},
        ]
    )
    response = recruiter_client.post(reverse("vacancies:create"), data)
    assert response.status_code == 200
    assert "knockout_value" in response.context["formset"].errors[1]
    assert "Enter &#x27;yes&#x27; or &#x27;no&#x27;." in response.content.decode()
    assert not Vacancy.objects.exists() and not ScreeningQuestion.objects.exists()


def test_create_with_an_invalid_vacancy_saves_nothing(recruiter_client):
    data = post_data([{"text": "Fine?", "kind": "text", "weight": "1"}], salary_from="300000")
    response = recruiter_client.post(reverse("vacancies:create"), data)
    assert response.status_code == 200 and "salary_to" in response.context["form"].errors
    assert not Vacancy.objects.exists() and not ScreeningQuestion.objects.exists()


def test_edit_page_shows_the_script_and_the_suggestions_slot(owner_client, vacancy):
    response = owner_client.get(reverse("vacancies:edit", args=[vacancy.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="questions-TOTAL_FORMS" value="7"' in html
    assert 'name="questions-INITIAL_FORMS" value="5"' in html
    assert "Which city do you live in?" in html and "Moscow\nSaint Petersburg\nKazan" in html
    # The suggestions block is screening's: the editor loads it by URL (htmx) and links to it without JavaScript.
    suggest_url = reverse("screening:suggest", args=[vacancy.pk])
    assert f'hx-get="{suggest_url}"' in html and f'href="{suggest_url}"' in html
    assert not any(t.name.startswith("screening/") for t in response.templates)
    assert "Candidates already in the chat" not in html


def test_edit_of_an_open_vacancy_warns_about_candidates_in_progress(owner_client, vacancy):
    vacancy.status = Vacancy.Status.OPEN
    vacancy.save()
    html = owner_client.get(reverse("vacancies:edit", args=[vacancy.pk])).content.decode()
    assert "Candidates already in the chat" in html


def test_edit_reorders_changes_and_removes_questions(recruiter_client, vacancy):
    rows = existing(vacancy)
    rows[0]["ORDER"], rows[4]["ORDER"] = "5", "1"  # swap the first and the last
    rows[1]["knockout_value"] = "5"
    rows[2]["DELETE"] = "on"
    rows.append({"text": "Notice period in weeks?", "kind": "number", "weight": "1", "required": "on"})
    data = post_data(rows, initial=5, title=vacancy.title, slug=vacancy.slug)
    response = recruiter_client.post(reverse("vacancies:edit", args=[vacancy.pk]), data)
    assert response.status_code == 302
    assert response.url == vacancy.get_absolute_url()
    texts = list(vacancy.questions.values_list("text", flat=True))
    assert texts == [
        "Tell us about a project you are proud of.",
        "How many years of Python experience do you have?",
        "Which of these do you use?",
        "Which city do you live in?",
        "Notice period in weeks?",
    ]
    assert vacancy.questions.get(kind="number", knockout="at_least").knockout_value == "5"


def test_edit_with_a_forged_question_id_changes_nothing(recruiter_client, vacancy, other_company):
    foreign = full_script(VacancyFactory(company=other_company))[0]
    rows = existing(vacancy)
    rows[0]["id"] = str(foreign.pk)
    before = snapshot()
    data = post_data(rows, initial=5, title="Hijacked", slug=vacancy.slug)
    response = recruiter_client.post(reverse("vacancies:edit", args=[vacancy.pk]), data)
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert snapshot() == before


# --- publish and close --------------------------------------------------------------------------------------------


def test_publish_then_close(owner_client, vacancy):
    response = owner_client.post(reverse("vacancies:publish", args=[vacancy.pk]))
    assert response.status_code == 302
    assert response.url == vacancy.get_absolute_url()
    vacancy.refresh_from_db()
    assert vacancy.status == "open" and vacancy.published_at
    owner_client.post(reverse("vacancies:close", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == "closed"


def test_publish_without_questions_is_allowed_with_a_warning(recruiter_client, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    response = recruiter_client.post(reverse("vacancies:publish", args=[vacancy.pk]), follow=True)
    assert response.redirect_chain == [(vacancy.get_absolute_url(), 302)]
    vacancy.refresh_from_db()
    assert vacancy.status == "open"
    assert "no screening questions" in response.content.decode()


def test_closing_a_draft_explains_why_not(recruiter_client, vacancy):
    response = recruiter_client.post(reverse("vacancies:close", args=[vacancy.pk]), follow=True)
    assert response.redirect_chain == [(vacancy.get_absolute_url(), 302)]
    vacancy.refresh_from_db()
    assert vacancy.status == "draft"
    assert "Only an open vacancy can be closed." in response.content.decode()


def test_publish_needs_post(owner_client, vacancy):
    assert owner_client.get(reverse("vacancies:publish", args=[vacancy.pk])).status_code == 405
    vacancy.refresh_from_db()
    assert vacancy.status == "draft"


def test_delete_removes_a_vacancy_nobody_applied_to(owner_client, vacancy):
    response = owner_client.post(reverse("vacancies:delete", args=[vacancy.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("vacancies:list")
    assert not Vacancy.objects.exists()


# --- access -------------------------------------------------------------------------------------------------------

WRITES = [
    ("vacancies:edit", "get"),
    ("vacancies:edit", "post"),
    ("vacancies:publish", "post"),
    ("vacancies:close", "post"),
    ("vacancies:delete", "post"),
]


@pytest.mark.parametrize(("name", "method"), WRITES)
def test_viewer_gets_403_on_every_write_and_nothing_changes(viewer_client, vacancy, name, method):
    before = snapshot()
    data = post_data(existing(vacancy), initial=5, title="Changed by viewer") if name == "vacancies:edit" else {}
    response = getattr(viewer_client, method)(reverse(name, args=[vacancy.pk]), data)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_cannot_create(viewer_client, method):
    response = getattr(viewer_client, method)(reverse("vacancies:create"), post_data([]))
    assert response.status_code == 403
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize(
    "name", ["vacancies:detail", "vacancies:edit", "vacancies:publish", "vacancies:close", "vacancies:delete"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_every_object_url_and_nothing_changes(outsider_client, vacancy, name, method):
    ResponseFactory(vacancy=vacancy)
    before = snapshot()
    data = post_data(existing(vacancy), initial=5, title="Changed by outsider") if method == "post" else {}
    response = getattr(outsider_client, method)(reverse(name, args=[vacancy.pk]), data)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", ["vacancies:detail", "vacancies:edit", "vacancies:publish"])
def test_viewer_of_one_company_gets_404_not_403_for_another(client, other_company, viewer, name):
    theirs = VacancyFactory(company=other_company)
    client.force_login(viewer)
    assert client.post(reverse(name, args=[theirs.pk])).status_code == 404


def test_outsider_list_does_not_show_our_vacancies(outsider_client, vacancy):
    html = outsider_client.get(reverse("vacancies:list")).content.decode()
    assert vacancy.title not in html


def test_edit_refuses_to_drop_a_question_added_since_the_page_was_loaded(recruiter_client, vacancy):
    rows = existing(vacancy)
    QuestionFactory(vacancy=vacancy, position=6, text="Accepted from a suggestion?")
    before = snapshot()
    response = recruiter_client.post(
        reverse("vacancies:edit", args=[vacancy.pk]), post_data(rows, initial=5, title=vacancy.title)
    )
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    assert snapshot() == before


# --- issue 11: what the pages say is true -------------------------------------------------------------------------


def _answer(question):
    from screening.models import Answer

    return Answer.objects.create(response=ResponseFactory(vacancy=question.vacancy), question=question, raw_text="x")


def test_the_editor_marks_answered_questions_and_does_not_offer_to_remove_them(owner_client, vacancy):
    vacancy.status = Vacancy.Status.OPEN
    vacancy.save()
    first = vacancy.questions.first()
    _answer(first)
    html = owner_client.get(reverse("vacancies:edit", args=[vacancy.pk])).content.decode()
    assert html.count("Has answers: can't be removed") == 1
    assert 'name="questions-0-DELETE"' not in html  # the answered one
    assert 'name="questions-1-DELETE"' in html  # the others can go
    assert "also removes the answers" not in html
    assert "can be edited but not removed" in html


def test_removing_an_answered_question_anyway_is_refused_and_nothing_changes(recruiter_client, vacancy):
    _answer(vacancy.questions.first())
    rows = existing(vacancy)
    rows[0]["DELETE"] = "on"
    before = snapshot()
    response = recruiter_client.post(
        reverse("vacancies:edit", args=[vacancy.pk]), post_data(rows, initial=5, title=vacancy.title)
    )
    assert response.status_code == 200
    assert "already has answers from candidates and cannot be removed" in response.content.decode()
    assert snapshot() == before


def test_the_editor_gets_the_kinds_and_rules_from_the_rules_module(owner_client, vacancy):
    from vacancies.rules import editor_spec

    response = owner_client.get(reverse("vacancies:edit", args=[vacancy.pk]))
    assert response.context["question_rules"] == editor_spec()
    assert '<script id="question-rules" type="application/json">' in response.content.decode()


def _passed_then_shortlisted(vacancy, *, actor):
    """A response the screening passed (an empty script scores 100), then shortlisted by a recruiter."""
    from screening import services as screening_services

    response = ResponseFactory(vacancy=vacancy, status="in_chat")
    screening_services.response_finish(response=response)
    response.refresh_from_db()
    assert response.status == "passed"
    screening_services.response_change_status(response=response, to_status="shortlisted", actor=actor)
    return response


def test_passed_counts_everyone_the_screening_passed_whatever_their_status_now(owner_client, owner, company):
    vacancy = VacancyFactory(company=company, pass_threshold=50)
    _passed_then_shortlisted(vacancy, actor=owner)
    ResponseFactory(vacancy=vacancy, status="passed")
    ResponseFactory(vacancy=vacancy, status="rejected")
    ResponseFactory(vacancy=vacancy, status="shortlisted")  # shortlisted without passing the screening
    detail = owner_client.get(reverse("vacancies:detail", args=[vacancy.pk]))
    assert detail.context["counts"] == {
        "responses_total": 4,
        "responses_passed": 2,
        "responses_rejected": 1,
        "responses_needs_review": 0,
    }
    row = owner_client.get(reverse("vacancies:list")).context["vacancies"][0]
    assert (row.responses_total, row.responses_passed, row.responses_rejected) == (4, 2, 1)
    # Each counter links to the table filtered by the screening's verdict: the same people, not fewer.
    for verdict, count in (("passed", 2), ("rejected", 1)):
        link = f"{reverse('screening:list')}?vacancy={vacancy.pk}&amp;screening={verdict}"
        assert link in detail.content.decode()
        table = owner_client.get(reverse("screening:list"), {"vacancy": vacancy.pk, "screening": verdict})
        assert table.context["page_obj"].paginator.count == count


def test_salary_reads_the_same_on_the_dashboard_and_the_careers_pages(owner_client, client, company):
    vacancy = VacancyFactory(company=company, slug="sql", salary_from=200000, salary_to=300000, salary_currency="RUB")
    VacancyFactory(company=company, slug="ops", salary_from=150000, salary_to=None, salary_currency="USD")
    dashboard = owner_client.get(reverse("vacancies:detail", args=[vacancy.pk])).content.decode()
    owner_client.logout()
    careers = client.get(reverse("chat:careers", args=[company.slug])).content.decode()
    public = client.get(reverse("chat:vacancy", args=[company.slug, "sql"])).content.decode()
    for html in (dashboard, careers, public):
        assert "200,000 – 300,000 RUB" in html
        assert "200000" not in html
    assert "from 150,000 USD" in careers


def test_salary_display_follows_the_language():
    from django.utils import translation

    vacancy = Vacancy(salary_from=200000, salary_to=300000, salary_currency="RUB")
    with translation.override("en"):
        assert vacancy.salary_display == "200,000 – 300,000 RUB"
    with translation.override("ru"):
        assert vacancy.salary_display == "200\xa0000 – 300\xa0000 RUB"
        assert Vacancy(salary_to=90000, salary_currency="RUB").salary_display == "до 90\xa0000 RUB"
    assert Vacancy(salary_from=None, salary_to=None).salary_display == ""
