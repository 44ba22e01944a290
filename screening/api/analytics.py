"""Funnel analytics in the API: the company's and one vacancy's, for a period (docs/analytics.md, docs/api.md).

Read-only, for every member of the company (viewers included); a vacancy of another company is a 404. The
figures are ``screening.analytics.analytics_report``'s, with the same definitions as the pages.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from vacancies.selectors import vacancy_get_for_user

from .. import analytics


class PeriodQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day (company's time zone); default 29 days before end."
    )
    end = serializers.DateField(required=False, help_text="Last day, included; default today (or start + 29 days).")


class ScopeSerializer(serializers.Serializer):
    company = serializers.IntegerField()
    vacancy = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    time_zone = serializers.CharField()


class StageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=analytics.FUNNEL)
    count = serializers.IntegerField()


class QuestionStatsSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    label = serializers.CharField()
    reached = serializers.IntegerField()
    answered = serializers.IntegerField()
    stopped = serializers.IntegerField()
    dropoff_rate = serializers.FloatField(allow_null=True)
    clarification = serializers.IntegerField()
    read_back = serializers.IntegerField()
    correction = serializers.IntegerField()
    clarification_rate = serializers.FloatField(allow_null=True)
    read_back_rate = serializers.FloatField(allow_null=True)
    correction_rate = serializers.FloatField(allow_null=True)
    answers_timed = serializers.IntegerField()
    median_answer_seconds = serializers.FloatField(allow_null=True)


class KnockoutSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    label = serializers.CharField()
    rule = serializers.CharField()
    judged = serializers.IntegerField()
    failed = serializers.IntegerField()
    review = serializers.IntegerField()
    knockout_rate = serializers.FloatField(allow_null=True)


class SourceSerializer(serializers.Serializer):
    source = serializers.CharField()
    applied = serializers.IntegerField()
    finished = serializers.IntegerField()
    passed = serializers.IntegerField()
    hired = serializers.IntegerField()


class AgreementRowSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=analytics.RECOMMENDATIONS)
    moved_on = serializers.IntegerField()
    declined = serializers.IntegerField()
    undecided = serializers.IntegerField()


class AgreementSerializer(serializers.Serializer):
    rows = AgreementRowSerializer(many=True)
    agreed = serializers.IntegerField()
    decided = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class TimesSerializer(serializers.Serializer):
    finish_median_seconds = serializers.FloatField(allow_null=True)
    finished = serializers.IntegerField()
    first_decision_median_seconds = serializers.FloatField(allow_null=True)
    decided = serializers.IntegerField()


class AnalyticsSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    funnel = StageSerializer(many=True)
    questions = QuestionStatsSerializer(many=True)
    stopped_after_last = serializers.IntegerField()
    knockout = KnockoutSerializer(many=True)
    sources = SourceSerializer(many=True)
    agreement = AgreementSerializer()
    times = TimesSerializer()


def report_data(report) -> dict:
    """``report`` (``analytics.Report``) as ``AnalyticsSerializer``'s plain data."""
    kinds = analytics.EVENT_KINDS
    return {
        "scope": {
            "company": report.company.pk,
            "vacancy": report.vacancy.pk if report.vacancy else None,
            "start": report.period.start,
            "end": report.period.end,
            "time_zone": report.period.zone.key,
        },
        "funnel": [{"stage": stage, "count": report.funnel[stage]} for stage in analytics.FUNNEL],
        "questions": [
            {
                "question": q.question_id,
                "label": q.label,
                "reached": q.reached,
                "answered": q.answered,
                "stopped": q.stopped,
                "dropoff_rate": q.dropoff_rate,
                **{str(kind): q.events.get(kind, 0) for kind in kinds},
                **{f"{kind}_rate": q.event_rate(kind) for kind in kinds},
                "answers_timed": q.timed,
                "median_answer_seconds": q.median_answer_seconds,
            }
            for q in report.questions
        ],
        "stopped_after_last": report.stopped_after_last,
        "knockout": [
            {
                "question": r.question_id,
                "label": r.label,
                "rule": r.rule,
                "judged": r.judged,
                "failed": r.failed,
                "review": r.review,
                "knockout_rate": r.knockout_rate,
            }
            for r in report.rules
        ],
        "sources": [
            {"source": s.source, "applied": s.applied, "finished": s.finished, "passed": s.passed, "hired": s.hired}
            for s in report.sources
        ],
        "agreement": {
            "rows": [
                {
                    "recommendation": a.recommendation,
                    "moved_on": a.moved_on,
                    "declined": a.declined,
                    "undecided": a.undecided,
                }
                for a in report.agreement
            ],
            "agreed": report.agreed,
            "decided": report.advised_decided,
            "rate": report.agreement_rate,
        },
        "times": {
            "finish_median_seconds": report.finish_median_seconds,
            "finished": report.finished_timed,
            "first_decision_median_seconds": report.decision_median_seconds,
            "decided": report.decided,
        },
    }


def _period(request):
    query = PeriodQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    try:
        return analytics.period_for(company=request.user.company, **query.validated_data)
    except ValidationError as error:
        raise serializers.ValidationError({"end": error.messages}) from error


class CompanyAnalyticsView(APIView):
    """The company's funnel analytics for a period (every vacancy)."""

    @extend_schema(
        tags=["analytics"],
        summary="Funnel analytics of the company for a period",
        parameters=[PeriodQuerySerializer],
        responses=AnalyticsSerializer,
    )
    def get(self, request):
        report = analytics.analytics_report(company=request.user.company, period=_period(request))
        return APIResponse(AnalyticsSerializer(report_data(report)).data)


class VacancyAnalyticsView(APIView):
    """One vacancy's funnel analytics for a period; 404 for a vacancy of another company."""

    @extend_schema(
        tags=["analytics"],
        summary="Funnel analytics of a vacancy for a period",
        parameters=[PeriodQuerySerializer],
        responses=AnalyticsSerializer,
    )
    def get(self, request, vacancy_id):
        vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_id)
        report = analytics.analytics_report(company=request.user.company, vacancy=vacancy, period=_period(request))
        return APIResponse(AnalyticsSerializer(report_data(report)).data)
