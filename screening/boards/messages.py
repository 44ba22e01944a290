"""The messages SmartBot sends a candidate through a job board (hh.ru): the invitation to the screening, and the
message that goes with a recruiter's decision. Pure: no ORM, no request.

Three kinds (``KINDS``): ``"invite"`` (after an import: our private chat link), ``"accept"`` (a positive
decision written back) and ``"discard"`` (a rejection written back). Each has a default wording (gettext: call
``message_default`` under ``translation.override(vacancy language)``) and a company may write its own
(``BoardConnection.invite_message`` and so on, blank = the default), checked by ``message_validate`` when it is
saved. The placeholders are parsed and filled by ``screening.emails`` (``placeholder_errors``, ``text_render``),
the same rules as the emails: a misspelt or unpaired placeholder is refused with a sentence, rendering never
calls ``str.format``. A paragraph naming ``{telegram_link}`` is left out when the company has no Telegram bot
(the value is empty), so no sentence points at nothing.

``decision_for`` maps a response's status onto what is written to the board.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import emails
from .base import DECISION_DISCARD, DECISION_INVITE

INVITE = "invite"
ACCEPT = "accept"
DISCARD = "discard"
KINDS = (INVITE, ACCEPT, DISCARD)
# The message that goes with each decision written back (``DECISION_*`` -> kind).
DECISION_MESSAGE = {DECISION_INVITE: ACCEPT, DECISION_DISCARD: DISCARD}

PLACEHOLDERS = {
    "first_name": gettext_lazy("the candidate's first name (empty when unknown)"),
    "vacancy": gettext_lazy("the vacancy's title"),
    "company": gettext_lazy("the company's name"),
    "chat_link": gettext_lazy("the candidate's private link to the screening chat"),
    "telegram_link": gettext_lazy("the link to take the screening in Telegram (empty without a Telegram bot)"),
}
# The placeholder a kind exists to carry: the invitation without the chat link would invite to nothing.
REQUIRED = {INVITE: "chat_link"}
# Placeholders whose paragraph is left out when their value is empty.
OPTIONAL_PARAGRAPH = frozenset({"telegram_link"})
# hh.ru takes up to 4000 characters in a message; the values filled in need room too.
MAX_LENGTH = 2000

# Response statuses -> the decision written to the board; other statuses write nothing.
_DECISIONS = {
    "shortlisted": DECISION_INVITE,
    "interview": DECISION_INVITE,
    "offer": DECISION_INVITE,
    "hired": DECISION_INVITE,
    "declined": DECISION_DISCARD,
    "rejected": DECISION_DISCARD,
}


def decision_for(status: str) -> str:
    """What a response with ``status`` (a ``Response.Status`` value) is on the board: ``DECISION_INVITE`` for
    shortlisted, interview, offer and hired; ``DECISION_DISCARD`` for declined and rejected; "" for the others
    (new, in chat, passed, needs review, withdrawn): nothing to write."""
    return _DECISIONS.get(status, "")


def message_default(kind: str) -> str:
    """The default wording of ``kind`` in the active language. Raises ``KeyError`` for an unknown kind."""
    defaults = {
        INVITE: _(
            "Hello, {first_name}!\n\n"
            "Thank you for your response to {vacancy} at {company}. The next step is a short screening chat: an "
            "automated assistant asks a few questions about the job, and a person at the company makes the "
            "decision. It takes a few minutes:\n{chat_link}\n\n"
            "You can also answer in Telegram:\n{telegram_link}\n\n"
            "The link is private to you."
        ),
        ACCEPT: _(
            "Hello, {first_name}!\n\n"
            "Thank you for the screening for {vacancy}. We would like to continue with your application: "
            "we will contact you about the next step soon.\n\n{company}"
        ),
        DISCARD: _(
            "Hello, {first_name}!\n\n"
            "Thank you for your interest in {vacancy} at {company}. After careful consideration we have decided "
            "not to continue with your application. We wish you the best in your search.\n\n{company}"
        ),
    }
    return defaults[kind]


def message_validate(kind: str, text: str) -> list[str]:
    """Every problem of a company's wording of ``kind``, as sentences in the active language; empty when it is
    fine. Blank is fine (the default is used). Checked: the length, the placeholders (unknown, unpaired braces,
    anything after the name: ``screening.emails.placeholder_errors``) and, for the invitation, ``{chat_link}``.
    Raises ``KeyError`` for an unknown kind."""
    if kind not in KINDS:
        raise KeyError(kind)
    if not text.strip():
        return []
    label = _("Message")
    errors = []
    if len(text) > MAX_LENGTH:
        errors.append(_("%(part)s: at most %(limit)d characters.") % {"part": label, "limit": MAX_LENGTH})
    problems = emails.placeholder_errors(text, label=label, allowed=PLACEHOLDERS, known=PLACEHOLDERS)
    errors.extend(problems)
    required = REQUIRED.get(kind)
    if required and not problems and required not in emails.placeholder_names(text):
        errors.append(_("The invitation must contain {chat_link}: it is the candidate's private link to the chat."))
    return list(dict.fromkeys(errors))


def render(kind: str, template: str = "", **values: str) -> str:
    """The text of ``kind`` to send: ``template`` (a company's wording; blank = ``message_default(kind)`` in the
    active language) filled from ``values`` (``PLACEHOLDERS`` names; missing ones empty).

    A paragraph naming an empty ``OPTIONAL_PARAGRAPH`` placeholder is left out. A kind's required placeholder
    that the template lacks (a wording saved before the check) is added as its own last paragraph, so the
    invitation always carries the link. A template whose braces do not pair (never saved through the check)
    falls back to the default. Raises ``KeyError`` for an unknown kind.
    """
    default = message_default(kind)
    template = template.strip() or default
    try:
        names = emails.placeholder_names(template)
    except ValueError:
        template, names = default, emails.placeholder_names(default)
    required = REQUIRED.get(kind)
    if required and required not in names:
        template = f"{template}\n\n{{{required}}}"
    kept = []
    for paragraph in re.split(r"\n\s*\n", template.replace("\r\n", "\n")):
        try:
            used = emails.placeholder_names(paragraph)
        except ValueError:  # a brace pair split across paragraphs: keep the paragraph as it is
            used = set()
        if any(name in OPTIONAL_PARAGRAPH and not values.get(name) for name in used):
            continue
        kept.append(paragraph)
    text = "\n\n".join(kept)
    try:
        return emails.text_render(text, values, known=PLACEHOLDERS).strip()
    except ValueError:
        return emails.text_render(default, values, known=PLACEHOLDERS).strip()
