"""The chat as Telegram shows it: transcript lines as message texts, the awaited question as inline buttons, and
the buttons' ``callback_data`` (written and read here). Pure functions: no ORM, no request, no I/O.

``callback_data`` (at most 64 bytes, Bot API ``InlineKeyboardButton``) is versioned and stateless, so a press
carries all it needs and an old button is recognised as one (``callback_parse``; anything else is ignored):

==================  ==============================================================================
``a1:<qid>:<i>``    answer question ``qid`` with its option ``i`` (yes/no: 0 yes, 1 no; single choice)
``m1:<qid>:<mask>`` multiple choice: toggle; ``mask`` (hex bitmask of option indexes) is the new selection
``M1:<qid>:<mask>`` multiple choice: "Done", answer with the options of ``mask``
``k1:<qid>``        skip the optional question ``qid`` (an empty answer, as the web's "Skip")
``c1:<qid>:<y|n>``  the read-back of an answer to ``qid``: "that's right" / "let me correct it"
``h1``              "Talk to a person"
``s1:<slot_id>``    book the offered interview slot
==================  ==============================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Bot API limits: a message's text, a button's callback_data (bytes), and what a button shows in practice.
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
MAX_LABEL = 60
# A multiple-choice selection is a bitmask of option indexes: the frames' own limit of choices.
MAX_OPTIONS = 20

Button = tuple  # (label, callback_data): ``chat.telegram.client.Buttons``' cells
Keyboard = list  # rows of buttons


@dataclass(frozen=True)
class Callback:
    """A parsed ``callback_data`` (see the module): ``kind`` is one of "answer", "toggle", "done", "skip",
    "confirm", "human", "slot"; ``question_id``, ``index`` (an option, or the toggle/done mask), ``value``
    ("yes"/"no" of a read-back) and ``slot_id`` as the kind has them."""

    kind: str
    question_id: int | None = None
    index: int = 0
    value: str = ""
    slot_id: int | None = None


_ID = r"([1-9][0-9]{0,18})"
_PATTERNS = (
    ("answer", re.compile(rf"^a1:{_ID}:([0-9]{{1,2}})$")),
    ("toggle", re.compile(rf"^m1:{_ID}:([0-9a-f]{{1,5}})$")),
    ("done", re.compile(rf"^M1:{_ID}:([0-9a-f]{{1,5}})$")),
    ("skip", re.compile(rf"^k1:{_ID}$")),
    ("confirm", re.compile(rf"^c1:{_ID}:([yn])$")),
    ("human", re.compile(r"^h1$")),
    ("slot", re.compile(rf"^s1:{_ID}$")),
)


def callback_parse(data) -> Callback | None:
    """The press a button's ``callback_data`` stands for, or None for anything we did not write (garbage, an
    older version, a mask over ``MAX_OPTIONS`` options): the caller answers "out of date" and writes nothing."""
    if not isinstance(data, str) or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    for kind, pattern in _PATTERNS:
        match = pattern.match(data)
        if match is None:
            continue
        groups = match.groups()
        if kind == "human":
            return Callback(kind)
        if kind == "slot":
            return Callback(kind, slot_id=int(groups[0]))
        question_id = int(groups[0])
        if kind == "skip":
            return Callback(kind, question_id=question_id)
        if kind == "confirm":
            return Callback(kind, question_id=question_id, value="yes" if groups[1] == "y" else "no")
        if kind == "answer":
            return Callback(kind, question_id=question_id, index=int(groups[1]))
        mask = int(groups[1], 16)
        if mask >= 1 << MAX_OPTIONS:
            return None
        return Callback(kind, question_id=question_id, index=mask)
    return None


def mask_options(options: list[str], mask: int) -> list[str]:
    """The options a multiple-choice ``mask`` selects, in the question's order (bits past the options ignored)."""
    return [option for i, option in enumerate(options) if mask & (1 << i)]


def _label(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _button(text: str, data: str) -> Button:
    return (_label(text), data)


def clip(text: str) -> str:
    """``text`` cut to a Telegram message's limit (our own lines are shorter; a prefix may push them over)."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def line_text(*, sender: str, text: str, author_name: str | None = None, from_telegram: bool = False) -> str | None:
    """A transcript line (``ChatMessage``: ``sender`` "bot", "recruiter", "system" or "candidate") as the text of a
    Telegram message, in the active language; None when it is not sent.

    The bot speaks as itself; a recruiter's message is prefixed with their first name ("Roman: ..."); a system
    line ("Roman joined the chat") is set apart with dashes. The candidate's own lines are not echoed when they
    came from Telegram (``from_telegram``: Telegram shows them already); typed on the web, they are shown as
    "You (on the web): ..." so that the Telegram thread reads as the same transcript as the web page.
    """
    if sender == "bot":
        return clip(text)
    if sender == "recruiter":
        return clip(f"{author_name}: {text}" if author_name else text)
    if sender == "system":
        return clip(f"— {text} —")
    if sender == "candidate" and not from_telegram:
        return clip(_("You (on the web): %(text)s") % {"text": text})
    return None


def question_keyboard(question: dict, *, mask: int = 0) -> Keyboard:
    """The inline buttons of the awaited question, ``question`` as ``chat.frames.question_data`` gives it
    (``id``, ``kind``, ``options``, ``required``, and ``confirm`` while a read-back awaits yes/no).

    A read-back: its two options. Yes/no: Yes and No. Single choice: one button per option. Multiple choice:
    one toggle per option, "✓" on the selected ones (``mask``), then "Done". An optional question adds "Skip".
    A free-text question has no buttons of its own (the candidate types).
    """
    qid = question["id"]
    confirm = question.get("confirm")
    if confirm:
        return [[_button(o["label"], f"c1:{qid}:{'y' if o['value'] == 'yes' else 'n'}")] for o in confirm["options"]]
    kind, options = question.get("kind"), list(question.get("options") or [])[:MAX_OPTIONS]
    rows: Keyboard = []
    if kind == "yes_no":
        rows.append([_button(_("Yes"), f"a1:{qid}:0"), _button(_("No"), f"a1:{qid}:1")])
    elif kind == "single_choice":
        rows.extend([_button(option, f"a1:{qid}:{i}")] for i, option in enumerate(options))
    elif kind == "multiple_choice":
        for i, option in enumerate(options):
            chosen = bool(mask & (1 << i))
            rows.append([_button(("✓ " if chosen else "") + option, f"m1:{qid}:{mask ^ (1 << i):x}")])
        rows.append([_button(pgettext("telegram button", "Done"), f"M1:{qid}:{mask:x}")])
    if not question.get("required", True):
        rows.append([_button(_("Skip"), f"k1:{qid}")])
    return rows


def human_keyboard() -> Keyboard:
    """The "Talk to a person" button (the web page's), shown while the bot leads the chat."""
    return [[_button(_("Talk to a person"), "h1")]]


def slots_keyboard(payload) -> Keyboard:
    """One button per interview slot of an offer (``ChatMessage.payload["slots"]``, see
    ``screening.services.interview_chat``), labelled in the company's time zone; [] for any other payload."""
    slots = payload.get("slots") if isinstance(payload, dict) else None
    if not isinstance(slots, list):
        return []
    rows = []
    for slot in slots:
        if isinstance(slot, dict) and isinstance(slot.get("id"), int) and slot["id"] > 0:
            rows.append([_button(str(slot.get("label") or slot["id"]), f"s1:{slot['id']}")])
    return rows


def answered_text(text: str, shown: str) -> str:
    """A question's message after the candidate pressed one of its buttons: the question and what they chose
    (the buttons are taken away), so the thread keeps the answer as the web transcript does."""
    return clip(f"{text}\n\n→ {shown}")
