"""Exports in the REST API (docs/exports.md): the responses the table's filters match as CSV or XLSX, and one
application's decision record as JSON or as the self-contained HTML file. Reads: every member may export; each
export writes an audit entry."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from screening.forms import ResponseFilterForm
from screening.services import decision_records
from screening.services import exports as export_services
from screening.views.exports import export_response, filters_of


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """``?format=`` names the export's file format here, not a DRF renderer: answers (errors) are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


FILTER_PARAMETERS = [
    OpenApiParameter("format", str, enum=list(export_services.FORMATS), description="File format (default xlsx)."),
    OpenApiParameter("vacancy", int, description="Only this vacancy's responses."),
    OpenApiParameter("status", str, description="Current status."),
    OpenApiParameter("screening", str, description="The screening's verdict: passed, rejected or needs_review."),
    OpenApiParameter("min_score", int, description="Minimum score (0-100)."),
    OpenApiParameter("tag", int, description="Only responses with this tag (id)."),
    OpenApiParameter("sort", str, description="Row order, as the responses table sorts."),
]


class ResponseExportView(APIView):
    """The company's responses matching the responses table's filters, as one CSV or XLSX file: candidate
    fields, every answer (words, value read, verdict with its rule), score, AI recommendation and evidence,
    status history. Erased applications are left out. Cells are neutralised against formula injection."""

    content_negotiation_class = JSONOnlyNegotiation

    @extend_schema(
        tags=["responses"],
        summary="Export responses as CSV or XLSX",
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The CSV file."),
            (200, export_services.CONTENT_TYPES["xlsx"]): OpenApiResponse(
                OpenApiTypes.BINARY, description="The XLSX file."
            ),
        },
    )
    def get(self, request):
        fmt = request.query_params.get("format") or "xlsx"
        if fmt not in export_services.FORMATS:
            raise ValidationError({"format": _("Choose CSV or XLSX.")})
        params = request.query_params.copy()
        params.pop("format", None)
        form = ResponseFilterForm(params, company=request.user.company)
        if not form.is_valid():
            raise ValidationError(
                {name: [str(message) for message in messages] for name, messages in form.errors.items()}
            )
        return export_response(
            company=request.user.company,
            user=request.user,
            responses=form.responses(),
            fmt=fmt,
            filters=filters_of(form),
            request=request,
        )


class QuestionRecordSerializer(serializers.Serializer):
    question = serializers.CharField()
    position = serializers.IntegerField()
    answered = serializers.BooleanField()
    answer = serializers.CharField()
    value = serializers.CharField()
    read_how = serializers.CharField()
    confirmed = serializers.BooleanField()
    verdict = serializers.ChoiceField(choices=["pass", "fail", "review", "none"])
    verdict_label = serializers.CharField()
    rule = serializers.CharField()
    points = serializers.FloatField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    label = serializers.CharField()
    level = serializers.CharField()
    by = serializers.CharField()


class EvaluationRecordSerializer(serializers.Serializer):
    status = serializers.CharField()
    recommendation = serializers.CharField()
    recommendation_label = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()
    strengths = serializers.ListField(child=serializers.CharField())
    concerns = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceSerializer(many=True)
    evaluator = serializers.CharField()
    model = serializers.CharField()
    finished_at = serializers.DateTimeField(allow_null=True)


class DecisionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_label = serializers.CharField()
    to_label = serializers.CharField()
    by = serializers.CharField()
    comment = serializers.CharField()


class DecisionRecordSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response.pk")
    vacancy = serializers.IntegerField(source="vacancy.pk")
    erased = serializers.BooleanField()
    questions = QuestionRecordSerializer(many=True)
    evaluation = EvaluationRecordSerializer(allow_null=True)
    decisions = DecisionSerializer(many=True)


class DecisionRecordView(APIView):
    """One application's decision record: what was asked, answered, read, judged, recommended by the AI, and
    decided by whom (times in ISO 8601). 404 outside the company."""

    @extend_schema(tags=["responses"], summary="A response's decision record", responses=DecisionRecordSerializer)
    def get(self, request, pk):
        response = decision_records.decision_record_response(user=request.user, pk=pk)
        return APIResponse(DecisionRecordSerializer(decision_records.decision_record(response=response)).data)


class DecisionRecordHTMLView(APIView):
    """The decision record as one self-contained HTML file (inline CSS, no external assets); audited as an
    export."""

    @extend_schema(
        tags=["responses"],
        summary="A response's decision record as an HTML file",
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The HTML file.")},
    )
    def get(self, request, pk):
        response = decision_records.decision_record_response(user=request.user, pk=pk)
        decision_records.decision_record_audit(response=response, user=request.user, request=request)
        html = decision_records.decision_record_html(response=response)
        answer = HttpResponse(html, content_type="text/html; charset=utf-8")
        answer["Content-Disposition"] = f'attachment; filename="decision-record-{pk}.html"'
        return answer
