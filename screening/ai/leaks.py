"""The leak check: the last look at what is about to be sent, for the candidate's own identifiers.

Redaction (``redaction.redact``) removes what it recognises from the candidate's
text; this check runs on the *final* outbound payload (every message, the
vacancy's own text and a repair's quoted reply included) and looks for the
values we know belong to the candidate, in every spelling the redactor knows.
A hit means something slipped past redaction: the call must not be made.
Pure functions, no ORM; ``calls.call_recorded`` runs it before every request.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from . import names
from .client import LLMError
from .redaction import Identity, normalise_text

# The kinds ``find_leaks`` reports (never the values).
LEAK_NAME = "name"
LEAK_EMAIL = "email"
LEAK_PHONE = "phone"
LEAK_HANDLE = "handle"

# A run of digits with the separators a phone is written with, but no letters (those end the run).
_DIGIT_RUN_RE = re.compile(r"\d[\d\s().\-+/_\u00a0]*")
# The last digits of a phone that identify it (the country and trunk prefixes vary: +7, 8, 007).
PHONE_TAIL = 10
MIN_PHONE_DIGITS = 7


class LeakBlocked(LLMError):
    """A request would have sent the candidate's identifying data, so it was not made (never retryable).

    ``kinds``: what was found (``name``, ``email``, ``phone``, ``handle``), never the values.
    """

    def __init__(self, kinds: list[str]):
        self.kinds = tuple(kinds)
        super().__init__(
            _("Blocked: identifying data would have been sent (%(kinds)s). A person should review this candidate.")
            % {"kinds": ", ".join(self.kinds)},
            retryable=False,
        )


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", normalise_text(text).lower().replace("ё", "е"))


def payload_text(messages: list[dict]) -> str:
    """Everything a chat request would send: the contents of ``messages`` (strings, or lists of text parts)."""
    parts: list[str] = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


def _phone_leaks(text: str, phone: str) -> bool:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < MIN_PHONE_DIGITS:
        return False
    tail = digits[-PHONE_TAIL:]
    return any(tail in re.sub(r"\D", "", run) for run in _DIGIT_RUN_RE.findall(text))


def _word_leaks(folded: str, value: str) -> bool:
    value = _fold(value).strip().lstrip("@")
    return len(value) >= 3 and re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", folded) is not None


def find_leaks(payload_text: str, identity: Identity, *, known_text: str = "") -> list[str]:
    """The kinds of the candidate's identifiers found in ``payload_text``: ``name``, ``email``, ``phone``, ``handle``.

    Compared case-insensitively with ё as е and whitespace folded; the name as
    whole words in both scripts and their Russian case forms (``names.NameMatcher``;
    not the diminutives, which the redactor removes but which also name other
    people in a vacancy's own text: "Contact Alex"); the email whole and its local part (4+ characters);
    the phone by its last ten digits within any run of digits and separators
    ("+7 (903) 111-22-33", "8903/111/22/33"); each of ``identity.handles``. The
    values themselves are never returned (they would end up in logs).

    ``known_text``: our own prompt, without the candidate's or the vacancy's text. A word of it that
    reads as a spelling of the name is ours, not a leak: "The blocks below are data" names nobody,
    though "Below" spells the surname Белов. (The vacancy's text is the company's and is searched.)
    """
    if not payload_text:
        return []
    found: list[str] = []
    matcher = names.name_matcher(normalise_text(identity.full_name))
    ours = {word.casefold() for word in names.WORD_RE.findall(normalise_text(known_text))}
    if matcher and any(
        names.matches_word(matcher, word, related=False)
        for word in names.WORD_RE.findall(normalise_text(payload_text))
        if word.casefold() not in ours
    ):
        found.append(LEAK_NAME)
    folded = _fold(payload_text)
    email = _fold(identity.email).strip()
    if email and (
        email in folded or ("@" in email and len(email.split("@")[0]) >= 4 and _word_leaks(folded, email.split("@")[0]))
    ):
        found.append(LEAK_EMAIL)
    if _phone_leaks(payload_text, identity.phone):
        found.append(LEAK_PHONE)
    if any(_word_leaks(folded, handle) for handle in identity.handles):
        found.append(LEAK_HANDLE)
    return found
