"""What the bot says at a chat's start and end: pure functions of the vacancy and the candidate (the demo's too).

Re-exported by ``chat.services``, which writes them.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from screening.models import Response
from screening.reading import read_yes_no
from screening.reading.text import skeleton
from vacancies.models import Vacancy


def greeting_text(*, vacancy: Vacancy, first_name: str, count: int) -> str:
    """The bot's first message: hello by first name, thanks, who is asking, and how many questions (also the demo's).

    It says that an automated assistant asks and a person decides (GDPR Art. 13(2)(f) and 22; 152-FZ Art. 16).
    """
    hello = _("Hi, %(name)s!") % {"name": first_name} if first_name else _("Hello!")
    thanks = _("Thank you for applying for “%(title)s”.") % {"title": vacancy.title}
    who = _("I am an automated assistant: I ask the questions, and a person at the company makes the decision.")
    if not count:
        return f"{hello} {thanks} {who}"
    plan = ngettext(
        "I have %(count)d short question for you; it takes a couple of minutes.",
        "I have %(count)d short questions for you; it takes a couple of minutes.",
        count,
    ) % {"count": count}
    return f"{hello} {thanks} {who} {plan}"


def closing_text(*, vacancy: Vacancy, first_name: str, status: str) -> str:
    """The bot's last message: the outcome if the vacancy shows it, else a neutral thank-you (also the demo's)."""
    if vacancy.show_outcome and status != Response.Status.NEEDS_REVIEW:  # a person decides: no outcome to show
        if status == Response.Status.PASSED:
            return _("Thank you, %(name)s! You have passed the screening. A recruiter will contact you soon.") % {
                "name": first_name
            }
        return _(
            "Thank you for your answers, %(name)s. Unfortunately your profile does not match this vacancy's "
            "requirements, so we cannot move forward this time."
        ) % {"name": first_name}
    return _("Thank you, %(name)s! Your answers have been sent to the recruiter. We will get back to you.") % {
        "name": first_name
    }


# The read-back's two buttons: what they say and send (a typed yes / no works as well).
CONFIRM_YES = gettext_lazy("Yes, that's right")
CONFIRM_NO = gettext_lazy("No, let me correct it")


def confirm_options() -> list[dict]:
    """The read-back's buttons as the ``question`` frame's ``confirm.options``: ``[{"value", "label"}]``."""
    return [{"value": "yes", "label": str(CONFIRM_YES)}, {"value": "no", "label": str(CONFIRM_NO)}]


def read_confirmation(text: str) -> str | None:
    """The candidate's reply to a read-back: "yes" (that's right), "no" (let me correct it), or None (neither:
    the reply is a corrected answer itself, e.g. "350k").

    The buttons' labels in either language, then any plain or idiomatic yes/no (``screening.reading.read_yes_no``;
    an unsure reply is neither).
    """
    folded = skeleton(text)
    for language in ("en", "ru"):
        with translation.override(language):
            if folded == skeleton(str(CONFIRM_YES)):
                return "yes"
            if folded == skeleton(str(CONFIRM_NO)):
                return "no"
    lowered = text.casefold().replace("ё", "е")
    if _DENY_RE.search(lowered):  # "not right", "неверно", "let me correct it"
        return "no"
    if _AFFIRM_RE.search(lowered):  # "that's right", "нет, все верно" (no: nothing to correct)
        return "yes"
    reading = read_yes_no(text)
    return reading.value if reading.value in ("yes", "no") and not reading.unsure else None


# Words about the read-back itself: whether it was right. Denials first ("not right" holds "right").
_DENY_RE = re.compile(
    r"(?<![\w'])(not right|not correct|not quite|wrong|incorrect|mistake|let me correct|correct it|неверно|не верно|"
    r"неправильно|не правильно|не так|ошиб\w*|исправ\w*|поправ\w*)(?![\w'])"
)
_AFFIRM_RE = re.compile(
    r"(?<![\w'])(that's right|that is right|right|correct|exactly|верно|правильно|так и есть|все так|именно так|"
    r"точно так)(?![\w'])"
)


def confirm_hint_text() -> str:
    """The bot's nudge when a reply to a read-back is neither yes, no nor a new answer."""
    return _("Please press “Yes, that's right” or “No, let me correct it”, or type your answer again.")


def correction_text() -> str:
    """The bot's request after the candidate said a read-back was wrong."""
    return _("All right, please give your answer again.")


def clarification_review_text() -> str:
    """What the bot says when an answer still cannot be read after a clarification: it goes to a person."""
    return _("Thank you. I could not read this answer for sure, so a recruiter will look at it. Let's go on.")
