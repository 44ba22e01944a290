"""The wording of candidates' emails: defaults, placeholders, validation and rendering. Pure: no ORM, no request.

A template is a ``subject`` and a plain-text ``body`` with ``{placeholder}`` fields (``PLACEHOLDERS``). The
defaults are gettext strings: call ``template_default`` under ``translation.override(language)`` to get the
Russian from the catalogue. A company's own wording (``EmailTemplate``) is checked by ``template_validate`` when
it is saved, so rendering (``template_render``) never fails at send time: it reads the same fields with
``string.Formatter().parse`` and never calls ``str.format`` (no attribute or index access is possible).
docs/notifications.md lists every email and when it goes.
"""

from __future__ import annotations

import re
import string
from html import escape

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
    "booking_url": gettext_lazy("the link to book, move or cancel an interview"),
    "reason": gettext_lazy("the reason for a decline, when the vacancy states it (else empty)"),
    "message": gettext_lazy("the recruiter's message"),
}
# Placeholders whose value is a URL: a link in the HTML part.
URL_PLACEHOLDERS = frozenset({"link", "application_link", "booking_url"})
# Sample values for the template editor's preview.
SAMPLE_CONTEXT = {
    "first_name": "Anna",
    "vacancy": "Python developer",
    "company": "Acme",
    "link": "https://smartbot.example/c/sample-private-link/",
    "application_link": "https://smartbot.example/c/sample-private-link/application/",
    "outcome": "",
    "slot": "Tuesday 14 May, 15:00-15:45 (Europe/Moscow), https://meet.example/abc",
    "booking_url": "https://smartbot.example/c/sample-private-link/interview/",
    "reason": "We chose candidates with more experience of PostgreSQL.",
    "message": "Could you tell us when you can start?",
}

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


def template_default(key: str) -> tuple[str, str]:
    """The default ``(subject, body)`` of an ``EmailTemplate.Key`` value, in the active language.

    Raises ``KeyError`` for an unknown key.
    """
    hello = _("Hello {first_name},")
    sign = _("{company} · SmartBot")
    link_line = _("Your application, the chat and your data (download or erase) are here:\n{link}")
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
                "You passed the screening for {vacancy} at {company}. Choose a time for your interview "
                "here:\n{booking_url}"
            ),
        ),
        "booking_confirmed": (
            _("Your interview is booked: {vacancy}"),
            _(
                "Your interview for {vacancy} at {company} is booked:\n{slot}\n\n"
                "The invitation is attached. To move or cancel it:\n{booking_url}"
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
        body = f"{body}\n\n{link_line}"
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


def template_validate(subject: str, body: str) -> list[str]:
    """Every problem of a template, as clear sentences in the active language; empty when it is fine.

    Checked: both parts present and not too long, a one-line subject, and in each part the braces and
    placeholders: unknown names, empty ``{}``, attribute or index access (``{first_name.upper}``), conversions
    and format specs (``{first_name!r}``, ``{vacancy:>20}``), stray ``{`` or ``}`` (write ``{{`` and ``}}``).
    """
    errors = []
    for label, text, limit in ((_("Subject"), subject, SUBJECT_MAX_LENGTH), (_("Body"), body, BODY_MAX_LENGTH)):
        if not text.strip():
            errors.append(_("%(part)s: cannot be empty.") % {"part": label})
            continue
        if len(text) > limit:
            errors.append(_("%(part)s: at most %(limit)d characters.") % {"part": label, "limit": limit})
        try:
            fields = [(name, conversion, spec) for _t, name, spec, conversion in string.Formatter().parse(text)]
        except ValueError:
            errors.append(
                _("%(part)s: a { or } without its pair. Write {{ or }} for a brace itself.") % {"part": label}
            )
            continue
        for name, conversion, spec in fields:
            if name is None:
                continue
            shown = "{" + name + "}"
            if name == "" or name.isdigit():
                errors.append(_("%(part)s: {} needs a placeholder name inside, e.g. {first_name}.") % {"part": label})
            elif "." in name or "[" in name:
                errors.append(
                    _("%(part)s: %(field)s: only a plain placeholder name is allowed.")
                    % {"part": label, "field": shown}
                )
            elif name not in PLACEHOLDERS:
                errors.append(
                    _("%(part)s: unknown placeholder %(field)s. Known ones: %(known)s.")
                    % {"part": label, "field": shown, "known": ", ".join("{" + n + "}" for n in PLACEHOLDERS)}
                )
            elif conversion or spec:
                errors.append(
                    _("%(part)s: %(field)s: nothing may follow the name (no ! or :).")
                    % {"part": label, "field": "{" + name + (f"!{conversion}" if conversion else "") + ":…}"}
                )
    if "\n" in subject.strip() or "\r" in subject.strip():
        errors.append(_("Subject: must be one line."))
    return list(dict.fromkeys(errors))


_BEFORE_PUNCTUATION = re.compile(r"^[,.;:!?]")


def _fill(text: str, context: dict, *, html: bool) -> str:
    """``text`` with its placeholders filled from ``context`` (missing or unknown: empty); in HTML every value is
    escaped and the literal text too, URL values become links. An empty value followed by punctuation takes the
    space and comma before it away ("Hello {first_name}," -> "Hello,", "Здравствуйте, {first_name}!" ->
    "Здравствуйте!")."""
    out: list[str] = []
    pieces = list(string.Formatter().parse(text))
    for index, (literal, name, _spec, _conversion) in enumerate(pieces):
        if literal:
            out.append(escape(literal, quote=False) if html else literal)
        if name is None:
            continue
        value = str(context.get(name, "") or "") if name in PLACEHOLDERS else ""
        if html and value and name in URL_PLACEHOLDERS:
            value = f'<a href="{escape(value)}">{escape(value)}</a>'
        elif html:
            value = escape(value, quote=False)
        out.append(value)
        next_literal = pieces[index + 1][0] if index + 1 < len(pieces) else ""
        if not value and len(out) >= 2 and _BEFORE_PUNCTUATION.match(next_literal or ""):
            out[-2] = out[-2].rstrip(" ").rstrip(",")  # "Hello, {first_name}!" -> "Hello!"
    return "".join(out)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, empty ones dropped (a placeholder with no value leaves none)."""
    return [part.strip("\n") for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if part.strip()]


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
