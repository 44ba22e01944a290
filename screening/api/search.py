"""Search in the REST API: ``GET /api/v1/search/?q=`` (docs/search.md, docs/api.md).

The same search as the page (``screening.services.search``), for every member of the company (viewers too),
paginated like every list (``page``, ``page_size``): one result per person with every live application.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from screening.models import Response
from screening.services import search as search_service


class SearchApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    vacancy = serializers.IntegerField(source="vacancy_id")
    vacancy_title = serializers.CharField()
    status = serializers.ChoiceField(choices=Response.Status.choices)
    score = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The application's page in the recruiter workspace.")


class SearchPersonSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(source="candidate_id")
    full_name = serializers.CharField(help_text="As given in the person's latest application.")
    email = serializers.CharField()
    phone = serializers.CharField(help_text="As the candidate typed it in the latest application.")
    city = serializers.CharField()
    applications = SearchApplicationSerializer(many=True, help_text="Every live application, newest first.")


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=search_service.QUERY_MAX_CHARS, allow_blank=True, trim_whitespace=True)


@extend_schema(tags=["search"])
class SearchView(GenericAPIView):
    """People of your company matching a query, best match first (paginated)."""

    serializer_class = SearchPersonSerializer
    queryset = Response.objects.none()  # for the schema only: the rows come from the search service

    @extend_schema(
        summary="Search candidates and applications",
        responses=SearchPersonSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "q",
                str,
                OpenApiParameter.QUERY,
                required=False,
                description="Name (typos forgiven), email, phone in any format, city, or words of the resume "
                "or answers (Russian and English). Blank matches nobody.",
            )
        ],
    )
    def get(self, request):
        query = SearchQuerySerializer(data={"q": request.query_params.get("q", "")})
        query.is_valid(raise_exception=True)
        rows = search_service.search_matches(company=request.user.company, query=query.validated_data["q"])
        page = self.paginate_queryset(rows)
        people = search_service.search_people(company=request.user.company, rows=page)
        return self.get_paginated_response(self.get_serializer(people, many=True).data)
