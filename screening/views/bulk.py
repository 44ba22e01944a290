"""Bulk actions, tags and saved filters of the responses table (docs/pipeline.md).

Thin doors: forms validate, services write. A bulk action is started by a POST of ``screening/_bulk_form.html``
(the ticked ids, or "every response matching" the table's filters) and followed on its own page, whose progress
block htmx polls every second until the task has finished (plain HTML: the page's refresh link).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import company_member_required, editor_required
from accounts.models import Role

from .. import selectors
from ..forms import BulkActionForm, ResponseFilterForm, SavedFilterForm, TagForm
from ..models import BulkAction, Response
from ..services import bulk as bulk_services
from ..services import saved_filters as filter_services
from ..services import tags as tag_services
from .htmx import render_partial_or_page

LIST_URL_NAME = "screening:list"


def bulk_kinds(user) -> list[tuple[str, str]]:
    """The bulk actions ``user`` may start (erase is the owner's), as (value, label)."""
    if not user.can_edit:
        return []
    return [(k, label) for k, label in BulkAction.Kind.choices if k != BulkAction.Kind.ERASE or user.role == Role.OWNER]


def _list_url(query: str = "") -> str:
    url = reverse(LIST_URL_NAME)
    return f"{url}?{query}" if query else url


def _back(request, query: str = ""):
    """Back where the form was posted from when that is one of our pages, else to the table (with ``query``)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(_list_url(query))


def _selected(request, form: BulkActionForm):
    """The responses the form names: ticked ids, or every one matching the posted filters (across pages).

    Raises ``ValidationError`` when the filters are not valid (nothing is guessed)."""
    company = request.user.company
    if form.cleaned_data.get("scope") == BulkActionForm.SCOPE_MATCHING:
        filters = ResponseFilterForm(QueryDict(form.cleaned_data.get("filters") or ""), company=company)
        if not filters.is_valid():
            raise ValidationError(_("The filters are not valid any more: apply them again."))
        return filters.responses()
    return Response.objects.filter(pk__in=form.cleaned_data["ids"], vacancy__company=company)


@editor_required
@require_POST
def bulk_start(request):
    """Start a bulk action on the selected (or all matching) responses; off to its progress page."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, form.data.get("filters", ""))
    try:
        bulk_action = bulk_services.bulk_action_start(
            user=request.user,
            kind=form.cleaned_data["kind"],
            responses=_selected(request, form),
            params=form.action_params(),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request, form.cleaned_data.get("filters", ""))
    back = request.POST.get("next", "")
    url = reverse("screening:bulk_action", args=[bulk_action.pk])
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        url += "?" + urlencode({"next": back})
    return redirect(url)


@company_member_required
def bulk_action_page(request, pk):
    """A bulk action's progress (done, failed, of the total), its failures and, for an export, the download.

    htmx polls the progress block while the action runs (``screening/_bulk_progress.html``)."""
    bulk_action = bulk_services.bulk_action_get_for_user(user=request.user, pk=pk)
    back = request.GET.get("next", "")
    if not (back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = reverse(LIST_URL_NAME)
    running = bulk_action.state in (BulkAction.State.QUEUED, BulkAction.State.RUNNING)
    context = {
        "bulk_action": bulk_action,
        "summary": bulk_services.bulk_action_summary(bulk_action),
        "handled": bulk_action.done + bulk_action.failed,
        "running": running,
        "failures": [] if running else bulk_services.bulk_action_failures(bulk_action=bulk_action),
        "back": back,
    }
    return render_partial_or_page(
        request, page="screening/bulk_action.html", partial="screening/_bulk_progress.html", context=context
    )


@company_member_required
def bulk_action_download(request, pk):
    """The file a bulk export made, for members of its company."""
    bulk_action = bulk_services.bulk_action_get_for_user(user=request.user, pk=pk)
    return bulk_export_response(bulk_action)


def bulk_export_response(bulk_action: BulkAction) -> FileResponse:
    """The export file of ``bulk_action`` as a download (``Http404`` when there is none, or it expired)."""
    name = bulk_action.result.get("file") if bulk_action.kind == BulkAction.Kind.EXPORT else None
    if not name:
        raise Http404
    from ..services.exports import export_file_name, export_file_open

    _name, handle = export_file_open(company=bulk_action.company, file_name=name.rsplit("/", 1)[-1])
    return FileResponse(handle, as_attachment=True, filename=export_file_name(name.rsplit(".", 1)[-1]))


# Tags


@company_member_required
def tag_list(request):
    """The company's tags; editors create and delete them here."""
    form = TagForm()
    if request.method == "POST":
        if not request.user.can_edit:
            raise PermissionDenied
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                tag_services.tag_create(company=request.user.company, name=form.cleaned_data["name"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("name", message)
            else:
                messages.success(request, _("Tag created."))
                return redirect("screening:tags")
    tags = tag_services.tag_list(company=request.user.company)
    return render(
        request,
        "screening/tags.html",
        {"tags": tags, "form": form if request.user.can_edit else None},
        status=400 if form.errors else 200,
    )


@editor_required
@require_POST
def tag_delete(request, pk):
    """Delete one of the company's tags (it leaves every application)."""
    tag = tag_services.tag_get_for_user(user=request.user, pk=pk)
    tag_services.tag_delete(tag=tag)
    messages.success(request, _("Tag deleted."))
    return redirect("screening:tags")


def _posted_id(request, name: str) -> int:
    """An object's id posted in the form field ``name``; 404 when it is not one."""
    value = request.POST.get(name, "")
    if not (value.isdigit() and len(value) < 12):
        raise Http404
    return int(value)


def _response_for_write(request, pk) -> Response:
    response = selectors.response_get_for_user(user=request.user, pk=pk)  # 404 first: nothing leaks
    if not request.user.can_edit:
        raise PermissionDenied
    return response


@company_member_required
@require_POST
def response_tag_add(request, pk):
    """Put a tag (by name; created when new) on one response."""
    response = _response_for_write(request, pk)
    form = TagForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["name"])
        tag = tag_services.tag_get_or_create(company=request.user.company, name=form.cleaned_data["name"])
        tag_services.response_tag_add(response=response, tag=tag)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(f"{response.get_absolute_url()}#tags")


@company_member_required
@require_POST
def response_tag_remove(request, pk):
    """Take a tag (``tag``: its id, one of the company's, else 404) off one response."""
    response = _response_for_write(request, pk)
    tag = tag_services.tag_get_for_user(user=request.user, pk=_posted_id(request, "tag"))
    tag_services.response_tag_remove(response=response, tag=tag)
    return redirect(f"{response.get_absolute_url()}#tags")


# Saved filters and columns


@company_member_required
@require_POST
def saved_filter_save(request):
    """Save the table's current filters under a name (the member's own; viewers may too: it changes nothing)."""
    form = SavedFilterForm(request.POST)
    query = request.POST.get("filters", "")
    if form.is_valid():
        try:
            filter_services.saved_filter_save(
                user=request.user, name=form.cleaned_data["name"], params=QueryDict(form.cleaned_data["filters"])
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Filter saved."))
    else:
        messages.error(request, _("Name the filter."))
    return redirect(_list_url(query))


@company_member_required
@require_POST
def saved_filter_delete(request):
    """Delete one of the member's saved filters (``filter``: its id; 404 for anyone else's)."""
    saved = filter_services.saved_filter_get_for_user(user=request.user, pk=_posted_id(request, "filter"))
    filter_services.saved_filter_delete(saved_filter=saved)
    messages.success(request, _("Filter deleted."))
    return redirect(_list_url())


@company_member_required
@require_POST
def table_columns(request):
    """Remember which columns the member sees on the table."""
    # Unknown keys (a column renamed since the page loaded) are dropped by the service, not refused.
    filter_services.table_columns_set(user=request.user, columns=request.POST.getlist("columns")[:20])
    return redirect(_list_url(request.POST.get("filters", "")))
