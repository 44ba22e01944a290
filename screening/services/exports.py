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
import json
import re
import secrets
import tempfile
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Prefetch
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


def cell_text(value) -> str:
    """``value`` as a spreadsheet cell's text that no spreadsheet reads as a formula.

    A text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe (OWASP's
    advice for CSV injection); characters XML cannot hold are dropped; the text is cut at ``MAX_CELL``.
    """
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL]
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _cell(value):
    """Numbers stay numbers (never negative here: scores and ids); everything else is neutralised text."""
    if isinstance(value, bool) or value is None:
        return cell_text("" if value is None else (_("yes") if value else _("no")))
    if isinstance(value, int | float) and value >= 0:
        return value
    return cell_text(value)


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
    code = verdict_code(answer.passed, answer.needs_review)
    rule = answer.rule or {}
    if code == "none" and not rule.get("knockout"):
        return ""
    return _verdict_words(code, json.dumps(rule, sort_keys=True), get_language())


# Translating is most of a row's time: the few distinct labels and rules of an export are worded once per language.
@functools.lru_cache(maxsize=1024)
def _verdict_words(code: str, rule: str, language: str) -> str:
    return f"{VERDICT_LABELS[code]} ({rule_words(json.loads(rule))})"


def _time(value, zone) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user) -> str:
    return str(user) if user is not None else _label("SmartBot", get_language())


def _status_label(code: str) -> str:
    return _label(code, get_language())


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
    lines = []
    for change in history:
        parts = [
            _time(change.created_at, zone),
            f"{_status_label(change.from_status) if change.from_status else '∅'} → {_status_label(change.to_status)}",
            _person(change.actor),
        ]
        if change.comment:
            parts.append(change.comment)
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
    lines = []
    if evaluation.strengths:
        lines.append(_("Strengths: %(items)s") % {"items": "; ".join(_claim_text(c) for c in evaluation.strengths)})
    if evaluation.concerns:
        lines.append(_("Concerns: %(items)s") % {"items": "; ".join(_claim_text(c) for c in evaluation.concerns)})
    for item in evaluation.evidence or []:
        if isinstance(item, dict) and item.get("label"):
            lines.append(f"{item['label']}: {item.get('level', '')}")
    return "\n".join(lines)


def export_queryset(*, company, responses=None, response_ids: list[int] | None = None):
    """The company's live responses to export: ``responses`` (a queryset, its order kept) or ``response_ids``
    (ids of other companies are ignored), each with what a row shows prefetched per chunk."""
    if responses is None:
        responses = Response.objects.filter(pk__in=list(response_ids or [])).order_by("pk")
    return (
        responses.filter(vacancy__company_id=company.pk, erased_at__isnull=True)
        .select_related("vacancy", "candidate")
        .defer("resume_hidden_text")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("history", queryset=StatusChange.objects.select_related("actor")),
            "tags",
            Prefetch("evaluations", queryset=Evaluation.objects.order_by("-created_at")),
        )
    )


def _single_vacancy_questions(queryset):
    """The questions of the one vacancy all rows belong to, in order; None for a mixed list (or none). 2 queries."""
    vacancy_ids = list(queryset.order_by().values_list("vacancy_id", flat=True).distinct()[:2])
    if len(vacancy_ids) != 1:
        return None
    from vacancies.models import ScreeningQuestion

    return list(ScreeningQuestion.objects.filter(vacancy_id=vacancy_ids[0]).order_by("position", "pk"))


def export_rows(*, company, queryset) -> Iterator[list]:
    """The header, then one row per response of ``queryset`` (from ``export_queryset``); cells neutralised.

    For one vacancy each question gets three columns ("Question: answer", "Question: value", "Question:
    verdict" with the rule it was judged by); a list of several vacancies gets one "Answers" column with a
    line per answer. Times are in the company's time zone. Queries: 3 + 5 per ``EXPORT_CHUNK`` rows.
    """
    zone = zoneinfo.ZoneInfo(company.time_zone)
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
    yield [cell_text(name) for name in header]
    for response in queryset.iterator(chunk_size=EXPORT_CHUNK):
        evaluation = latest_evaluation(response)
        answers = list(response.answers.all())
        row = [
            response.pk, response.vacancy.title, response.full_name, response.email, response.phone,
            response.phone_e164, response.city, _status_label(response.source), _time(response.created_at, zone),
            _time(response.completed_at, zone), _status_label(response.status),
            _status_label(response.screening_verdict) if response.screening_verdict else "", response.score,
            "\n".join(map(str, response.review_reasons or [])), "\n".join(map(str, response.rejection_reasons or [])),
            response.ai_score if response.ai_score is not None else (evaluation.score if evaluation else None),
            response.ai_recommendation or (evaluation.recommendation if evaluation else ""),
            evaluation.summary if evaluation else "",
            evidence_words(evaluation), ", ".join(tag.name for tag in response.tags.all()),
        ]  # fmt: skip
        if questions is None:
            lines = []
            for answer in answers:
                line = f"{answer.question.text}: {answer.raw_text} → {value_words(answer.value)}"
                verdict = answer_verdict_words(answer)
                lines.append(f"{line} [{verdict}]" if verdict else line)
            row.append("\n".join(lines))
        else:
            by_question = {answer.question_id: answer for answer in answers}
            for question in questions:
                answer = by_question.get(question.pk)
                if answer is None:
                    row += ["", "", ""]
                else:
                    row += [answer.raw_text, value_words(answer.value), answer_verdict_words(answer)]
        row += [history_words(response.history.all(), zone), response.resume_text]
        yield [_cell(value) for value in row]


class _Echo:
    """A file whose ``write`` returns what it was given: ``csv.writer`` formats one row at a time."""

    def write(self, value):
        return value


def export_csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """CSV text, one row at a time, starting with a byte-order mark so spreadsheets read it as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def export_xlsx_write(rows: Iterable[list], target) -> None:
    """Write ``rows`` as an XLSX workbook to ``target`` (a path or a binary file) with openpyxl's write-only mode:
    rows go to disk as they come. Text cells are typed strings, never formulas."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Responses")
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would take a text starting with "=" for a formula
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)


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
