"""AI evaluation, usage and suggested questions in the workspace.

Thin doors: a selector fetches (404 outside the user's company), a service writes.
Viewers read; only owners and recruiters re-evaluate or accept suggestions.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import company_member_required, editor_required
from vacancies.models import ScreeningQuestion
from vacancies.selectors import vacancy_get_for_user

from .. import evaluation as ai
from .. import selectors, services
from ..models import QuestionSuggestion


def _wants_fragment(request) -> bool:
    return bool(getattr(request, "htmx", False)) or request.headers.get("X-Requested-With") == "fetch"


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{message}" for messages_ in error.message_dict.values() for message in messages_)
    return " ".join(error.messages)


@require_POST
@editor_required
def response_reevaluate(request, pk):
    """The "Re-evaluate" button: re-run the response's evaluation in place (queued).

    Refused while the evaluation is running or queued, with the reason as a
    message (a fetch from the page gets 409, and its script posts the form
    plainly to show the message).
    """
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    status = 200
    try:
        with transaction.atomic():
            services.evaluation_request(response=response, force=True)
    except ValidationError as error:
        status = 409
        if not _wants_fragment(request):
            messages.error(request, _error_text(error))
    else:
        if not _wants_fragment(request):
            messages.success(request, _("The evaluation was queued; it appears here when it is ready."))
    if _wants_fragment(request):
        return render(request, "screening/_evaluation.html", {"response": response}, status=status)
    return redirect(response.get_absolute_url() + "#evaluation")


@require_GET
@company_member_required
def evaluation_fragment(request, pk):
    """The evaluation block of the response page, for live refreshes."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    return render(request, "screening/_evaluation.html", {"response": response})


@require_GET
@company_member_required
def usage(request):
    """This month's LLM calls, tokens and estimated cost of the user's company, with the budget left."""
    company = request.user.company
    return render(request, "screening/usage.html", {"usage": services.llm_usage_month(company=company)})


# --- Suggested questions ------------------------------------------------------------------------

DIFFICULTY_CHOICES = [
    ("easy", gettext_lazy("Easy")),
    ("medium", gettext_lazy("Medium")),
    ("hard", gettext_lazy("Hard")),
]


class SuggestForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("Questions"), min_value=1, max_value=ai.MAX_SUGGESTIONS, initial=5)
    difficulty = forms.ChoiceField(label=gettext_lazy("Difficulty"), choices=DIFFICULTY_CHOICES, initial="medium")


class SuggestedQuestionForm(forms.Form):
    """A suggested question as the recruiter edits it before accepting. Lists are one item per line."""

    text = forms.CharField(label=gettext_lazy("Question"), max_length=500)
    kind = forms.ChoiceField(label=gettext_lazy("Answer kind"), choices=ScreeningQuestion.Kind.choices)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, for choice questions."),
    )
    knockout = forms.ChoiceField(
        label=gettext_lazy("Knockout rule"), choices=ScreeningQuestion.Knockout.choices, required=False
    )
    knockout_value = forms.CharField(label=gettext_lazy("Knockout value"), max_length=50, required=False)
    allowed_options = forms.CharField(
        label=gettext_lazy("Allowed options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line, among the options."),
    )

    @classmethod
    def for_item(cls, item: dict, index: int, data=None):
        initial = {
            "text": item.get("text", ""),
            "kind": item.get("kind", "text"),
            "options": "\n".join(item.get("options") or []),
            "knockout": item.get("knockout", ""),
            "knockout_value": item.get("knockout_value", ""),
            "allowed_options": "\n".join(item.get("allowed_options") or []),
        }
        return cls(data, initial=initial, prefix=f"q{index}")

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["options"] = data["options"].splitlines()
        data["allowed_options"] = data["allowed_options"].splitlines()
        return data


def _suggestion_get_for_user(*, user, pk) -> QuestionSuggestion:
    """The suggestion batch if its vacancy belongs to the user's company; 404 otherwise."""
    return get_object_or_404(
        QuestionSuggestion.objects.select_related("vacancy", "vacancy__company"),
        pk=pk,
        vacancy__company_id=user.company_id,
    )


@require_POST
@editor_required
def suggestions_request(request, vacancy_pk):
    """ "Suggest questions" in the vacancy editor: queue a batch and show it."""
    vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_pk)
    form = SuggestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("vacancies:edit", pk=vacancy.pk)
    try:
        with transaction.atomic():
            suggestion = services.suggestion_request(
                vacancy=vacancy,
                user=request.user,
                count=form.cleaned_data["count"],
                difficulty=form.cleaned_data["difficulty"],
            )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("vacancies:edit", pk=vacancy.pk)
    return redirect("screening:suggestion", pk=suggestion.pk)


@require_http_methods(["GET", "POST"])
@company_member_required
def suggestion_detail(request, pk):
    """A batch of suggested questions: each can be edited and accepted (added to the vacancy) or discarded.

    POST ``action=accept|discard`` with ``index`` (and the edited ``q<index>-*`` fields).
    """
    suggestion = _suggestion_get_for_user(user=request.user, pk=pk)
    bound_index, bound_form = None, None
    if request.method == "POST":
        if not request.user.can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            index = int(request.POST.get("index", ""))
        except ValueError:
            index = -1
        try:
            if action == "discard":
                services.suggestion_discard(suggestion=suggestion, index=index)
                messages.success(request, _("Suggestion discarded."))
                return redirect("screening:suggestion", pk=suggestion.pk)
            if action == "accept":
                item = suggestion.items[index] if 0 <= index < len(suggestion.items) else {}
                bound_index, bound_form = index, SuggestedQuestionForm.for_item(item, index, data=request.POST)
                if bound_form.is_valid():
                    question = services.suggestion_accept(
                        suggestion=suggestion, index=index, changes=bound_form.changes()
                    )
                    messages.success(
                        request, _("“%(text)s” was added to the vacancy's questions.") % {"text": question.text}
                    )
                    return redirect("screening:suggestion", pk=suggestion.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            if bound_form is not None and hasattr(error, "message_dict"):
                for field, errors in error.message_dict.items():
                    target = field if field in bound_form.fields else None
                    for message in errors:
                        bound_form.add_error(target, message)
            else:
                messages.error(request, _error_text(error))
    rows = []
    for index, item in enumerate(suggestion.items or []):
        form = bound_form if index == bound_index else SuggestedQuestionForm.for_item(item, index)
        rows.append({"index": index, "item": item, "state": item.get("state", "new"), "form": form})
    status = 400 if bound_form is not None and bound_form.errors else 200
    return render(
        request,
        "screening/suggestion_detail.html",
        {"suggestion": suggestion, "vacancy": suggestion.vacancy, "rows": rows, "can_edit": request.user.can_edit},
        status=status,
    )
