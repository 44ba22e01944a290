"""hh.ru negotiations and resumes mapped onto ``BoardResponse``: pure functions over the board's JSON, no HTTP.

Shapes from /work/helpers/hh_api.md: the negotiation list item (§3.2, ``hhru/api``
``docs/employer_negotiations.md`` at ``82e932e``) carries the *short* resume (names, area, title, experience, no
contacts); the full resume (§7, ``docs/employer_resumes.md`` before ``9bd0c07``) carries ``contact[]`` (a phone
``value`` is an object, an email ``value`` a string; either may be null), ``experience[]``, ``skill_set``,
``skills`` and ``education``. Under per-contact tariffs the names and ``contact`` are null until the employer
opens them (``docs/payable/resume.md``): those fields stay "".

The JSON comes from outside: every field is type-checked and bounded, and anything unexpected becomes "".
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from .base import BoardResponse

MAX_FIELD = 300  # characters of a name, a title, a company
MAX_DESCRIPTION = 3000  # characters of one job's description
MAX_ENTRIES = 50  # experience / education entries read
MAX_TEXT = 20000  # characters of the whole resume text


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def as_str(value, limit: int = MAX_FIELD) -> str:
    """A string field, stripped and cut at ``limit``; a number becomes its text; anything else ""."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    return value.strip()[:limit]


def parse_datetime(value) -> dt.datetime | None:
    """hh.ru's ``2015-05-14T12:00:05+0300`` (or with a colon in the offset) as an aware datetime; None otherwise."""
    text = as_str(value, 40)
    for parse in (lambda s: dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S%z"), dt.datetime.fromisoformat):
        try:
            moment = parse(text)
        except ValueError:
            continue
        if moment.tzinfo is not None:
            return moment
    return None


def phone_of(value) -> str:
    """A phone contact's ``value``: its ``formatted`` text, else ``+`` and the country, city and number digits."""
    value = as_dict(value)
    formatted = as_str(value.get("formatted"), 40)
    if formatted:
        return formatted
    digits = "".join(re.sub(r"\D", "", as_str(value.get(part), 20)) for part in ("country", "city", "number"))
    return f"+{digits}" if 6 <= len(digits) <= 15 else ""


def contacts_of(resume: dict) -> tuple[str, str]:
    """``(email, phone)`` from a full resume's ``contact[]``: the preferred one of each kind first; "" when null."""
    email = phone = ""
    entries = [as_dict(c) for c in as_list(resume.get("contact"))[:MAX_ENTRIES]]
    entries.sort(key=lambda c: c.get("preferred") is not True)
    for contact in entries:
        kind = as_str(as_dict(contact.get("type")).get("id"), 20)
        if kind == "email" and not email:
            candidate = as_str(contact.get("value"), 254)
            email = candidate if "@" in candidate else ""
        elif kind in ("cell", "home", "work") and not phone:
            phone = phone_of(contact.get("value"))
    return email, phone


def _months_text(months) -> str:
    if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
        return ""
    years, rest = divmod(months, 12)
    return _("%(years)d y. %(months)d mo.") % {"years": years, "months": rest}


def _period(entry: dict) -> str:
    start = as_str(entry.get("start"), 10)[:7]
    end = as_str(entry.get("end"), 10)[:7] or _("present")
    return f"{start} – {end}" if start else ""


def resume_text(resume: dict) -> str:
    """Plain text for the screening from a (full or short) resume: title, total experience, each job (position,
    company, period, description), skills and education. Bounded to ``MAX_TEXT`` characters."""
    lines = []
    title = as_str(resume.get("title"))
    if title:
        lines.append(title)
    total = _months_text(as_dict(resume.get("total_experience")).get("months"))
    if total:
        lines.append(_("Total experience: %(total)s") % {"total": total})
    jobs = [as_dict(e) for e in as_list(resume.get("experience"))[:MAX_ENTRIES]]
    if jobs:
        lines += ["", _("Experience:")]
        for job in jobs:
            head = ", ".join(p for p in (as_str(job.get("position")), as_str(job.get("company"))) if p)
            period = _period(job)
            lines.append("- " + " ".join(p for p in (head, f"({period})" if period else "") if p))
            description = as_str(job.get("description"), MAX_DESCRIPTION)
            if description:
                lines.append("  " + description.replace("\n", "\n  "))
    skills = [as_str(s, 100) for s in as_list(resume.get("skill_set"))[:100]]
    skills = [s for s in skills if s]
    if skills:
        lines += ["", _("Skills: %(skills)s") % {"skills": ", ".join(skills)}]
    about = as_str(resume.get("skills"), MAX_DESCRIPTION)
    if about:
        lines += ["", _("About: %(about)s") % {"about": about}]
    education = as_dict(resume.get("education"))
    places = []
    for entry in [as_dict(e) for e in as_list(education.get("primary"))[:MAX_ENTRIES]]:
        parts = [as_str(entry.get(k)) for k in ("name", "organization", "result", "year")]
        if any(parts):
            places.append("- " + ", ".join(p for p in parts if p))
    level = as_str(as_dict(education.get("level")).get("name"))
    if places or level:
        lines += ["", _("Education: %(level)s") % {"level": level} if level else _("Education:")]
        lines += places
    return "\n".join(lines).strip()[:MAX_TEXT]


def response_from(item: dict, full: dict | None, *, vacancy_id: str, collection: str = "") -> BoardResponse | None:
    """A ``BoardResponse`` from a negotiation list item and, when it could be read, the full resume (None: the
    short resume in the item is all there is). None for an item without an id."""
    negotiation_id = as_str(item.get("id"), 40)
    if not negotiation_id:
        return None
    short = as_dict(item.get("resume"))
    resume = {**short, **{k: v for k, v in as_dict(full).items() if v is not None}}
    email, phone = contacts_of(as_dict(full))

    def name(key: str) -> str:
        return as_str(as_dict(full).get(key)) or as_str(short.get(key))

    return BoardResponse(
        negotiation_id=negotiation_id,
        vacancy_id=str(vacancy_id),
        state=as_str(as_dict(item.get("employer_state")).get("id"), 60)
        or as_str(as_dict(item.get("state")).get("id"), 60),
        created_at=parse_datetime(item.get("created_at")),
        resume_id=as_str(resume.get("id"), 80),
        resume_url=as_str(short.get("alternate_url"), 500) or as_str(as_dict(full).get("alternate_url"), 500),
        first_name=name("first_name"),
        last_name=name("last_name"),
        middle_name=name("middle_name"),
        email=email,
        phone=phone,
        city=as_str(as_dict(resume.get("area")).get("name")),
        resume_text=resume_text(resume),
        extra={
            "collection": collection,
            "applicant_state": as_str(as_dict(item.get("state")).get("id"), 60),
            "source": as_str(item.get("source"), 40),
            "full_resume": full is not None,
        },
    )
