"""What the bot says at a chat's start and end: pure functions of the vacancy and the candidate (the demo's too).

Re-exported by ``chat.services``, which writes them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from screening.models import Response
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
    if vacancy.show_outcome:
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
