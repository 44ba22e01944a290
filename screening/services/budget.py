"""The company's LLM budget and usage: what this month's calls cost, and when the builtin evaluator must run."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .. import ai
from ..models import Evaluation, LLMCall

FALLBACK_NOT_CONFIGURED = "not_configured"
FALLBACK_AI_DISABLED = "ai_disabled"
FALLBACK_BUDGET_SPENT = "budget_spent"


def _month_start():
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def company_llm_spent(*, company) -> Decimal:
    """What the company's LLM calls cost this calendar month (estimated, USD)."""
    total = LLMCall.objects.filter(company=company, created_at__gte=_month_start()).aggregate(total=Sum("cost"))
    return total["total"] or Decimal(0)


def company_llm_fallback(*, company) -> str:
    """Why the builtin provider must be used for this company now ('' when the LLM may be called)."""
    if not company.ai_enabled:
        return FALLBACK_AI_DISABLED
    if not ai.is_configured():
        return FALLBACK_NOT_CONFIGURED
    if company.ai_monthly_budget is not None and company_llm_spent(company=company) >= company.ai_monthly_budget:
        return FALLBACK_BUDGET_SPENT
    return ""


def llm_usage_month(*, company) -> dict:
    """This calendar month's LLM calls, tokens and estimated cost for the company, with the budget left."""
    start = _month_start()
    calls = LLMCall.objects.filter(company=company, created_at__gte=start)
    totals = calls.aggregate(
        calls=Count("pk"),
        failed=Count("pk", filter=Q(ok=False)),
        tokens_in=Sum("tokens_in"),
        tokens_out=Sum("tokens_out"),
        cost=Sum("cost"),
    )
    by_purpose = list(
        calls.values("purpose")
        .annotate(calls=Count("pk"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"), cost=Sum("cost"))
        .order_by("purpose")
    )
    labels = dict(LLMCall.Purpose.choices)
    for row in by_purpose:
        row["label"] = labels.get(row["purpose"], row["purpose"])
    evaluations = Evaluation.objects.filter(response__vacancy__company=company, created_at__gte=start).aggregate(
        total=Count("pk"),
        llm=Count("pk", filter=Q(evaluator=Evaluation.Evaluator.LLM)),
        builtin=Count("pk", filter=Q(evaluator=Evaluation.Evaluator.BUILTIN)),
        failed=Count("pk", filter=Q(status=Evaluation.Status.FAILED)),
    )
    cost = totals["cost"] or Decimal(0)
    budget = company.ai_monthly_budget
    return {
        "month_start": start,
        "calls": totals["calls"] or 0,
        "failed_calls": totals["failed"] or 0,
        "tokens_in": totals["tokens_in"] or 0,
        "tokens_out": totals["tokens_out"] or 0,
        "cost": cost,
        "budget": budget,
        "budget_left": None if budget is None else max(Decimal(0), budget - cost),
        "budget_spent": budget is not None and cost >= budget,
        "by_purpose": by_purpose,
        "evaluations": evaluations,
        "fallback": company_llm_fallback(company=company),
        "model": ai.model_name() if ai.is_configured() else "",
    }
