"""The messages sent through a job board (``screening.boards.messages``): defaults, validation, rendering."""

import pytest
from django.utils import translation

from screening.boards import DECISION_DISCARD, DECISION_INVITE, decision_for
from screening.boards.messages import ACCEPT, DISCARD, INVITE, KINDS, message_default, message_validate, render

VALUES = {"first_name": "Anna", "vacancy": "Python developer", "company": "Acme", "chat_link": "https://s.example/c/t/"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_default_is_valid_in_both_languages(kind):
    for language in ("en", "ru"):
        with translation.override(language):
            assert message_validate(kind, message_default(kind)) == []


def test_the_invitation_carries_the_chat_link_and_the_telegram_paragraph_only_with_a_bot():
    without = render(INVITE, "", **VALUES, telegram_link="")
    with_bot = render(INVITE, "", **VALUES, telegram_link="https://t.me/acme_bot?start=abc")

    assert "https://s.example/c/t/" in without and "Telegram" not in without
    assert "https://t.me/acme_bot?start=abc" in with_bot and "Telegram" in with_bot
    assert without.startswith("Hello, Anna!")


def test_an_unknown_first_name_leaves_no_dangling_comma():
    assert render(DISCARD, "", **{**VALUES, "first_name": ""}).startswith("Hello!")


def test_a_company_wording_without_the_chat_link_gets_it_added_when_sent():
    text = render(INVITE, "Welcome to the {vacancy} screening.", **VALUES)

    assert text == "Welcome to the Python developer screening.\n\nhttps://s.example/c/t/"


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        (INVITE, "Come: {vacancy}", "must contain {chat_link}"),
        (ACCEPT, "Hi {frist_name}", "unknown placeholder {frist_name}"),
        (ACCEPT, "Hi {first_name", "without its pair"),
        (DISCARD, "{vacancy.upper}", "unknown placeholder"),
        (DISCARD, "{vacancy!r}", "nothing may follow the name"),
        (DISCARD, "x" * 2001, "at most 2000 characters"),
    ],
)
def test_a_company_wording_is_refused_with_a_clear_sentence(kind, text, problem):
    assert any(problem in error for error in message_validate(kind, text))


def test_a_blank_wording_is_fine_and_means_the_default():
    assert message_validate(INVITE, "  ") == []
    assert render(ACCEPT, "  ", **VALUES) == render(ACCEPT, message_default(ACCEPT), **VALUES)


def test_a_broken_saved_wording_falls_back_to_the_default():
    assert render(ACCEPT, "Hi {first_name", **VALUES) == render(ACCEPT, "", **VALUES)


def test_russian_defaults_come_from_the_catalogue_when_it_has_them():
    with translation.override("ru"):
        text = render(DISCARD, "", **VALUES)
    assert "Anna" in text and "Python developer" in text


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        ("shortlisted", DECISION_INVITE),
        ("interview", DECISION_INVITE),
        ("offer", DECISION_INVITE),
        ("hired", DECISION_INVITE),
        ("declined", DECISION_DISCARD),
        ("rejected", DECISION_DISCARD),
        ("new", ""),
        ("passed", ""),
        ("withdrawn", ""),
    ],
)
def test_statuses_map_onto_decisions(status, decision):
    assert decision_for(status) == decision
