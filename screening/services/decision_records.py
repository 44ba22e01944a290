"""The per-candidate decision record: what was asked, answered, read, judged, recommended by the AI, decided and by
whom (docs/exports.md). One dict for the printable page, its self-contained HTML download and the API's JSON."""

from __future__ import annotations

from django.db.models import Prefetch

from ..models import Answer, Evaluation, Response, StatusChange
from ..rejudging import VERDICT_LABELS, rule_words, verdict_code
from .exports import export_audit, latest_evaluation, value_words


def decision_record_response(*, user, pk: int) -> Response:
    """The company's response with what its record shows (answers, history, evaluations, questions) in a fixed
    number of queries; ``Http404`` outside the user's company."""
    from django.shortcuts import get_object_or_404

    queryset = Response.objects.select_related("vacancy", "vacancy__company").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question")),
        Prefetch("history", queryset=StatusChange.objects.select_related("actor")),
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("-created_at")),
        "vacancy__questions",
    )
    return get_object_or_404(queryset, pk=pk, vacancy__company_id=user.company_id)


def decision_record(*, response: Response) -> dict:
    """The record of ``response`` (from ``decision_record_response``), in the active language.

    ``{"response", "vacancy", "erased", "questions": [{"question", "position", "answered", "answer", "value",
    "read_how", "confirmed", "verdict" (pass/fail/review/none), "verdict_label", "rule", "points", "answered_at"}],
    "evaluation": {"recommendation", "recommendation_label", "score", "summary", "strengths", "concerns",
    "evidence": [{"label", "level", "by"}], "evaluator", "model", "finished_at"} or None,
    "decisions": [{"at", "from_status", "to_status", "from_label", "to_label", "by", "comment"}]}``. Times are
    aware datetimes (the page shows them in the company's zone). An erased application keeps only its history.
    """
    erased = response.is_erased
    answers = {answer.question_id: answer for answer in response.answers.all()}
    questions = []
    for question in sorted(response.vacancy.questions.all(), key=lambda q: (q.position, q.pk)):
        answer = None if erased else answers.get(question.pk)
        code = verdict_code(answer.passed, answer.needs_review) if answer else "none"
        questions.append(
            {
                "question": question.text,
                "position": question.position,
                "answered": answer is not None,
                "answer": answer.raw_text if answer else "",
                "value": value_words(answer.value) if answer else "",
                "read_how": answer.read_how if answer else "",
                "confirmed": bool(answer and answer.confirmed),
                "verdict": code,
                "verdict_label": str(VERDICT_LABELS[code]),
                "rule": rule_words(answer.rule) if answer else question.rule_text(),
                "points": answer.points if answer else None,
                "answered_at": answer.created_at if answer else None,
            }
        )
    evaluation = None if erased else latest_evaluation(response)
    decisions = [
        {
            "at": change.created_at,
            "from_status": change.from_status,
            "to_status": change.to_status,
            "from_label": change.get_from_status_display() if change.from_status else "",
            "to_label": change.get_to_status_display(),
            "by": str(change.actor) if change.actor else "SmartBot",
            "comment": change.comment,
        }
        for change in response.history.all()
    ]
    return {
        "response": response,
        "vacancy": response.vacancy,
        "erased": erased,
        "questions": questions,
        "evaluation": _evaluation(evaluation),
        "decisions": decisions,
    }


def _claims(claims) -> list[str]:
    return [str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in claims or []]


def _evaluation(evaluation: Evaluation | None) -> dict | None:
    if evaluation is None:
        return None
    return {
        "status": evaluation.status,
        "recommendation": evaluation.recommendation,
        "recommendation_label": evaluation.get_recommendation_display() if evaluation.recommendation else "",
        "score": evaluation.score,
        "summary": evaluation.summary,
        "strengths": _claims(evaluation.strengths),
        "concerns": _claims(evaluation.concerns),
        "evidence": [
            {"label": str(item.get("label", "")), "level": str(item.get("level", "")), "by": str(item.get("by", ""))}
            for item in evaluation.evidence or []
            if isinstance(item, dict) and item.get("label")
        ],
        "evaluator": evaluation.evaluator,
        "model": evaluation.model,
        "finished_at": evaluation.finished_at,
    }


def decision_record_html(*, response: Response, context: dict | None = None) -> str:
    """The record as one self-contained HTML document: ``static/css/decision_record.css`` inlined in a
    ``<style>`` element (our own file, trusted), no script, no external address. ``context`` adds to the record
    (a view's ``request``-free extras)."""
    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    path = finders.find("css/decision_record.css")
    with open(path, encoding="utf-8") as handle:
        css = handle.read()
    return render_to_string(
        "screening/decision_record_export.html",
        {
            **decision_record(response=response),
            "company": response.vacancy.company,
            "inline_css": mark_safe(f"<style>{css}</style>"),  # noqa: S308 (our own static file)
            **(context or {}),
        },
    )


def decision_record_audit(*, response: Response, user, request=None) -> None:
    """The audit entry of a decision record's download (an export of one application)."""
    export_audit(
        company=response.vacancy.company,
        user=user,
        fmt="html",
        count=1,
        details={"kind": "decision_record"},
        target=f"response:{response.pk}",
        request=request,
    )
