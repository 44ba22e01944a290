"""Re-judging a question's past answers under its current rule: the preview of who flips, and the audited change.

Each answer keeps the rule it was judged by (``Answer.rule``, ``vacancies.rules.rule_snapshot``); answers stored
before rules were kept have ``{}``. When a recruiter changes a question's rule, the answers judged by another
rule keep their verdict (the response page names the rule that gave it) until the recruiter re-judges them:

- ``rejudge_preview`` judges those answers under the current rule and recomputes their responses' outcomes, and
  lists every finished response whose screening outcome (status, score, reasons) would change. Responses a
  person has decided (shortlisted, interview, ...) are listed apart: their status is kept.
- ``rejudge_apply`` makes that change in one transaction: the answers' verdicts and rule, the responses'
  outcomes (the status only of those still in a screening status), one history entry per changed response,
  one ``Rejudge`` audit row, and the ``response.status_changed`` webhook for each response whose status moved.

Both read the vacancy's finished responses and their answers in a constant number of queries and judge them in
pure Python (``bench/rejudge.py``: 10,000 responses in a few seconds). "Finished": the screening completed
(``completed_at`` set) and the person not erased.

Each answer is judged by ``screening.rejudging.judge_stored`` (pure): never failed on something it was not judged
for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.rules import rule_is_other, rule_snapshot

from .. import scoring
from ..models import Answer, Rejudge, Response, StatusChange, WebhookEndpoint
from ..rejudging import (
    VERDICT_LABELS,
    StoredAnswer,
    answer_judged_by,
    judge_stored,
    rule_fingerprint,
    rule_words,
    verdict_code,
)
from .webhooks import response_event_emit_on_commit

__all__ = [  # with the pure words of re-judging the pages use, re-exported by ``screening.services``
    "RejudgePreview",
    "RejudgeRow",
    "answer_judged_by",
    "rejudge_apply",
    "rejudge_preview",
    "rule_words",
]

# The statuses the screening sets; the others after a finished screening are a person's decision, kept as is.
SCREENING_STATUSES = (Response.Status.PASSED, Response.Status.REJECTED, Response.Status.NEEDS_REVIEW)
# Rows per UPDATE / INSERT statement of ``rejudge_apply`` (well under SQLite's and PostgreSQL's parameter limits).
BATCH_SIZE = 500


@dataclass(frozen=True)
class Verdict:
    """A response's screening outcome: ``status`` ("passed", "rejected" or "needs_review"), score and reasons."""

    status: str
    score: int | None
    reasons: tuple[str, ...] = ()
    review_reasons: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return str(Response.Status(self.status).label)


@dataclass(frozen=True)
class RejudgeRow:
    """One response whose screening outcome changes when the question's answer is judged by the current rule.

    ``status``: the response's status now (a screening status, or a person's decision that is kept);
    ``words``, ``value``: the candidate's answer to the question and the value read from it; ``rule_before``:
    the rule it was judged by (``{}``: not recorded); ``answer_before`` / ``answer_after``: its verdict
    (``VERDICT_*``); ``before`` / ``after``: the response's outcome.
    """

    response_id: int
    name: str
    status: str
    words: str
    value: object
    rule_before: dict
    answer_before: str
    answer_after: str
    before: Verdict
    after: Verdict

    @property
    def decided(self) -> bool:
        """A person decided this response (shortlisted, interview, ...): its status is kept."""
        return self.status not in SCREENING_STATUSES

    @property
    def flips(self) -> bool:
        """The screening's verdict itself changes (passed, rejected, needs review), not only score or reasons."""
        return self.before.status != self.after.status

    @property
    def status_after(self) -> str:
        return self.status if self.decided else self.after.status

    @property
    def status_label(self) -> str:
        return str(Response.Status(self.status).label)

    @property
    def answer_before_label(self) -> str:
        return str(VERDICT_LABELS[self.answer_before])

    @property
    def answer_after_label(self) -> str:
        return str(VERDICT_LABELS[self.answer_after])

    @property
    def rule_before_text(self) -> str:
        return rule_words(self.rule_before)


@dataclass(frozen=True)
class RejudgePreview:
    """What re-judging ``question``'s past answers under its current ``rule`` would change.

    ``answers``: the answers judged by another rule (all are marked as judged by the current one on apply,
    changed or not); ``rules_before``: the distinct rules they were judged by; ``changes``: responses still in a
    screening status whose outcome changes; ``kept``: responses a person decided, status kept, whose screening
    outcome changes; ``unchanged``: responses with such an answer whose outcome stays. ``fingerprint`` names
    the rule (``rule_fingerprint``): applying with it refuses if the rule changed since.
    """

    question: ScreeningQuestion
    rule: dict
    fingerprint: str
    answers: int = 0
    rules_before: list[dict] = field(default_factory=list)
    changes: list[RejudgeRow] = field(default_factory=list)
    kept: list[RejudgeRow] = field(default_factory=list)
    unchanged: int = 0

    @property
    def rule_text(self) -> str:
        return rule_words(self.rule)

    @property
    def rules_before_text(self) -> list[str]:
        return [rule_words(rule) for rule in self.rules_before]

    @property
    def flips(self) -> int:
        """Responses whose screening verdict (not only score or reasons) changes, decided ones included."""
        return sum(1 for row in (*self.changes, *self.kept) if row.flips)


# --- judging a vacancy's responses (a constant number of queries, then pure Python) -------------------------------


@dataclass(frozen=True)
class _Judged:
    preview: RejudgePreview
    # answer id -> (passed, needs_review, points) under the current rule
    answers: dict[int, tuple[bool | None, bool, float]]


def _finished(queryset, prefix: str = ""):
    return queryset.filter(**{f"{prefix}completed_at__isnull": False, f"{prefix}erased_at__isnull": True})


def _stored_verdict(verdict: str, status: str, score, reasons, review_reasons) -> Verdict:
    """The response's stored screening outcome: its screening verdict (``Response.screening_verdict``, kept
    whatever a person decided since), else its status, with its score and reasons."""
    return Verdict(str(verdict or status), score, tuple(reasons or ()), tuple(review_reasons or ()))


def _judge(question: ScreeningQuestion, *, lock: bool = False) -> _Judged:
    """Judge every finished response with an answer to ``question`` judged by another rule. Four queries.

    ``lock``: take the responses' rows for update (``rejudge_apply``, so no decision slips in meanwhile).
    """
    vacancy = question.vacancy
    current = rule_snapshot(question)
    questions = list(vacancy.questions.order_by("position", "pk"))
    responses = _finished(Response.objects.filter(vacancy_id=vacancy.pk))
    if lock:
        responses = responses.select_for_update(no_key=True)
    stored = {
        pk: (name, status, verdict, score, reasons, review)
        for pk, name, status, verdict, score, reasons, review in responses.order_by().values_list(
            "pk", "full_name", "status", "screening_verdict", "score", "rejection_reasons", "review_reasons"
        )
    }
    by_response: dict[int, dict[int, StoredAnswer]] = defaultdict(dict)
    stale: list[StoredAnswer] = []
    rows = _finished(Answer.objects.filter(response__vacancy_id=vacancy.pk), "response__")
    for values in rows.order_by().values_list(*StoredAnswer._fields).iterator(chunk_size=5000):
        row = StoredAnswer(*values[:-1], values[-1] or {})
        by_response[row.response_id][row.question_id] = row
        # A response erased between the two reads (without the lock) is left out.
        if row.question_id == question.pk and row.response_id in stored and rule_is_other(row.rule, current):
            stale.append(row)

    specs = [scoring.QuestionSpec.from_question(q) for q in questions]
    verdicts: dict[int, tuple[bool | None, bool, float]] = {}
    rules_before: list[dict] = []
    changes: list[RejudgeRow] = []
    kept: list[RejudgeRow] = []
    with translation.override(vacancy.language):  # reasons in the vacancy's language, as at the finish
        for row in stale:
            if row.rule not in rules_before:
                rules_before.append(row.rule)
            results, own = [], None
            for spec in specs:
                answer = by_response[row.response_id].get(spec.id)
                if answer is None:
                    continue  # asked after this response finished: it never counted
                checked = judge_stored(spec, answer)
                results.append((spec, checked))
                if spec.id == question.pk:
                    own = checked
            verdicts[row.pk] = (own.passed, own.review, own.points)
            outcome = scoring.outcome(results, threshold=vacancy.pass_threshold)
            name, status, verdict, score, reasons, review = stored[row.response_id]
            before = _stored_verdict(verdict, status, score, reasons, review)
            after = Verdict(outcome.status, outcome.score, tuple(outcome.reasons), tuple(outcome.review_reasons))
            if before == after:
                continue
            changed = RejudgeRow(
                response_id=row.response_id,
                name=name or f"#{row.response_id}",
                status=status,
                words=row.raw_text,
                value=row.value,
                rule_before=row.rule,
                answer_before=verdict_code(row.passed, row.needs_review),
                answer_after=verdict_code(own.passed, own.review),
                before=before,
                after=after,
            )
            (kept if changed.decided else changes).append(changed)
    # Verdicts that flip first, then by name: what the recruiter most needs to see.
    for listed in (changes, kept):
        listed.sort(key=lambda r: (not r.flips, r.name.casefold(), r.response_id))
    preview = RejudgePreview(
        question=question,
        rule=current,
        fingerprint=rule_fingerprint(current),
        answers=len(stale),
        rules_before=rules_before,
        changes=changes,
        kept=kept,
        unchanged=len(stale) - len(changes) - len(kept),
    )
    return _Judged(preview=preview, answers=verdicts)


def rejudge_preview(*, question: ScreeningQuestion) -> RejudgePreview:
    """What re-judging ``question``'s past answers under its current rule would change; writes nothing.

    Covers the finished responses of the question's vacancy whose answer to it was judged by another rule
    (``Answer.rule`` differs from ``rule_snapshot(question)``, or is ``{}``). Each such answer is judged by the
    current rule and its response's outcome recomputed from all its answers under the vacancy's current rules
    and threshold (``scoring.outcome``); the response is listed when status, score or reasons change. Runs a
    constant number of queries (four), whatever the number of responses.
    """
    return _judge(question).preview


def _subscribed(company_id: int, event: str) -> bool:
    # One query up front, so that a company without such an endpoint (most) costs no query per flipped response
    # after the commit; ``response_event_emit`` still decides per event which endpoints get it.
    return any(
        event in (events or [])
        for events in WebhookEndpoint.objects.filter(company_id=company_id, is_active=True).values_list(
            "events", flat=True
        )
    )


def _history_comment(row: RejudgeRow, *, question: ScreeningQuestion, rule_after: str) -> str:
    facts = {
        "question": question.text.rstrip("?:. "),
        "before": row.rule_before_text,
        "after": rule_after,
        "verdict_before": row.before.status_label,
        "verdict_after": row.after.status_label,
        "score_before": "—" if row.before.score is None else row.before.score,
        "score_after": row.after.score,
    }
    if row.decided:
        text = _(
            "Re-judged under the new rule: %(question)s, %(before)s → %(after)s. The screening's verdict is now "
            "“%(verdict_after)s” (was “%(verdict_before)s”), score %(score_before)s → %(score_after)s; the status a "
            "person set is kept."
        )
    else:
        text = _(
            "Re-judged under the new rule: %(question)s, %(before)s → %(after)s. “%(verdict_before)s” → "
            "“%(verdict_after)s”, score %(score_before)s → %(score_after)s."
        )
    return (text % facts)[:2000]


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rejudge_apply(*, question: ScreeningQuestion, actor, fingerprint: str = "") -> Rejudge | None:
    """Re-judge ``question``'s past answers under its current rule, in one transaction; the ``Rejudge`` record.

    What ``rejudge_preview`` lists is written: every answer judged by another rule gets its verdict under the
    current rule (``passed``, ``needs_review``, ``points``) and the current rule (``rule``); every listed
    response its new score and reasons, and its new status unless a person decided it; one ``StatusChange`` per
    listed response ("Re-judged under the new rule: ..."), by ``actor``; one ``Rejudge`` audit row; and, after
    the commit, the ``response.status_changed`` webhook for each response whose status changed.

    Returns None, writing nothing, when no answer was judged by another rule (applying twice changes nothing).
    ``fingerprint``: the preview's (``RejudgePreview.fingerprint``); when given and the rule changed since,
    raises ``ValidationError`` (code "conflict") and writes nothing, so what is applied is what was previewed.
    Raises ``ValidationError`` (code "conflict") when the question was removed meanwhile.
    """
    with transaction.atomic():
        # The script's lock order (vacancies.services): the vacancy, then the question, so an edit of the rule
        # waits until the answers judged by it are written. "No key" locks: new applications and answers (their
        # foreign keys) go on meanwhile; a decision on a listed response waits on its row (``_judge``).
        list(Vacancy.objects.select_for_update(no_key=True).filter(pk=question.vacancy_id).values_list("pk"))
        locked = (
            ScreeningQuestion.objects.select_for_update(of=("self",), no_key=True)
            .select_related("vacancy")
            .filter(pk=question.pk)
            .first()
        )
        if locked is None:
            raise ValidationError(_("This question was removed meanwhile: reload the page."), code="conflict")
        current = rule_snapshot(locked)
        if fingerprint and fingerprint != rule_fingerprint(current):
            raise ValidationError(
                _("The rule changed since this preview: look at the new preview before applying it."),
                code="conflict",
            )
        judged = _judge(locked, lock=True)
        preview = judged.preview
        if not judged.answers:
            return None
        by_verdict: dict[tuple, list[int]] = defaultdict(list)
        for answer_id, verdict in judged.answers.items():
            by_verdict[verdict].append(answer_id)
        for (passed, review, points), ids in by_verdict.items():
            for batch in _batches(sorted(ids)):
                Answer.objects.filter(pk__in=batch).update(
                    passed=passed, needs_review=review, points=points, rule=current
                )
        now = timezone.now()
        rule_after = rule_words(current)
        listed = [*preview.changes, *preview.kept]
        responses, history, moved = [], [], []
        by_status: dict[str, list[int]] = defaultdict(list)
        for row in listed:
            by_status[row.status_after].append(row.response_id)
            responses.append(
                Response(
                    pk=row.response_id,
                    score=row.after.score,
                    rejection_reasons=list(row.after.reasons),
                    review_reasons=list(row.after.review_reasons),
                    screening_verdict=row.after.status,
                )
            )
            history.append(
                StatusChange(
                    response_id=row.response_id,
                    actor=actor,
                    from_status=row.status,
                    to_status=row.status_after,
                    comment=_history_comment(row, question=locked, rule_after=rule_after),
                )
            )
            if row.status_after != row.status:
                moved.append(row.response_id)
        # The status (a few values) in plain grouped UPDATEs; only what differs per response goes through
        # bulk_update's CASE, whose compilation in Python is most of the cost (bench/rejudge.py).
        for status, ids in by_status.items():
            for batch in _batches(sorted(ids)):
                Response.objects.filter(pk__in=batch).update(status=status, updated_at=now)
        Response.objects.bulk_update(
            responses, ["score", "rejection_reasons", "review_reasons", "screening_verdict"], batch_size=BATCH_SIZE
        )
        StatusChange.objects.bulk_create(history, batch_size=BATCH_SIZE)
        audit = Rejudge.objects.create(
            vacancy_id=locked.vacancy_id,
            question=locked,
            actor=actor,
            rule_before=preview.rules_before,
            rule_after=current,
            answers=preview.answers,
            flipped=len(listed),
        )
        event = WebhookEndpoint.Event.RESPONSE_STATUS_CHANGED
        if moved and _subscribed(locked.vacancy.company_id, event):
            for response_id in moved:
                stub = Response(pk=response_id, vacancy_id=locked.vacancy_id)
                stub.vacancy = locked.vacancy  # the company is known: no lookup per event
                response_event_emit_on_commit(response=stub, event=event)
    return audit
