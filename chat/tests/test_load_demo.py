"""`manage.py load_demo`: the data `make demo` shows, loaded once however often it runs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from accounts.models import Company, Invitation, User
from chat.management.commands.load_demo import DEMO_PASSWORD
from screening.models import (
    Answer,
    Candidate,
    CandidateQuestion,
    ChatMessage,
    ChatSession,
    Evaluation,
    Note,
    QuestionEvent,
    Response,
    StatusChange,
)
from vacancies.models import ScreeningQuestion, Vacancy

pytestmark = pytest.mark.django_db

COUNTED = [Company, User, Invitation, Vacancy, ScreeningQuestion, Candidate, Response, Answer, StatusChange, Note]
COUNTED += [Evaluation, ChatSession, ChatMessage]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """Load once for the module (the command runs the whole workflow), roll back at the end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        first_output = load()
        first = counts()
        second_output = load()
        second = counts()
        yield {"first": first, "second": second, "first_output": first_output, "second_output": second_output}
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_running_twice_adds_nothing(demo_db):
    assert demo_db["first"] == demo_db["second"]
    assert demo_db["first"]["Response"] >= 12
    assert demo_db["first"]["Vacancy"] == 2
    assert demo_db["first"]["Company"] == 1


def test_prints_the_owner_login_password_and_careers_page(demo_db):
    for output in (demo_db["first_output"], demo_db["second_output"]):
        assert "owner@demo.smartbot" in output
        assert DEMO_PASSWORD in output
        assert "/careers/demo/" in output


def test_the_printed_login_works(demo_db, client):
    owner = User.objects.get(email="owner@demo.smartbot")
    assert owner.company.slug == "demo"
    assert owner.role == "owner"
    assert client.login(request=HttpRequest(), email="owner@demo.smartbot", password=DEMO_PASSWORD)
    assert set(User.objects.filter(company=owner.company).values_list("role", flat=True)) == {
        "owner",
        "recruiter",
        "viewer",
    }


def test_two_open_vacancies_in_english_and_russian_with_every_kind_and_knockouts(demo_db):
    vacancies = Vacancy.objects.filter(company__slug="demo")
    assert {v.language for v in vacancies} == {"en", "ru"}
    for vacancy in vacancies:
        assert vacancy.status == "open"
        questions = list(vacancy.questions.all())
        assert {q.kind for q in questions} == {"text", "yes_no", "number", "single_choice", "multiple_choice"}
        kinds_with_rules = {q.kind for q in questions if q.knockout}
        assert kinds_with_rules == {"yes_no", "number", "single_choice", "multiple_choice"}
        for question in questions:
            question.full_clean()
    russian = vacancies.get(language="ru")
    assert all(any("а" <= ch <= "я" for ch in q.text.lower()) for q in russian.questions.all())


def test_outcomes_are_varied(demo_db):
    responses = Response.objects.filter(vacancy__company__slug="demo")
    statuses = set(responses.values_list("status", flat=True))
    assert {"new", "in_chat", "passed", "rejected", "shortlisted", "interview"} <= statuses
    rejected = [r.rejection_reasons for r in responses.filter(status="rejected")]
    below = [reasons for reasons in rejected if any("below the pass threshold" in r for r in reasons)]
    knockout = [reasons for reasons in rejected if not any("below the pass threshold" in r for r in reasons)]
    assert below and knockout
    assert any(len(reasons) > 1 for reasons in knockout)  # one candidate fails several rules


def test_finished_responses_have_scores_completion_and_the_screening_history(demo_db):
    for response in Response.objects.exclude(status__in=["new", "in_chat"]):
        assert response.score is not None
        assert response.completed_at is not None
        assert response.answers.count() == response.vacancy.questions.count()
        steps = list(response.history.values_list("to_status", flat=True))
        assert steps[:3] == ["new", "in_chat", steps[2]]
        assert steps[2] in ("passed", "rejected", "needs_review")


def test_decisions_have_actors_and_a_note_exists(demo_db):
    decisions = StatusChange.objects.filter(to_status__in=["shortlisted", "interview", "offer"])
    assert decisions.exists()
    assert all(change.actor is not None for change in decisions)
    assert Note.objects.filter(response__status="interview").exists()


def test_every_chat_has_a_plausible_transcript(demo_db):
    for response in Response.objects.exclude(status="new"):
        session = ChatSession.objects.get(response=response)
        messages = list(session.messages.all())
        senders = [m.sender for m in messages]
        assert senders[0] == "bot"
        assert "candidate" in senders
        # Each stored answer was typed by the candidate in the chat.
        typed = {m.text for m in messages if m.sender == "candidate"}
        for answer in response.answers.all():
            assert answer.raw_text in typed
        times = [m.created_at for m in messages]
        assert times == sorted(times)
        if response.is_screening_finished:
            assert session.state == "finished"
            assert senders[-1] == "bot"
        else:
            assert session.state == "active"
            assert messages[-1].question is not None  # waiting for the next answer
    assert not ChatSession.objects.filter(response__status="new").exists()


def test_two_screenings_need_review_with_read_backs_and_the_candidates_questions(demo_db):
    reviewed = Response.objects.filter(vacancy__company__slug="demo", status="needs_review")
    assert reviewed.count() == 2
    assert all(response.review_reasons and not response.rejection_reasons for response in reviewed)
    answers = Answer.objects.filter(response__in=reviewed)
    assert answers.filter(needs_review=True, read_how="unread").exists()  # unclear even after the clarification
    assert answers.filter(needs_review=True, confirmed=True).exists()  # in a rule's review band, confirmed
    salary = answers.get(read_how="magnitude", raw_text="300k")
    assert salary.value == 300000 and salary.confirmed
    asked = CandidateQuestion.objects.filter(response__in=reviewed)
    assert asked.filter(answered=True).exclude(quote="").exists() and asked.filter(answered=False).exists()
    assert QuestionEvent.objects.filter(response__in=reviewed, kind="read_back").exists()


def test_the_bot_asked_again_after_an_unreadable_answer(demo_db):
    assert ChatMessage.objects.filter(sender="candidate", text="a lot").exists()
    assert ChatMessage.objects.filter(sender="bot", text="Please answer with a number, e.g. 3.").exists()
