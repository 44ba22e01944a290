"""Vacancies and their questions in the admin: a door into ``vacancies.services``, like the dashboard's editor.

The vacancy form is the dashboard's ``VacancyForm`` (same checks, same messages); saving calls
``vacancy_save``, deleting ``vacancy_delete``, the actions ``vacancy_publish`` / ``vacancy_close``; the
questions inline adds, changes, removes and reorders through the question services.

The admin takes no reason for questions the lint flags (``vacancies.question_lint``): publishing such a
vacancy, or saving such a question on an open one, is refused with a message naming the questions and
sending the recruiter to the workspace, where the reason is asked for, kept and logged.
"""

from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import (
    CompanyScopedAdminMixin,
    CompanyScopedModelAdmin,
    ServiceDoorMixin,
    adopt,
    related_only,
    sees_all_companies,
)

from . import services
from .forms import AliasesField, LinesField, VacancyForm
from .models import ScreeningQuestion, Vacancy
from .rules import QUESTION_FIELDS, question_normalise


class QuestionAdminForm(forms.ModelForm):
    """One question as the editor takes it: options one per line, values normalised before the model's checks."""

    options = LinesField(
        label=_("Options"),
        required=False,
        help_text=_("Choice questions: one option per line."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 24}),
    )
    allowed_options = LinesField(
        label=_("Allowed options"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 24})
    )
    aliases = AliasesField(
        label=_("Aliases"),
        required=False,
        help_text=_("Choice questions: one option per line, “Option: alias, alias”."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 24}),
    )

    class Meta:
        model = ScreeningQuestion
        fields = ("position", *QUESTION_FIELDS)

    def clean(self):
        cleaned = super().clean()
        # The services normalise before they judge (rules.question_normalise); the model's checks, run next
        # on the instance, are then the services' own (question_validate).
        if not any(name in self._errors for name in ("kind", "knockout", "options", "allowed_options", "aliases")):
            cleaned.update(question_normalise(cleaned))
        return cleaned


def question_data(form) -> dict:
    return {field: form.cleaned_data[field] for field in QUESTION_FIELDS if field in form.cleaned_data}


def flagged_list(error: services.FlaggedQuestionsError) -> str:
    """The refused questions and what the lint says of each: “Are you married?” (Asks about marital status.)"""
    return "; ".join(
        f"“{question.text}” ({' '.join(finding.message for finding in findings)})"
        for question, findings in error.flagged
    )


@contextmanager
def flagged_refused():
    """Turn a question service's ``FlaggedOnOpenVacancyError`` into the admin's words: the admin takes no reason,
    so it says which questions and where a reason can be given (the workspace editor)."""
    try:
        yield
    except services.FlaggedQuestionsError as error:
        raise ValidationError(
            gettext(
                "The vacancy is open, so these questions would reach candidates at once, and they ask about "
                "protected attributes: %(questions)s. Change them here, or save them in the vacancy editor "
                "of the workspace, where you can give a reason."
            )
            % {"questions": flagged_list(error)}
        ) from error


class ScreeningQuestionInline(CompanyScopedAdminMixin, admin.TabularInline):
    company_field = "vacancy__company"
    model = ScreeningQuestion
    form = QuestionAdminForm
    extra = 0
    max_num = services.MAX_QUESTIONS
    fields = ("position", *QUESTION_FIELDS)
    ordering = ("position", "id")


class VacancyAdminForm(VacancyForm):
    """The dashboard's form; ``company`` (for its slug check) is the vacancy's, or the one chosen when adding."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        super().__init__(*args, company=instance.company if instance and instance.company_id else None, **kwargs)

    def clean_slug(self):
        if self.company is None:
            self.company = self.cleaned_data.get("company")
        return super().clean_slug()


@admin.register(Vacancy)
class VacancyAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    company_field = "company"
    form = VacancyAdminForm
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
    autocomplete_fields = ("company",)
    # The status moves through the publish/close actions (services), never by a free edit.
    readonly_fields = ("status", "created_by", "published_at", "created_at", "updated_at")
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and not self.has_change_permission(request, obj):
            kwargs["form"] = forms.ModelForm  # read-only: a page without fields (the editor's form needs its own)
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A vacancy stays in its company: its responses and candidates are that company's.
        return (*self.readonly_fields, "company") if obj is not None else self.readonly_fields

    @admin.display(description=_("questions"), ordering="_questions")
    def question_count(self, obj):
        return obj._questions

    @admin.display(description=_("responses"), ordering="_responses")
    def response_count(self, obj):
        return obj._responses

    def save_model(self, request, obj, form, change):
        if change:
            company = obj.company
        elif sees_all_companies(request):
            company = form.cleaned_data["company"]
        else:
            company = request.user.company
        data = {field: form.cleaned_data[field] for field in services.VACANCY_FIELDS if field in form.cleaned_data}
        saved = services.vacancy_save(vacancy=obj if change else None, company=company, user=request.user, data=data)
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ScreeningQuestion:
            return super().save_formset(request, form, formset, change)
        vacancy = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for question_form in formset.deleted_forms:
            if question_form.instance.pk:
                services.question_delete(question=question_form.instance, user=request.user)
                formset.deleted_objects.append(question_form.instance)
        placed = []  # (position asked for, row on the page, question id)
        for row, question_form in enumerate(formset.forms):
            if question_form in formset.deleted_forms or not hasattr(question_form, "cleaned_data"):
                continue
            question = question_form.instance
            position = question_form.cleaned_data.get("position") or 0
            if question.pk:
                if set(question_form.changed_data) & set(QUESTION_FIELDS):
                    with flagged_refused():
                        services.question_update(
                            question=question, data=question_data(question_form), user=request.user
                        )
                    formset.changed_objects.append((question, question_form.changed_data))
            elif question_form.has_changed():
                with flagged_refused():
                    question = services.question_add(
                        vacancy=vacancy, data=question_data(question_form), user=request.user
                    )
                formset.new_objects.append(question)
                if "position" not in question_form.changed_data:
                    position = float("inf")  # no place asked for: at the end, where the service put it
            else:
                continue  # an empty extra row
            placed.append((position, row, question.pk))
        order = [pk for _position, _row, pk in sorted(placed)]
        on_page = set(order)
        current = vacancy.questions.order_by("position", "id").values_list("pk", flat=True)
        if order != [pk for pk in current if pk in on_page]:
            # A new order; the service refuses it if the page missed a question added meanwhile.
            services.question_reorder(vacancy=vacancy, order=order)
        return None

    def delete_model(self, request, obj):
        services.vacancy_delete(vacancy=obj)

    @admin.action(description=_("Publish the selected vacancies"), permissions=["change"])
    def publish(self, request, queryset):
        """Publish each. The admin takes no reason: a vacancy whose questions the lint flags stays as it is, with
        a message saying which and a link to its page in the workspace, where publishing asks for one."""
        done = 0
        for vacancy in queryset:
            try:
                services.vacancy_publish(vacancy=vacancy, user=request.user)
            except services.FlaggedQuestionsError as error:
                text = gettext("not published: these questions ask about protected attributes: %(questions)s.")
                self.message_user(
                    request,
                    format_html(
                        '{}: {} <a href="{}">{}</a>',
                        vacancy,
                        text % {"questions": flagged_list(error)},
                        vacancy.get_absolute_url(),
                        gettext("Change them, or publish it from its page in the workspace with a reason."),
                    ),
                    messages.WARNING,
                )
            except ValidationError as error:
                self.message_user(request, f"{vacancy}: {' '.join(error.messages)}", messages.WARNING)
            else:
                done += 1
        if done:
            message = ngettext("%(n)d vacancy published.", "%(n)d vacancies published.", done) % {"n": done}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Close the selected vacancies"), permissions=["change"])
    def close(self, request, queryset):
        self.run_on_each(
            request,
            queryset,
            lambda vacancy: services.vacancy_close(vacancy=vacancy),
            lambda n: ngettext("%(n)d vacancy closed.", "%(n)d vacancies closed.", n) % {"n": n},
        )


class QuestionStandaloneForm(QuestionAdminForm):
    class Meta(QuestionAdminForm.Meta):
        fields = ("vacancy", *QUESTION_FIELDS)


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """One question at a time: added at the end of its vacancy's script; the order is set on the vacancy."""

    company_field = "vacancy__company"
    form = QuestionStandaloneForm
    list_display = ("text", "vacancy", "position", "kind", "knockout", "knockout_value", "weight", "required")
    list_filter = ("kind", "knockout", "required", related_only("vacancy"))
    search_fields = ("text", "vacancy__title")
    list_select_related = ("vacancy",)
    autocomplete_fields = ("vacancy",)
    ordering = ("vacancy", "position", "id")
    readonly_fields = ("position",)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "vacancy") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        with flagged_refused():
            if change:
                services.question_update(question=obj, data=question_data(form), user=request.user)
            else:
                vacancy = form.cleaned_data["vacancy"]
                adopt(obj, services.question_add(vacancy=vacancy, data=question_data(form), user=request.user))

    def delete_model(self, request, obj):
        services.question_delete(question=obj, user=request.user)
