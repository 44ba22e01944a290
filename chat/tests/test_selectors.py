"""The chat's shared scripts (``chat.selectors.script_shared``): one copy per process and script version."""

from datetime import timedelta

from chat import selectors
from chat.services import chat_open
from screening.tests.factories import ResponseFactory
from vacancies.models import Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory


def test_chats_of_one_script_share_its_vacancy_and_questions_until_an_edit_stamps_it(db):
    vacancy = VacancyFactory()
    QuestionFactory.create_batch(2, vacancy=vacancy)
    first = selectors.script_shared(vacancy=Vacancy.objects.get(pk=vacancy.pk))
    again = selectors.script_shared(vacancy=Vacancy.objects.get(pk=vacancy.pk))
    assert again[0] is first[0] and again[1] is first[1] and len(first[1]) == 2
    QuestionFactory(vacancy=vacancy)
    Vacancy.objects.filter(pk=vacancy.pk).update(updated_at=vacancy.updated_at + timedelta(seconds=1))
    edited = selectors.script_shared(vacancy=Vacancy.objects.get(pk=vacancy.pk))
    assert edited[0] is not first[0] and len(edited[1]) == 3


def test_two_candidates_of_one_vacancy_hold_one_copy_of_its_script(db):
    vacancy = VacancyFactory()
    QuestionFactory.create_batch(3, vacancy=vacancy)
    one, two = ResponseFactory.create_batch(2, vacancy=vacancy)
    first, _ = chat_open(response=one)
    second, _ = chat_open(response=two)
    assert second.vacancy is first.vacancy and two.vacancy is first.vacancy
    assert [q.pk for q in second.questions] == [q.pk for q in first.questions]
    assert all(a is b for a, b in zip(first.questions, second.questions, strict=True))


def test_the_shared_copies_are_bounded_the_least_recently_used_going_first(db, monkeypatch):
    monkeypatch.setattr(selectors, "SHARED_SCRIPTS_MAX", 2)
    vacancies = VacancyFactory.create_batch(3)
    copies = [selectors.script_shared(vacancy=vacancy) for vacancy in vacancies]
    assert selectors.script_shared(vacancy=vacancies[2]) is copies[2]  # kept
    assert selectors.script_shared(vacancy=vacancies[0]) is not copies[0]  # evicted, loaded again
