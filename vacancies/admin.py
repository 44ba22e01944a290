from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scoping import CompanyScopedAdminMixin, CompanyScopedModelAdmin, related_only

from . import services
from .models import ScreeningQuestion, Vacancy


class ScreeningQuestionInline(CompanyScopedAdminMixin, admin.TabularInline):
    company_field = "vacancy__company"
    model = ScreeningQuestion
    extra = 0
    fields = (
        "position",
        "text",
        "kind",
        "options",
        "knockout",
        "knockout_value",
        "allowed_options",
        "weight",
        "required",
    )
    ordering = ("position", "id")


def _run_on_each(modeladmin, request, queryset, service, done_message):
    """Call a vacancy service on every selected row; report successes and refusals."""
    done = 0
    for vacancy in queryset:
        try:
            service(vacancy=vacancy)
        except ValidationError as error:
            modeladmin.message_user(request, f"{vacancy}: {' '.join(error.messages)}", messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)


@admin.register(Vacancy)
class VacancyAdmin(CompanyScopedModelAdmin):
    company_field = "company"
    inlines = (ScreeningQuestionInline,)
    ordering = ("-created_at",)
    list_display = (
        "title",
        "company",
        "status",
        "language",
        "pass_threshold",
        "question_count",
        "response_count",
        "created_at",
        "published_at",
    )
    list_filter = ("status", "language", "employment_type", related_only("company"))
    search_fields = ("title", "slug", "company__name", "location")
    list_select_related = ("company",)
    autocomplete_fields = ("company", "created_by")
    prepopulated_fields = {"slug": ("title",)}
    # The status moves through the publish/close actions (services), never by a free edit.
    readonly_fields = ("status", "published_at", "created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = ("publish", "close")
    fieldsets = (
        (None, {"fields": ("company", "title", "slug", "status", "language", "pass_threshold", "show_outcome")}),
        (_("Description"), {"fields": ("description", "requirements", "location", "employment_type")}),
        (_("Salary"), {"fields": ("salary_from", "salary_to", "salary_currency")}),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at", "published_at")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_questions=Count("questions", distinct=True), _responses=Count("responses", distinct=True))
        )

    @admin.display(description=_("questions"), ordering="_questions")
    def question_count(self, obj):
        return obj._questions

    @admin.display(description=_("responses"), ordering="_responses")
    def response_count(self, obj):
        return obj._responses

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected vacancies"), permissions=["change"])
    def publish(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.vacancy_publish,
            lambda n: ngettext("%(n)d vacancy published.", "%(n)d vacancies published.", n) % {"n": n},
        )

    @admin.action(description=_("Close the selected vacancies"), permissions=["change"])
    def close(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.vacancy_close,
            lambda n: ngettext("%(n)d vacancy closed.", "%(n)d vacancies closed.", n) % {"n": n},
        )


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(CompanyScopedModelAdmin):
    company_field = "vacancy__company"
    list_display = ("text", "vacancy", "position", "kind", "knockout", "knockout_value", "weight", "required")
    list_filter = ("kind", "knockout", "required", related_only("vacancy"))
    search_fields = ("text", "vacancy__title")
    list_select_related = ("vacancy",)
    autocomplete_fields = ("vacancy",)
    ordering = ("vacancy", "position", "id")
