"""Vacancies and questions in the admin: the dashboard's rules and words, through the same services.

Personas from the root conftest (``owner``, ``recruiter``, ``viewer`` of Acme; ``outsider`` of Globex).
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from screening.models import Answer
from screening.tests.factories import ResponseFactory
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.services import MAX_QUESTIONS, VACANCY_FIELDS
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db

QUESTION_DEFAULTS = {
    "text": "",
    "kind": "text",
    "options": "",
    "knockout": "",
    "knockout_value": "",
    "allowed_options": "",
    "weight": "1",
    "required": "on",
}


def admin_url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def vacancy_data(vacancy=None, *, questions=(), **changes) -> dict:
    """The admin's vacancy page as a browser posts it: ``vacancy``'s values (or a new one's), then ``changes``.

    ``questions``: dicts of question fields, with ``id`` for a saved one (and ``DELETE`` to remove it).
    """
    if vacancy is None:
        data = {"title": "Backend developer", "slug": "", "language": "en", "pass_threshold": "60"}
        data |= {"employment_type": "full_time", "salary_currency": "RUB"}
    else:
        data = {field: getattr(vacancy, field) for field in VACANCY_FIELDS}
        data = {field: "" if value is None else value for field, value in data.items()}
        if data.pop("show_outcome"):
            data["show_outcome"] = "on"  # a checkbox is posted only when ticked
    data.update(changes)
    questions = list(questions)
    data |= {
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": sum(1 for question in questions if question.get("id")),
    }
    for index, question in enumerate(questions):
        for key, value in (QUESTION_DEFAULTS | question).items():
            data[f"questions-{index}-{key}"] = value
    return data


def saved_question(question, **changes) -> dict:
    row = {
        "id": question.pk,
        "position": question.position,
        "text": question.text,
        "kind": question.kind,
        "options": "\n".join(question.options),
        "knockout": question.knockout,
        "knockout_value": question.knockout_value,
        "allowed_options": "\n".join(question.allowed_options),
        "weight": question.weight,
    }
    if question.required:
        row["required"] = "on"
    return row | changes


def messages_of(page) -> list[str]:
    return [str(message) for message in get_messages(page.wsgi_request)]


@pytest.fixture
def vacancy(company):
    return VacancyFactory(company=company, title="Python developer", slug="python", status=Vacancy.Status.DRAFT)


# --- adding and changing through vacancy_save and the question services ----------------------------------------


def test_a_recruiter_adds_a_vacancy_with_its_script(recruiter_client, recruiter, company, other_company):
    page = recruiter_client.post(
        admin_url(Vacancy, "add"),
        vacancy_data(
            company=company.pk,
            questions=[
                {"position": 1, "text": " Years of Python? ", "kind": "number", "knockout": "at_least"}
                | {"knockout_value": "3.0", "weight": 2},
                {"position": 2, "text": "City?", "kind": "single_choice", "options": "Moscow\nKazan"}
                | {"knockout": "one_of", "allowed_options": "moscow"},
            ],
        ),
    )
    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else page
    assert page.url == admin_url(Vacancy, "changelist")
    vacancy = Vacancy.objects.get()
    # vacancy_save: the author, a draft, and a slug made from the title.
    assert (vacancy.company, vacancy.created_by, vacancy.status, vacancy.slug) == (
        company,
        recruiter,
        "draft",
        "backend-developer",
    )
    assert page.url == admin_url(Vacancy, "changelist")
    # The question services' normalising: text stripped, "3.0" as "3", allowed options spelled as the options.
    assert [(q.position, q.text, q.knockout_value, q.allowed_options) for q in vacancy.questions.all()] == [
        (1, "Years of Python?", "3", []),
        (2, "City?", "", ["Moscow"]),
    ]


def test_the_company_choices_are_the_members_own(recruiter_client, company, other_company):
    page = recruiter_client.get(admin_url(Vacancy, "add"))
    form = page.context["adminform"].form
    assert set(form.fields["company"].queryset) == {company}
    assert form.initial["company"] == company.pk
    assert "created_by" not in form.fields  # the service sets the author


def test_a_question_breaking_a_rule_gets_the_editors_words_and_nothing_is_saved(recruiter_client, company):
    question = {
        "position": 1,
        "text": "City?",
        "kind": "single_choice",
        "options": "Moscow\nKazan",
        "knockout": "one_of",
    }
    admin = recruiter_client.post(admin_url(Vacancy, "add"), vacancy_data(company=company.pk, questions=[question]))
    assert admin.status_code == 200
    inline_errors = admin.context["inline_admin_formsets"][0].formset.errors[0]
    assert inline_errors["allowed_options"] == ["Choose at least one allowed option."]
    assert not Vacancy.objects.exists()


def test_the_owner_changes_a_title_and_it_is_saved(owner_client, vacancy):
    page = owner_client.post(
        admin_url(Vacancy, "change", vacancy.pk), vacancy_data(vacancy, title="Senior Python developer")
    )
    assert page.status_code == 302
    assert page.url == admin_url(Vacancy, "changelist")
    vacancy.refresh_from_db()
    assert (vacancy.title, vacancy.slug, vacancy.company.slug) == ("Senior Python developer", "python", "acme")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"salary_from": "300000", "salary_to": "100000"}, "salary_to"),
        ({"pass_threshold": "101"}, "pass_threshold"),
        ({"slug": "taken"}, "slug"),
    ],
)
def test_a_bad_value_gets_the_same_error_as_on_the_dashboard(owner_client, vacancy, company, changes, field):
    VacancyFactory(company=company, slug="taken")
    admin = owner_client.post(admin_url(Vacancy, "change", vacancy.pk), vacancy_data(vacancy, **changes))
    dashboard = owner_client.post(
        reverse("vacancies:edit", args=[vacancy.pk]),
        {**vacancy_data(vacancy, **changes), "questions-TOTAL_FORMS": 0, "questions-INITIAL_FORMS": 0},
    )
    assert admin.status_code == dashboard.status_code == 200
    assert admin.context["adminform"].form.errors[field] == dashboard.context["form"].errors[field]
    vacancy.refresh_from_db()
    assert (vacancy.title, vacancy.slug, vacancy.salary_from) == ("Python developer", "python", None)


def test_a_service_refusal_rolls_the_whole_page_back_and_is_shown(owner_client, vacancy):
    for position in range(1, MAX_QUESTIONS + 1):
        QuestionFactory(vacancy=vacancy, position=position)
    page = owner_client.post(
        admin_url(Vacancy, "change", vacancy.pk),
        vacancy_data(vacancy, title="Renamed", questions=[{"position": 0, "text": "One too many?"}]),
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.non_field_errors() == [f"A vacancy has at most {MAX_QUESTIONS} questions."]
    vacancy.refresh_from_db()
    assert vacancy.title == "Python developer"  # saved before question_add refused, rolled back with it
    assert vacancy.questions.count() == MAX_QUESTIONS


def test_an_answered_question_is_not_removed_from_the_script(owner_client, vacancy):
    answered = QuestionFactory(vacancy=vacancy, position=1, text="Answered?")
    Answer.objects.create(response=ResponseFactory(vacancy=vacancy), question=answered, raw_text="yes")
    page = owner_client.post(
        admin_url(Vacancy, "change", vacancy.pk),
        vacancy_data(vacancy, title="Renamed", questions=[saved_question(answered, DELETE="on")]),
    )
    assert page.status_code == 200
    # Answers keep their question (on_delete=RESTRICT): the admin's own check refuses before the service would.
    assert "protected related objects" in str(page.context["inline_admin_formsets"][0].formset.non_form_errors())
    vacancy.refresh_from_db()
    assert (vacancy.title, list(vacancy.questions.all())) == ("Python developer", [answered])


def test_the_script_is_edited_reordered_and_extended_through_the_question_services(recruiter_client, vacancy):
    first, second, third = (QuestionFactory(vacancy=vacancy, position=n, text=f"Q{n}?") for n in (1, 2, 3))
    page = recruiter_client.post(
        admin_url(Vacancy, "change", vacancy.pk),
        vacancy_data(
            vacancy,
            questions=[
                saved_question(first, position=3, text="First, now last?"),
                saved_question(second, DELETE="on"),
                saved_question(third, position=1),
                {"position": 0, "text": "Brand new?"},
            ],
        ),
    )
    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else page
    assert page.url == admin_url(Vacancy, "changelist")
    assert list(vacancy.questions.order_by("position").values_list("position", "text")) == [
        (1, "Q3?"),
        (2, "First, now last?"),
        (3, "Brand new?"),
    ]


# --- status and deletion through their services ----------------------------------------------------------------


def test_publish_and_close_actions_go_through_the_services(recruiter_client, vacancy, other_company):
    theirs = VacancyFactory(company=other_company, status=Vacancy.Status.DRAFT)
    url = admin_url(Vacancy, "changelist")
    recruiter_client.post(url, {"action": "publish", "_selected_action": [vacancy.pk, theirs.pk]})
    vacancy.refresh_from_db()
    theirs.refresh_from_db()
    assert (vacancy.status, theirs.status) == ("open", "draft")
    assert vacancy.published_at is not None
    recruiter_client.post(url, {"action": "close", "_selected_action": [vacancy.pk]})
    vacancy.refresh_from_db()
    assert vacancy.status == "closed"


def test_closing_a_draft_is_refused_with_the_services_words(recruiter_client, vacancy):
    page = recruiter_client.post(
        admin_url(Vacancy, "changelist"), {"action": "close", "_selected_action": [vacancy.pk]}, follow=True
    )
    assert page.redirect_chain == [(admin_url(Vacancy, "changelist"), 302)]
    vacancy.refresh_from_db()
    assert vacancy.status == "draft"
    assert [str(m) for m in page.context["messages"]] == ["Python developer: Only an open vacancy can be closed."]


def test_deleting_a_vacancy_with_applications_is_refused_with_the_dashboards_words(owner_client, vacancy):
    ResponseFactory(vacancy=vacancy)
    page = owner_client.post(admin_url(Vacancy, "delete", vacancy.pk), {"post": "yes"})
    assert page.status_code == 302
    assert page.url == admin_url(Vacancy, "change", vacancy.pk)
    assert messages_of(page) == ["Candidates have applied to this vacancy: close it instead of deleting it."]
    assert Vacancy.objects.filter(pk=vacancy.pk).exists()


def test_a_vacancy_nobody_applied_to_is_deleted(owner_client, vacancy):
    QuestionFactory(vacancy=vacancy)
    page = owner_client.post(admin_url(Vacancy, "delete", vacancy.pk), {"post": "yes"})
    assert page.status_code == 302
    assert page.url == admin_url(Vacancy, "changelist")
    assert not Vacancy.objects.exists() and not ScreeningQuestion.objects.exists()


def test_bulk_delete_asks_first_then_goes_row_by_row_through_the_service(owner_client, vacancy, company):
    applied = VacancyFactory(company=company, title="Applied to")
    ResponseFactory(vacancy=applied)
    url = admin_url(Vacancy, "changelist")
    confirm = owner_client.post(url, {"action": "delete_selected", "_selected_action": [vacancy.pk, applied.pk]})
    assert confirm.status_code == 200
    assert "Are you sure you want to delete the selected vacancies?" in confirm.content.decode()
    page = owner_client.post(
        url, {"action": "delete_selected", "_selected_action": [vacancy.pk, applied.pk], "post": "yes"}, follow=True
    )
    assert page.redirect_chain == [(url, 302)]
    assert list(Vacancy.objects.all()) == [applied]
    assert [str(m) for m in page.context["messages"]] == [
        "Applied to: Candidates have applied to this vacancy: close it instead of deleting it.",
        "Successfully deleted 1 vacancy.",
    ]


# --- who may ---------------------------------------------------------------------------------------------------


def test_a_viewer_reads_vacancies_and_changes_nothing(viewer_client, vacancy):
    page = viewer_client.get(admin_url(Vacancy, "change", vacancy.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert (
        viewer_client.post(admin_url(Vacancy, "change", vacancy.pk), vacancy_data(vacancy, title="X")).status_code
        == 403
    )
    assert viewer_client.get(admin_url(Vacancy, "add")).status_code == 403
    viewer_client.post(admin_url(Vacancy, "changelist"), {"action": "publish", "_selected_action": [vacancy.pk]})
    vacancy.refresh_from_db()
    assert (vacancy.title, vacancy.status) == ("Python developer", "draft")


def test_an_outsiders_post_changes_nothing(outsider_client, vacancy):
    page = outsider_client.post(admin_url(Vacancy, "change", vacancy.pk), vacancy_data(vacancy, title="Hacked"))
    # Django's admin sends the page of an object it cannot find (here: another company's) to its index.
    assert (page.status_code, page.url) == (302, reverse("admin:index"))
    vacancy.refresh_from_db()
    assert vacancy.title == "Python developer"


# --- one question at a time ------------------------------------------------------------------------------------


def question_data(vacancy, **changes) -> dict:
    return {"vacancy": vacancy.pk, **QUESTION_DEFAULTS, "text": "Salary expectations?", **changes}


def test_a_question_added_on_its_own_goes_to_the_end_of_the_script(recruiter_client, vacancy):
    QuestionFactory(vacancy=vacancy, position=4)
    page = recruiter_client.post(admin_url(ScreeningQuestion, "add"), question_data(vacancy, kind="number"))
    assert page.status_code == 302
    assert page.url == admin_url(ScreeningQuestion, "changelist")
    question = ScreeningQuestion.objects.get(text="Salary expectations?")
    assert (question.vacancy, question.position) == (vacancy, 5)


def test_choosing_another_companys_vacancy_is_refused(recruiter_client, other_company):
    theirs = VacancyFactory(company=other_company)
    page = recruiter_client.post(admin_url(ScreeningQuestion, "add"), question_data(theirs, text="Sneaky?"))
    assert page.status_code == 200
    assert "vacancy" in page.context["adminform"].form.errors
    assert not ScreeningQuestion.objects.filter(text="Sneaky?").exists()


def test_a_question_is_changed_in_place_and_stays_on_its_vacancy(recruiter_client, vacancy, company):
    question = QuestionFactory(vacancy=vacancy, position=1)
    elsewhere = VacancyFactory(company=company)
    page = recruiter_client.post(
        admin_url(ScreeningQuestion, "change", question.pk),
        question_data(elsewhere, text="Ready to relocate?", kind="yes_no", knockout="must_equal", knockout_value="Да"),
    )
    assert page.status_code == 302
    assert page.url == admin_url(ScreeningQuestion, "changelist")
    question.refresh_from_db()
    assert (question.vacancy, question.text, question.knockout_value) == (vacancy, "Ready to relocate?", "yes")


def test_an_answered_question_is_not_deleted(owner_client, vacancy):
    question = QuestionFactory(vacancy=vacancy, position=1, text="Answered?")
    Answer.objects.create(response=ResponseFactory(vacancy=vacancy), question=question, raw_text="yes")
    page = owner_client.post(admin_url(ScreeningQuestion, "delete", question.pk), {"post": "yes"})
    assert page.status_code == 200
    assert page.context["protected"]
    assert ScreeningQuestion.objects.filter(pk=question.pk).exists()


def test_bulk_deleting_an_answered_question_shows_what_protects_it_and_deletes_nothing(owner_client, vacancy):
    question = QuestionFactory(vacancy=vacancy, position=1, text="Answered?")
    Answer.objects.create(response=ResponseFactory(vacancy=vacancy), question=question, raw_text="yes")
    page = owner_client.post(
        admin_url(ScreeningQuestion, "changelist"),
        {"action": "delete_selected", "_selected_action": [question.pk], "post": "yes"},
    )
    assert page.status_code == 200
    assert page.context["protected"]
    assert ScreeningQuestion.objects.filter(pk=question.pk).exists()


def test_a_question_is_deleted_through_the_service_and_the_script_closes_up(owner_client, vacancy):
    first, second, third = (QuestionFactory(vacancy=vacancy, position=n) for n in (1, 2, 3))
    page = owner_client.post(admin_url(ScreeningQuestion, "delete", second.pk), {"post": "yes"})
    assert page.status_code == 302
    assert page.url == admin_url(ScreeningQuestion, "changelist")
    assert list(vacancy.questions.values_list("pk", "position")) == [(first.pk, 1), (third.pk, 2)]
