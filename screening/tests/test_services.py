"""The screening workflow services: apply, chat, answer, finish, decide, note."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from screening import services
from screening.models import Answer, Candidate, Evaluation, Note, Response, StatusChange
from screening.scoring import InvalidAnswer
from screening.tests.factories import ResponseFactory
from vacancies.models import Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory, full_script

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def vacancy(company):
    vacancy = VacancyFactory(company=company, pass_threshold=60)
    full_script(vacancy)
    return vacancy


def apply(vacancy, email="anna@example.org", **kw):
    kw.setdefault("full_name", "Anna Petrova")
    kw.setdefault("consent", True)
    return services.candidate_apply(vacancy=vacancy, email=email, **kw)


def history(response):
    return list(StatusChange.objects.filter(response=response).values_list("from_status", "to_status"))


def answer_all(response, answers):
    questions = list(response.vacancy.questions.order_by("position"))
    for question, raw in zip(questions, answers, strict=True):
        services.response_submit_answer(response=response, question=question, raw=raw)


GOOD = [
    "Moscow",
    "5 years",
    "yes",
    "Django, FastAPI",
    "I built a hiring bot with Django and Channels for a large retailer",
]


# --- candidate_apply -------------------------------------------------------------------------------------------


def test_apply_creates_candidate_response_and_history(vacancy):
    response, created = apply(
        vacancy,
        email=" Anna@Example.ORG ",
        full_name=" Anna   Petrova ",
        phone=" 8 (900) 123-45-67 ",
        city=" Kazan ",
        resume_text="Python dev",
        source=Response.Source.API,
    )
    assert created is True
    assert response.status == Response.Status.NEW
    assert response.source == "api"
    assert response.token and len(response.token) >= 32
    # The profile holds only the key that recognises the person; the application holds what was typed.
    candidate = response.candidate
    assert (candidate.company_id, candidate.email) == (vacancy.company_id, "anna@example.org")
    response.refresh_from_db()
    assert (response.full_name, response.first_name, response.email) == ("Anna Petrova", "Anna", "Anna@Example.ORG")
    assert (response.phone, response.phone_e164) == ("8 (900) 123-45-67", "+79001234567")
    assert (response.city, response.resume_text) == ("Kazan", "Python dev")
    assert response.consent_at is not None
    assert response.consent_version == settings.CONSENT_TEXT_VERSION == "2026-11-30"
    # Only the consent to screening was given: no AI evaluation, no talent pool.
    assert (response.ai_consent_at, response.talent_pool_consent_at, response.ai_allowed) == (None, None, False)
    assert history(response) == [("", "new")]


def test_apply_records_each_optional_consent_given(vacancy):
    response, _ = apply(vacancy, ai_consent=True, talent_pool_consent=True)
    response.refresh_from_db()
    assert response.ai_allowed is True
    assert response.ai_consent_at == response.consent_at
    assert response.talent_pool_consent_at == response.consent_at


def test_apply_emails_the_private_links_to_the_typed_address_after_commit(
    vacancy, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response, _ = apply(vacancy, email="Anna@Example.ORG")
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == ["Anna@Example.ORG"]
    assert mail.subject.startswith("Your application:")
    assert f"/chat/{response.token}/" in mail.body
    assert f"/chat/{response.token}/application/" in mail.body


@pytest.mark.parametrize(
    ("first_email", "email"),
    [
        ("anna@example.org", "anna@example.org"),
        ("anna@example.org", "ANNA@Example.org"),
        ("anna@example.org", "  Anna@EXAMPLE.ORG  "),
        ("anna@пример.рф", "ANNA@XN--E1AFMKFD.XN--P1AI"),
    ],
)
def test_applying_again_with_the_same_email_changes_nothing_and_returns_the_first_response(vacancy, first_email, email):
    first, _ = apply(vacancy, email=first_email, phone="+7 900 123-45-67", resume_text="First resume")
    again, created = apply(
        vacancy, email=email, full_name="Someone Else", phone="+7 900 765-43-21", resume_text="Other resume"
    )
    assert created is False
    assert again.pk == first.pk
    assert Response.objects.count() == 1
    assert Candidate.objects.count() == 1
    assert StatusChange.objects.count() == 1
    kept = Response.objects.get()
    assert (kept.full_name, kept.email, kept.phone, kept.resume_text) == (
        "Anna Petrova",
        first_email,
        "+7 900 123-45-67",
        "First resume",
    )


def test_applying_again_mails_the_first_applications_link_to_the_address_it_was_made_with(
    vacancy, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = apply(vacancy, email="anna@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        apply(vacancy, email="ANNA@example.org", full_name="Someone Else")

    received, link = mailoutbox
    assert received.subject.startswith("Your application:")
    assert link.subject.startswith("The link to your application")
    # To the address stored with the application (the same mailbox), never to a new spelling of it.
    assert link.to == ["anna@example.org"]
    assert f"/chat/{first.token}/" in link.body


@pytest.mark.parametrize("phone", ["+7 900", "+7 000 000-00-00", "call me", "+7 900 123-45-67 ext 5"])
def test_an_unreadable_phone_refuses_the_application(vacancy, phone):
    with pytest.raises(ValidationError) as info:
        apply(vacancy, phone=phone)
    assert "phone" in info.value.message_dict
    assert not Response.objects.exists()
    assert not Candidate.objects.exists()


def test_a_phone_without_country_code_is_read_in_the_companys_region(vacancy, company):
    company.phone_region = "KZ"
    company.save()
    response, _ = apply(vacancy, phone="8 (701) 123-45-67")
    assert response.phone_e164 == "+77011234567"


def test_same_candidate_may_apply_to_another_vacancy_of_the_company(vacancy, company):
    first, _ = apply(vacancy)
    second, created = apply(VacancyFactory(company=company), full_name="Anna P.")
    assert created is True
    assert second.candidate_id == first.candidate_id
    assert Candidate.objects.count() == 1
    first.refresh_from_db()
    assert (first.full_name, second.full_name) == ("Anna Petrova", "Anna P.")


def test_same_email_in_another_company_is_another_candidate(vacancy, other_company):
    apply(vacancy)
    apply(VacancyFactory(company=other_company))
    assert Candidate.objects.count() == 2


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_closed_or_draft_vacancy_refuses_applications(company, status):
    vacancy = VacancyFactory(company=company, status=status)
    with pytest.raises(ValidationError, match="not open"):
        apply(vacancy)
    assert not Response.objects.exists()
    assert not Candidate.objects.exists()


def test_no_consent_refuses_the_application(vacancy):
    with pytest.raises(ValidationError) as info:
        apply(vacancy, consent=False)
    assert "consent" in info.value.message_dict
    assert not Response.objects.exists()
    assert not Candidate.objects.exists()


# --- response_start_chat ---------------------------------------------------------------------------------------


def test_start_chat_moves_new_to_in_chat_once(vacancy):
    response, _ = apply(vacancy)
    services.response_start_chat(response=response)
    assert response.status == Response.Status.IN_CHAT
    services.response_start_chat(response=response)
    response.refresh_from_db()
    assert response.status == Response.Status.IN_CHAT
    assert history(response) == [("", "new"), ("new", "in_chat")]


def test_start_chat_leaves_a_finished_response_alone(vacancy):
    response = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED)
    services.response_start_chat(response=response)
    response.refresh_from_db()
    assert response.status == Response.Status.PASSED
    assert not StatusChange.objects.exists()


# --- response_submit_answer ------------------------------------------------------------------------------------


@pytest.fixture
def chatting(vacancy):
    # With consent to AI-assisted evaluation, so that finishing queues one.
    response, _ = apply(vacancy, ai_consent=True)
    return services.response_start_chat(response=response)


def test_submit_answer_stores_raw_value_verdict_and_points(chatting):
    number = chatting.vacancy.questions.get(kind="number")
    answer = services.response_submit_answer(response=chatting, question=number, raw=" 5 years ")
    assert (answer.raw_text, answer.value, answer.passed, answer.points) == ("5 years", 5.0, True, 2.0)
    answer.refresh_from_db()
    assert answer.value == 5.0


@pytest.mark.parametrize("new", [False, True])  # the ORM door and the chat's measured insert
def test_submit_answer_stores_how_the_value_was_read_beside_the_words(chatting, new):
    questions = {q.kind: q for q in chatting.vacancy.questions.all()}
    cases = [
        ("number", "two and a half", 2.5, "words"),
        ("yes_no", "No problem", True, "idiom"),
        ("single_choice", "moscow.", "Moscow", "folded"),
        ("number", "3", 3.0, "literal"),
    ]
    for kind, words, value, how in cases:
        Answer.objects.filter(response=chatting, question=questions[kind]).delete()
        answer = services.response_submit_answer(response=chatting, question=questions[kind], raw=words, new=new)
        stored = Answer.objects.get(pk=answer.pk)
        assert (stored.raw_text, stored.value, stored.read_how) == (words, value, how), words


def test_submit_answer_of_a_failed_knockout_is_stored_as_failed(chatting):
    city = chatting.vacancy.questions.get(kind="single_choice")
    answer = services.response_submit_answer(response=chatting, question=city, raw="2")
    assert (answer.value, answer.passed, answer.points) == ("Saint Petersburg", False, 0.0)


def test_submit_answer_accepts_a_list_for_multiple_choice(chatting):
    multi = chatting.vacancy.questions.get(kind="multiple_choice")
    answer = services.response_submit_answer(response=chatting, question=multi, raw=["Flask", "Django"])
    assert answer.raw_text == "Flask, Django"
    assert answer.value == ["Django", "Flask"]
    assert answer.points == pytest.approx(0.5)


def test_invalid_answer_raises_and_writes_nothing(chatting):
    number = chatting.vacancy.questions.get(kind="number")
    with pytest.raises(InvalidAnswer) as info:
        services.response_submit_answer(response=chatting, question=number, raw="a lot")
    assert info.value.code == "number"
    assert not Answer.objects.exists()


def test_invalid_answer_message_is_in_the_vacancy_language(company):
    vacancy = VacancyFactory(company=company, language="ru")
    question = QuestionFactory(vacancy=vacancy, kind="yes_no")
    response, _ = apply(vacancy)
    with pytest.raises(InvalidAnswer) as info:
        services.response_submit_answer(response=response, question=question, raw="может быть")
    assert info.value.code == "yes_no"
    assert translation.get_language() == "en"  # the override does not leak


def test_invalid_answer_keeps_the_previous_answer(chatting):
    number = chatting.vacancy.questions.get(kind="number")
    services.response_submit_answer(response=chatting, question=number, raw="4")
    with pytest.raises(InvalidAnswer):
        services.response_submit_answer(response=chatting, question=number, raw="")
    assert Answer.objects.get().value == 4.0


def test_answering_again_replaces_the_previous_answer(chatting):
    number = chatting.vacancy.questions.get(kind="number")
    services.response_submit_answer(response=chatting, question=number, raw="1")
    services.response_submit_answer(response=chatting, question=number, raw="7")
    answer = Answer.objects.get()
    assert (answer.raw_text, answer.value, answer.passed) == ("7", 7.0, True)


def test_question_of_another_vacancy_is_refused(chatting, company):
    foreign = QuestionFactory(vacancy=VacancyFactory(company=company), kind="text")
    with pytest.raises(ValidationError):
        services.response_submit_answer(response=chatting, question=foreign, raw="hello")
    assert not Answer.objects.exists()


def test_answers_are_refused_once_the_screening_is_finished(chatting):
    answer_all(chatting, GOOD)
    finished = services.response_finish(response=chatting)
    text = finished.vacancy.questions.get(kind="text")
    with pytest.raises(ValidationError, match="already finished"):
        services.response_submit_answer(response=finished, question=text, raw="changed my mind")
    assert Answer.objects.get(question=text).raw_text == GOOD[-1]


# --- response_finish -------------------------------------------------------------------------------------------


def test_finish_with_good_answers_passes_with_score_history_and_completion(chatting):
    answer_all(chatting, GOOD)
    finished = services.response_finish(response=chatting)
    finished.refresh_from_db()
    # 1 + 2 + 1 + 1 (both wanted stacks) + 1 (12+ words) of 6.
    assert (finished.status, finished.score, finished.rejection_reasons) == ("passed", 100, [])
    assert finished.completed_at is not None
    assert history(finished)[-1] == ("in_chat", "passed")
    assert StatusChange.objects.filter(response=finished).last().comment == "Screening finished with score 100."


def test_finish_with_failed_knockouts_rejects_with_every_reason(chatting):
    answer_all(chatting, ["Kazan", "1", "no", "Flask", "short"])
    finished = services.response_finish(response=chatting)
    assert finished.status == "rejected"
    assert finished.rejection_reasons == [
        "Which city do you live in: answered “Kazan”, must be one of: Moscow.",
        "How many years of Python experience do you have: answered “1”, must be at least 3.",
        "Are you allowed to work in Russia: answered “no”, must be “yes”.",
        "Which of these do you use: answered “Flask”, must include one of: Django, FastAPI.",
    ]
    assert history(finished)[-1] == ("in_chat", "rejected")


def test_finish_below_the_threshold_rejects_with_the_score_reason(company):
    vacancy = VacancyFactory(company=company, pass_threshold=80)
    QuestionFactory(vacancy=vacancy, kind="text", weight=1)
    response, _ = apply(vacancy)
    services.response_submit_answer(response=response, question=vacancy.questions.get(), raw="five words are too few")
    finished = services.response_finish(response=response)
    assert (finished.status, finished.score) == ("rejected", 42)
    assert finished.rejection_reasons == ["Relevance score 42 is below the pass threshold 80."]


def test_finish_reasons_are_in_the_vacancy_language(company):
    vacancy = VacancyFactory(company=company, language="ru")
    QuestionFactory(
        vacancy=vacancy, text="Есть ли разрешение?", kind="yes_no", knockout="must_equal", knockout_value="yes"
    )
    response, _ = apply(vacancy)
    services.response_submit_answer(response=response, question=vacancy.questions.get(), raw="нет")
    finished = services.response_finish(response=response)
    assert finished.status == "rejected"
    assert finished.rejection_reasons[0].startswith("Есть ли разрешение:")


def test_finish_is_idempotent(chatting):
    answer_all(chatting, GOOD)
    first = services.response_finish(response=chatting)
    second = services.response_finish(response=chatting)
    assert second.pk == first.pk
    assert (second.status, second.score, second.completed_at) == (first.status, first.score, first.completed_at)
    assert StatusChange.objects.filter(response=chatting, to_status="passed").count() == 1


def test_finish_registers_on_commit_callbacks_and_runs_nothing_before_commit(
    chatting, no_llm, django_capture_on_commit_callbacks
):
    answer_all(chatting, GOOD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.response_finish(response=chatting)
    # At least the AI evaluation and the "response.completed" webhook wait for the commit.
    assert len(callbacks) >= 2
    # The evaluation is its pending row (the outbox) until then: the task (eager here) has not run.
    assert Evaluation.objects.get(response=chatting).status == "pending"


def test_finish_queues_the_evaluation_task_for_the_response(chatting, no_llm, django_capture_on_commit_callbacks):
    answer_all(chatting, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_finish(response=chatting)
    evaluation = Evaluation.objects.get(response=chatting)
    assert (evaluation.status, evaluation.evaluator) == ("done", "builtin")


def test_finishing_again_queues_nothing(chatting, django_capture_on_commit_callbacks):
    answer_all(chatting, GOOD)
    services.response_finish(response=chatting)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.response_finish(response=chatting)
    assert callbacks == []


# --- response_change_status ------------------------------------------------------------------------------------


@pytest.fixture
def passed(chatting):
    answer_all(chatting, GOOD)
    return services.response_finish(response=chatting)


@pytest.mark.parametrize("to_status", ["shortlisted", "interview", "offer", "hired", "declined", "withdrawn"])
def test_recruiter_decision_is_recorded_with_actor_and_comment(passed, recruiter, to_status):
    changed = services.response_change_status(
        response=passed, to_status=to_status, actor=recruiter, comment="  Strong Django  "
    )
    changed.refresh_from_db()
    assert changed.status == to_status
    entry = StatusChange.objects.filter(response=passed).last()
    assert (entry.from_status, entry.to_status, entry.actor, entry.comment) == (
        "passed",
        to_status,
        recruiter,
        "Strong Django",
    )


@pytest.mark.parametrize("to_status", ["new", "in_chat", "passed", "rejected", "archived"])
def test_screening_statuses_cannot_be_set_by_hand(passed, recruiter, to_status):
    before = StatusChange.objects.count()
    with pytest.raises(ValidationError) as info:
        services.response_change_status(response=passed, to_status=to_status, actor=recruiter)
    assert "status" in info.value.message_dict
    passed.refresh_from_db()
    assert passed.status == "passed"
    assert StatusChange.objects.count() == before


def test_setting_the_same_status_again_is_refused(passed, recruiter):
    services.response_change_status(response=passed, to_status="interview", actor=recruiter)
    with pytest.raises(ValidationError, match="already has this status"):
        services.response_change_status(response=passed, to_status="interview", actor=recruiter)
    assert StatusChange.objects.filter(to_status="interview").count() == 1


def test_status_change_queues_the_webhook(passed, recruiter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.response_change_status(response=passed, to_status="shortlisted", actor=recruiter)
    assert len(callbacks) == 2  # the webhook, and the pipeline's live update (docs/pipeline.md)


def test_full_history_reads_in_order(passed, recruiter):
    services.response_change_status(response=passed, to_status="shortlisted", actor=recruiter)
    services.response_change_status(response=passed, to_status="interview", actor=recruiter, comment="Call on Monday")
    assert history(passed) == [
        ("", "new"),
        ("new", "in_chat"),
        ("in_chat", "passed"),
        ("passed", "shortlisted"),
        ("shortlisted", "interview"),
    ]


# --- response_add_note -----------------------------------------------------------------------------------------


def test_add_note(passed, recruiter):
    note = services.response_add_note(response=passed, author=recruiter, text="  Call back after 6pm  ")
    assert (note.response, note.author, note.text) == (passed, recruiter, "Call back after 6pm")
    assert list(passed.notes.all()) == [note]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_note_is_refused(passed, recruiter, text):
    with pytest.raises(ValidationError) as info:
        services.response_add_note(response=passed, author=recruiter, text=text)
    assert "text" in info.value.message_dict
    assert not Note.objects.exists()
