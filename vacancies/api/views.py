"""Vacancies API: CRUD, publish, close, and the screening questions. Thin doors into vacancies.services."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from smartbot.api import error_body
from vacancies import services
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.selectors import vacancy_get_for_user, vacancy_list

from .serializers import (
    QUESTION_DEFAULTS,
    PublishSerializer,
    QuestionSerializer,
    QuestionWriteSerializer,
    ScriptSerializer,
    VacancySerializer,
)

_FLAGGED_DOC = _(
    "On an open vacancy, a question the lint flags (protected or proxy attributes) that this write adds, or "
    "changes to ask about something new, needs `override_reason`; without it the answer is 400 with "
    "`error.code` `flagged_questions` and `error.findings` (as for publish) and nothing is saved."
)


def flagged_questions_response(error: services.FlaggedQuestionsError) -> Response:
    """400 ``flagged_questions``: the refusal's message on ``override_reason`` and ``error.findings``, per
    question its ``id`` (null for one not saved yet), ``text`` and ``findings`` (``Finding.as_dict``)."""
    data = error_body(code="flagged_questions", message=error.messages[0], fields={"override_reason": error.messages})
    data["error"]["findings"] = [
        {"id": question.pk, "text": question.text, "findings": [finding.as_dict() for finding in findings]}
        for question, findings in error.flagged
    ]
    return Response(data, status=status.HTTP_400_BAD_REQUEST)


class FlaggedQuestionsMixin:
    """A service's ``FlaggedQuestionsError`` (a flagged question without a reason) answers with the findings."""

    def handle_exception(self, exc):
        if isinstance(exc, services.FlaggedQuestionsError):
            return flagged_questions_response(exc)
        return super().handle_exception(exc)


@extend_schema_view(
    list=extend_schema(summary="List the company's vacancies"),
    create=extend_schema(summary="Create a vacancy (draft), with its questions"),
    retrieve=extend_schema(summary="Read a vacancy with its questions"),
    update=extend_schema(summary="Replace a vacancy's fields (and its questions, when given)"),
    partial_update=extend_schema(summary="Change some of a vacancy's fields (and its questions, when given)"),
    destroy=extend_schema(summary="Delete a vacancy nobody has applied to (409 otherwise: close it)"),
)
@extend_schema(tags=["vacancies"])
class VacancyViewSet(FlaggedQuestionsMixin, viewsets.ModelViewSet):
    lookup_value_regex = r"\d+"
    serializer_class = VacancySerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Vacancy.objects.none()
        return (
            vacancy_list(company=self.request.user.company)
            .select_related("company")
            .prefetch_related("questions")
            .order_by("-created_at", "-id")
        )

    def _reload(self, vacancy):
        return self.get_queryset().get(pk=vacancy.pk)

    def _save(self, serializer, vacancy):
        data = dict(serializer.validated_data)
        override_reason = data.pop("override_reason", "")
        questions = data.pop("questions", None)
        if questions is not None:
            # Each item is a whole question: what it leaves out takes its default, as it was validated.
            questions = [{**QUESTION_DEFAULTS, **item} for item in questions]
        saved = services.vacancy_save(
            vacancy=vacancy,
            company=self.request.user.company,
            user=self.request.user,
            data=data,
            questions=questions,
            override_reason=override_reason,
        )
        serializer.instance = self._reload(saved)

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        services.vacancy_delete(vacancy=instance)

    @extend_schema(
        request=PublishSerializer,
        responses=VacancySerializer,
        summary="Open the vacancy to candidates",
        description=_(
            "Questions the lint flags (protected or proxy attributes) need `override_reason`; without it the "
            "answer is 400 with `error.code` `flagged_questions` and `error.findings`: per question its `id`, "
            "`text` and `findings` (`attribute`, `words`, `message`)."
        ),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        vacancy = self.get_object()
        body = PublishSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        try:
            services.vacancy_publish(
                vacancy=vacancy, user=request.user, override_reason=body.validated_data.get("override_reason", "")
            )
        except services.FlaggedQuestionsError as error:
            return flagged_questions_response(error)
        except ValidationError as error:
            if {getattr(e, "code", None) for e in getattr(error, "error_list", [])} != {"fairness"}:
                raise
            # A registered publish check (the fairness pre-flight): its code and message, which names the page.
            data = error_body(code="fairness", message=" ".join(error.messages))
            return Response(data, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(self._reload(vacancy)).data)

    @extend_schema(request=None, responses=VacancySerializer, summary="Stop accepting candidates")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        vacancy = self.get_object()
        services.vacancy_close(vacancy=vacancy)
        return Response(self.get_serializer(self._reload(vacancy)).data)


_vacancy_param = OpenApiParameter("vacancy_id", int, OpenApiParameter.PATH)


class _QuestionsBase(FlaggedQuestionsMixin, generics.GenericAPIView):
    serializer_class = QuestionSerializer
    pagination_class = None
    filter_backends = []

    def get_serializer_class(self):
        # Writes of one question take the reason for a flagged one too (the script's PUT has its own shape).
        if self.request is not None and self.request.method in ("POST", "PUT", "PATCH"):
            return QuestionWriteSerializer
        return QuestionSerializer

    def get_vacancy(self) -> Vacancy:
        return vacancy_get_for_user(user=self.request.user, pk=self.kwargs["vacancy_id"])


@extend_schema(tags=["vacancies"], parameters=[_vacancy_param])
class QuestionListView(_QuestionsBase):
    """A vacancy's screening questions, in order."""

    def get_queryset(self):
        return ScreeningQuestion.objects.filter(vacancy=self.get_vacancy())

    @extend_schema(summary="List a vacancy's questions", responses=QuestionSerializer(many=True))
    def get(self, request, vacancy_id):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(
        summary="Add a question at the end of the script",
        description=_FLAGGED_DOC,
        request=QuestionWriteSerializer,
        responses={201: QuestionSerializer},
    )
    def post(self, request, vacancy_id):
        vacancy = self.get_vacancy()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("override_reason", "")
        # A full write: what the request leaves out takes its default.
        created = services.question_add(
            vacancy=vacancy, data={**QUESTION_DEFAULTS, **data}, user=request.user, override_reason=reason
        )
        return Response(QuestionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace the whole script",
        operation_id="vacancies_questions_replace",
        description=_(
            "The list is the new script in order: items with an `id` update that question, items without "
            "one are added, and current questions left out are deleted (one that candidates have answered "
            "cannot be: the request is refused with 409 and nothing changes). The body is the list, or an "
            'object `{"questions": [...], "override_reason": "..."}`. '
        )
        + _FLAGGED_DOC,
        request=ScriptSerializer,
        responses=QuestionSerializer(many=True),
    )
    def put(self, request, vacancy_id):
        vacancy = self.get_vacancy()
        if isinstance(request.data, list):
            body = {"questions": request.data}
        elif isinstance(request.data, dict) and isinstance(request.data.get("questions"), list):
            body = request.data
        else:
            raise serializers.ValidationError({"non_field_errors": [_("Expected a list of questions.")]})
        serializer = ScriptSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        services.vacancy_save(
            vacancy=vacancy,
            company=request.user.company,
            user=request.user,
            data={},
            questions=[dict(item) for item in serializer.validated_data["questions"]],
            override_reason=serializer.validated_data.get("override_reason", ""),
        )
        return Response(QuestionSerializer(vacancy.questions.all(), many=True).data)


@extend_schema(tags=["vacancies"], parameters=[_vacancy_param])
class QuestionDetailView(_QuestionsBase):
    """One screening question of a vacancy."""

    def get_object(self):
        vacancy = self.get_vacancy()
        question = vacancy.questions.filter(pk=self.kwargs["pk"]).first()
        if question is None:
            raise Http404
        return question

    @extend_schema(summary="Read a question")
    def get(self, request, vacancy_id, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def _update(self, request, partial):
        question = self.get_object()
        serializer = self.get_serializer(question, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        reason = changes.pop("override_reason", "")
        if not partial:
            # A full write: what is left out takes its default, not its old value.
            changes = {**QUESTION_DEFAULTS, **changes}
        services.question_update(question=question, data=changes, user=request.user, override_reason=reason)
        return Response(QuestionSerializer(question).data)

    @extend_schema(summary="Replace a question", description=_FLAGGED_DOC)
    def put(self, request, vacancy_id, pk):
        return self._update(request, partial=False)

    @extend_schema(summary="Change some of a question's fields", description=_FLAGGED_DOC)
    def patch(self, request, vacancy_id, pk):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Delete a question (409 once candidates have answered it: edit it instead)", responses={204: None}
    )
    def delete(self, request, vacancy_id, pk):
        services.question_delete(question=self.get_object(), user=self.request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
