"""The wording of candidates' emails: defaults, placeholders, validation and rendering. Pure: no ORM, no request.

A template is a ``subject`` and a plain-text ``body`` with ``{placeholder}`` fields (``PLACEHOLDERS``); each
email offers only the ones its sender fills (``template_placeholders``: the names every email has, and those of
``KEY_PLACEHOLDERS``). The defaults are gettext strings: call ``template_default`` under
``translation.override(language)`` to get the Russian from the catalogue. A company's own wording
(``EmailTemplate``) is checked by ``template_validate`` when it is saved, so rendering (``template_render``) never
fails at send time: it reads the same fields with ``string.Formatter().parse`` and never calls ``str.format`` (no
attribute or index access is possible). A template saved before a check still renders (what it lacks added, what
its email does not fill left empty).
docs/notifications.md lists every email and when it goes.
"""

from __future__ import annotations

import functools
import re
import string
from html import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Placeholder name -> what it holds (for the editor's help, lazily translated).
PLACEHOLDERS = {
    "first_name": gettext_lazy("the candidate's first name (empty when unknown)"),
    "vacancy": gettext_lazy("the vacancy's title"),
    "company": gettext_lazy("the company's name"),
    "link": gettext_lazy("the candidate's private link to the chat and their application"),
    "application_link": gettext_lazy("the candidate's private page: their application's status and data"),
    "outcome": gettext_lazy("the screening's outcome in a sentence, when the vacancy tells it (else empty)"),
    "slot": gettext_lazy("the interview: time, place or video link"),
    "previous_slot": gettext_lazy("the interview's earlier time, when it was moved (else empty)"),
    "slots": gettext_lazy("the first free interview times, one per line, in the candidate's time zone"),
    "booking_url": gettext_lazy("the link to book, move or cancel an interview"),
    "reason": gettext_lazy("the reason for a decline, when the vacancy states it (else empty)"),
    "message": gettext_lazy("the recruiter's message"),
}
# What every candidate email fills (``screening.services.emails.candidate_email_context``).
COMMON_PLACEHOLDERS = ("first_name", "vacancy", "company", "link", "application_link")
# What each email's sender fills besides: keep in step with the callers of ``candidate_email_send``. An email
# not named here has the common ones only (application_received, decisions but the decline, chat_reminder).
KEY_PLACEHOLDERS = {
    "screening_finished": ("outcome",),  # services.emails.candidate_email_render
    "decision_declined": ("reason",),  # services.emails.decision_email_send
    "recruiter_message": ("message",),  # chat.services.after
    "slots_offered": ("slots", "booking_url"),  # services.scheduling.slots_offer
    # services.interview_emails: previous_slot when the interview moved
    "booking_confirmed": ("slot", "previous_slot", "booking_url"),
    "booking_cancelled": ("slot", "booking_url"),
    "interview_reminder": ("slot", "booking_url"),
}
# The default wording of ``booking_confirmed`` when the interview moved (``template_default`` takes it as a key;
# it is no ``EmailTemplate.Key``: a company's own wording of ``booking_confirmed`` serves moves too).
BOOKING_MOVED = "booking_moved"
# Placeholders whose value is a URL: a link in the HTML part.
URL_PLACEHOLDERS = frozenset({"link", "application_link", "booking_url"})
# Sample values for the template editor's preview, per language: what a candidate of that language would read
# (the slot as ``screening.services.calendars.slot_text`` writes it in that language).
SAMPLE_CONTEXTS = {
    "en": {
        "first_name": "Anna",
        "vacancy": "Python developer",
        "company": "Acme",
        "link": "https://smartbot.example/c/sample-private-link/",
        "application_link": "https://smartbot.example/c/sample-private-link/application/",
        "outcome": "",
        "slot": "Tuesday, 12 May 2026, 15:00–15:45 (Europe/Moscow); https://meet.example/abc",
        "previous_slot": "Monday, 11 May 2026, 10:00–10:45 (Europe/Moscow)",
        "slots": (
            "• Tuesday, 12 May 2026, 15:00–15:45 (Europe/Moscow)\n"
            "• Tuesday, 12 May 2026, 16:00–16:45 (Europe/Moscow)\n"
            "• Wednesday, 13 May 2026, 10:00–10:45 (Europe/Moscow)"
        ),
        "booking_url": "https://smartbot.example/c/sample-private-link/interview/",
        "reason": "We chose candidates with more experience of PostgreSQL.",
        "message": "Could you tell us when you can start?",
    },
    "ru": {
        "first_name": "Анна",
        "vacancy": "Python-разработчик",
        "company": "Ромашка",
        "link": "https://smartbot.example/c/sample-private-link/",
        "application_link": "https://smartbot.example/c/sample-private-link/application/",
        "outcome": "",
        "slot": "вторник, 12 мая 2026, 15:00–15:45 (Europe/Moscow); https://meet.example/abc",
        "previous_slot": "понедельник, 11 мая 2026, 10:00–10:45 (Europe/Moscow)",
        "slots": (
            "• вторник, 12 мая 2026, 15:00–15:45 (Europe/Moscow)\n"
            "• вторник, 12 мая 2026, 16:00–16:45 (Europe/Moscow)\n"
            "• среда, 13 мая 2026, 10:00–10:45 (Europe/Moscow)"
        ),
        "booking_url": "https://smartbot.example/c/sample-private-link/interview/",
        "reason": "Мы выбрали кандидатов с большим опытом работы с PostgreSQL.",
        "message": "Подскажите, когда вы сможете приступить к работе?",
    },
}
SAMPLE_CONTEXT = SAMPLE_CONTEXTS["en"]


def sample_context(language: str) -> dict:
    """A copy of the preview's sample values in ``language`` (English for a language without its own)."""
    return dict(SAMPLE_CONTEXTS.get(language, SAMPLE_CONTEXT))


SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


def template_placeholders(key: str | None = None) -> dict:
    """The placeholders an email of ``key`` (an ``EmailTemplate.Key`` value, or ``BOOKING_MOVED``) can use, as
    name -> what it holds, in ``PLACEHOLDERS``' order: ``COMMON_PLACEHOLDERS`` and the key's own
    (``KEY_PLACEHOLDERS``). Every placeholder for ``key=None``."""
    if key is None:
        return dict(PLACEHOLDERS)
    own = KEY_PLACEHOLDERS.get("booking_confirmed" if key == BOOKING_MOVED else key, ())
    allowed = {*COMMON_PLACEHOLDERS, *own}
    return {name: text for name, text in PLACEHOLDERS.items() if name in allowed}


def template_refused(key: str, subject: str, body: str) -> list[str]:
    """The known placeholders a saved template of ``key`` uses that its email does not fill (saved before each
    email had its own), as ``{name}``; they render empty. Empty when there are none or the braces do not pair."""
    allowed = template_placeholders(key)
    try:
        names = placeholder_names(subject) | placeholder_names(body)
    except ValueError:
        return []
    return ["{" + name + "}" for name in PLACEHOLDERS if name in names and name not in allowed]


def template_default(key: str) -> tuple[str, str]:
    """The default ``(subject, body)`` of an ``EmailTemplate.Key`` value (or ``BOOKING_MOVED``), in the active
    language.

    Raises ``KeyError`` for an unknown key.
    """
    hello = _("Hello {first_name},")
    sign = _("{company} · SmartBot")
    defaults = {
        "application_received": (
            _("Your application: {vacancy} at {company}"),
            _(
                "Thank you for applying to {vacancy} at {company}.\n\n"
                "The next step is a short screening chat: an automated assistant asks a few questions about the "
                "job, and a person at the company makes the decision. Continue here:\n{link}\n\n"
                "Your application, its status and your data (download or erase) are here:\n{application_link}\n\n"
                "Keep this email: the links are private to you. If you did not apply, you can ignore it."
            ),
        ),
        "screening_finished": (
            _("Thank you for the screening: {vacancy} at {company}"),
            _(
                "Thank you for answering our questions about {vacancy} at {company}.\n\n{outcome}\n\n"
                "See where your application stands:\n{link}"
            ),
        ),
        "decision_shortlisted": (
            _("Good news about {vacancy} at {company}"),
            _(
                "Your application to {vacancy} at {company} is on our shortlist. "
                "We will be in touch about the next step soon.\n\n{link}"
            ),
        ),
        "decision_interview": (
            _("An interview for {vacancy} at {company}"),
            _(
                "We would like to invite you to an interview for {vacancy} at {company}. "
                "We will contact you to agree on the time, or you can choose a time here:\n{link}"
            ),
        ),
        "decision_offer": (
            _("An offer for {vacancy} at {company}"),
            _(
                "We are glad to tell you that {company} is preparing an offer for {vacancy}. We will contact you "
                "with the details.\n\n{link}"
            ),
        ),
        "decision_hired": (
            _("Welcome to {company}"),
            _("Congratulations: you are hired for {vacancy} at {company}. We look forward to working with you."),
        ),
        "decision_declined": (
            _("Your application to {vacancy} at {company}"),
            _(
                "Thank you for your interest in {vacancy} at {company}. After careful consideration we have "
                "decided not to continue with your application.\n\n{reason}\n\n"
                "We wish you the best in your search."
            ),
        ),
        "chat_reminder": (
            _("Your screening for {vacancy} is waiting"),
            _(
                "You started the screening chat for {vacancy} at {company} but have not finished it. "
                "It takes a few minutes; continue where you stopped:\n{link}"
            ),
        ),
        "recruiter_message": (
            _("A message about {vacancy} at {company}"),
            _("The team at {company} wrote to you about {vacancy}:\n\n{message}\n\nReply here:\n{link}"),
        ),
        "slots_offered": (
            _("Choose a time for your interview: {vacancy}"),
            _(
                "You passed the screening for {vacancy} at {company}. The first free times for your interview:\n"
                "{slots}\n\nBook one of them, or see every free time, here:\n{booking_url}"
            ),
        ),
        "booking_confirmed": (
            _("Your interview is booked: {vacancy}"),
            _(
                "Your interview for {vacancy} at {company} is booked:\n{slot}\n\n"
                "The invitation is attached. To move or cancel it:\n{booking_url}"
            ),
        ),
        BOOKING_MOVED: (
            _("Your interview is moved: {vacancy}"),
            _(
                "Your interview for {vacancy} at {company} is moved to a new time:\n{slot}\n\n"
                "The earlier time is cancelled: {previous_slot}.\n\n"
                "The updated invitation is attached: your calendar moves the event. To move or cancel it:\n"
                "{booking_url}"
            ),
        ),
        "booking_cancelled": (
            _("Your interview is cancelled: {vacancy}"),
            _(
                "Your interview for {vacancy} at {company} is cancelled:\n{slot}\n\n"
                "To choose another time:\n{booking_url}"
            ),
        ),
        "interview_reminder": (
            _("Reminder: your interview for {vacancy}"),
            _(
                "A reminder of your interview for {vacancy} at {company}:\n{slot}\n\n"
                "To move or cancel it:\n{booking_url}"
            ),
        ),
    }
    subject, body = defaults[key]
    if "{link}" not in body:  # every email carries the candidate's private link
        body = f"{body}\n\n{_required_lines()['link']}"
    return subject, f"{hello}\n\n{body}\n\n{sign}"


def outcome_text(*, verdict: str, show: bool) -> str:
    """The ``{outcome}`` sentence of the "screening finished" email, in the active language: empty unless the
    vacancy tells candidates the outcome (``show``); ``verdict`` is the screening's (passed, rejected,
    needs_review)."""
    if not show:
        return ""
    return {
        "passed": _("You passed the screening. The team will contact you about the next step."),
        "rejected": _("Your answers do not match what this job requires, so we will not continue this time."),
        "needs_review": _("A person at the company will review your answers and let you know."),
    }.get(verdict, "")


@functools.cache
def template_required_placeholder(key: str) -> str:
    """The placeholder an email of ``key`` exists to carry, read from its default wording: ``"booking_url"`` where
    the default offers the booking page (the interview emails), else ``"link"`` (the candidate's private link,
    which every default has). Raises ``KeyError`` for an unknown key."""
    with translation.override("en"):
        _subject, body = template_default(key)
    return "booking_url" if "booking_url" in placeholder_names(body) else "link"


def template_required_missing(key: str, body: str) -> str | None:
    """The placeholder ``key`` needs (``template_required_placeholder``) when ``body`` lacks it, else None (also
    for a body whose braces do not pair: ``template_validate`` says what is wrong with it)."""
    required = template_required_placeholder(key)
    try:
        return None if required in placeholder_names(body) else required
    except ValueError:
        return None


def template_body_completed(key: str, body: str) -> str:
    """``body`` with the line carrying the placeholder ``key`` needs added at its end when it lacks it (a
    company's wording saved before that was checked), in the active language; else ``body`` unchanged."""
    missing = template_required_missing(key, body)
    if missing is None:
        return body
    return f"{body.rstrip()}\n\n{_required_lines()[missing]}"


def template_body_moved(body: str) -> str:
    """A company's ``booking_confirmed`` wording for a moved interview: ``body`` with a last paragraph naming the
    earlier time (``{previous_slot}``) when it does not name it itself, in the active language."""
    try:
        if "previous_slot" in placeholder_names(body):
            return body
    except ValueError:
        return body
    return f"{body.rstrip()}\n\n" + _("Your interview was moved; the earlier time is cancelled: {previous_slot}.")


def _required_lines() -> dict[str, str]:
    return {
        "link": _("Your application, the chat and your data (download or erase) are here:\n{link}"),
        "booking_url": _("To book, move or cancel your interview:\n{booking_url}"),
    }


def _required_error(placeholder: str) -> str:
    if placeholder == "booking_url":
        return _("The body must contain {booking_url}: it is the candidate's link to book, move or cancel.")
    return _("The body must contain {link}: it is the candidate's private link.")


def placeholder_names(text: str) -> set[str]:
    """The placeholder names ``text`` uses; raises ``ValueError`` when its braces do not pair."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


# One piece of a template as written: an escaped brace, a field in braces, or a brace on its own.
_BRACE_TOKEN = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]")


def _field_shown(name: str, conversion: str | None, spec: str) -> str:
    """A field as the owner wrote it (give or take an empty format spec)."""
    return "{" + name + (f"!{conversion}" if conversion is not None else "") + (f":{spec}" if spec else "") + "}"


def _unparsable_field(text: str) -> str | None:
    """The first ``{...}`` of ``text`` that is no field at all (``{first_name!}``), or None when what fails to
    parse is a brace without its pair."""
    for match in _BRACE_TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "}"):
            return None
        if token not in ("{{", "}}"):
            try:
                list(string.Formatter().parse(token))
            except ValueError:
                return token
    return None


def placeholder_errors(text: str, *, label: str, allowed, known=PLACEHOLDERS) -> list[str]:
    """The problems of the ``{placeholder}`` fields of one part of a template (``label``: "Body"), as sentences in
    the active language; empty when they are fine. ``known`` are the names this kind of text has at all,
    ``allowed`` the ones this text may use (a name known but not allowed: "does not fill"). See
    ``template_validate`` for what is refused; other templates (``screening.boards.messages``) check theirs here.
    """
    errors = []
    shown_known = ", ".join("{" + n + "}" for n in allowed)
    try:
        fields = [(name, conversion, spec) for _t, name, spec, conversion in string.Formatter().parse(text)]
    except ValueError:
        field = _unparsable_field(text)
        if field is None:
            return [_("%(part)s: a { or } without its pair. Write {{ or }} for a brace itself.") % {"part": label}]
        return [
            _("%(part)s: unknown placeholder %(field)s. Known ones: %(known)s.")
            % {"part": label, "field": field, "known": shown_known}
        ]
    for name, conversion, spec in fields:
        if name is None:
            continue
        shown = _field_shown(name, conversion, spec)
        if name not in known:
            errors.append(
                _("%(part)s: unknown placeholder %(field)s. Known ones: %(known)s.")
                % {"part": label, "field": shown, "known": shown_known}
            )
        elif name not in allowed:
            errors.append(
                _("%(part)s: this email does not fill %(field)s. It can use: %(known)s.")
                % {"part": label, "field": "{" + name + "}", "known": shown_known}
            )
        elif conversion is not None or spec:
            errors.append(
                _("%(part)s: %(field)s: nothing may follow the name (no ! or :).") % {"part": label, "field": shown}
            )
    return errors


def template_validate(subject: str, body: str, *, key: str | None = None) -> list[str]:
    """Every problem of a template, as clear sentences in the active language; empty when it is fine.

    Checked: both parts present and not too long, a one-line subject, and in each part the braces and
    placeholders: any field that is not a plain known name is an "unknown placeholder" listing the known ones
    (misspelt ``{frist_name}``, empty ``{}``, positional ``{0}``, attribute or index access ``{first_name.upper}``,
    ``{x[0]}``); a known name with a conversion or format spec (``{first_name!r}``, ``{vacancy:>20}``); a stray
    ``{`` or ``}`` (write ``{{`` and ``}}``). With ``key`` (an ``EmailTemplate.Key`` value), "known" means what
    that email fills (``template_placeholders``): another email's placeholder (``{slot}`` in
    ``recruiter_message``) is refused, naming the ones this email can use; and the body must carry the
    placeholder that email exists for (``template_required_placeholder``: ``{link}``, or ``{booking_url}`` in the
    interview emails).
    """
    errors = []
    allowed = template_placeholders(key)
    for label, text, limit in ((_("Subject"), subject, SUBJECT_MAX_LENGTH), (_("Body"), body, BODY_MAX_LENGTH)):
        if not text.strip():
            errors.append(_("%(part)s: cannot be empty.") % {"part": label})
            continue
        if len(text) > limit:
            errors.append(_("%(part)s: at most %(limit)d characters.") % {"part": label, "limit": limit})
        errors.extend(placeholder_errors(text, label=label, allowed=allowed))
    if "\n" in subject.strip() or "\r" in subject.strip():
        errors.append(_("Subject: must be one line."))
    if key is not None and body.strip():
        missing = template_required_missing(key, body)
        if missing is not None:
            errors.append(_required_error(missing))
    return list(dict.fromkeys(errors))


_BEFORE_PUNCTUATION = re.compile(r"^[,.;:!?]")


def _fill(text: str, context: dict, *, html: bool, known=PLACEHOLDERS) -> str:
    """``text`` with its placeholders filled from ``context`` (missing or unknown: empty); in HTML every value is
    escaped and the literal text too, URL values become links. An empty value followed by punctuation takes the
    space and comma before it away ("Hello {first_name}," -> "Hello,", "Здравствуйте, {first_name}!" ->
    "Здравствуйте!"). A value ending in a full stop takes the template's own full stop right after it away
    ("at {company}." with "Acme Inc." -> "at Acme Inc.", "{slot}." ending "10 a.m." or "2026 г."): one full
    stop, never two; an ellipsis in the template ("{vacancy}...") is left as written."""
    out: list[str] = []
    pieces = list(string.Formatter().parse(text))
    value = ""
    for index, (literal, name, _spec, _conversion) in enumerate(pieces):
        if literal.startswith(".") and not literal.startswith("..") and value.endswith("."):
            literal = literal[1:]
        if literal:
            out.append(escape(literal, quote=False) if html else literal)
        if name is None:
            value = ""
            continue
        value = str(context.get(name, "") or "") if name in known else ""
        if html and value and name in URL_PLACEHOLDERS:
            out.append(f'<a href="{escape(value)}">{escape(value)}</a>')
        else:
            out.append(escape(value, quote=False) if html else value)
        next_literal = pieces[index + 1][0] if index + 1 < len(pieces) else ""
        if not value and len(out) >= 2 and _BEFORE_PUNCTUATION.match(next_literal or ""):
            out[-2] = out[-2].rstrip(" ").rstrip(",")  # "Hello, {first_name}!" -> "Hello!"
    return "".join(out)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, empty ones dropped (a placeholder with no value leaves none)."""
    return [part.strip("\n") for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if part.strip()]


def text_render(text: str, context: dict, *, known=PLACEHOLDERS) -> str:
    """A plain-text template (one part, no subject) filled from ``context`` as ``template_render`` fills a body:
    names not in ``known`` empty, the empty-value punctuation rule, empty paragraphs dropped. Raises
    ``ValueError`` when its braces do not pair. For texts other than emails (``screening.boards.messages``)."""
    return "\n\n".join(_paragraphs(_fill(text, context, html=False, known=known)))


def template_render(subject: str, body: str, context: dict) -> tuple[str, str, str]:
    """``(subject, text, html)`` of a template filled from ``context`` (placeholder name -> value).

    A template that ``template_validate`` accepts renders; one it would refuse still renders (unknown fields
    empty) unless its braces do not pair, which raises ``ValueError``. The subject is one line; the text keeps
    the paragraphs (blank lines); the HTML has one ``<p>`` per paragraph, ``<br>`` at single line breaks, every
    value escaped and ``{link}``/``{booking_url}`` clickable.
    """
    one_line = " ".join(_fill(subject, context, html=False).split())
    text = "\n\n".join(_paragraphs(_fill(body, context, html=False))) + "\n"
    html_paragraphs = "".join(
        "<p>" + part.replace("\n", "<br>\n") + "</p>\n" for part in _paragraphs(_fill(body, context, html=True))
    )
    html = (
        "<!doctype html>\n<html>\n<body style=\"font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, "
        'sans-serif; color: #1f2330; line-height: 1.5;">\n' + html_paragraphs + "</body>\n</html>\n"
    )
    return one_line, text, html


def rendered_with_telegram(rendered: tuple[str, str, str], link: str) -> tuple[str, str, str]:
    """A rendered ``(subject, text, html)`` with a last paragraph offering the company's Telegram bot (``link``:
    the application's deep link, ``screening.services.telegram_links``), in the active language. Added by the
    sender, not a placeholder: a company's own wording gets it too, and it disappears when the bot does."""
    subject, text, html = rendered
    line = _("Prefer Telegram? Continue the screening in the company's Telegram bot:")
    text = f"{text.rstrip()}\n\n{line}\n{link}\n"
    paragraph = f'<p>{escape(line, quote=False)}<br>\n<a href="{escape(link)}">{escape(link)}</a></p>\n'
    html = html.replace("</body>", paragraph + "</body>", 1)
    return subject, text, html
