"""Vacancies API: CRUD with nested questions (replace-the-set), publish/close, the questions endpoint."""

import pytest

from accounts.tests.factories import CompanyFactory
from screening.tests.factories import ResponseFactory
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

URL = "/api/v1/vacancies/"

QUESTIONS = [
    {"text": "Years of Python?", "kind": "number", "knockout": "at_least", "knockout_value": "3", "weight": 2},
    {
        "text": "Where do you live?",
        "kind": "single_choice",
        "options": ["Moscow", "Kazan"],
        "knockout": "one_of",
        "allowed_options": ["moscow"],
    },
    {"text": "Tell us about yourself.", "kind": "text"},
]


def test_owner_creates_a_draft_vacancy_with_its_questions(owner_api, owner, company):
    answer = owner_api.post(URL, {"title": "Backend engineer", "questions": QUESTIONS}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "draft"
    assert body["slug"] == "backend-engineer"
    assert [q["text"] for q in body["questions"]] == [q["text"] for q in QUESTIONS]
    assert [q["position"] for q in body["questions"]] == [1, 2, 3]
    # Allowed options are matched to the options whatever the case.
    assert body["questions"][1]["allowed_options"] == ["Moscow"]
    vacancy = Vacancy.objects.get(pk=body["id"])
    assert vacancy.company == company and vacancy.created_by == owner


def test_client_cannot_mass_assign_company_status_author_or_counters(owner_api, owner, company, outsider):
    foreign = CompanyFactory()
    answer = owner_api.post(
        URL,
        {
            "title": "Sneaky",
            "company": foreign.pk,
            "status": "open",
            "created_by": outsider.pk,
            "published_at": "2020-01-01T00:00:00Z",
            "responses_total": 99,
        },
        format="json",
    )
    assert answer.status_code == 201
    vacancy = Vacancy.objects.get(pk=answer.json()["id"])
    assert (vacancy.company, vacancy.status, vacancy.created_by, vacancy.published_at) == (
        company,
        "draft",
        owner,
        None,
    )
    assert answer.json()["responses_total"] == 0
    changed = owner_api.patch(f"{URL}{vacancy.pk}/", {"status": "open", "company": foreign.pk}, format="json")
    assert changed.status_code == 200
    vacancy.refresh_from_db()
    assert (vacancy.company, vacancy.status) == (company, "draft")


def test_invalid_questions_come_back_as_field_errors_per_question(owner_api):
    questions = [
        {"text": "Fine?", "kind": "yes_no"},
        {"text": "Years?", "kind": "number", "knockout": "at_least", "knockout_value": "many"},
        {"text": "Pick", "kind": "single_choice", "options": ["only one"]},
        {"text": "Free", "kind": "text", "knockout": "must_equal", "knockout_value": "yes"},
    ]
    answer = owner_api.post(URL, {"title": "Bad script", "questions": questions}, format="json")
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]["questions"]
    assert not fields.get("0")
    assert "knockout_value" in fields["1"]
    assert "options" in fields["2"]
    assert "knockout" in fields["3"]
    assert not Vacancy.objects.filter(title="Bad script").exists()


def test_salary_range_and_threshold_are_validated(owner_api):
    answer = owner_api.post(URL, {"title": "X", "salary_from": 200, "salary_to": 100}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"salary_to"}
    answer = owner_api.post(URL, {"title": "X", "pass_threshold": 101}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"pass_threshold"}


def test_questions_in_an_update_replace_the_set_and_omitting_them_keeps_it(owner_api, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    first, second, *_rest = full_script(vacancy)
    kept = {
        "id": second.pk,
        "text": "How many years of Django?",
        "kind": "number",
        "knockout": "at_least",
        "knockout_value": "2",
    }
    added = {"text": "Anything else?", "kind": "text"}
    answer = owner_api.patch(f"{URL}{vacancy.pk}/", {"questions": [kept, added]}, format="json")
    assert answer.status_code == 200, answer.json()
    questions = list(vacancy.questions.all())
    assert [q.text for q in questions] == ["How many years of Django?", "Anything else?"]
    assert questions[0].pk == second.pk
    assert not ScreeningQuestion.objects.filter(pk=first.pk).exists()
    untouched = owner_api.patch(f"{URL}{vacancy.pk}/", {"title": "Renamed"}, format="json")
    assert untouched.status_code == 200
    assert vacancy.questions.count() == 2


def test_a_question_id_of_another_vacancy_is_refused(owner_api, company):
    vacancy = VacancyFactory(company=company)
    other = full_script(VacancyFactory(company=company))[0]
    answer = owner_api.patch(
        f"{URL}{vacancy.pk}/", {"questions": [{"id": other.pk, "text": "Stolen", "kind": "text"}]}, format="json"
    )
    assert answer.status_code == 400
    other.refresh_from_db()
    assert other.text != "Stolen"


def test_publish_and_close_move_the_status_and_refuse_the_wrong_moves(owner_api, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    assert owner_api.post(f"{URL}{vacancy.pk}/close/").status_code == 409
    published = owner_api.post(f"{URL}{vacancy.pk}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "open" and published.json()["published_at"]
    again = owner_api.post(f"{URL}{vacancy.pk}/publish/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert owner_api.post(f"{URL}{vacancy.pk}/close/").json()["status"] == "closed"


def test_delete_works_without_responses_and_is_a_conflict_with_them(owner_api, company):
    empty = VacancyFactory(company=company)
    assert owner_api.delete(f"{URL}{empty.pk}/").status_code == 204
    assert not Vacancy.objects.filter(pk=empty.pk).exists()
    applied = VacancyFactory(company=company)
    ResponseFactory(vacancy=applied)
    answer = owner_api.delete(f"{URL}{applied.pk}/")
    assert answer.status_code == 409
    assert Vacancy.objects.filter(pk=applied.pk).exists()


def test_list_shows_only_the_company_vacancies_with_counts_and_filters_by_status(owner_api, company):
    mine = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    VacancyFactory()  # another company's
    ResponseFactory(vacancy=mine)
    answer = owner_api.get(URL)
    assert answer.json()["count"] == 2
    only_open = owner_api.get(URL, {"status": "open"}).json()
    assert [v["id"] for v in only_open["results"]] == [mine.pk]
    assert only_open["results"][0]["responses_total"] == 1


@pytest.mark.parametrize("size", [2, 30])
def test_the_list_keeps_a_constant_number_of_queries(owner_api, company, size, django_assert_max_num_queries):
    for _ in range(size):
        vacancy = VacancyFactory(company=company)
        full_script(vacancy)
        ResponseFactory(vacancy=vacancy)
    # auth user + company + count + page + questions prefetch (+ savepoints none on reads)
    with django_assert_max_num_queries(6):
        answer = owner_api.get(URL, {"page_size": 50})
    assert len(answer.json()["results"]) == size


# --- The questions endpoint ----------------------------------------------------


def test_questions_endpoint_lists_adds_changes_and_deletes(owner_api, company):
    vacancy = VacancyFactory(company=company)
    full_script(vacancy)
    base = f"{URL}{vacancy.pk}/questions/"
    listed = owner_api.get(base).json()
    assert len(listed) == 5
    added = owner_api.post(base, {"text": "Start date?", "kind": "text"}, format="json")
    assert added.status_code == 201
    assert added.json()["position"] == 6
    qid = listed[1]["id"]
    changed = owner_api.patch(f"{base}{qid}/", {"knockout_value": "4"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["knockout_value"] == "4"
    # A partial change is judged with the rest of the question: "at_least" needs a number.
    bad = owner_api.patch(f"{base}{qid}/", {"knockout_value": "lots"}, format="json")
    assert bad.status_code == 400
    assert "knockout_value" in bad.json()["error"]["fields"]
    assert owner_api.delete(f"{base}{qid}/").status_code == 204
    assert vacancy.questions.count() == 5
    assert not vacancy.questions.filter(pk=qid).exists()


def test_questions_put_replaces_the_whole_script(owner_api, company):
    vacancy = VacancyFactory(company=company)
    full_script(vacancy)
    answer = owner_api.put(f"{URL}{vacancy.pk}/questions/", QUESTIONS, format="json")
    assert answer.status_code == 200, answer.json()
    assert [q["text"] for q in answer.json()] == [q["text"] for q in QUESTIONS]
    assert vacancy.questions.count() == 3
    not_a_list = owner_api.put(f"{URL}{vacancy.pk}/questions/", {"text": "x"}, format="json")
    assert not_a_list.status_code == 400


def test_a_question_of_another_vacancy_is_404_under_this_one(owner_api, company):
    vacancy = VacancyFactory(company=company)
    other = full_script(VacancyFactory(company=company))[0]
    assert owner_api.get(f"{URL}{vacancy.pk}/questions/{other.pk}/").status_code == 404


def test_adding_a_question_answers_the_row_it_added_and_keeps_the_limit(owner_api, company):
    from vacancies.services import MAX_QUESTIONS

    vacancy = VacancyFactory(company=company)
    base = f"{URL}{vacancy.pk}/questions/"
    added = owner_api.post(base, {"text": "Start date?"}, format="json")
    assert added.status_code == 201
    question = ScreeningQuestion.objects.get(vacancy=vacancy)
    assert (added.json()["id"], added.json()["position"], added.json()["kind"]) == (question.pk, 1, "text")
    ScreeningQuestion.objects.bulk_create(
        ScreeningQuestion(vacancy=vacancy, position=n, text=f"Q{n}?") for n in range(2, MAX_QUESTIONS + 1)
    )
    refused = owner_api.post(base, {"text": "One too many?"}, format="json")
    assert refused.status_code == 400
    assert vacancy.questions.count() == MAX_QUESTIONS


def test_an_answered_question_cannot_be_deleted_but_can_be_edited(owner_api, company):
    from screening.models import Answer

    vacancy = VacancyFactory(company=company)
    city, years, *_rest = full_script(vacancy)
    Answer.objects.create(response=ResponseFactory(vacancy=vacancy), question=years, raw_text="5")
    base = f"{URL}{vacancy.pk}/questions/"
    refused = owner_api.delete(f"{base}{years.pk}/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    assert "already has answers" in refused.json()["error"]["message"]
    assert vacancy.questions.filter(pk=years.pk).exists() and Answer.objects.count() == 1
    assert (
        owner_api.patch(f"{base}{years.pk}/", {"text": "Years of Python, roughly?"}, format="json").status_code == 200
    )
    # Removing an unanswered one closes the gap in the positions.
    assert owner_api.delete(f"{base}{city.pk}/").status_code == 204
    assert [q["position"] for q in owner_api.get(base).json()] == [1, 2, 3, 4]


def test_a_full_question_replace_resets_what_it_leaves_out(owner_api, company):
    vacancy = VacancyFactory(company=company)
    years = full_script(vacancy)[1]
    answer = owner_api.put(f"{URL}{vacancy.pk}/questions/{years.pk}/", {"text": "Anything to add?"}, format="json")
    assert answer.status_code == 200, answer.json()
    years.refresh_from_db()
    assert (years.text, years.kind, years.knockout, years.knockout_value, years.weight, years.position) == (
        "Anything to add?",
        "text",
        "",
        "",
        1,
        2,
    )
