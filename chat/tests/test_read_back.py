"""The bot confirms before it fails anyone: answers not read literally, or failing a rule, are read back with
Yes / "No, let me correct it"; only a confirmed reading is scored. An answer unclear twice goes to a person
(needs review), and a number in a rule's review band too (issue 12; docs/scoring.md, "Read-back")."""

import pytest
from django.urls import reverse

from chat import services
from chat.tests.conftest import connected
from chat.tests.conftest import db as _db
from screening.models import Answer, ChatMessage, QuestionEvent, Response
from screening.tests import fake_openai
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db

Kind = QuestionFactory._meta.model.Kind


def _vacancy(company, *questions, **fields):
    vacancy = VacancyFactory(company=company, **fields)
    for position, spec in enumerate(questions):
        QuestionFactory(vacancy=vacancy, position=position, **spec)
    return vacancy


SALARY = {"text": "Expected salary?", "kind": Kind.NUMBER, "knockout": "at_most", "knockout_value": "350000",
          "unit": "money_month"}  # fmt: skip
WEEKENDS = {"text": "Can you work weekends?", "kind": Kind.YES_NO, "knockout": "must_equal", "knockout_value": "yes"}
CITY = {"text": "City?", "kind": Kind.SINGLE_CHOICE, "options": ["Москва", "Санкт-Петербург"],
        "knockout": "one_of", "allowed_options": ["Москва"]}  # fmt: skip
YEARS = {"text": "Years of Python?", "kind": Kind.NUMBER, "knockout": "at_least", "knockout_value": "3",
         "review_value": "2", "unit": "years"}  # fmt: skip


class Chat:
    """A candidate in the chat, through the same service the socket and the no-JS form call."""

    def __init__(self, vacancy, language="en"):
        vacancy.language = language
        vacancy.save(update_fields=["language"])
        self.response = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")
        response = Response.objects.select_related("vacancy", "candidate").get(pk=self.response.pk)
        self.ctx, self.snapshot = services.chat_open(response=response, connect=True)
        self.sent = 0

    def say(self, text="", choices=None):
        self.sent += 1
        return services.chat_candidate_message(ctx=self.ctx, client_id=f"m{self.sent}", text=text, choices=choices)

    def answers(self):
        return list(Answer.objects.filter(response=self.response).order_by("question__position"))

    def events(self):
        return sorted(QuestionEvent.objects.filter(response=self.response).values_list("kind", flat=True))

    def status(self):
        self.response.refresh_from_db()
        return self.response.status


def _bot(turn):
    return [m.text for m in turn.messages]


def test_a_magnitude_is_read_back_and_a_confirmed_failure_quotes_the_words(company):
    chat = Chat(_vacancy(company, SALARY))
    turn = chat.say("400k")
    assert turn.confirm["text"] == "You wrote “400k”: I understood 400,000 RUB a month. Is that right?"
    assert [o["value"] for o in turn.confirm["options"]] == ["yes", "no"]
    assert turn.question.text == "Expected salary?" and turn.asked
    assert chat.answers() == []  # nothing is scored before the candidate confirms
    turn = chat.say("Yes, that's right")
    (answer,) = chat.answers()
    assert (answer.value, answer.read_how, answer.confirmed, answer.passed) == (400000, "magnitude", True, False)
    assert answer.raw_text == "400k"  # the candidate's own words, not the "yes"
    assert answer.rule["knockout_value"] == "350000"
    assert chat.status() == Response.Status.REJECTED
    assert chat.response.rejection_reasons == ["Expected salary: “400k” read as 400000, must be at most 350000."]
    assert chat.events() == ["read_back"]


def test_no_let_me_correct_it_asks_again_and_the_correction_replaces_the_reading(company):
    chat = Chat(_vacancy(company, SALARY, WEEKENDS))
    chat.say("400k")
    turn = chat.say("No, let me correct it")
    assert _bot(turn) == ["All right, please give your answer again. Expected salary?"]
    assert turn.confirm is None and chat.answers() == []
    turn = chat.say("300 000")
    assert turn.question.text == "Can you work weekends?"
    (answer,) = chat.answers()
    assert (answer.value, answer.read_how, answer.confirmed, answer.passed) == (300000, "literal", False, True)
    assert chat.events() == ["correction", "read_back"]


def test_a_corrected_answer_typed_instead_of_yes_or_no_is_read_as_the_answer(company):
    chat = Chat(_vacancy(company, SALARY, WEEKENDS))
    chat.say("400k")
    turn = chat.say("300000")
    assert turn.question.text == "Can you work weekends?"
    assert [a.value for a in chat.answers()] == [300000]
    assert chat.events() == ["correction", "read_back"]


def test_an_idiom_is_read_back_and_passes_once_confirmed(company):
    chat = Chat(_vacancy(company, WEEKENDS))
    turn = chat.say("No problem")
    assert turn.confirm["text"] == "You wrote “No problem”: I understood yes. Is that right?"
    chat.say("yes")
    (answer,) = chat.answers()
    assert (answer.value, answer.read_how, answer.confirmed, answer.passed) == (True, "idiom", True, True)
    assert chat.status() == Response.Status.PASSED


def test_a_russian_idiom_is_read_back_in_russian(company):
    chat = Chat(_vacancy(company, WEEKENDS), language="ru")
    turn = chat.say("Нет проблем")
    assert turn.confirm["options"][0]["label"] == "Да, верно"
    assert "«Нет проблем»" in turn.confirm["text"] or "“Нет проблем”" in turn.confirm["text"]
    chat.say("Да, верно")
    assert [a.value for a in chat.answers()] == [True]


def test_a_plain_no_that_fails_the_rule_is_confirmed_first(company):
    chat = Chat(_vacancy(company, WEEKENDS))
    turn = chat.say("no")
    assert turn.confirm["text"] == "Just to be sure before I note it: your answer is “no”. Is that right?"
    assert chat.answers() == []
    chat.say("yes")
    assert chat.status() == Response.Status.REJECTED


def test_refusing_the_read_back_and_repeating_the_same_answer_takes_it_without_a_loop(company):
    chat = Chat(_vacancy(company, WEEKENDS))
    chat.say("no")
    chat.say("no")  # "is that right?" - no: asked again
    turn = chat.say("no")  # the same answer again: that is what they mean
    assert turn.confirm is None and turn.state == services.STATE_FINISHED
    (answer,) = chat.answers()
    assert (answer.value, answer.confirmed, answer.passed) == (False, True, False)


def test_a_literal_passing_answer_is_not_read_back(company):
    chat = Chat(_vacancy(company, SALARY, WEEKENDS))
    turn = chat.say("300000")
    assert turn.confirm is None and turn.question.text == "Can you work weekends?"
    turn = chat.say("yes")
    assert turn.state == services.STATE_FINISHED and chat.events() == []


def test_a_misspelt_option_is_offered_back_and_taken_when_confirmed(company):
    chat = Chat(_vacancy(company, CITY))
    turn = chat.say("Мсква")
    assert turn.confirm["text"] == "Did you mean “Москва”?"
    chat.say("yes")
    (answer,) = chat.answers()
    assert (answer.value, answer.read_how, answer.confirmed, answer.passed) == ("Москва", "suggestion", True, True)


def test_an_answer_unclear_twice_goes_to_a_person_and_the_response_needs_review(company):
    chat = Chat(_vacancy(company, YEARS, WEEKENDS))
    turn = chat.say("less than 2 years")
    assert "exact figure" in _bot(turn)[0] and turn.question.text == "Years of Python?"
    turn = chat.say("hard to say")
    assert turn.question.text == "Can you work weekends?"
    assert "a recruiter will look at it" in _bot(turn)[0]
    chat.say("yes")
    years = chat.answers()[0]
    assert (years.value, years.needs_review, years.passed, years.raw_text) == (None, True, None, "hard to say")
    assert chat.status() == Response.Status.NEEDS_REVIEW
    assert chat.response.review_reasons == [
        "Years of Python: “hard to say” could not be read as an answer; a person should decide."
    ]
    assert chat.events() == ["clarification", "review"]


def test_a_number_in_the_review_band_is_read_back_then_needs_review_never_a_rejection(company):
    chat = Chat(_vacancy(company, YEARS))
    turn = chat.say("2.5")
    assert turn.confirm is not None
    chat.say("yes")
    (answer,) = chat.answers()
    assert (answer.value, answer.needs_review, answer.passed, answer.points) == (2.5, True, None, 0)
    assert chat.status() == Response.Status.NEEDS_REVIEW
    assert "close to the rule" in chat.response.review_reasons[0]


def test_a_failure_elsewhere_rejects_even_with_an_answer_in_review(company):
    chat = Chat(_vacancy(company, YEARS, WEEKENDS))
    chat.say("2.5")
    chat.say("yes")
    chat.say("no")
    chat.say("yes")
    assert chat.status() == Response.Status.REJECTED
    assert len(chat.response.review_reasons) == 1


def test_a_pending_read_back_is_shown_again_after_a_reconnect(company):
    chat = Chat(_vacancy(company, SALARY))
    chat.say("400k")
    response = Response.objects.select_related("vacancy", "candidate").get(pk=chat.response.pk)
    _ctx, snapshot = services.chat_open(response=response)
    assert snapshot.confirm["text"].startswith("You wrote “400k”")
    _ctx, watched = services.chat_snapshot(response=response)
    assert watched.confirm == snapshot.confirm


def test_a_confirmed_reading_costs_no_more_than_a_handful_of_queries(company, django_assert_max_num_queries):
    chat = Chat(_vacancy(company, SALARY, WEEKENDS))
    chat.say("400k")
    with django_assert_max_num_queries(6):
        chat.say("yes")
    assert ChatMessage.objects.filter(session_id=chat.ctx.session_id, payload__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
async def test_the_socket_sends_the_read_back_with_its_buttons_and_takes_the_confirmation(company, candidate_socket):
    vacancy = await _db(_vacancy, company, SALARY)
    response = await _db(ResponseFactory, vacancy=vacancy, full_name="Ivan Petrov")
    socket, hello = await connected(candidate_socket, response)
    frames = await socket.answer("400k", question=hello["question"]["id"])
    question = next(f["question"] for f in frames if f["type"] == "question")
    assert question["confirm"]["options"] == [
        {"value": "yes", "label": "Yes, that's right"},
        {"value": "no", "label": "No, let me correct it"},
    ]
    assert "confirm" not in hello["question"]
    _again, hello = await connected(candidate_socket, response)
    assert hello["question"]["confirm"] == question["confirm"]
    frames = await socket.answer("yes", question=question["id"])
    assert any(f["type"] == "state" and f["state"] == "finished" for f in frames)
    assert await _db(lambda: Answer.objects.get(response=response).confirmed)


def test_without_javascript_the_read_back_is_two_buttons_and_the_confirmation_is_taken(company, client):
    vacancy = _vacancy(company, SALARY, WEEKENDS)
    response = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova")
    client.get(response.get_chat_url())  # opens the chat: greeting and first question
    question = vacancy.questions.get(position=0)
    url = reverse("chat:fallback", args=[response.token])
    client.post(url, {"client_id": "f1", "text": "400k", "question": question.pk})
    page = client.get(response.get_chat_url()).content.decode()
    assert "You wrote “400k”: I understood 400,000 RUB a month. Is that right?" in page
    assert 'name="text" value="Yes, that&#x27;s right"' in page
    assert 'value="No, let me correct it"' in page
    client.post(url, {"client_id": "f2", "text": "Yes, that's right", "question": question.pk})
    (answer,) = Answer.objects.filter(response=response)
    assert (answer.value, answer.confirmed) == (400000, True)
    assert "Can you work weekends?" in client.get(response.get_chat_url()).content.decode()


def test_a_question_from_the_candidate_is_answered_from_the_vacancy_and_the_question_asked_again(company):
    vacancy = _vacancy(company, WEEKENDS, SALARY, salary_from=250000, salary_to=300000, salary_currency="RUB")
    chat = Chat(vacancy)
    turn = chat.say("What is the salary?")
    reply, again = _bot(turn)
    assert "250,000" in reply or "250 000" in reply or "250000" in reply
    assert reply.startswith("From the job description")
    assert again == "Can you work weekends?" and turn.question.text == "Can you work weekends?"
    assert chat.answers() == [] and chat.events() == []
    asked = chat.response.asked_questions.get()
    assert (asked.text, asked.answered, asked.source) == ("What is the salary?", True, "vacancy")
    turn = chat.say("yes")
    assert turn.question.text == "Expected salary?"


def test_a_question_the_bot_cannot_answer_is_passed_on_and_the_read_back_asked_again(company):
    chat = Chat(_vacancy(company, SALARY, WEEKENDS))
    chat.say("400k")
    turn = chat.say("Is there a gym in the office?")
    reply, again = _bot(turn)
    assert "passed your question to the recruiters" in reply
    assert again.startswith("You wrote “400k”") and turn.confirm["text"] == again
    assert chat.response.asked_questions.get().answered is False
    chat.say("yes")
    assert [a.value for a in chat.answers()] == [400000]


def test_an_llm_reads_what_the_rules_cannot_before_the_lock_and_the_candidate_confirms_it(company, fake_llm):
    vacancy = _vacancy(company, {**WEEKENDS, "text": "Are you ready for business trips?"})
    chat = Chat(vacancy)
    question = vacancy.questions.get()
    fake_llm.script(fake_openai.ok({"value": "yes", "words": "скорее да"}))
    chat.sent += 1
    turn = services.chat_candidate_message(
        ctx=chat.ctx, client_id="llm1", text="скорее да, если не чаще раза в месяц", question_id=question.pk
    )
    assert turn.confirm["text"] == "You wrote “скорее да, если не чаще раза в месяц”: I understood yes. Is that right?"
    assert len(fake_llm.requests) == 1 and chat.answers() == []
    chat.say("yes")
    (answer,) = chat.answers()
    assert (answer.value, answer.read_how, answer.confirmed) == (True, "llm", True)
    assert answer.raw_text == "скорее да, если не чаще раза в месяц"


def test_without_consent_no_llm_is_asked_and_the_bot_clarifies(company, fake_llm):
    vacancy = _vacancy(company, WEEKENDS)
    chat = Chat(vacancy)
    Response.objects.filter(pk=chat.response.pk).update(ai_consent_at=None)
    chat.ctx.response.ai_consent_at = None
    turn = services.chat_candidate_message(
        ctx=chat.ctx,
        client_id="x1",
        text="скорее да, если не чаще раза в месяц",
        question_id=vacancy.questions.get().pk,
    )
    assert turn.confirm is None and "yes or no" in _bot(turn)[0]
    assert fake_llm.requests == []


def test_a_rule_tightened_mid_chat_judges_the_earlier_answer_at_the_finish_and_records_that_rule(company):
    from vacancies.services import question_update

    vacancy = _vacancy(company, YEARS, WEEKENDS)
    chat = Chat(vacancy)
    chat.say("4")  # passes "at least 3", literally: stored under that rule
    question_update(question=vacancy.questions.get(position=0), data={"knockout_value": "5", "review_value": "4"})
    chat.say("yes")
    assert chat.status() == Response.Status.NEEDS_REVIEW  # judged by the rule as it is now
    years = chat.answers()[0]
    assert (years.passed, years.needs_review, years.rule["knockout_value"]) == (None, True, "5")


@pytest.mark.parametrize(
    ("spec", "words", "read_back"),
    [
        (SALARY, "400", "Just to be sure before I note it: your answer is “400 RUB a month”. Is that right?"),
        (SALARY, "5000 USD", "You wrote “5000 USD”: I understood 5,000 RUB a month. Is that right?"),
        (SALARY, "100000 в неделю", "You wrote “100000 в неделю”: I understood 100,000 RUB a month. Is that right?"),
        (YEARS, "2019", "Just to be sure before I note it: your answer is “2,019 years”. Is that right?"),
        (YEARS, "3 дня", "You wrote “3 дня”: I understood 3 years. Is that right?"),
        (WEEKENDS, "да, но нужна виза", "You wrote “да, но нужна виза”: I understood yes. Is that right?"),
        (WEEKENDS, "возражений нет", "You wrote “возражений нет”: I understood yes. Is that right?"),
    ],
)
def test_a_number_off_the_questions_scale_or_a_reservation_is_read_back_not_passed_silently(
    company, spec, words, read_back
):
    chat = Chat(_vacancy(company, spec))
    turn = chat.say(words)
    assert turn.confirm is not None and turn.confirm["text"] == read_back
    assert chat.answers() == []


def test_a_natural_confirmation_in_russian_keeps_the_answer(company):
    chat = Chat(_vacancy(company, SALARY), language="ru")
    chat.say("400k")
    turn = chat.say("Нет, всё верно")
    assert turn.state == services.STATE_FINISHED
    (answer,) = chat.answers()
    assert (answer.value, answer.confirmed) == (400000, True)


def test_a_reply_that_is_neither_yes_nor_no_nor_an_answer_keeps_the_read_back(company):
    chat = Chat(_vacancy(company, SALARY))
    chat.say("400k")
    turn = chat.say("hmm")
    assert turn.confirm["text"].startswith("You wrote “400k”")
    assert _bot(turn) == [
        "Please press “Yes, that's right” or “No, let me correct it”, or type your answer again. "
        + turn.confirm["text"]
    ]
    chat.say("yes")
    (answer,) = chat.answers()
    assert (answer.value, answer.raw_text, answer.confirmed) == (400000, "400k", True)
    assert chat.events() == ["read_back"]
