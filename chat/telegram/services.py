"""Telegram as one more door into the screening chat (issue 16; docs/integrations.md, "Telegram").

``telegram_update_handle`` takes one update (from the webhook or from polling) and runs the SAME chat services
as the web page's no-JavaScript form: ``chat_open``, ``chat_candidate_message``, ``chat_human_request``,
``chat_book``, ``chat_candidate_reply``. Client ids are built from Telegram's ids (``tg<chat>:<message>`` for a
typed message, ``tgcb<callback query>`` for a press), so an update Telegram sends again is a duplicate that
writes nothing, and a candidate switching between the web and Telegram continues at the waiting question. The
turn is fanned out to watching recruiters exactly as ``chat.views.candidate_chat_send`` does, then the bot's
reply is delivered (``chat.telegram.delivery``).

Binding: the deep link ``t.me/<bot>?start=<code>`` (``screening.services.telegram_links``) sends ``/start
<code>``; the ``TelegramLink`` with that code (an application of the bot's company) is bound to the chat. What
the candidate types afterwards goes to the application bound last in that chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from screening.models import ChatMessage, Response, TelegramBot, TelegramLink
from smartbot.counters import count_in_window

from .. import frames as f
from .. import live, selectors, services
from ..services.slots import chat_book
from ..texts import confirm_options
from . import render
from .client import TelegramClient, TelegramError, parse_update
from .connect import telegram_bot_connect, telegram_bot_disconnect
from .delivery import awaited_keyboard, telegram_deliver
from .nudge import telegram_nudge

__all__ = [
    "telegram_bot_connect",
    "telegram_bot_disconnect",
    "telegram_deliver",
    "telegram_nudge",
    "telegram_update_handle",
]

logger = logging.getLogger(__name__)

# Updates (messages and presses) handled per Telegram chat and minute; the rest are dropped, the first one dropped
# is told why. A person answering questions sends a few; this stops a script from flooding the chat's turns.
UPDATES_PER_MINUTE = 40


@dataclass
class Incoming:
    """What one update says, read from ``telegram.Update``: a typed message or a button press in a private chat."""

    chat_id: int
    user_id: int
    username: str
    message_id: int
    language: str = "en"  # the user's Telegram language, for what we say before an application is known
    text: str | None = None  # a message's text (None: a sticker, a photo... that we cannot read)
    callback_id: str = ""  # a press: the callback query's id, its data, and the text of the pressed message
    data: str = ""
    pressed_text: str = ""


def _incoming(update: dict) -> Incoming | None:
    """The update as ``Incoming``, or None for anything we do not handle (edits, groups, channels, garbage)."""
    try:
        parsed = parse_update(update)
    except TelegramError:
        return None
    if parsed.callback_query is not None:
        query = parsed.callback_query
        message = query.message
        if message is None or message.chat is None or message.chat.type != "private":
            return None
        return Incoming(
            chat_id=message.chat.id,
            user_id=query.from_user.id,
            username=query.from_user.username or "",
            message_id=message.message_id,
            language=_language(query.from_user.language_code),
            callback_id=str(query.id),
            data=query.data or "",
            pressed_text=getattr(message, "text", None) or "",
        )
    message = parsed.message
    if message is None or message.chat.type != "private" or message.from_user is None:
        return None
    return Incoming(
        chat_id=message.chat.id,
        user_id=message.from_user.id,
        username=message.from_user.username or "",
        message_id=message.message_id,
        language=_language(message.from_user.language_code),
        text=message.text,
    )


def _language(code: str | None) -> str:
    return "ru" if (code or "").lower().startswith("ru") else "en"


def telegram_update_handle(*, bot: TelegramBot, update: dict) -> None:
    """Handle one Telegram update of ``bot`` (a raw Bot API dict, as the webhook or ``getUpdates`` gives it).

    ``/start <code>`` binds an application (``telegram_link_bind``); a typed message or a button press goes to
    the application bound last in the chat. Every press is answered (Telegram shows a spinner until then); a
    press of a button that is out of date writes nothing and says so. Safe to run twice for one update.
    Raises only for failures of ours (the database): the webhook answers 500 then, and Telegram sends it again.
    """
    incoming = _incoming(update)
    if incoming is None:
        return
    client = TelegramClient(bot.token)
    spent = count_in_window(f"telegram-updates:{bot.pk}:{incoming.chat_id}", seconds=60)
    if spent > UPDATES_PER_MINUTE:
        if spent == UPDATES_PER_MINUTE + 1:
            with translation.override(incoming.language):
                _say(client, incoming.chat_id, _("Too many messages at once. Please wait a minute and go on."))
        if incoming.callback_id:
            _answer(client, incoming, "")
        return
    # A candidate who blocked the bot and writes again has unblocked it.
    TelegramLink.objects.filter(bot=bot, chat_id=incoming.chat_id, blocked_at__isnull=False).update(blocked_at=None)
    if incoming.callback_id:
        _press(bot, client, incoming)
        return
    text = incoming.text
    if text is not None and (text == "/start" or text.startswith("/start ")):
        _start(bot, client, incoming, text[len("/start") :].strip())
        return
    link = _link_in_chat(bot, incoming.chat_id)
    if link is None:
        _say(client, incoming.chat_id, _link_needed_text(incoming.language))
        return
    with translation.override(link.response.vacancy.language):
        if text is None:
            _say(client, incoming.chat_id, _("I can read text messages and button presses only."))
            return
        _typed(link, client, incoming, text)


# --- binding ---------------------------------------------------------------------------------------------------


def _link_needed_text(language: str) -> str:
    with translation.override(language):
        return _(
            "Hello! To take the screening here, open the “Continue in Telegram” link from your application "
            "(in the email we sent you, or on your chat page)."
        )


def _start(bot: TelegramBot, client: TelegramClient, incoming: Incoming, code: str) -> None:
    if not code:  # Telegram's own "Start" button, or /start typed: where the chat bound here stands, if any
        bound = _link_in_chat(bot, incoming.chat_id)
        if bound is not None:
            with translation.override(bound.response.vacancy.language):
                text, buttons = _where_it_stands(bound.response)
                _say(client, incoming.chat_id, text, buttons)
            return
    link = telegram_link_bind(bot=bot, code=code, user_id=incoming.user_id, chat_id=incoming.chat_id,
                              username=incoming.username)  # fmt: skip
    if link is None:
        _say(client, incoming.chat_id, _link_needed_text(incoming.language))
        return
    response = link.response
    with translation.override(response.vacancy.language):
        if link.user_id != incoming.user_id:
            _say(
                client,
                incoming.chat_id,
                _(
                    "This application is already connected to another Telegram account. If it is yours, continue "
                    "there or in your browser with the link from your email."
                ),
            )
            return
        welcome = _("This chat is now connected to your application for “%(title)s” at %(company)s.") % {
            "title": response.vacancy.title,
            "company": response.vacancy.company.name,
        }
        who = _("I am an automated assistant: I ask the questions, and a person at the company makes the decision.")
        _say(client, incoming.chat_id, f"{welcome} {who}")
        text, buttons = _where_it_stands(response)
        _say(client, incoming.chat_id, text, buttons)


def telegram_link_bind(*, bot: TelegramBot, code: str, user_id: int, chat_id: int, username: str = ""):
    """Bind the application whose deep-link ``code`` this is to a Telegram chat, and open its chat.

    Returns the ``TelegramLink`` (``user_id`` tells whether it is bound to this user: one bound to another
    Telegram account is returned unchanged, and refused by the caller), or None for a code that is unknown, of
    another company's application, or of an erased or withdrawn one. The same user binding again is fine (a
    second /start). The delivery cursor moves to the latest line: the thread starts with the welcome and the
    awaited question, not with the transcript so far.
    """
    if not code or len(code) > 64:
        return None
    with transaction.atomic():
        link = (
            TelegramLink.objects.select_for_update(of=("self",))
            .select_related("response__vacancy__company")
            .filter(code=code, response__vacancy__company_id=bot.company_id)
            .first()
        )
        if link is None or link.response.erased_at is not None or link.response.status == Response.Status.WITHDRAWN:
            return None
        if link.user_id is not None and link.user_id != user_id:
            return link
        link.bot, link.chat_id, link.user_id, link.username = bot, chat_id, user_id, (username or "")[:64]
        link.bound_at, link.blocked_at = timezone.now(), None
        link.save(update_fields=["bot", "chat_id", "user_id", "username", "bound_at", "blocked_at"])
    response = link.response
    if selectors.chat_link_status(response=response).is_open:
        services.chat_open(response=response)  # the first open greets and asks (those lines are the web's)
    latest = ChatMessage.objects.filter(session__response=response).aggregate(last=Max("pk"))["last"] or 0
    TelegramLink.objects.filter(pk=link.pk).update(delivered_message_id=latest)
    link.delivered_message_id = latest
    return link


def _where_it_stands(response: Response) -> tuple[str, render.Keyboard]:
    """The thread's first message after binding: the awaited question with its buttons, or the chat's state."""
    if not selectors.chat_link_status(response=response).is_open:
        return _("The chat is finished. Thank you!"), []
    ctx, snapshot = services.chat_snapshot(response=response)
    if snapshot.state == services.STATE_FINISHED:
        if services.chat_reply_open(response=response):
            return _("The screening is finished. You can reply to the recruiter here."), []
        return _("The chat is finished. Thank you!"), []
    if snapshot.state == services.STATE_PAUSED and snapshot.recruiter is not None:
        name = f.author_name(snapshot.recruiter)
        return _("%(name)s from the company is in the chat: write your message here.") % {"name": name}, []
    if snapshot.question is None:
        return _("The chat is finished. Thank you!"), []
    number, total = ctx.question_number(snapshot.question), len(ctx.questions)
    head = _("Question %(number)s of %(total)s") % {"number": number, "total": total}
    text = snapshot.confirm["text"] if snapshot.confirm else snapshot.question.text
    return f"{head}: {text}", awaited_keyboard(response=response)


def _link_in_chat(bot: TelegramBot, chat_id: int, *, question_id: int | None = None) -> TelegramLink | None:
    """The application the chat is on (what the candidate types goes there), or None: of the applications bound
    in this chat of the bot, the one bound or written to last (``telegram_deliver`` moves ``bound_at`` when it
    speaks for one of several). ``question_id``: the one whose script has that question, if any."""
    links = TelegramLink.objects.select_related("response__vacancy__company", "bot").filter(
        bot=bot, chat_id=chat_id, response__erased_at__isnull=True
    )
    if question_id is not None:
        owner = links.filter(response__vacancy__questions__pk=question_id).order_by("-bound_at").first()
        if owner is not None:
            return owner
    return links.order_by("-bound_at").first()


# --- a typed message and a press ---------------------------------------------------------------------------------


def _typed(link: TelegramLink, client: TelegramClient, incoming: Incoming, text: str) -> None:
    response = link.response
    client_id = f"tg{incoming.chat_id}:{incoming.message_id}"
    if len(text) > f.MAX_TEXT_CHARS:
        _say(client, incoming.chat_id, _("The message is longer than 4,000 characters."))
        return
    if f.has_forbidden_chars(text):
        _say(client, incoming.chat_id, _("The message holds characters that cannot be stored."))
        return
    if not selectors.chat_link_status(response=response).is_open:
        _say(client, incoming.chat_id, _("The chat is finished. Thank you!"))
        return
    ctx, snapshot = services.chat_open(response=response)
    try:
        if snapshot.state == services.STATE_FINISHED:
            if not services.chat_reply_open(response=response):
                _say(client, incoming.chat_id, _finished_text())
                return
            turn = services.chat_candidate_reply(response=response, text=text, client_id=client_id)
            if not turn.duplicate:
                live.broadcast_frames(
                    response_id=response.pk, frames=[f.message_frame(turn.own_message)], staff_only=True
                )
                _say(client, incoming.chat_id, _("Your reply was sent."))
        else:
            turn = services.chat_candidate_message(ctx=ctx, client_id=client_id, text=text)
            if turn.error is not None:  # refused (the script changed), and the question now awaited is asked
                _say(client, incoming.chat_id, turn.error.message)
            _fan_out(ctx, turn)
    except services.ChatError as error:
        _say(client, incoming.chat_id, error.message)
    _deliver(response.pk)


def _finished_text() -> str:
    return _("The screening is finished. Thank you! The company will contact you.")


def _press(bot: TelegramBot, client: TelegramClient, incoming: Incoming) -> None:
    press = render.callback_parse(incoming.data)
    # A button of a question belongs to that question's application, whichever the chat is on now (one person,
    # two vacancies, one chat with the bot).
    question_id = press.question_id if press is not None else None
    link = _link_in_chat(bot, incoming.chat_id, question_id=question_id)
    language = link.response.vacancy.language if link is not None else incoming.language
    with translation.override(language):
        if press is None or link is None or not selectors.chat_link_status(response=link.response).is_open:
            _answer(client, incoming, _("This button is out of date."))
            return
        response = link.response
        client_id = f"tgcb{incoming.callback_id}"[:64]
        ctx, snapshot = services.chat_open(response=response)
        if snapshot.state == services.STATE_PAUSED and press.kind not in ("human", "slot"):
            # A person leads the chat: a question's button would be a message to them, not an answer.
            _answer(client, incoming, _("A person from the company is in the chat now: write to them here."))
            return
        try:
            if press.kind == "toggle":
                _toggle(client, incoming, ctx, snapshot, press)
                return
            if press.kind == "slot":
                booked = chat_book(ctx=ctx, slot_id=press.slot_id, client_id=client_id)
                _answer(client, incoming, "")
                if not booked.duplicate:
                    _edit(client, incoming, None)
                    live.broadcast_frames(response_id=response.pk, frames=[f.message_frame(booked.message)])
                _deliver(response.pk)
                return
            if press.kind == "human":
                turn = services.chat_human_request(ctx=ctx, client_id=client_id)
                shown = None
            else:
                answer = _answer_of(ctx, snapshot, press)
                if answer is None:
                    _answer(client, incoming, _("This button is out of date."))
                    return
                text, choices, shown = answer
                turn = services.chat_candidate_message(
                    ctx=ctx, client_id=client_id, text=text, choices=choices, question_id=press.question_id
                )
        except services.ChatError as error:
            stale = error.code in ("stale_question", "script_changed")
            _answer(client, incoming, _("This button is out of date.") if stale else error.message[:200])
            return
        _answer(client, incoming, turn.error.message[:200] if turn.error is not None else "")
        if not turn.duplicate:
            _edit(client, incoming, shown)
            _fan_out(ctx, turn)
    _deliver(response.pk)


def _answer_of(ctx, snapshot, press: render.Callback) -> tuple[str, list[str] | None, str] | None:
    """``(text, choices, shown)`` a press answers with, or None when the button no longer fits the chat: the
    question is unknown, or the press is of another kind than the question (or its read-back) awaits."""
    question = ctx.question_by_id(press.question_id)
    if question is None:
        return None
    options = f.question_data(question, number=1, total=1)["options"]
    awaited = snapshot.question is not None and snapshot.question.pk == question.pk
    if awaited and snapshot.confirm and press.kind != "confirm":
        return None  # the question's own buttons, pressed while its read-back awaits yes or no
    if press.kind == "confirm":
        if not awaited or not snapshot.confirm:
            return None  # that read-back was answered already
        label = next(o["label"] for o in confirm_options() if o["value"] == press.value)
        return label, None, label
    if press.kind == "skip":
        return ("", None, _("Skip")) if not question.required else None
    if press.kind == "done":
        if question.kind != "multiple_choice":
            return None
        chosen = render.mask_options(options, press.index)
        return "", chosen, ", ".join(chosen) or "—"
    if press.kind == "answer" and question.kind in ("yes_no", "single_choice") and press.index < len(options):
        value = options[press.index]
        shown = {"yes": _("Yes"), "no": _("No")}.get(value, value) if question.kind == "yes_no" else value
        return value, None, shown
    return None


def _toggle(client: TelegramClient, incoming: Incoming, ctx, snapshot, press: render.Callback) -> None:
    """A multiple-choice toggle: the buttons redrawn with the new selection; nothing is written."""
    question = snapshot.question
    if (
        snapshot.state != services.STATE_ACTIVE
        or question is None
        or question.pk != press.question_id
        or question.kind != "multiple_choice"
        or snapshot.confirm
    ):
        _answer(client, incoming, _("This button is out of date."))
        return
    data = f.question_in(ctx, question)
    _answer(client, incoming, "")
    buttons = render.question_keyboard(data, mask=press.index) + render.human_keyboard()
    try:
        client.edit_buttons(chat_id=incoming.chat_id, message_id=incoming.message_id, buttons=buttons)
    except TelegramError as error:
        logger.info("telegram toggle redraw failed: %s", error)


def _fan_out(ctx, turn) -> None:
    """Every socket of the response sees the turn: watching recruiters, and the candidate's own web chat if it is
    open (unlike a web turn, whose sender already has it, a Telegram turn is news to every web page)."""
    if not turn.duplicate:
        live.broadcast_frames(response_id=ctx.response_id, frames=f.turn_frames(ctx, turn), staff_only=False)


def _deliver(response_id: int) -> None:
    """The bot's reply to Telegram now; a send Telegram asks to retry goes to the task (with its wait)."""
    from .. import tasks

    try:
        telegram_deliver(response_id=response_id)
    except TelegramError as error:
        countdown = error.retry_after or 5
        tasks.telegram_deliver.apply_async((response_id,), countdown=countdown)


# --- talking back (best effort: the turn is committed; the delivery's cursor resends what matters) --------------


def _say(client: TelegramClient, chat_id: int, text: str, buttons: render.Keyboard | None = None) -> None:
    try:
        client.send_message(chat_id=chat_id, text=render.clip(text), buttons=buttons or None)
    except TelegramError as error:
        logger.info("telegram reply not sent: %s", error)


def _answer(client: TelegramClient, incoming: Incoming, text: str) -> None:
    try:
        client.answer_callback(callback_query_id=incoming.callback_id, text=text)
    except TelegramError as error:
        logger.info("telegram callback answer not sent: %s", error)


def _edit(client: TelegramClient, incoming: Incoming, shown: str | None) -> None:
    """Take the pressed message's buttons away, appending what was chosen (``shown``) to its text."""
    try:
        if shown is not None and incoming.pressed_text:
            text = render.answered_text(incoming.pressed_text, shown)
            client.edit_text(chat_id=incoming.chat_id, message_id=incoming.message_id, text=text)
        else:
            client.edit_buttons(chat_id=incoming.chat_id, message_id=incoming.message_id, buttons=None)
    except TelegramError as error:
        logger.info("telegram edit failed: %s", error)
