"""The company's answers to candidates' questions: the services and the recruiters' pages, with the personas.

Owner and recruiter edit, the viewer reads, an outsider from Globex sees none of it (404). The HTML tenancy
matrix (``tests/test_html_tenancy.py``) tries the object URLs too.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vacancies import services
from vacancies.models import CompanyAnswer

pytestmark = pytest.mark.django_db

LIST = reverse("vacancies:answers")


@pytest.fixture
def item(company):
    return services.company_answer_add(company=company, question="Is there parking?", answer="Yes, free.")


def rows():
    return list(CompanyAnswer.objects.order_by("pk").values("company_id", "question", "answer", "position"))


# --- services --------------------------------------------------------------------------------------------------------


def test_answers_are_added_at_the_end_of_the_companys_list_with_spacing_tidied(company, other_company):
    services.company_answer_add(company=other_company, question="Other?", answer="Other.")
    first = services.company_answer_add(company=company, question="  Can I   work remotely? ", answer=" Yes. \n")
    second = services.company_answer_add(company=company, question="Office?", answer="Moscow.")
    assert (first.question, first.answer, first.position) == ("Can I work remotely?", "Yes.", 1)
    assert second.position == 2
    assert list(company.company_answers.values_list("question", flat=True)) == ["Can I work remotely?", "Office?"]


@pytest.mark.parametrize(
    ("question", "answer", "field"),
    [("", "Yes.", "question"), ("Parking?", "", "answer"), ("x" * 301, "Yes.", "question"),
     ("Parking?", "y" * 2001, "answer")],
)  # fmt: skip
def test_an_empty_or_too_long_question_or_answer_is_refused(company, question, answer, field):
    with pytest.raises(ValidationError) as error:
        services.company_answer_add(company=company, question=question, answer=answer)
    assert field in error.value.message_dict
    assert not CompanyAnswer.objects.exists()


def test_a_company_has_at_most_a_hundred_answers(company):
    CompanyAnswer.objects.bulk_create(
        CompanyAnswer(company=company, question=f"Q{n}?", answer="A.", position=n) for n in range(100)
    )
    with pytest.raises(ValidationError) as error:
        services.company_answer_add(company=company, question="One more?", answer="No.")
    assert error.value.code == "limit"


def test_an_answer_is_changed_and_deleted(item):
    services.company_answer_update(item=item, question="Parking?", answer="Yes, in the garage.")
    item.refresh_from_db()
    assert (item.question, item.answer, item.position) == ("Parking?", "Yes, in the garage.", 1)
    with pytest.raises(ValidationError):
        services.company_answer_update(item=item, question="Parking?", answer="")
    services.company_answer_delete(item=item)
    assert not CompanyAnswer.objects.exists()


# --- the list page: everyone reads, editors add --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner_client", "recruiter_client", "viewer_client"])
def test_every_member_reads_the_companys_answers_and_only_editors_see_the_controls(request, item, persona):
    client = request.getfixturevalue(persona)
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Is there parking?" in html and "Yes, free." in html
    can_edit = persona != "viewer_client"
    assert (reverse("vacancies:answer_edit", args=[item.pk]) in html) is can_edit
    assert ('name="question"' in html) is can_edit


def test_the_navigation_links_to_the_answers(owner_client):
    assert f'href="{LIST}"' in owner_client.get(reverse("vacancies:list")).content.decode()


def test_an_outsider_sees_only_their_own_companys_answers(outsider_client, item, other_company):
    services.company_answer_add(company=other_company, question="Globex gym?", answer="Yes.")
    html = outsider_client.get(LIST).content.decode()
    assert "Globex gym?" in html and "Is there parking?" not in html


@pytest.mark.parametrize("persona", ["owner_client", "recruiter_client"])
def test_an_editor_adds_an_answer_and_lands_on_the_list(request, company, persona):
    client = request.getfixturevalue(persona)
    answer = client.post(LIST, {"question": "Is there a gym?", "answer": "Yes, on the 2nd floor."})
    assert answer.status_code == 302 and answer["Location"] == LIST
    assert rows() == [{"company_id": company.pk, "question": "Is there a gym?", "answer": "Yes, on the 2nd floor.",
                       "position": 1}]  # fmt: skip


def test_an_invalid_answer_shows_the_form_again_and_saves_nothing(owner_client):
    page = owner_client.post(LIST, {"question": "Is there a gym?", "answer": ""})
    assert page.status_code == 200
    assert page.context["form"].errors["answer"]
    assert rows() == []


def test_the_limit_is_shown_on_the_form(owner_client, company):
    CompanyAnswer.objects.bulk_create(
        CompanyAnswer(company=company, question=f"Q{n}?", answer="A.", position=n) for n in range(100)
    )
    page = owner_client.post(LIST, {"question": "One more?", "answer": "No."})
    assert page.status_code == 200
    assert "at most 100" in " ".join(page.context["form"].non_field_errors())


def test_a_viewer_cannot_add_an_answer(viewer_client):
    assert viewer_client.post(LIST, {"question": "Gym?", "answer": "Yes."}).status_code == 403
    assert rows() == []


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_query_count_does_not_grow_with_answers(owner_client, company, count, django_assert_max_num_queries):
    for n in range(count):
        services.company_answer_add(company=company, question=f"Question {n}?", answer="Answer.")
    with django_assert_max_num_queries(6):
        page = owner_client.get(LIST)
    assert len(page.context["answers"]) == count


# --- edit and delete -------------------------------------------------------------------------------------------------


def test_an_editor_changes_an_answer(recruiter_client, item):
    url = reverse("vacancies:answer_edit", args=[item.pk])
    page = recruiter_client.get(url)
    assert page.status_code == 200 and "Yes, free." in page.content.decode()
    answer = recruiter_client.post(url, {"question": "Parking?", "answer": "Yes, in the garage."})
    assert answer.status_code == 302 and answer["Location"] == LIST
    item.refresh_from_db()
    assert (item.question, item.answer) == ("Parking?", "Yes, in the garage.")


def test_an_invalid_change_keeps_the_saved_answer_and_shows_the_errors(owner_client, item):
    page = owner_client.post(reverse("vacancies:answer_edit", args=[item.pk]), {"question": "", "answer": "x"})
    assert page.status_code == 200 and page.context["form"].errors["question"]
    assert page.context["item"].question == "Is there parking?"
    item.refresh_from_db()
    assert (item.question, item.answer) == ("Is there parking?", "Yes, free.")


def test_an_editor_deletes_an_answer(owner_client, item):
    answer = owner_client.post(reverse("vacancies:answer_delete", args=[item.pk]))
    assert answer.status_code == 302 and answer["Location"] == LIST
    assert rows() == []


def test_delete_is_post_only(owner_client, item):
    assert owner_client.get(reverse("vacancies:answer_delete", args=[item.pk])).status_code == 405
    assert len(rows()) == 1


@pytest.mark.parametrize("name", ["vacancies:answer_edit", "vacancies:answer_delete"])
def test_a_viewer_can_neither_edit_nor_delete(viewer_client, item, name):
    before = rows()
    assert viewer_client.post(reverse(name, args=[item.pk]), {"question": "X?", "answer": "Y."}).status_code == 403
    assert rows() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", ["vacancies:answer_edit", "vacancies:answer_delete"])
def test_an_outsider_gets_404_and_nothing_changes(outsider_client, item, name, method):
    before = rows()
    answer = getattr(outsider_client, method)(reverse(name, args=[item.pk]), {"question": "X?", "answer": "Y."})
    assert answer.status_code == 404
    assert rows() == before


def test_anonymous_visitors_are_sent_to_log_in(client, item):
    answer = client.get(LIST)
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]
