"""Exports of responses (CSV and XLSX) and the per-candidate decision record (docs/exports.md).

- ``export_rows`` yields the header and one row per response of a queryset, reading the responses in chunks of
  ``EXPORT_CHUNK`` with their answers, history, tags and evaluations prefetched per chunk: the number of queries
  depends on the number of chunks, never on the number of rows.
- Every text cell goes through ``cell_text``: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return gets a leading apostrophe, so no spreadsheet reads it as a formula; XLSX cells are always written as
  strings or numbers, never formulas.
- ``export_csv_lines`` streams CSV (a ``StreamingHttpResponse`` sends it as it is made); ``export_xlsx_write``
  writes an openpyxl write-only workbook to a file (a temporary one for a direct download): memory stays bounded.
- ``export_file`` writes an export to the default storage under ``exports/<company id>/<random token>.<fmt>``
  for the bulk action's task; ``export_file_open`` serves it to members of that company only, and files older
  than ``EXPORT_FILE_TTL`` are deleted when read or when the company exports again.
- Erased applications are left out of every export (their data is gone; the erasure log keeps the count).
"""

from __future__ import annotations

import csv
import functools
import itertools
import json
import re
import secrets
import tempfile
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.audit import audit_record
from accounts.models import AuditEntry

from ..models import Answer, Evaluation, Response, StatusChange
from ..rejudging import VERDICT_LABELS, rule_words, verdict_code

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Responses read per query (and prefetched together): a few MB of rows at a time.
EXPORT_CHUNK = 500
# A file made for a bulk action is kept this long, then deleted (on the next read or export of the company).
EXPORT_FILE_TTL = timedelta(hours=24)
EXPORT_DIR = "exports"
# Spreadsheets hold at most 32,767 characters in a cell.
MAX_CELL = 32_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


# A phone number or a signed number ("+7 900 555-01-19", "-5"): nothing in it can call a function.
_SIGNED_NUMBER_RE = re.compile(r"^[+-][\d\s().-]*$")


def cell_text(value, *, typed: bool = False) -> str:
    """``value`` as a spreadsheet cell's text that no spreadsheet reads as a formula.

    A text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe (OWASP's
    advice for CSV injection); characters XML cannot hold are dropped; the text is cut at ``MAX_CELL``.
    ``typed``: for an XLSX string cell, which a spreadsheet shows as the text it holds: there a phone number or a
    signed number keeps its bare sign (the apostrophe only corrupted "+7 900 555-01-19"); any other prefixed
    text keeps the apostrophe, so that editing the cell never turns it into a formula either.
    """
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL]
    if text.startswith(FORMULA_PREFIXES) and not (typed and _SIGNED_NUMBER_RE.match(text)):
        return "'" + text
    return text


def _cell(value, *, typed: bool = False):
    """Numbers stay numbers (never negative here: scores and ids); everything else is neutralised text
    (``cell_text``; ``typed`` for an XLSX cell)."""
    if isinstance(value, bool) or value is None:
        return cell_text("" if value is None else (_("yes") if value else _("no")))
    if isinstance(value, int | float) and value >= 0:
        return value
    return cell_text(value, typed=typed)


def value_words(value) -> str:
    """An answer's value as read ("yes", "5", "a, b"); "" for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def answer_verdict_words(answer: Answer) -> str:
    """The answer's verdict and the rule it was judged by: "✓ passed (must be at least 3)"; "" without a rule."""
    rule = json.dumps(answer.rule, sort_keys=True) if answer.rule else None
    return _verdict_words(answer.passed, answer.needs_review, rule, get_language())


# Translating is most of a row's time: the few distinct verdicts and rules of an export are worded once per
# language. ``rule`` is the rule's JSON text (as the database gives it), None for none.
@functools.lru_cache(maxsize=1024)
def _verdict_words(passed: bool | None, needs_review: bool, rule: str | None, language: str) -> str:
    code = verdict_code(passed, needs_review)
    rule = (json.loads(rule) if rule else None) or {}
    if code == "none" and not rule.get("knockout"):
        return ""
    return f"{VERDICT_LABELS[code]} ({rule_words(rule)})"


def _time(value, zone) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user) -> str:
    return str(user) if user is not None else _label("SmartBot", get_language())


@functools.lru_cache(maxsize=256)
def _label(code: str, language: str) -> str:
    """A status's or source's label (any other code as itself) in ``language``."""
    if code in Response.Status.values:
        return str(Response.Status(code).label)
    if code in Response.Source.values:
        return str(Response.Source(code).label)
    return code


def history_words(history: Iterable[StatusChange], zone) -> str:
    """The status history, one line per change: "2026-05-01 10:00 · New → Passed · SmartBot · comment"."""
    return _history_text(
        ((c.created_at, c.from_status, c.to_status, _person(c.actor), c.comment) for c in history),
        zone,
        get_language(),
    )


def _history_text(changes: Iterable[tuple], zone, language: str) -> str:
    """``changes`` as (time, from status, to status, who, comment), one line each (see ``history_words``)."""
    lines = []
    for created_at, from_status, to_status, person, comment in changes:
        moved = f"{_label(from_status, language) if from_status else '∅'} → {_label(to_status, language)}"
        parts = [_time(created_at, zone), moved, person]
        if comment:
            parts.append(comment)
        lines.append(" · ".join(parts))
    return "\n".join(lines)


def latest_evaluation(response: Response) -> Evaluation | None:
    """The latest finished evaluation among the prefetched ones (newest first), else the latest of any state."""
    evaluations = list(response.evaluations.all())
    return next((e for e in evaluations if e.status == Evaluation.Status.DONE), evaluations[0] if evaluations else None)


def _claim_text(claim) -> str:
    return str(claim.get("text", "")) if isinstance(claim, dict) else str(claim)


def evidence_words(evaluation: Evaluation | None) -> str:
    """The AI's evidence in short: strengths, concerns and each checked item with its level."""
    if evaluation is None:
        return ""
    return _evidence_text(evaluation.strengths, evaluation.concerns, evaluation.evidence)


def _evidence_labels() -> tuple[str, str]:
    """The translated "Strengths: …" and "Concerns: …" patterns (looked up once per export, not per row)."""
    return _("Strengths: %(items)s"), _("Concerns: %(items)s")


def _evidence_text(strengths, concerns, evidence, labels: tuple[str, str] | None = None) -> str:
    strengths_label, concerns_label = labels or _evidence_labels()
    lines = []
    if strengths:
        lines.append(strengths_label % {"items": "; ".join(_claim_text(c) for c in strengths)})
    if concerns:
        lines.append(concerns_label % {"items": "; ".join(_claim_text(c) for c in concerns)})
    for item in evidence or []:
        if isinstance(item, dict) and item.get("label"):
            lines.append(f"{item['label']}: {item.get('level', '')}")
    return "\n".join(lines)


def export_queryset(*, company, responses=None, response_ids: list[int] | None = None):
    """The company's live responses to export: ``responses`` (a queryset, its order kept) or ``response_ids``
    (ids of other companies are ignored). ``export_rows`` reads them and what their rows show in chunks."""
    if responses is None:
        responses = Response.objects.filter(pk__in=list(response_ids or [])).order_by("pk")
    return responses.filter(vacancy__company_id=company.pk, erased_at__isnull=True)


def _single_vacancy_questions(queryset):
    """The questions of the one vacancy all rows belong to, in order; None for a mixed list (or none). 2 queries."""
    vacancy_ids = list(queryset.order_by().values_list("vacancy_id", flat=True).distinct()[:2])
    if len(vacancy_ids) != 1:
        return None
    from vacancies.models import ScreeningQuestion

    return list(ScreeningQuestion.objects.filter(vacancy_id=vacancy_ids[0]).order_by("position", "pk"))


# What a row reads of a response, as plain values (no model instances: building them was most of the time).
RESPONSE_FIELDS = (
    "pk", "vacancy__title", "full_name", "email", "phone", "phone_e164", "city", "source", "created_at",
    "completed_at", "status", "screening_verdict", "score", "review_reasons", "rejection_reasons", "ai_score",
    "ai_recommendation", "resume_text",
)  # fmt: skip


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _grouped(pairs: Iterable[tuple]) -> dict:
    """``{first item: [the rest, ...]}`` in the order of ``pairs``."""
    grouped = defaultdict(list)
    for first, *rest in pairs:
        grouped[first].append(rest)
    return grouped


class _ChunkReader:
    """What the rows of one chunk of responses show besides the response: answers, history, tags, the latest
    evaluation; 4 queries per chunk, plus one for people not met in an earlier chunk."""

    def __init__(self, *, with_question_text: bool):
        self.with_question_text = with_question_text
        self.people: dict[int, str] = {}

    def read(self, ids: list[int]) -> tuple[dict, dict, dict, dict]:
        answer_fields = ["response_id", "question_id", "raw_text", "value", "passed", "needs_review", "rule_json"]
        if self.with_question_text:
            answer_fields.append("question__text")
        answers = _grouped(
            Answer.objects.filter(response_id__in=ids)
            .annotate(rule_json=Cast("rule", TextField()))  # the rule's text: a cache key, decoded once per rule
            .order_by("question__position", "question_id")
            .values_list(*answer_fields)
        )
        history = _grouped(
            StatusChange.objects.filter(response_id__in=ids)
            .order_by("created_at", "id")
            .values_list("response_id", "created_at", "from_status", "to_status", "actor_id", "comment")
        )
        new_people = {row[3] for rows in history.values() for row in rows} - self.people.keys() - {None}
        if new_people:
            from accounts.models import User

            self.people |= {pk: str(user) for pk, user in User.objects.in_bulk(list(new_people)).items()}
        tags = _grouped(
            Response.tags.through.objects.filter(response_id__in=ids)
            .order_by("tag__name")
            .values_list("response_id", "tag__name")
        )
        evaluations = {}
        fields = ("response_id", "status", "score", "recommendation", "summary", "strengths", "concerns", "evidence")
        for response_id, rows in _grouped(
            Evaluation.objects.filter(response_id__in=ids).order_by("-created_at", "-id").values_list(*fields)
        ).items():
            evaluations[response_id] = next((r for r in rows if r[0] == Evaluation.Status.DONE), rows[0])
        return answers, history, tags, evaluations


def export_rows(*, company, queryset) -> Iterator[list]:
    """The header, then one row per response of ``queryset`` (from ``export_queryset``), as plain values: the
    writers (``export_csv_lines``, ``export_xlsx_write``) neutralise every cell for their format (``cell_text``).

    For one vacancy each question gets three columns ("Question: answer", "Question: value", "Question:
    verdict" with the rule it was judged by); a list of several vacancies gets one "Answers" column with a
    line per answer. Times are in the company's time zone. Responses are read as plain values through one
    cursor, ``EXPORT_CHUNK`` at a time, with what their rows show read per chunk (``_ChunkReader``): queries
    3 + 4 per chunk (+1 per chunk bringing people not seen before), never per row.
    """
    zone = zoneinfo.ZoneInfo(company.time_zone)
    language = get_language()
    questions = _single_vacancy_questions(queryset)
    header = [
        _("ID"), _("Vacancy"), _("Name"), _("Email"), _("Phone"), _("Phone (E.164)"), _("City"), _("Source"),
        _("Applied at"), _("Finished at"), _("Status"), _("Screening verdict"), _("Score"), _("Review reasons"),
        _("Rejection reasons"), _("AI score"), _("AI recommendation"), _("AI summary"), _("AI evidence"), _("Tags"),
    ]  # fmt: skip
    if questions is None:
        header.append(_("Answers"))
    else:
        for question in questions:
            header += [f"{question.text}: {_('answer')}", f"{question.text}: {_('value')}"]
            header.append(f"{question.text}: {_('verdict')}")
    header += [_("Status history"), _("Resume")]
    yield list(header)

    reader = _ChunkReader(with_question_text=questions is None)
    smartbot, evidence_labels = _label("SmartBot", language), _evidence_labels()
    yes_no = {True: _("yes"), False: _("no")}
    responses = queryset.values_list(*RESPONSE_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    for chunk in _chunks(responses, EXPORT_CHUNK):
        answers, history, tags, evaluations = reader.read([values[0] for values in chunk])
        for values in chunk:
            (
                pk, title, name, email, phone, phone_e164, city, source, created_at, completed_at, status, verdict,
                score, review_reasons, rejection_reasons, ai_score, ai_recommendation, resume,
            ) = values  # fmt: skip
            evaluation = evaluations.get(pk)
            _status, e_score, e_recommendation, e_summary, strengths, concerns, evidence = evaluation or (None,) * 7
            row = [
                pk, title, name, email, phone, phone_e164, city, _label(source, language), _time(created_at, zone),
                _time(completed_at, zone), _label(status, language), _label(verdict, language) if verdict else "",
                score, "\n".join(map(str, review_reasons or [])), "\n".join(map(str, rejection_reasons or [])),
                ai_score if ai_score is not None else e_score, ai_recommendation or (e_recommendation or ""),
                e_summary or "", _evidence_text(strengths, concerns, evidence, evidence_labels) if evaluation else "",
                ", ".join(tag for (tag,) in tags.get(pk, ())),
            ]  # fmt: skip
            if questions is None:
                lines = []
                for _question_id, raw_text, value, passed, needs_review, rule, text in answers.get(pk, ()):
                    read = yes_no[value] if value is True or value is False else value_words(value)
                    line = f"{text}: {raw_text} → {read}"
                    words = _verdict_words(passed, needs_review, rule, language)
                    lines.append(f"{line} [{words}]" if words else line)
                row.append("\n".join(lines))
            else:
                by_question = {answer[0]: answer for answer in answers.get(pk, ())}
                for question in questions:
                    answer = by_question.get(question.pk)
                    if answer is None:
                        row += ["", "", ""]
                    else:
                        _question_id, raw_text, value, passed, needs_review, rule = answer
                        words = yes_no[value] if value is True or value is False else value_words(value)
                        row += [raw_text, words, _verdict_words(passed, needs_review, rule, language)]
            # No actor: the screening's own change ("SmartBot").
            changes = (
                (at, old, new, reader.people.get(actor_id, smartbot), comment)
                for at, old, new, actor_id, comment in history.get(pk, ())
            )
            row += [_history_text(changes, zone, language), resume]
            yield row


class _Echo:
    """A file whose ``write`` returns what it was given: ``csv.writer`` formats one row at a time."""

    def write(self, value):
        return value


def export_csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """CSV text, one row at a time, starting with a byte-order mark so spreadsheets read it as UTF-8; every cell
    neutralised (``cell_text``)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def export_xlsx_write(rows: Iterable[list], target) -> None:
    """Write ``rows`` as an XLSX workbook to ``target`` (a path or a binary file) with openpyxl's write-only mode:
    rows go to disk as they come. Text cells are typed strings, never formulas (``cell_text(typed=True)``)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Responses")
    for row in rows:
        row = [_cell(value, typed=True) for value in row]
        # openpyxl types a plain value itself (a text is a string cell) except a text starting with "=", which
        # it takes for a formula: only those (none from ``export_rows``, whose texts went through ``cell_text``)
        # get a cell typed by hand. A cell object per value cost a third of the time.
        if any(isinstance(value, str) and value.startswith("=") for value in row):
            row = [_text_cell(sheet, value) if isinstance(value, str) else value for value in row]
        sheet.append(row)
    workbook.save(target)


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def export_audit(
    *, company, user, fmt: str, count: int, details: dict | None = None, target: str = "", request=None
) -> None:
    """Write the export's audit entry (who exported how many responses in which format, with which filters)."""
    audit_record(
        company=company,
        actor=user,
        action=AuditEntry.Action.EXPORT,
        target=target,
        summary=f"Exported {count} responses as {fmt.upper()}",
        details={"format": fmt, "count": count, **(details or {})},
        request=request,
    )


def export_file_name(fmt: str) -> str:
    """The name a downloaded export gets: "responses-2026-05-01.xlsx"."""
    return f"responses-{timezone.localdate():%Y-%m-%d}.{fmt}"


def export_file(*, company, response_ids: list[int], fmt: str, user) -> str:
    """Export ``response_ids`` (the company's; other ids are ignored) as ``fmt`` ("csv" or "xlsx") to the
    default storage under a private, unguessable name; return that storage name (``export_file_url`` links it).

    Writes an audit entry. Raises ``ValidationError`` for an unknown format. Deletes the company's expired files.
    """
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    export_files_purge(company=company)
    queryset = export_queryset(company=company, response_ids=response_ids)
    rows = export_rows(company=company, queryset=queryset)
    name = f"{EXPORT_DIR}/{company.pk}/{secrets.token_urlsafe(24)}.{fmt}"
    with tempfile.TemporaryFile(suffix=f".{fmt}") as buffer:
        if fmt == "csv":
            for text in export_csv_lines(rows):
                buffer.write(text.encode())
        else:
            export_xlsx_write(rows, buffer)
        buffer.seek(0)
        name = default_storage.save(name, File(buffer))
    export_audit(company=company, user=user, fmt=fmt, count=queryset.count(), details={"file": name.rsplit("/")[-1]})
    return name


def export_file_url(*, name: str) -> str:
    """The download address of a file ``export_file`` made."""
    from django.urls import reverse

    return reverse("screening:export_download", args=[name.rsplit("/", 1)[-1]])


def export_file_open(*, company, file_name: str):
    """The storage name and an open file of the company's export ``file_name`` ("<token>.<fmt>").

    ``Http404`` for a malformed name, another company's file (the company is part of the storage path) or an
    expired one (deleted on the way).
    """
    token, _dot, fmt = file_name.rpartition(".")
    if fmt not in FORMATS or not TOKEN_RE.match(token):
        raise Http404
    name = f"{EXPORT_DIR}/{company.pk}/{token}.{fmt}"
    if not default_storage.exists(name):
        raise Http404
    if default_storage.get_modified_time(name) < timezone.now() - EXPORT_FILE_TTL:
        default_storage.delete(name)
        raise Http404
    return name, default_storage.open(name, "rb")


def export_files_purge(*, company) -> int:
    """Delete the company's export files older than ``EXPORT_FILE_TTL``; return how many."""
    folder = f"{EXPORT_DIR}/{company.pk}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    cutoff, deleted = timezone.now() - EXPORT_FILE_TTL, 0
    for file_name in files:
        name = f"{folder}/{file_name}"
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted
