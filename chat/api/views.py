"""Public API, no credentials: a company's open vacancies, one vacancy with its questions, and apply.

Another site (a company's own careers page, a job board) lists the vacancies,
shows the questions, posts the application and embeds the chat it gets back.
Throttled per client address; applications also count against the careers form's limit
(``APPLY_RATE_LIMIT``, per address and vacancy).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response as APIResponse
from rest_framework.views import APIView

from chat.forms import ApplyForm
from chat.selectors import company_public_get
from screening.models import Response
from screening.services import candidate_apply
from smartbot.api import Pagination, PublicThrottle, TooManyRequests
from smartbot.parsers import StrictFormParser, StrictJSONParser, StrictMultiPartParser
from smartbot.ratelimit import RateLimited, apply_limit, apply_limited_message
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.selectors import vacancy_public_get, vacancy_public_list


class PublicQuestionSerializer(serializers.ModelSerializer):
    """What a candidate sees of a question: its text and choices, never the knockout rule."""

    options = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ScreeningQuestion
        fields = ["id", "position", "text", "kind", "options", "required"]
        read_only_fields = fields


class PublicVacancySerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.name", read_only=True)
    company_slug = serializers.CharField(source="company.slug", read_only=True)
    page_url = serializers.SerializerMethodField(help_text=_("The vacancy's page on the SmartBot careers site."))

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "slug",
            "title",
            "company",
            "company_slug",
            "description",
            "requirements",
            "location",
            "salary_from",
            "salary_to",
            "salary_currency",
            "employment_type",
            "language",
            "published_at",
            "page_url",
        ]
        read_only_fields = fields

    def get_page_url(self, vacancy) -> str:
        return settings.SITE_URL + vacancy.get_public_url()


class PublicVacancyDetailSerializer(PublicVacancySerializer):
    questions = PublicQuestionSerializer(many=True, read_only=True)

    class Meta(PublicVacancySerializer.Meta):
        fields = [*PublicVacancySerializer.Meta.fields, "questions"]
        read_only_fields = fields


class ApplyJSONSerializer(serializers.Serializer):
    """The application (documentation of the body; the careers page's ApplyForm does the validating)."""

    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40)
    city = serializers.CharField(max_length=120)
    resume_text = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Required unless a resume file is uploaded (multipart).")
    )
    consent = serializers.BooleanField(help_text=_("Must be true: the candidate agrees to the processing."))
    ai_consent = serializers.BooleanField(
        required=False, default=False, help_text=_("The candidate agrees that an AI model helps to assess them.")
    )
    talent_pool_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("The candidate agrees that the application is kept for future vacancies."),
    )


class ApplyMultipartSerializer(ApplyJSONSerializer):
    resume_file = serializers.FileField(required=False, help_text=_("PDF, DOCX or TXT, up to 5 MB."))


class ApplyResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("accepted", "accepted")], help_text=_("Always 'accepted': the link goes to the candidate's email.")
    )
    message = serializers.CharField(help_text=_("What to show the candidate."))


class PublicEndpoint:
    # Public: credentials are not looked at, so a stale token cannot turn a public read into a 401.
    api_public = True
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Other sites call these from the browser: any origin may read them, never with cookies.
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response


_company_param = OpenApiParameter("company_slug", str, OpenApiParameter.PATH, description=_("The company's slug."))


@extend_schema(tags=["public"], summary="A company's open vacancies", parameters=[_company_param])
class PublicVacancyListView(PublicEndpoint, generics.ListAPIView):
    serializer_class = PublicVacancySerializer
    pagination_class = Pagination
    filter_backends = []

    def get_queryset(self):
        # The careers page's list and order (``vacancy_public_list``): one public list, whichever door.
        return vacancy_public_list(company=company_public_get(slug=self.kwargs["company_slug"]))


@extend_schema(tags=["public"], summary="An open vacancy with its questions' texts", parameters=[_company_param])
class PublicVacancyDetailView(PublicEndpoint, generics.RetrieveAPIView):
    serializer_class = PublicVacancyDetailSerializer
    filter_backends = []

    def get_object(self):
        return vacancy_public_get(company_slug=self.kwargs["company_slug"], slug=self.kwargs["slug"])


def _apply_throttled(vacancy, limited: RateLimited) -> TooManyRequests:
    # 429 in the API's error shape, with Retry-After.
    with translation.override(vacancy.language):
        return TooManyRequests(apply_limited_message(limited), wait=limited.retry_after)


@extend_schema(
    tags=["public"],
    summary="Apply to an open vacancy",
    description=_(
        "JSON or multipart (to upload a resume file). Validated like the careers page's form. "
        "The answer is the same (202) for a new application and for an email that has already applied: "
        "the private link to the chat is emailed to that address, never returned to the caller, so "
        "knowing someone's email reveals nothing about their application."
    ),
    parameters=[_company_param],
    request={"application/json": ApplyJSONSerializer, "multipart/form-data": ApplyMultipartSerializer},
    responses={
        202: OpenApiResponse(ApplyResultSerializer, description=_("Accepted: the candidate gets the link by email.")),
    },
)
class PublicApplyView(PublicEndpoint, APIView):
    throttle_classes = [PublicThrottle]
    parser_classes = [StrictJSONParser, StrictMultiPartParser, StrictFormParser]

    def post(self, request, company_slug, slug):
        vacancy = vacancy_public_get(company_slug=company_slug, slug=slug)
        # The careers form's rule (APPLY_RATE_LIMIT per address and vacancy, applications that go through).
        limit = apply_limit(request=request, vacancy_id=vacancy.pk)
        try:
            limit.check()
        except RateLimited as limited:
            raise _apply_throttled(vacancy, limited) from None
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("Expected an object.")]})
        # The honeypot belongs to the HTML form; API callers are not people filling it in by mistake.
        data = {key: value for key, value in request.data.items() if key not in ("website", "resume_file")}
        form = ApplyForm(data=data, files=request.FILES, phone_region=vacancy.company.phone_region)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    "non_field_errors" if field == "__all__" else field: list(messages)
                    for field, messages in form.errors.items()
                }
            )
        try:
            with limit.spend():
                candidate_apply(vacancy=vacancy, source=Response.Source.API, **form.service_kwargs())
        except RateLimited as limited:
            raise _apply_throttled(vacancy, limited) from None
        with translation.override(vacancy.language):
            message = str(_("Check your inbox: the link to continue was sent to the email address given."))
        return APIResponse({"status": "accepted", "message": message}, status=status.HTTP_202_ACCEPTED)
