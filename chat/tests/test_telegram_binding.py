"""Binding an application to Telegram with the deep link (``/start <code>``): the welcome names the vacancy and
the company and asks the awaited question with its buttons; codes of others, unknown codes and a bare /start are
refused politely and bind nothing."""

import pytest

from chat.tests.telegram_world import USER_ID, Candidate, code_of
from screening.models import ChatMessage, TelegramLink
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

# Told in the language of the person's Telegram app (the fake's users have ``language_code`` "ru"): no
# application is known yet, so there is no vacancy language to follow.
LINK_NEEDED = (
    "Здравствуйте! Чтобы пройти скрининг здесь, откройте ссылку «Продолжить в Telegram» из вашего отклика "
    "(в письме, которое мы отправили, или на странице чата)."
)


def test_the_deep_link_binds_the_application_and_asks_the_first_question(response, ivan):
    ivan.start(response)
    link = TelegramLink.objects.get(response=response)
    assert (link.chat_id, link.user_id, link.username) == (USER_ID, USER_ID, "ivan_tg")
    assert link.bound_at is not None and link.bot.username == "smartbot_demo_bot"
    welcome, question = ivan.messages()
    assert welcome["text"].startswith("This chat is now connected to your application for “Python developer” at Acme.")
    assert "automated assistant" in welcome["text"]
    assert question["text"] == "Question 1 of 5: Which city do you live in?"
    assert ivan.labels(question) == ["Moscow", "Saint Petersburg", "Kazan", "Talk to a person"]
    # The chat was opened (greeting and first question, as on the web) and the thread starts after them.
    lines = list(ChatMessage.objects.filter(session__response=response).order_by("pk"))
    assert [m.sender for m in lines] == ["bot", "bot"]
    assert link.delivered_message_id == lines[-1].pk


def test_the_same_user_may_start_again_and_another_account_is_refused(response, ivan, fake_telegram):
    ivan.start(response)
    ivan.start(response)  # the link opened twice: fine, the welcome again
    assert len(ivan.messages()) == 4
    other = Candidate(fake_telegram, user_id=USER_ID + 1, username="someone")
    other.start(response)
    assert other.texts() == [
        "This application is already connected to another Telegram account. If it is yours, continue there or in "
        "your browser with the link from your email."
    ]
    link = TelegramLink.objects.get(response=response)
    assert (link.user_id, link.chat_id) == (USER_ID, USER_ID)


def test_unknown_codes_other_companies_codes_and_a_bare_start_bind_nothing(response, ivan, other_company):
    foreign = ResponseFactory(vacancy=VacancyFactory(company=other_company))
    full_script(foreign.vacancy)
    TelegramLink.objects.create(response=foreign, code="foreign-code-123")
    for text in ("/start", "/start not-a-code", "/start foreign-code-123", "hello"):
        ivan.send(text)
    assert ivan.texts() == [LINK_NEEDED] * 4
    assert not TelegramLink.objects.filter(chat_id__isnull=False).exists()
    assert not ChatMessage.objects.exists()


def test_the_welcome_of_a_russian_vacancy_is_in_russian(response, ivan):
    response.vacancy.language = "ru"
    response.vacancy.save(update_fields=["language"])
    code = code_of(response)
    ivan.send(f"/start {code}")
    question = ivan.last()
    assert question["text"].startswith("Вопрос 1 из 5")
    assert ivan.labels(question)[-1] == "Поговорить с человеком"


def test_erasing_the_application_forgets_its_telegram_thread(response, ivan):
    from screening.services import candidate_erase

    ivan.start(response)
    candidate_erase(candidate=response.candidate, reason="candidate")
    assert not TelegramLink.objects.filter(response=response).exists()
    count = len(ivan.messages())
    ivan.send("Moscow")  # nothing is bound any more
    assert ivan.texts()[count:] == [LINK_NEEDED]


def test_a_bare_start_in_a_bound_chat_shows_where_it_stands(response, ivan):
    ivan.start(response)
    ivan.send("/start")
    assert ivan.last()["text"] == "Question 1 of 5: Which city do you live in?"
    assert ivan.labels()[0] == "Moscow"


def test_two_applications_in_one_chat_each_get_their_own_answers(
    response, ivan, company, recruiter, django_capture_on_commit_callbacks
):
    """Found on the demo: with one Telegram account bound to two applications, a reply to the recruiter of the
    first was stored as an answer of the second (the one bound last)."""
    from chat import services

    other = ResponseFactory(vacancy=VacancyFactory(company=company, title="QA engineer"), full_name="Ivan Petrov")
    full_script(other.vacancy)
    ivan.start(response)
    ivan.start(other)  # bound last: what he types goes here for now
    ctx, _snapshot = services.chat_snapshot(response=response)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_takeover(ctx=ctx, user=recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_recruiter_message(ctx=ctx, user=recruiter, client_id="r1", text="How long have you used Celery?")
    assert ivan.texts()[-1] == "[Python developer] Roman: How long have you used Celery?"

    ivan.send("Two years")  # about what he just read: the first application's chat

    assert ChatMessage.objects.filter(session__response=response, sender="candidate", text="Two years").exists()
    assert not ChatMessage.objects.filter(session__response=other, sender="candidate").exists()
    # A button of the second application's question still answers that question there.
    second_question = [m for m in ivan.messages() if m["text"].startswith("Question 1 of 5") and m["buttons"]][-1]
    ivan.press("Kazan", second_question)
    assert ChatMessage.objects.filter(session__response=other, sender="candidate", text="Kazan").exists()


def test_a_question_button_pressed_while_a_person_leads_is_not_taken_as_an_answer(
    response, ivan, recruiter, fake_telegram, django_capture_on_commit_callbacks
):
    from chat import services

    ivan.start(response)
    ctx, _snapshot = services.chat_snapshot(response=response)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_takeover(ctx=ctx, user=recruiter)
    question = next(m for m in ivan.messages() if m["buttons"])
    ivan.press("Moscow", question)

    assert not ChatMessage.objects.filter(session__response=response, sender="candidate").exists()
    answers = [call.params.get("text", "") for call in fake_telegram.calls("answerCallbackQuery")]
    assert answers[-1] == "A person from the company is in the chat now: write to them here."
