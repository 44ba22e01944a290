"""`manage.py load_demo`: the data `make demo` shows, loaded once however often it runs."""

import itertools
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Company, Invitation, User
from chat.demo_volume import DOMAIN, PLANS
from chat.management.commands.load_demo import DEMO_PASSWORD
from screening import selectors
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
    Tag,
)
from screening.services import response_outcome
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.rules import rule_snapshot

pytestmark = pytest.mark.django_db

COUNTED = [Company, User, Invitation, Vacancy, ScreeningQuestion, Candidate, Response, Answer, StatusChange, Note]
COUNTED += [Evaluation, ChatSession, ChatMessage, QuestionEvent, Tag, Response.tags.through]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def generated():
    """The applications chat.demo_volume generated (the hand-written ones are at other addresses)."""
    return Response.objects.filter(vacancy__company__slug="demo", email__endswith="@" + DOMAIN)


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
    assert 300 <= demo_db["first"]["Response"] <= 450
    assert demo_db["first"]["Vacancy"] == 4
    assert demo_db["first"]["Company"] == 1
    assert "already loaded" in demo_db["second_output"]


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


def test_four_open_vacancies_in_english_and_russian_with_every_kind_and_knockouts(demo_db):
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
    for russian in vacancies.filter(language="ru"):
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
        if response.answers.exists():  # else the candidate opened the chat and left at the first question
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
    reviewed = Response.objects.filter(vacancy__company__slug="demo", status="needs_review").exclude(
        email__endswith="@" + DOMAIN
    )
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


# --- the demo at volume (chat/demo_volume.py) ------------------------------------------------------------------


def test_a_few_hundred_applications_across_the_four_vacancies(demo_db):
    per_vacancy = Counter(generated().values_list("vacancy__slug", flat=True))
    assert per_vacancy == {slug: plan.count + 1 for slug, plan in PLANS.items()}  # + one application of a twin


def test_statuses_cover_the_whole_pipeline_with_the_recruiters_history(demo_db):
    statuses = Counter(generated().values_list("status", flat=True))
    assert set(statuses) == set(Response.Status.values)
    assert min(statuses.values()) >= 3
    team = set(User.objects.filter(company__slug="demo").values_list("pk", flat=True))
    decisions = StatusChange.objects.filter(
        response__in=generated(), to_status__in=["shortlisted", "declined", "hired"]
    )
    assert decisions.exists() and set(decisions.values_list("actor", flat=True)) <= team
    now = timezone.now()
    for response in generated().prefetch_related("history"):
        steps = list(response.history.all())
        assert steps[-1].to_status == response.status
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(steps))
        times = [step.created_at for step in steps]
        assert times == sorted(times) and times[0] == response.created_at and times[-1] <= now
        assert response.updated_at == times[-1] or response.status == "in_chat"


def test_applications_spread_over_the_last_eight_weeks(demo_db):
    now = timezone.now()
    weeks = {(now - created).days // 7 for created in generated().values_list("created_at", flat=True)}
    assert weeks == set(range(8))


def test_answers_are_read_and_judged_as_the_chat_judges_them(demo_db):
    finished = generated().filter(completed_at__isnull=False).select_related("vacancy")
    assert finished.count() > 200
    for response in finished:
        outcome = response_outcome(response=response)
        assert (outcome.status, outcome.score) == (response.screening_verdict, response.score)
        assert outcome.reasons == response.rejection_reasons
    answers = Answer.objects.filter(response__in=generated()).select_related("question")
    assert all(answer.rule == rule_snapshot(answer.question) for answer in answers)
    assert answers.filter(needs_review=True, read_how="unread").exists()
    assert answers.filter(confirmed=True).exclude(read_how="literal").exists()
    kinds = set(QuestionEvent.objects.filter(response__in=generated()).values_list("kind", flat=True))
    assert kinds == {"clarification", "read_back", "correction", "review"}


def test_the_python_salary_question_loses_the_most_candidates(demo_db):
    abandoned = generated().filter(status="in_chat").annotate(answered=Count("answers"))
    stopped_at = Counter()
    for response in abandoned.select_related("chat"):
        assert response.chat.state == "active" and response.stall_reminded_at is not None
        questions = list(response.vacancy.questions.order_by("position", "id"))
        stopped_at[questions[response.answered].text] += 1
    (winner, lost), (_second, next_most) = stopped_at.most_common(2)
    assert winner == "What monthly salary do you expect, in roubles?"
    assert lost >= 2 * next_most
    assert len(stopped_at) > 15  # candidates stop at most questions of every vacancy


def test_sources_ai_advice_and_tags(demo_db):
    assert set(generated().values_list("source", flat=True)) == {"web", "api", "import"}
    advised = generated().exclude(ai_recommendation="")
    assert 100 < advised.count() < generated().count()
    assert {"advance", "hold", "reject"} <= set(advised.values_list("ai_recommendation", flat=True))
    for response in advised.filter(status="hired"):
        evaluation = response.evaluations.get()
        assert (evaluation.recommendation, evaluation.score) == (response.ai_recommendation, response.ai_score)
        assert not selectors.evaluation_is_stale(evaluation)
    assert not generated().filter(ai_consent_at__isnull=True).exclude(ai_recommendation="").exists()
    tagged = generated().filter(tags__isnull=False).distinct().count()
    assert 50 < tagged < generated().count() // 2
    assert Tag.objects.filter(company__slug="demo").count() >= 5


@pytest.mark.parametrize("e164, typed", [("+79123456789", "+7 (912) 345-67-89"), ("+79165551234", "+79165551234")])
def test_a_person_who_typed_their_phone_differently_has_two_applications(demo_db, e164, typed):
    applications = Response.objects.filter(vacancy__company__slug="demo", phone_e164=e164)
    assert applications.count() == 2
    assert len(set(applications.values_list("phone", flat=True))) == 2
    assert typed in set(applications.values_list("phone", flat=True))
    assert len(set(applications.values_list("vacancy", flat=True))) == 2
    assert len(set(applications.values_list("full_name", flat=True))) == 1
