"""Responses table and response page of the recruiter workspace.

Thin doors: forms validate, selectors read (scoped to the user's company, 404
outside it), services write. Viewers read everything and change nothing.
"""

import os
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.access import company_member_required
from accounts.models import Role
from smartbot.forms import form_add_service_errors

from .. import boards, selectors, services
from ..forms import NoteForm, ResponseFilterForm, ResponseStatusForm
from ..models import Erasure, Response
from ..services.saved_filters import TABLE_COLUMNS, table_preferences
from .answers import VERDICT_FAILED, VERDICT_REVIEW, answer_row
from .bulk import bulk_kinds
from .htmx import render_partial_or_page
from .receipts import evaluation_context

PAGE_SIZE = 25


@company_member_required
def response_list(request):
    """All the company's responses, filtered (tag included), sorted and paginated by GET parameters, with the
    member's saved filters, chosen columns and, for editors, the bulk actions bar (screening.views.bulk).

    An htmx request (filters, sorting, paging) gets the block it swaps; any other request the whole page.
    """
    company = request.user.company
    form = ResponseFilterForm(request.GET or None, company=company)
    vacancy = None
    if form.is_bound and not form.is_valid():
        # Never guess what a broken filter meant: show the errors and no rows.
        responses = Response.objects.none()
    else:
        vacancy = form.cleaned_data.get("vacancy") if form.is_bound else None
        responses = form.responses()
    page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
    saved_filters, columns = table_preferences(user=request.user)
    filters = request.GET.copy()
    filters.pop("page", None)
    # htmx (the filters, the sort and page links) swaps the block below the menu, title included.
    return render_partial_or_page(
        request,
        page="screening/response_list.html",
        partial="screening/_responses.html",
        context={
            "form": form,
            "vacancy": vacancy,
            "page_title": _("Responses · %(title)s") % {"title": vacancy.title} if vacancy else _("Responses"),
            "page_obj": page,
            "responses": page.object_list,
            "current_sort": (form.cleaned_data.get("sort") if form.is_bound and form.is_valid() else None)
            or selectors.DEFAULT_RESPONSE_SORT,
            "columns": columns,
            "table_columns": TABLE_COLUMNS,
            "saved_filters": [(saved, urlencode(saved.params)) for saved in saved_filters],
            "filters_query": filters.urlencode(),
            "can_bulk": request.user.can_edit and not form.errors,
            "bulk_kinds": bulk_kinds(request.user),
            "decision_statuses": services.DECISION_STATUSES,
            "tags": form.tags,
        },
    )


def _render_page(request, response: Response, *, status_form=None, note_form=None, status=200):
    can_edit = request.user.can_edit and not response.is_erased  # an erased application is a tombstone
    if can_edit:
        status_form = status_form or ResponseStatusForm()
        note_form = note_form or NoteForm()
    answers = [answer_row(answer) for answer in response.answers.all()]
    context = {
        "response": response,
        "vacancy": response.vacancy,
        "answers": answers,
        "answers_failed": sum(1 for row in answers if row["verdict"] == VERDICT_FAILED),
        "answers_review": sum(1 for row in answers if row["verdict"] == VERDICT_REVIEW),
        "asked_questions": response.asked_questions.all(),
        "history": response.history.all(),
        "notes": response.notes.all(),
        "resume_file_name": os.path.basename(response.resume_file.name) if response.resume_file else "",
        "duplicates": list(selectors.response_possible_duplicates(response=response)),
        **_channels_context(response),
        "other_applications": list(selectors.response_other_applications(response=response)),
        "can_erase": request.user.role == Role.OWNER,
        "can_edit": can_edit,
        "status_form": status_form if can_edit else None,
        "note_form": note_form if can_edit else None,
        **evaluation_context(response),
    }
    return render(request, "screening/response_detail.html", context, status=status)


# A job board's response states as people read them (hh.ru's ``negotiations_employer_state``; others show as sent).
BOARD_STATES = {
    "response": _lazy("New response"),
    "invitation": _lazy("Invitation"),
    "interview": _lazy("Interview"),
    "phone_interview": _lazy("Phone interview"),
    "hold": _lazy("On hold"),
    "discard": _lazy("Rejection"),
    "discard_after_interview": _lazy("Rejection after the interview"),
    "discard_by_employer": _lazy("Rejection"),
    "discard_by_applicant": _lazy("Withdrawn by the candidate"),
}
# A decision written back to the board, as the panel says it.
WRITTEN_DECISIONS = {boards.DECISION_INVITE: _lazy("invitation"), boards.DECISION_DISCARD: _lazy("rejection")}


def _channels_context(response: Response) -> dict:
    """The sources panel's rows: the job board's response behind the application and its Telegram thread (both
    read with the page, ``selectors.response_get_for_page``), each None when the application has none."""
    board_application = getattr(response, "board_application", None)
    state = board_application.external_state if board_application else ""
    decision = board_application.written_decision if board_application else ""
    return {
        "board_application": board_application,
        "board_state": BOARD_STATES.get(state, state),
        "written_decision": WRITTEN_DECISIONS.get(decision, decision),
        "telegram_link": getattr(response, "telegram", None),
    }


@company_member_required
def response_detail(request, pk):
    response = selectors.response_get_for_page(user=request.user, pk=pk)
    return _render_page(request, response)


def _response_for_write(request, pk) -> Response:
    """The response a POST changes: 404 outside the company (checked first, so nothing leaks), 403 for viewers."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    if not request.user.can_edit:
        raise PermissionDenied
    return response


@company_member_required
def response_status(request, pk):
    """Change the status of a response (a recruiter's decision) with an optional comment."""
    response = _response_for_write(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ResponseStatusForm(request.POST)
    if form.is_valid():
        try:
            services.response_change_status(
                response=response,
                to_status=form.cleaned_data["status"],
                actor=request.user,
                comment=form.cleaned_data["comment"],
                candidate_reason=form.cleaned_data["candidate_reason"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect(f"{response.get_absolute_url()}#history")
    response = selectors.response_get_for_page(user=request.user, pk=pk)
    return _render_page(request, response, status_form=form, status=400)


@company_member_required
def response_note(request, pk):
    """Add a recruiter's note to a response."""
    response = _response_for_write(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.response_add_note(response=response, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect(f"{response.get_absolute_url()}#notes")
    response = selectors.response_get_for_page(user=request.user, pk=pk)
    return _render_page(request, response, note_form=form, status=400)


@company_member_required
def response_resume(request, pk):
    """The candidate's uploaded resume file, for members of the vacancy's company only."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    resume = response.resume_file
    if not resume:
        raise Http404
    try:
        handle = resume.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(resume.name))


@company_member_required
@require_POST
def response_erase(request, pk):
    """The owner erases the person behind a response (all their applications in the company); 403 for others."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    if request.user.role != Role.OWNER:
        raise PermissionDenied
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick “I understand” to erase the candidate's data."))
        return redirect(f"{response.get_absolute_url()}#erase")
    services.candidate_erase(candidate=response.candidate, reason=Erasure.Reason.OWNER, actor=request.user)
    messages.success(request, _("The candidate's data was erased."))
    return redirect(response.get_absolute_url())


@company_member_required
def erasure_list(request):
    """The owner's privacy page: upcoming erasures under the retention period, and past erasures (no data)."""
    if request.user.role != Role.OWNER:
        raise PermissionDenied
    company = request.user.company
    upcoming = services.candidates_due_for_erasure(company=company, within=services.UPCOMING_ERASURE_WINDOW)
    period = services.retention_period(company=company)
    rows = [
        {
            "candidate": candidate,
            "last_activity": candidate.last_activity,
            "erase_on": candidate.last_activity + period,
            "applications": selectors.candidate_applications(candidate=candidate),
        }
        for candidate in upcoming[:200]
    ]
    return render(
        request,
        "screening/erasures.html",
        {"company": company, "upcoming": rows, "erasures": Erasure.objects.filter(company=company)[:100]},
    )
