"""Writes on vacancies and their screening scripts: save, publish, close, delete.

Every door (the workspace, the REST API, the admin actions, the demo loader)
goes through these functions, so a vacancy is never half-saved and its status
only moves the allowed ways.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Company
from accounts.slugs import slug_unique

from .models import ScreeningQuestion, Vacancy
from .rules import clean_options, parse_decimal, yes_no_value

# The fields a recruiter edits; company, author, status and dates are set by the services.
VACANCY_FIELDS = (
    "title",
    "slug",
    "description",
    "requirements",
    "location",
    "salary_from",
    "salary_to",
    "salary_currency",
    "employment_type",
    "pass_threshold",
    "show_outcome",
    "language",
)
QUESTION_FIELDS = ("text", "kind", "options", "knockout", "knockout_value", "allowed_options", "weight", "required")
MAX_QUESTIONS = 50

_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
_CYRILLIC = str.maketrans(dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(), strict=True)))


def _transliterate(text: str) -> str:
    # Russian titles are common; a slug of "" or of percent-escapes helps nobody.
    return text.lower().translate(_CYRILLIC).replace("_", "")


def vacancy_slug_for(*, company: Company, title: str, exclude_pk: int | None = None) -> str:
    """A slug from the title that no other vacancy of the company uses ("python-dev", "python-dev-2", ...)."""
    base = slugify(_transliterate(title)).replace("-", " ").split()
    base = "-".join(base)[:200].strip("-") or "vacancy"
    return slug_unique(base=base, taken=Vacancy.objects.filter(company=company).exclude(pk=exclude_pk))


def question_normalise(item: Mapping) -> dict:
    """One question's fields, cleaned: options as a list, the knockout value only where the rule uses it."""
    data = {field: item[field] for field in QUESTION_FIELDS if field in item}
    data["text"] = str(data.get("text", "")).strip()
    data["options"] = clean_options(data.get("options") or [])
    data["knockout"] = data.get("knockout") or ""
    allowed = clean_options(data.get("allowed_options") or [])
    # Match allowed options to the options whatever the case, so "moscow" means "Moscow".
    by_lower = {option.lower(): option for option in data["options"]}
    data["allowed_options"] = [by_lower.get(option.lower(), option) for option in allowed]
    value = str(data.get("knockout_value") or "").strip()
    if data["knockout"] == ScreeningQuestion.Knockout.MUST_EQUAL:
        value = yes_no_value(value) or value.lower()
    elif data["knockout"] in (ScreeningQuestion.Knockout.AT_LEAST, ScreeningQuestion.Knockout.AT_MOST):
        number = parse_decimal(value)
        if number is not None:
            value = format(number.normalize(), "f")
    else:
        value = ""
    data["knockout_value"] = value
    return data


def _save_questions(
    *, vacancy: Vacancy, questions: Sequence[Mapping], known_question_ids: Collection[int] | None
) -> None:
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(_("A vacancy has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    existing = {question.pk: question for question in vacancy.questions.select_for_update()}
    if known_question_ids is not None and set(existing) - set(known_question_ids):
        # Someone added a question (e.g. an accepted suggestion) after this script was loaded:
        # replacing the script would silently delete it, and its answers with it.
        raise ValidationError(
            _("Questions were added to this vacancy meanwhile: reload the page to see them, then edit again.")
        )
    seen: set[int] = set()
    errors: list[str] = []
    to_save: list[ScreeningQuestion] = []
    for index, item in enumerate(questions, start=1):
        pk = item.get("id")
        if pk:
            # Ids come from the browser: only this vacancy's own questions may be changed.
            if pk not in existing or pk in seen:
                raise ValidationError(
                    _(
                        "Question %(n)d is no longer part of this vacancy (it may have been changed meanwhile): "
                        "reload the page and try again."
                    )
                    % {"n": index}
                )
            seen.add(pk)
            question = existing[pk]
        else:
            question = ScreeningQuestion(vacancy=vacancy)
        for field, value in question_normalise(item).items():
            setattr(question, field, value)
        question.position = index
        try:
            question.full_clean(exclude=["vacancy"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = "" if field == "__all__" else f"{ScreeningQuestion._meta.get_field(field).verbose_name}: "
                errors.extend(
                    _("Question %(n)d: %(message)s") % {"n": index, "message": label + message} for message in messages
                )
        to_save.append(question)
    removed_answered = (
        ScreeningQuestion.objects.filter(pk__in=set(existing) - seen)
        .annotate(answer_count=Count("answers"))
        .filter(answer_count__gt=0)
    )
    for question in removed_answered:
        # Candidates' answers are records of what they said: a script edit never deletes them.
        errors.append(
            ValidationError(
                _("“%(question)s” already has answers from candidates and cannot be removed; edit it instead.")
                % {"question": question.text},
                code="conflict",
            )
        )
    if errors:
        raise ValidationError(errors)
    ScreeningQuestion.objects.filter(vacancy=vacancy).exclude(pk__in=seen).delete()
    for question in to_save:
        question.save()


@transaction.atomic
def vacancy_save(
    *,
    vacancy: Vacancy | None,
    company: Company,
    user,
    data: Mapping,
    questions: Sequence[Mapping] | None = None,
    known_question_ids: Collection[int] | None = None,
) -> Vacancy:
    """Create (``vacancy=None``) or update a vacancy and, if given, replace its screening script.

    ``data`` holds any of ``VACANCY_FIELDS``; a blank slug is made from the title.
    ``questions`` is the whole script in order: dicts with the question fields and
    ``id`` for an existing question; existing questions left out are deleted.
    ``known_question_ids``, if given, are the questions the caller had loaded: if
    the vacancy has others by now, nothing is saved (they would be deleted unseen).
    Everything is validated and saved in one transaction: on any error (a
    ``ValidationError``) nothing is saved.
    """
    if vacancy is None:
        vacancy = Vacancy(company=company, created_by=user)
    elif vacancy.company_id != company.pk:
        raise ValidationError(_("This vacancy belongs to another company."))
    for field in VACANCY_FIELDS:
        if field in data:
            setattr(vacancy, field, data[field])
    if not vacancy.slug:
        vacancy.slug = vacancy_slug_for(company=company, title=vacancy.title or "", exclude_pk=vacancy.pk)
    vacancy.full_clean(exclude=["created_by"])
    try:
        with transaction.atomic():
            vacancy.save()
    except IntegrityError:
        # Two saves raced for the same slug; the constraint had the last word.
        raise ValidationError({"slug": _("Another vacancy of your company already uses this address.")})
    if questions is not None:
        _save_questions(vacancy=vacancy, questions=questions, known_question_ids=known_question_ids)
    return vacancy


def _locked(vacancy: Vacancy) -> Vacancy:
    return Vacancy.objects.select_for_update().select_related("company").get(pk=vacancy.pk)


@transaction.atomic
def vacancy_publish(*, vacancy: Vacancy) -> Vacancy:
    """Open a draft or closed vacancy to candidates (its public link starts working)."""
    locked = _locked(vacancy)
    if locked.status == Vacancy.Status.OPEN:
        raise ValidationError(_("This vacancy is already open."), code="conflict")
    locked.status = Vacancy.Status.OPEN
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    vacancy.status, vacancy.published_at = locked.status, locked.published_at
    return vacancy


@transaction.atomic
def vacancy_close(*, vacancy: Vacancy) -> Vacancy:
    """Stop accepting candidates; responses already in are kept."""
    locked = _locked(vacancy)
    if locked.status != Vacancy.Status.OPEN:
        raise ValidationError(_("Only an open vacancy can be closed."), code="conflict")
    locked.status = Vacancy.Status.CLOSED
    locked.save(update_fields=["status", "updated_at"])
    vacancy.status = locked.status
    return vacancy


@transaction.atomic
def vacancy_delete(*, vacancy: Vacancy) -> None:
    """Delete a vacancy nobody has applied to; one with responses must be closed instead."""
    locked = _locked(vacancy)
    if locked.responses.exists():
        raise ValidationError(
            _("Candidates have applied to this vacancy: close it instead of deleting it."), code="conflict"
        )
    locked.delete()
