"""The recruiter's vacancy pages: list, detail, the editor with its screening questions, publish and close.

Thin doors: forms validate, services write, selectors read (and 404 outside the company).
"""

from functools import wraps
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import company_member_required, editor_required
from smartbot.forms import form_add_service_errors

from . import selectors, services
from .forms import CompanyAnswerForm, PublishForm, QuestionFormSet, VacancyFilterForm, VacancyForm, question_initial
from .models import Vacancy
from .question_lint import lint_script
from .rules import RULE_FIELDS, editor_spec, rule_snapshot
from .selectors import question_answered_ids, vacancy_get_for_user, vacancy_list, vacancy_response_counts

PAGE_SIZE = 50


def _vacancy_for_editor(request, pk) -> Vacancy:
    # Fetch first: another company's vacancy is 404 for everyone, never 403.
    vacancy = vacancy_get_for_user(user=request.user, pk=pk)
    if not request.user.can_edit:
        raise PermissionDenied
    return vacancy


def vacancy_action(action):
    """A POST-only change of one vacancy by an editor: 404 outside the company first, then 405, then 403."""

    @company_member_required
    @wraps(action)
    def view(request, pk):
        vacancy = vacancy_get_for_user(user=request.user, pk=pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.can_edit:
            raise PermissionDenied
        return action(request, vacancy)

    return view


def public_link(vacancy: Vacancy) -> str:
    return settings.SITE_URL + vacancy.get_public_url()


@company_member_required
def vacancy_list_view(request):
    filters = VacancyFilterForm(request.GET or None)
    vacancies = vacancy_list(company=request.user.company).select_related("company")
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    if status:
        vacancies = vacancies.filter(status=status)
    page = Paginator(vacancies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "vacancies/list.html",
        {"filters": filters, "page": page, "vacancies": page.object_list, "status": status},
    )


@company_member_required
def vacancy_detail(request, pk):
    vacancy = vacancy_get_for_user(user=request.user, pk=pk)
    # Each question with how often its answers needed a clarification, a read-back, a correction or review.
    questions = selectors.question_list_with_reading_counts(vacancy=vacancy)
    # And what the question lint says about it (age, family, religion...): shown next to it, and publishing
    # asks for a reason while there are any.
    flagged = lint_script(questions)
    for question, findings in flagged:
        question.lint_findings = findings
    return render(
        request,
        "vacancies/detail.html",
        {
            "vacancy": vacancy,
            "questions": questions,
            "flagged_count": len(flagged),
            "publish_form": PublishForm(require_reason=bool(flagged)),
            "asked": selectors.vacancy_asked_counts(vacancy=vacancy),
            "counts": vacancy_response_counts(vacancy=vacancy),
            "public_link": public_link(vacancy),
            "can_edit": request.user.can_edit,
        },
    )


def _editor(request, vacancy: Vacancy | None):
    """Create and edit share one page: the vacancy form and the questions formset, saved together."""
    company = request.user.company
    initial = [question_initial(q) for q in vacancy.questions.all()] if vacancy else []
    # Answered questions are shown as such and not offered for removal (the service would refuse).
    answered_ids = question_answered_ids(vacancy=vacancy) if vacancy else set()
    # On an open vacancy a newly flagged question goes live when saved, so the service asks for a reason as
    # publishing does; the field appears with the refusal (and stays while it holds what was typed).
    ask_reason = False
    if request.method == "POST":
        # A copy keeps the page title and links right when the form is shown again with errors.
        instance = vacancy_get_for_user(user=request.user, pk=vacancy.pk) if vacancy else None
        form = VacancyForm(request.POST, instance=instance, company=company)
        formset = QuestionFormSet(request.POST, initial=initial, prefix="questions", answered_ids=answered_ids)
        reason_form = PublishForm(request.POST)
        ask_reason = bool(request.POST.get("override_reason", "").strip())
        if form.is_valid() and formset.is_valid() and reason_form.is_valid():
            override_before = vacancy.lint_override_at if vacancy else None
            try:
                saved = services.vacancy_save(
                    vacancy=vacancy,
                    company=company,
                    user=request.user,
                    data={field: form.cleaned_data[field] for field in services.VACANCY_FIELDS},
                    questions=formset.questions(),
                    known_question_ids=formset.known_question_ids(),
                    override_reason=reason_form.cleaned_data["override_reason"],
                )
            except services.FlaggedQuestionsError as error:
                ask_reason = True
                formset.add_non_form_error(error.messages)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "override_reason" in error.error_dict:
                    form_add_service_errors(reason_form, error)
                elif hasattr(error, "error_dict"):
                    form_add_service_errors(form, error)
                else:  # errors about the script as a whole
                    formset.add_non_form_error(error.messages)
            else:
                messages.success(request, _("Vacancy saved."))
                _warn_flagged(request, saved, overridden=saved.lint_override_at != override_before)
                _offer_rejudge(request, saved, before=initial)
                return redirect(saved)
        ask_reason = ask_reason or bool(reason_form.errors)
        messages.error(request, _("Please correct the errors below. Nothing has been saved yet."))
    else:
        form = VacancyForm(instance=vacancy, company=company)
        formset = QuestionFormSet(initial=initial, prefix="questions", answered_ids=answered_ids)
        reason_form = PublishForm()
    return render(
        request,
        "vacancies/form.html",
        {
            "vacancy": vacancy,
            "form": form,
            "formset": formset,
            "reason_form": reason_form if ask_reason else None,
            "question_rules": editor_spec(),
        },
    )


def _warn_flagged(request, vacancy: Vacancy, *, overridden: bool = False) -> None:
    """After a save: say how many questions the lint flags (the vacancy page shows which and why); on an open
    vacancy, that the reason given for new ones (``overridden``) is kept."""
    flagged = lint_script(vacancy.questions.all())
    if flagged and vacancy.is_open:
        # Live already: the service asked for a reason for what was new, when it was.
        if overridden:
            messages.warning(
                request, _("Flagged questions were saved on the open vacancy; your reason is kept with the vacancy.")
            )
    elif flagged:
        messages.warning(
            request,
            ngettext(
                "%(n)d question asks about a protected attribute (age, family, origin, religion, health, union, "
                "appearance): publishing it needs a reason.",
                "%(n)d questions ask about protected attributes (age, family, origin, religion, health, union, "
                "appearance): publishing them needs a reason.",
                len(flagged),
            )
            % {"n": len(flagged)},
        )


def _offer_rejudge(request, vacancy: Vacancy, *, before: list[dict]) -> None:
    """After rules with judged answers changed: a message per question linking to re-judging its past answers."""
    rules_before = {item["id"]: {name: item.get(name) for name in RULE_FIELDS} for item in before}
    if not rules_before:
        return
    questions = [
        question
        for question in vacancy.questions.all()
        if question.pk in rules_before
        and rule_snapshot(question) != rule_snapshot(SimpleNamespace(**rules_before[question.pk]))
    ]
    if not questions:
        return
    counts = selectors.question_answers_by_other_rule(vacancy=vacancy, questions=questions)
    for question in questions:
        if counts.get(question.pk):
            text = ngettext(
                "“%(question)s”: %(n)d answer was judged by an older rule.",
                "“%(question)s”: %(n)d answers were judged by an older rule.",
                counts[question.pk],
            ) % {"question": question.text, "n": counts[question.pk]}
            messages.info(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    text,
                    reverse("screening:rejudge", args=[question.pk]),
                    _("Re-judge past answers under the new rule"),
                ),
            )


@editor_required
def vacancy_create(request):
    return _editor(request, None)


@company_member_required
def vacancy_edit(request, pk):
    return _editor(request, _vacancy_for_editor(request, pk))


@vacancy_action
def vacancy_publish(request, vacancy):
    form = PublishForm(request.POST)
    # An over-long reason is the service's to refuse (with its message), so the cleaned value is not required.
    reason = form.cleaned_data["override_reason"] if form.is_valid() else request.POST.get("override_reason", "")
    try:
        services.vacancy_publish(vacancy=vacancy, user=request.user, override_reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The vacancy is open: candidates can apply by its public link."))
        if vacancy.lint_override_reason:
            messages.warning(
                request, _("It was published with flagged questions; your reason is kept with the vacancy.")
            )
        if not vacancy.questions.exists():
            messages.warning(
                request, _("This vacancy has no screening questions: candidates will only be asked for contacts.")
            )
    return redirect(vacancy)


@vacancy_action
def vacancy_close(request, vacancy):
    try:
        services.vacancy_close(vacancy=vacancy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The vacancy is closed: no new candidates can apply."))
    return redirect(vacancy)


@vacancy_action
def vacancy_delete(request, vacancy):
    try:
        services.vacancy_delete(vacancy=vacancy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(vacancy)
    messages.success(request, _("Vacancy deleted."))
    return redirect("vacancies:list")


# --- The company's answers to candidates' common questions --------------------------------------------------------


@company_member_required
def company_answer_list(request):
    """The company's answers to what candidates ask: everyone reads, editors add (POST here)."""
    form = CompanyAnswerForm()
    if request.method == "POST":
        if not request.user.can_edit:
            raise PermissionDenied
        form = CompanyAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.company_answer_add(company=request.user.company, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Answer added: the bot can quote it to candidates now."))
                return redirect("vacancies:answers")
    return render(
        request,
        "vacancies/answers.html",
        {"answers": selectors.company_answer_list(company=request.user.company), "form": form},
    )


@company_member_required
def company_answer_edit(request, pk):
    item = selectors.company_answer_get_for_user(user=request.user, pk=pk)
    if not request.user.can_edit:
        raise PermissionDenied
    if request.method == "POST":
        # Not bound to ``item``: the page keeps showing the saved question while the form has errors.
        form = CompanyAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.company_answer_update(item=item, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Answer saved."))
                return redirect("vacancies:answers")
    else:
        form = CompanyAnswerForm(instance=item)
    return render(request, "vacancies/answers_edit.html", {"item": item, "form": form})


@company_member_required
def company_answer_delete(request, pk):
    item = selectors.company_answer_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.can_edit:
        raise PermissionDenied
    services.company_answer_delete(item=item)
    messages.success(request, _("Answer deleted."))
    return redirect("vacancies:answers")
