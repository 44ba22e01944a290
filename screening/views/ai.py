"""AI evaluation, usage and suggested questions in the workspace.

Thin doors: a selector fetches (404 outside the user's company), a service writes.
Viewers read; only owners and recruiters re-evaluate or accept suggestions.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import company_member_required, editor_required
from smartbot.forms import form_add_service_errors
from vacancies.models import ScreeningQuestion
from vacancies.selectors import vacancy_get_for_user

from .. import ai, selectors, services
from ..models import QuestionSuggestion
from .htmx import render_partial_or_page, vary_on_htmx, wants_partial
from .receipts import evaluation_context


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{message}" for messages_ in error.message_dict.values() for message in messages_)
    return " ".join(error.messages)


def _evaluation_block(request, response, *, refused: str = "", status: int = 200):
    context = {"response": response, "refused": refused, **evaluation_context(response)}
    return vary_on_htmx(render(request, "screening/_evaluation.html", context, status=status))


@require_POST
@editor_required
def response_reevaluate(request, pk):
    """The "Re-evaluate" button: re-run the response's evaluation in place (queued).

    Refused while the evaluation is running or queued. htmx gets the evaluation block (409 with the reason
    in it when refused); a plain form post goes back to the page with the outcome as a message.
    """
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    try:
        with transaction.atomic():
            services.evaluation_request(response=response, force=True)
    except ValidationError as error:
        if wants_partial(request):
            return _evaluation_block(request, response, refused=_error_text(error), status=409)
        messages.error(request, _error_text(error))
    else:
        if wants_partial(request):
            return _evaluation_block(request, response)
        messages.success(request, _("The evaluation was queued; it appears here when it is ready."))
    return vary_on_htmx(redirect(response.get_absolute_url() + "#evaluation"))


@require_GET
@company_member_required
def evaluation_fragment(request, pk):
    """The evaluation block of the response page, for htmx's refreshes; anyone else goes to the page itself."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    if not wants_partial(request):
        return vary_on_htmx(redirect(response.get_absolute_url() + "#evaluation"))
    return _evaluation_block(request, response)


@require_GET
@company_member_required
def usage(request):
    """This month's LLM calls, tokens and estimated cost of the user's company, with the budget left; and how
    often the recruiters' decisions agreed with the AI's recommendations (``selectors.ai_calibration``)."""
    company = request.user.company
    context = {
        "usage": services.llm_usage_month(company=company),
        "calibration": selectors.ai_calibration(company=company),
    }
    return render(request, "screening/usage.html", context)


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


@require_http_methods(["GET", "POST"])
@company_member_required
def suggestions_request(request, vacancy_pk):
    """ "Suggest questions" for a vacancy: GET shows the block (the editor loads it with htmx, so the vacancies
    app never includes a screening template; without JavaScript it is a page of its own), POST queues a batch
    and shows it (owners and recruiters only)."""
    vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_pk)
    if request.method == "GET":
        return render_partial_or_page(
            request,
            page="screening/suggestions.html",
            partial="screening/_suggestions.html",
            context={"vacancy": vacancy},
        )
    if not request.user.can_edit:
        raise PermissionDenied
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


def _suggestion_row(suggestion: QuestionSuggestion, index: int, form=None) -> dict:
    item = suggestion.items[index]
    form = form or SuggestedQuestionForm.for_item(item, index)
    return {"index": index, "item": item, "state": item.get("state", "new"), "form": form}


@require_http_methods(["GET", "POST"])
@company_member_required
def suggestion_detail(request, pk):
    """A batch of suggested questions: each can be edited and accepted (added to the vacancy) or discarded.

    POST ``action=accept|discard`` with ``index`` (and the edited ``q<index>-*`` fields). htmx gets the row
    back (422 with the form's errors, 409 with a refusal); a plain post is redirected to the batch with the
    outcome as a message (400 and the page when the edited question is not valid).
    """
    suggestion = _suggestion_get_for_user(user=request.user, pk=pk)
    partial = wants_partial(request)
    bound_index, bound_form = None, None
    if request.method == "POST":
        if not request.user.can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            index = int(request.POST.get("index", ""))
        except ValueError:
            index = -1
        if action not in ("accept", "discard") or not 0 <= index < len(suggestion.items or []):
            if partial:
                return HttpResponseBadRequest(_("Unknown action."))
            messages.error(request, _("Unknown action."))
            return redirect("screening:suggestion", pk=suggestion.pk)
        done, refused = "", ""
        try:
            if action == "discard":
                services.suggestion_discard(suggestion=suggestion, index=index)
                done = _("Suggestion discarded.")
            else:
                bound_index = index
                bound_form = SuggestedQuestionForm.for_item(suggestion.items[index], index, data=request.POST)
                if bound_form.is_valid():
                    question = services.suggestion_accept(
                        suggestion=suggestion, index=index, changes=bound_form.changes()
                    )
                    done = _("“%(text)s” was added to the vacancy's questions.") % {"text": question.text}
        except ValidationError as error:
            if bound_form is not None and hasattr(error, "error_dict"):
                form_add_service_errors(bound_form, error)
            else:
                refused = _error_text(error)
        if done and not partial:
            messages.success(request, done)
            return redirect("screening:suggestion", pk=suggestion.pk)
        if refused and not partial:
            messages.error(request, refused)
        if partial:
            suggestion.refresh_from_db()
            form = None if done else bound_form
            context = {
                "suggestion": suggestion,
                "row": _suggestion_row(suggestion, index, form),
                "can_edit": True,
                "done": done,
                "refused": refused,
            }
            status = 409 if refused else 422 if bound_form is not None and bound_form.errors else 200
            return vary_on_htmx(render(request, "screening/_suggestion_row.html", context, status=status))
    rows = [
        _suggestion_row(suggestion, index, bound_form if index == bound_index else None)
        for index in range(len(suggestion.items or []))
    ]
    status = 400 if bound_form is not None and bound_form.errors else 200
    return vary_on_htmx(
        render(
            request,
            "screening/suggestion_detail.html",
            {"suggestion": suggestion, "vacancy": suggestion.vacancy, "rows": rows, "can_edit": request.user.can_edit},
            status=status,
        )
    )
