"""The detector of requests for a person and complaints (``chat.handoff``): many phrases, both languages."""

import pytest

from chat.handoff import ASKED, COMPLAINED, MAX_CHARS, handoff_reason

REQUESTS = [
    # English
    "can I talk to a human",
    "Can I talk to a human?",
    "I want to talk to a real person",
    "I'd like to speak with a recruiter",
    "I’d like to speak to someone",
    "i would like to talk to a manager please",
    "I need to speak to a person",
    "could I speak with an actual human being?",
    "May I talk to somebody from HR?",
    "let me talk to a human",
    "please, talk to a person",
    "Talk to a human",
    "speak to a manager!",
    "connect me to an operator",
    "Transfer me to a live agent",
    "put me through to a recruiter",
    "get me a human",
    "give me a real person",
    "I want a human",
    "I need a person please",
    "can I have a human?",
    "is there a human here?",
    "human please",
    "Operator, please",
    "live agent",
    "no more bots",
    "is it possible to chat with someone?",
    # Russian
    "живой человек",
    "Живой человек!",
    "позовите менеджера",
    "Позовите, пожалуйста, менеджера",
    "хочу поговорить с человеком",
    "Хочу поговорить с живым человеком",
    "можно связаться с менеджером?",
    "соедините с оператором",
    "свяжите меня с рекрутером",
    "переключите на оператора",
    "дайте живого человека",
    "мне нужен живой оператор",
    "нужен человек",
    "позови человека",
    "можно пообщаться с сотрудником?",
    "как мне связаться с hr?",
    "оператора, пожалуйста",
    "человека пожалуйста",
    "хочу общаться не с ботом",
    "давайте без бота",
    "я бы хотела поговорить со специалистом",
]

COMPLAINTS = [
    "this bot is useless",
    "This bot is so stupid",
    "stupid bot",
    "useless robot, let me talk to a human",
    "you are useless",
    "you're not helping",
    "you don't understand me",
    "you do not understand",
    "the bot doesn't work",
    "this is ridiculous",
    "what a waste of time",
    "бот тупой",
    "тупой бот",
    "Бесполезный бот, позовите человека",
    "ты ничего не понимаешь",
    "вы меня не понимаете",
    "бот вообще не работает",
    "что за бред",
    "ты тупой",
    "дурацкий робот",
]

NOT_REQUESTS = [
    "I worked as an operator",
    "I worked as an operator for three years",
    "I was a manager at a bank",
    "Team manager, 5 years",
    "I talk to people every day",
    "I like working with people",
    "I can speak with customers in English and German",
    "I am a people person",
    "I am not a bot",
    "As a recruiter I interviewed 200 candidates",
    "I managed a call centre with 20 operators",
    "I need a visa to work",
    "I want to become a manager",
    "yes",
    "no",
    "5",
    "Moscow",
    "I built a screening bot.",
    "My previous role was HR manager",
    "I often spoke to the managers of other departments",
    "я работал оператором",
    "работаю менеджером по продажам",
    "Работал оператором call-центра, часто переключал звонки на менеджера",
    "мне нравится общаться с людьми",
    "хочу стать менеджером",
    "я живу в Москве",
    "я не бот",
    "человек-оркестр",
    "5 лет опыта",
    "да",
    "Я руководил командой из 10 человек",
    "обычно я общаюсь с клиентами",
    "",
    "   ",
]

BARE = ["operator", "Operator!", "a human", "human", "менеджер", "оператор", "человек"]


@pytest.mark.parametrize("text", REQUESTS)
def test_requests_for_a_person_are_seen(text):
    assert handoff_reason(text) == ASKED


@pytest.mark.parametrize("text", REQUESTS)
def test_explicit_requests_are_seen_even_where_free_text_is_awaited(text):
    assert handoff_reason(text, strict=True) == ASKED


@pytest.mark.parametrize("text", COMPLAINTS)
def test_complaints_are_complaints_even_with_a_request_in_them(text):
    assert handoff_reason(text) == COMPLAINED
    assert handoff_reason(text, strict=True) == COMPLAINED


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_answers_that_mention_people_or_jobs_are_not_requests(text):
    assert handoff_reason(text) is None
    assert handoff_reason(text, strict=True) is None


@pytest.mark.parametrize("text", BARE)
def test_a_bare_word_is_a_request_unless_a_free_text_answer_is_awaited(text):
    assert handoff_reason(text) == ASKED
    assert handoff_reason(text, strict=True) is None


def test_a_long_message_is_an_answer_whatever_it_says():
    essay = "I want to talk to a human. " + "x" * MAX_CHARS
    assert handoff_reason(essay) is None
