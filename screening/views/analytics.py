"""Funnel analytics pages (the company's, a vacancy's) and the CSV of each chart (docs/analytics.md).

Thin doors: a selector fetches the vacancy (404 outside the user's company), ``screening.analytics`` computes,
``screening.charts`` draws. Every member reads, viewers included; nothing here writes.
"""

import csv

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.access import company_member_required
from vacancies.models import Vacancy
from vacancies.selectors import vacancy_get_for_user

from .. import analytics, charts

# A CSV cell a spreadsheet would run as a formula starts with one of these; a quote in front keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class PeriodForm(forms.Form):
    """``start`` and ``end`` dates (inclusive, in the company's zone); either left out: the last 30 days."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company

    def clean(self):
        data = super().clean()
        if not self.errors:
            data["period"] = analytics.period_for(company=self.company, start=data.get("start"), end=data.get("end"))
        return data


def period_from(params, company) -> tuple[PeriodForm, "analytics.Period"]:
    """The form bound to ``params`` and the period it gives (the last 30 days when it is not valid)."""
    form = PeriodForm(params or None, company=company)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"]
    return form, analytics.default_period(company)


def _page(request, vacancy=None):
    company = request.user.company
    form, period = period_from(request.GET, company)
    report = analytics.analytics_report(company=company, vacancy=vacancy, period=period)
    context = {
        "vacancy": vacancy,
        "form": form,
        "period": period,
        "report": report,
        "charts": charts.report_charts(report),
        "query": f"start={period.start.isoformat()}&end={period.end.isoformat()}",
        "vacancies": None if vacancy else Vacancy.objects.filter(company=company).order_by("title", "pk"),
    }
    return render(request, "screening/analytics.html", context, status=400 if form.errors else 200)


def _cell(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _csv(request, vacancy=None):
    key = request.GET.get("chart", "funnel")
    if key not in charts.CHART_KEYS:
        raise Http404
    company = request.user.company
    form, period = period_from(request.GET, company)
    if form.errors:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    report = analytics.analytics_report(company=company, vacancy=vacancy, period=period)
    chart = next(c for c in charts.report_charts(report) if c.key == key)
    scope = f"vacancy-{vacancy.pk}" if vacancy else "company"
    answer = HttpResponse(content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="analytics-{scope}-{key}-{period.start}-{period.end}.csv"'
    writer = csv.writer(answer)
    writer.writerow([_cell(str(name)) for name in chart.header])
    writer.writerows([_cell(value) for value in row] for row in chart.rows)
    return answer


@require_GET
@company_member_required
def company_analytics(request):
    """The company's funnel analytics for the period in ``start``/``end`` (GET; 400 with the form's errors)."""
    return _page(request)


@require_GET
@company_member_required
def vacancy_analytics(request, vacancy_pk):
    """One vacancy's funnel analytics; 404 for a vacancy outside the user's company."""
    return _page(request, vacancy_get_for_user(user=request.user, pk=vacancy_pk))


@require_GET
@company_member_required
def company_analytics_csv(request):
    """The numbers of one chart (``chart``: a ``charts.CHART_KEYS`` key, funnel by default) as CSV."""
    return _csv(request)


@require_GET
@company_member_required
def vacancy_analytics_csv(request, vacancy_pk):
    """One vacancy's chart as CSV; 404 for a vacancy outside the user's company or an unknown chart."""
    return _csv(request, vacancy_get_for_user(user=request.user, pk=vacancy_pk))
