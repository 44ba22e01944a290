"""Writes on vacancies and their scripts: save, publish, close, delete; add, change, remove, reorder a question.

Every door (the workspace, the REST API, the admin, the AI suggestions, the
demo loader) goes through these functions, so a vacancy is never half-saved,
its status only moves the allowed ways, and a question is judged the same way
whoever adds it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_rules_changed
from accounts.models import Company
from accounts.slugs import slug_from_text, slug_unique

from .models import CompanyAnswer, ScreeningQuestion, Vacancy
from .question_lint import Finding, lint_question, lint_script
from .rules import QUESTION_FIELDS, question_normalise

logger = logging.getLogger(__name__)

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
MAX_QUESTIONS = 50
VACANCY_SLUG_MAX_LENGTH = 200


def vacancy_slug_for(*, company: Company, title: str, exclude_pk: int | None = None) -> str:
    """A slug from the title that no other vacancy of the company uses ("python-dev", "python-dev-2", ...).

    Russian titles are transliterated ("Разработчик" gives "razrabotchik"), as company names are.
    """
    base = slug_from_text(title, max_length=VACANCY_SLUG_MAX_LENGTH, default="vacancy")
    return slug_unique(base=base, taken=Vacancy.objects.filter(company=company).exclude(pk=exclude_pk))


# --- Questions, one at a time -------------------------------------------------------------------------------------


def _lock_script(vacancy_id: int) -> None:
    # Writes to one vacancy's script take turns on the vacancy's row (vacancy_save's UPDATE takes it too),
    # so a count, a "last position" or a renumbering is not raced. The UPDATE takes that lock and stamps
    # ``updated_at``, which open chats read with each turn's lock to notice the script changed (chat.services).
    Vacancy.objects.filter(pk=vacancy_id).update(updated_at=timezone.now())


def _check_question_count(count: int) -> None:
    if count > MAX_QUESTIONS:
        raise ValidationError(_("A vacancy has at most %(n)d questions.") % {"n": MAX_QUESTIONS}, code="limit")


def _answered_error(question: ScreeningQuestion) -> ValidationError:
    # Candidates' answers are records of what they said: a script edit never deletes them.
    return ValidationError(
        _("“%(question)s” already has answers from candidates and cannot be removed; edit it instead.")
        % {"question": question.text},
        code="conflict",
    )


def _question_fill(question: ScreeningQuestion, data: Mapping) -> ScreeningQuestion:
    """Set ``data``'s question fields, normalised, on ``question`` and judge the result (the one check).

    Raises ``ValidationError`` with field -> messages (the model's field checks and
    ``rules.rule_errors``). Runs no query.
    """
    for field, value in question_normalise(data).items():
        setattr(question, field, value)
    question.full_clean(exclude=["vacancy", "position"])
    return question


def question_validate(*, data: Mapping, question: ScreeningQuestion | None = None) -> dict:
    """Judge one question's fields without saving anything; returns them normalised (see ``rules.question_normalise``).

    With ``question``, ``data`` changes that saved question (fields it leaves out
    keep their value); without, it is a new one (they take their defaults).
    Raises ``ValidationError`` with field -> messages: what ``question_add`` and
    ``question_update`` would refuse. For forms and serializers that show the
    errors field by field before calling a service.
    """
    draft = ScreeningQuestion()
    if question is not None:
        data = {**{field: getattr(question, field) for field in QUESTION_FIELDS}, **data}
    _question_fill(draft, data)
    return {field: getattr(draft, field) for field in QUESTION_FIELDS}


@transaction.atomic
def question_add(*, vacancy: Vacancy, data: Mapping, user=None, override_reason: str = "") -> ScreeningQuestion:
    """Add a question at the end of the vacancy's script.

    ``data`` holds any of ``QUESTION_FIELDS`` (others are ignored; left-out ones
    take their defaults). Raises ``ValidationError``: field -> messages for an
    invalid question, a message when the script already has ``MAX_QUESTIONS``.
    On an open vacancy a question the lint flags goes live at once, so it needs ``override_reason`` as
    publishing does (``FlaggedOnOpenVacancyError`` without it, nothing saved; with it the reason is stored
    on the vacancy with ``user`` and logged). A draft or closed vacancy's gate is at publishing.
    """
    _lock_script(vacancy.pk)
    script = vacancy.questions.aggregate(count=Count("pk"), last=Max("position"))
    _check_question_count(script["count"] + 1)
    question = _question_fill(ScreeningQuestion(vacancy=vacancy), data)
    flagged = _newly_flagged([(question, frozenset())])
    gated = _flagged_gate(vacancy_id=vacancy.pk, flagged=flagged, override_reason=override_reason)
    question.position = (script["last"] or 0) + 1
    question.save()
    _override_record(gated, flagged=flagged, user=user, into=vacancy)
    audit_rules_changed(actor=user, company_id=vacancy.company_id, vacancy_id=vacancy.pk, added=[question.pk])
    return question


@transaction.atomic
def question_update(
    *, question: ScreeningQuestion, data: Mapping, user=None, override_reason: str = ""
) -> ScreeningQuestion:
    """Change some of a question's fields (any of ``QUESTION_FIELDS``; left-out ones keep their value).

    The question is judged whole, as it would be saved. Returns ``question``,
    updated. Raises ``ValidationError``: field -> messages, or (code "conflict")
    when the question was removed meanwhile. On an open vacancy, a change that makes the lint flag it for
    something it did not ask before needs ``override_reason`` (see ``question_add``).
    """
    _lock_script(question.vacancy_id)
    locked = ScreeningQuestion.objects.select_for_update().filter(pk=question.pk).first()
    if locked is None:
        raise ValidationError(_("This question was removed meanwhile: reload the page."), code="conflict")
    before, values = _lint_attributes(locked), [getattr(locked, field) for field in QUESTION_FIELDS]
    _question_fill(locked, {**{field: getattr(locked, field) for field in QUESTION_FIELDS}, **data})
    flagged = _newly_flagged([(locked, before)])
    gated = _flagged_gate(vacancy_id=locked.vacancy_id, flagged=flagged, override_reason=override_reason)
    locked.save()
    _override_record(gated, flagged=flagged, user=user)
    edited = [locked.pk] if values != [getattr(locked, field) for field in QUESTION_FIELDS] else []
    audit_rules_changed(actor=user, company_id=None, vacancy_id=locked.vacancy_id, edited=edited)
    for field in (*QUESTION_FIELDS, "position"):
        setattr(question, field, getattr(locked, field))
    return question


def _lint_attributes(question: ScreeningQuestion) -> frozenset[str]:
    return frozenset(finding.attribute for finding in lint_question(question.text, question.options or ()))


def _newly_flagged(
    changes: Sequence[tuple[ScreeningQuestion, frozenset[str]]],
) -> list[tuple[ScreeningQuestion, list[Finding]]]:
    """Of ``(question as it will be saved, attributes the lint flagged it for before)``, those flagged for an
    attribute they did not ask about before (new ones: any), with all their findings. A flagged question saved
    unchanged, or reworded about the same thing, is left out: its reason was given when it went live."""
    flagged = []
    for question, before in changes:
        findings = lint_question(question.text, question.options or ())
        if {finding.attribute for finding in findings} - before:
            flagged.append((question, findings))
    return flagged


def _flagged_gate(*, vacancy_id: int, flagged: list, override_reason: str) -> tuple[Vacancy | None, str]:
    """Whether ``flagged`` questions (``_newly_flagged``) may be saved: on an open vacancy they reach candidates
    at once, so they need a reason. Call with the script's lock held, before saving. Returns ``(vacancy,
    reason)`` for ``_override_record``, or ``(None, "")`` when there is nothing to record (nothing flagged; a
    draft or closed vacancy). Raises ``FlaggedOnOpenVacancyError``, or ``ValidationError`` for a long reason."""
    if not flagged:
        return None, ""
    vacancy = Vacancy.objects.get(pk=vacancy_id)  # its row is locked by the caller's _lock_script / save
    if vacancy.status != Vacancy.Status.OPEN:
        return None, ""
    reason = str(override_reason or "").strip()
    if not reason:
        raise FlaggedOnOpenVacancyError(flagged)
    if len(reason) > LINT_OVERRIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"override_reason": _("Keep the reason under %(n)d characters.") % {"n": LINT_OVERRIDE_REASON_MAX_LENGTH}}
        )
    return vacancy, reason


def _override_record(gated: tuple[Vacancy | None, str], *, flagged: list, user, into: Vacancy | None = None) -> None:
    """Store the reason ``_flagged_gate`` accepted on the vacancy (with ``user`` and the time) and log it, as
    publishing does; ``into``: the caller's copy of the vacancy, updated too."""
    vacancy, reason = gated
    if vacancy is None:
        return
    vacancy.lint_override_reason, vacancy.lint_override_by, vacancy.lint_override_at = reason, user, timezone.now()
    vacancy.save(update_fields=["lint_override_reason", "lint_override_by", "lint_override_at", "updated_at"])
    if into is not None:
        into.lint_override_reason, into.lint_override_by = vacancy.lint_override_reason, vacancy.lint_override_by
        into.lint_override_at = vacancy.lint_override_at
    logger.warning(
        "vacancy %s: flagged questions saved while open by user %s: %s; reason: %r",
        vacancy.pk,
        getattr(user, "pk", None),
        ", ".join(
            f"#{question.pk} {'/'.join(finding.attribute for finding in findings)}" for question, findings in flagged
        ),
        reason,
    )


def _renumber(vacancy_id: int, order: Sequence[int] | None = None) -> None:
    """Positions 1..n in ``order`` (question ids), or closing the gaps of the current order."""
    questions = list(ScreeningQuestion.objects.filter(vacancy_id=vacancy_id))
    by_pk = {question.pk: question for question in questions}
    changed = []
    for position, pk in enumerate(order if order is not None else list(by_pk), start=1):
        if by_pk[pk].position != position:
            by_pk[pk].position = position
            changed.append(by_pk[pk])
    ScreeningQuestion.objects.bulk_update(changed, ["position"])


@transaction.atomic
def question_delete(*, question: ScreeningQuestion, user=None) -> None:
    """Remove a question nobody has answered; the others close up (positions 1..n).

    Raises ``ValidationError`` (code "conflict") for a question with answers:
    candidates' answers are records, so it can be edited but not removed.
    Removing a question already gone does nothing.
    """
    _lock_script(question.vacancy_id)
    # The row lock also holds off an answer being saved to it (its foreign-key check waits for us).
    locked = ScreeningQuestion.objects.select_for_update().filter(pk=question.pk).first()
    if locked is None:
        return
    if locked.answers.exists():
        raise _answered_error(locked)
    locked.delete()
    _renumber(locked.vacancy_id)
    audit_rules_changed(actor=user, company_id=None, vacancy_id=locked.vacancy_id, removed=[question.pk])


@transaction.atomic
def question_reorder(*, vacancy: Vacancy, order: list[int]) -> None:
    """Put the vacancy's questions in this order: ``order`` lists every question id of the vacancy once.

    Raises ``ValidationError`` when it does not (a question added or removed
    meanwhile, or one of another vacancy): nothing moves then.
    """
    _lock_script(vacancy.pk)
    current = set(vacancy.questions.values_list("pk", flat=True))
    ids = list(order) if isinstance(order, list | tuple) else None
    if (
        ids is None
        or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids)
        or len(set(ids)) != len(ids)
        or set(ids) != current
    ):
        raise ValidationError(
            _("The new order must list each of this vacancy's questions once: reload the page and try again."),
            code="conflict",
        )
    _renumber(vacancy.pk, ids)


# --- The vacancy with its whole script -----------------------------------------------------------------------------


def _save_questions(
    *,
    vacancy: Vacancy,
    questions: Sequence[Mapping],
    known_question_ids: Collection[int] | None,
    user=None,
    override_reason: str = "",
) -> None:
    _check_question_count(len(questions))
    existing = {question.pk: question for question in vacancy.questions.select_for_update()}
    values = {pk: [getattr(question, field) for field in QUESTION_FIELDS] for pk, question in existing.items()}
    if known_question_ids is not None and set(existing) - set(known_question_ids):
        # Someone added a question (e.g. an accepted suggestion) after this script was loaded:
        # replacing the script would silently delete it, and its answers with it.
        raise ValidationError(
            _("Questions were added to this vacancy meanwhile: reload the page to see them, then edit again.")
        )
    seen: set[int] = set()
    errors: list = []
    to_save: list[ScreeningQuestion] = []
    changes: list[tuple[ScreeningQuestion, frozenset[str]]] = []  # with what the lint flagged before
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
            changes.append((question, _lint_attributes(question)))
        else:
            question = ScreeningQuestion(vacancy=vacancy)
            changes.append((question, frozenset()))
        try:
            _question_fill(question, item)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = "" if field == "__all__" else f"{ScreeningQuestion._meta.get_field(field).verbose_name}: "
                errors.extend(
                    _("Question %(n)d: %(message)s") % {"n": index, "message": label + message} for message in messages
                )
        question.position = index
        to_save.append(question)
    removed_answered = (
        ScreeningQuestion.objects.filter(pk__in=set(existing) - seen)
        .annotate(answer_count=Count("answers"))
        .filter(answer_count__gt=0)
    )
    errors.extend(_answered_error(question) for question in removed_answered)
    if errors:
        raise ValidationError(errors)
    flagged = _newly_flagged(changes)
    gated = _flagged_gate(vacancy_id=vacancy.pk, flagged=flagged, override_reason=override_reason)
    ScreeningQuestion.objects.filter(vacancy=vacancy).exclude(pk__in=seen).delete()
    for question in to_save:
        question.save()
    _override_record(gated, flagged=flagged, user=user, into=vacancy)
    edited = [q.pk for q in to_save if q.pk in values and values[q.pk] != [getattr(q, f) for f in QUESTION_FIELDS]]
    added, removed = [q.pk for q in to_save if q.pk not in values], set(existing) - seen
    script = {"added": added, "edited": edited, "removed": removed}
    audit_rules_changed(actor=user, company_id=vacancy.company_id, vacancy_id=vacancy.pk, **script)


@transaction.atomic
def vacancy_save(
    *,
    vacancy: Vacancy | None,
    company: Company,
    user,
    data: Mapping,
    questions: Sequence[Mapping] | None = None,
    known_question_ids: Collection[int] | None = None,
    override_reason: str = "",
) -> Vacancy:
    """Create (``vacancy=None``) or update a vacancy and, if given, replace its screening script.

    ``data`` holds any of ``VACANCY_FIELDS``; a blank slug is made from the title.
    ``questions`` is the whole script in order: dicts with the question fields and
    ``id`` for an existing question; existing questions left out are deleted.
    ``known_question_ids``, if given, are the questions the caller had loaded: if
    the vacancy has others by now, nothing is saved (they would be deleted unseen).
    Everything is validated and saved in one transaction: on any error (a
    ``ValidationError``) nothing is saved. On an open vacancy, newly flagged questions need
    ``override_reason`` (``FlaggedOnOpenVacancyError`` without it; see ``question_add``).
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
            # Only the edited fields: a publish or close in another tab since the editor loaded must stand.
            vacancy.save(update_fields=[*VACANCY_FIELDS, "updated_at"] if vacancy.pk else None)
    except IntegrityError:
        # Two saves raced for the same slug; the constraint had the last word.
        raise ValidationError({"slug": _("Another vacancy of your company already uses this address.")})
    if questions is not None:
        gate = {"user": user, "override_reason": override_reason}
        _save_questions(vacancy=vacancy, questions=questions, known_question_ids=known_question_ids, **gate)
    return vacancy


def _locked(vacancy: Vacancy) -> Vacancy:
    return Vacancy.objects.select_for_update().select_related("company").get(pk=vacancy.pk)


LINT_OVERRIDE_REASON_MAX_LENGTH = 1000


class FlaggedQuestionsError(ValidationError):
    """Publishing refused: screening questions ask about protected attributes and no reason was given.

    ``flagged``: ``[(question, [Finding, ...]), ...]`` (see ``question_lint.lint_script``), for the page and the
    API to show which questions and why. Code "flagged_questions".
    """

    def __init__(self, flagged: list[tuple[ScreeningQuestion, list[Finding]]]):
        self.flagged = flagged
        super().__init__(
            _(
                "Some screening questions ask about age, family, origin, religion, health, union membership or "
                "appearance (see the warnings). Change them, or give a reason to publish anyway."
            ),
            code="flagged_questions",
        )


class FlaggedOnOpenVacancyError(FlaggedQuestionsError):
    """Saving refused: on an open vacancy, questions the lint flags would reach candidates at once, and no reason
    was given (``question_add``, ``question_update``, ``vacancy_save``). ``flagged`` and the code as above."""

    def __init__(self, flagged: list[tuple[ScreeningQuestion, list[Finding]]]):
        self.flagged = flagged
        ValidationError.__init__(
            self,
            _(
                "This vacancy is open, so candidates would be asked these questions at once, and they ask about "
                "age, family, origin, religion, health, union membership or appearance (see the warnings). "
                "Change them, or give a reason to save them anyway."
            ),
            code="flagged_questions",
        )


# Checks an app above this one adds to publishing (screening's fairness pre-flight): each is called as
# ``check(vacancy=locked_vacancy)`` once the question lint is satisfied and raises ``ValidationError`` to refuse.
# Registered from the app's ``AppConfig.ready`` with ``publish_check_register``; the arrows stay one way.
PUBLISH_CHECKS: list = []


def publish_check_register(check) -> None:
    """Add ``check(*, vacancy)`` to what publishing a vacancy requires (it raises ``ValidationError`` to refuse).

    Registering the same function twice keeps one.
    """
    if check not in PUBLISH_CHECKS:
        PUBLISH_CHECKS.append(check)


@transaction.atomic
def vacancy_publish(*, vacancy: Vacancy, user=None, override_reason: str = "") -> Vacancy:
    """Open a draft or closed vacancy to candidates (its public link starts working).

    When the question lint flags any of its questions (``vacancies.question_lint``), publishing needs
    ``override_reason`` (a person's words, at most ``LINT_OVERRIDE_REASON_MAX_LENGTH`` characters): it is
    stored on the vacancy with ``user`` and the time, and logged. Without it ``FlaggedQuestionsError`` is
    raised and nothing changes. Publishing a clean script clears an earlier override. Raises
    ``ValidationError`` (code "conflict") for a vacancy already open, and whatever a registered publish
    check raises (``publish_check_register``; the fairness pre-flight's code is "fairness").
    """
    locked = _locked(vacancy)
    if locked.status == Vacancy.Status.OPEN:
        raise ValidationError(_("This vacancy is already open."), code="conflict")
    # The vacancy's row lock holds off script edits (they take it too), so what is judged is what goes live.
    flagged = lint_script(locked.questions.all())
    reason = str(override_reason or "").strip()
    if flagged and not reason:
        raise FlaggedQuestionsError(flagged)
    if len(reason) > LINT_OVERRIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"override_reason": _("Keep the reason under %(n)d characters.") % {"n": LINT_OVERRIDE_REASON_MAX_LENGTH}}
        )
    for check in PUBLISH_CHECKS:
        check(vacancy=locked)
    if flagged:
        locked.lint_override_reason, locked.lint_override_by, locked.lint_override_at = reason, user, timezone.now()
        logger.warning(
            "vacancy %s published with flagged questions by user %s: %s; reason: %r",
            locked.pk,
            getattr(user, "pk", None),
            ", ".join(
                f"#{question.pk} {'/'.join(finding.attribute for finding in findings)}"
                for question, findings in flagged
            ),
            reason,
        )
    else:
        locked.lint_override_reason, locked.lint_override_by, locked.lint_override_at = "", None, None
    locked.status = Vacancy.Status.OPEN
    locked.published_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "published_at",
            "updated_at",
            "lint_override_reason",
            "lint_override_by",
            "lint_override_at",
        ]
    )
    vacancy.status, vacancy.published_at = locked.status, locked.published_at
    vacancy.lint_override_reason = locked.lint_override_reason
    vacancy.lint_override_by, vacancy.lint_override_at = locked.lint_override_by, locked.lint_override_at
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


# --- The company's answers to candidates' common questions --------------------------------------------------------

MAX_COMPANY_ANSWERS = 100
COMPANY_ANSWER_MAX_LENGTH = 2000


def _company_answer_fill(item: CompanyAnswer, *, question: str, answer: str) -> CompanyAnswer:
    item.question = " ".join(str(question or "").split())
    item.answer = str(answer or "").strip()
    errors = {}
    if len(item.answer) > COMPANY_ANSWER_MAX_LENGTH:
        # A TextField's max_length is not checked by full_clean; the bot quotes at most this much.
        errors["answer"] = [
            _("Keep the answer under %(n)d characters.") % {"n": COMPANY_ANSWER_MAX_LENGTH},
        ]
    try:
        item.full_clean(exclude=["company", "position"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return item


@transaction.atomic
def company_answer_add(*, company: Company, question: str, answer: str) -> CompanyAnswer:
    """Add one of the company's answers to what candidates ask, at the end of its list.

    The screening bot answers candidates from these (``screening.services.asked``). Raises
    ``ValidationError``: field -> messages for an empty or too long question or answer, a message when the
    company already has ``MAX_COMPANY_ANSWERS``.
    """
    # Adds of one company take turns on its row, so the count and the last position are not raced.
    Company.objects.select_for_update().filter(pk=company.pk).first()
    existing = CompanyAnswer.objects.filter(company=company).aggregate(count=Count("pk"), last=Max("position"))
    if existing["count"] >= MAX_COMPANY_ANSWERS:
        raise ValidationError(
            _("A company has at most %(n)d answers for candidates.") % {"n": MAX_COMPANY_ANSWERS}, code="limit"
        )
    item = _company_answer_fill(CompanyAnswer(company=company), question=question, answer=answer)
    item.position = (existing["last"] or 0) + 1
    item.save()
    return item


def company_answer_update(*, item: CompanyAnswer, question: str, answer: str) -> CompanyAnswer:
    """Change one of the company's answers (its question and answer); raises ``ValidationError`` as the add does.

    Questions candidates asked earlier keep what the bot answered them then.
    """
    _company_answer_fill(item, question=question, answer=answer)
    item.save(update_fields=["question", "answer", "updated_at"])
    return item


def company_answer_delete(*, item: CompanyAnswer) -> None:
    """Remove one of the company's answers; the bot stops answering from it at once."""
    item.delete()
