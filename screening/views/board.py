"""The pipeline board of a vacancy (docs/pipeline.md, "Board"): columns of cards, moved by drag and drop
(static/js/board.js) or by each card's plain form, every move through ``services.response_change_status``.

Thin doors: ``screening.board`` reads, the service writes. Viewers see the board and move nothing (403);
anything outside the member's company is a 404 before anything else is looked at.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import company_member_required
from vacancies.selectors import vacancy_get_for_user

from .. import board as pipeline
from .. import selectors, services
from ..forms import ResponseFilterForm
from ..models import Response
from ..services.saved_filters import table_preferences
from .bulk import bulk_kinds


class BoardMoveForm(forms.Form):
    """A card's move: any status is accepted here, so that the service's own refusal of a screening status is the
    message the recruiter reads."""

    status = forms.ChoiceField(choices=Response.Status.choices)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _filters_query(params) -> str:
    """The board's filters of ``params`` (a QueryDict: the page's GET or a move form's ``filters``) as a query
    string: the ``pipeline.BOARD_FILTERS`` keys only, first values, not validated (the form does that)."""
    query = QueryDict(mutable=True)
    for key in pipeline.BOARD_FILTERS:
        value = params.get(key, "")
        if isinstance(value, str) and value.strip() and len(value) <= 100:
            query[key] = value.strip()
    return query.urlencode()


def _filter_form(request, query: str) -> ResponseFilterForm:
    """The responses table's filter form, bound to the board's filters (unbound without any)."""
    return ResponseFilterForm(QueryDict(query) if query else None, company=request.user.company)


def _filters(form: ResponseFilterForm) -> dict | None:
    """The cleaned filters for ``pipeline.board_columns``; ``{}`` for none, None when they are not valid."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        return None
    return {key: form.cleaned_data.get(key) for key in pipeline.BOARD_FILTERS}


def _saved_filters(request) -> list[tuple]:
    """The member's saved filters of the table that the board can apply: ``(saved, board query)``, those naming
    at least one of the board's filters (the rest, a vacancy or a status, are the table's)."""
    saved_filters, _columns = table_preferences(user=request.user)
    rows = []
    for saved in saved_filters:
        query = _filters_query(QueryDict(urlencode(saved.params or {})))
        if query:
            rows.append((saved, query))
    return rows


@company_member_required
@require_GET
def board(request, vacancy_pk):
    """The vacancy's board: a column per status with its count and first cards; ``?<column>=N`` shows N cards of
    that column ("show more"). The responses table's filters apply (``?screening=``, ``?min_score=``, ``?tag=``;
    not valid: their errors and empty columns), and the member's saved filters are links. Editors get each card's
    move form, viewers only the cards."""
    vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_pk)
    limits = {key: pipeline.column_limit(request.GET[key]) for key in pipeline.COLUMN_KEYS if key in request.GET}
    filters_query = _filters_query(request.GET)
    form = _filter_form(request, filters_query)
    filters = _filters(form)
    if filters is None:  # never guess what a broken filter meant: its errors, and no cards
        columns = [pipeline.Column(spec=spec) for spec in pipeline.COLUMNS]
    else:
        columns = pipeline.board_columns(company=request.user.company, vacancy=vacancy, limits=limits, filters=filters)
    for column in columns:
        query = request.GET.copy()
        query[column.spec.key] = str(column.more_limit)
        column.more_query = query.urlencode()
    return render(
        request,
        "screening/board.html",
        {
            "vacancy": vacancy,
            "columns": columns,
            "limits": limits,
            "can_move": request.user.can_edit,
            "move_choices": _move_choices(),
            "form": form,
            "filter_fields": [form[key] for key in pipeline.BOARD_FILTERS],
            "filters_query": filters_query if filters else "",
            "saved_filters": _saved_filters(request),
            # The bulk form (templates/screening/_bulk_form.html) for the ticked cards.
            "bulk_kinds": bulk_kinds(request.user),
            "decision_statuses": services.DECISION_STATUSES,
            "tags": form.tags if request.user.can_edit else [],
        },
    )


@company_member_required
@require_GET
def board_card(request, pk):
    """One card as the board shows it (for the live updates of static/js/board.js); 404 outside the company.

    With the board's filters (``?tag=`` …), 204 and no card when the response does not match them (or they are not
    valid): the filtered board leaves it out."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    filters_query = _filters_query(request.GET)
    filters = _filters(_filter_form(request, filters_query))
    if filters is None:
        return HttpResponse(status=204)
    card = pipeline.board_cards(company=request.user.company, response_ids=[response.pk], filters=filters).first()
    if card is None:
        return HttpResponse(status=204)
    return render(request, "screening/_board_card.html", _card_context(request, card, filters_query))


@company_member_required
def board_move(request, pk):
    """Move a card: ``status`` through ``services.response_change_status`` (history, emails, webhooks).

    A plain form post is redirected to the board with a message; a script's (``Accept: application/json``) gets
    ``{"ok": true, "column", "card"}`` (the card's new HTML) or, refused, 400 ``{"ok": false, "error"}``.
    404 outside the company (checked first), 403 for a viewer.
    """
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    if not request.user.can_edit:
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BoardMoveForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose a column to move the card to.")
    else:
        try:
            services.response_change_status(
                response=response, to_status=form.cleaned_data["status"], actor=request.user
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
    name = response.full_name or _("Erased candidate")
    # The board's filters ride along in the card's form (``filters``): the board comes back as it was.
    filters_query = _filters_query(QueryDict(str(request.POST.get("filters", ""))[:1000]))
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "error": error}, status=400)
        card = pipeline.board_cards(company=request.user.company, response_ids=[response.pk]).get()
        context = _card_context(request, card, filters_query)
        html = render_to_string("screening/_board_card.html", context, request=request)
        return JsonResponse({"ok": True, "column": card.column, "card": html})
    if error:
        messages.error(request, _("%(name)s was not moved: %(error)s") % {"name": name, "error": error})
    else:
        status = Response.Status(form.cleaned_data["status"]).label
        messages.success(request, _("%(name)s moved to %(status)s.") % {"name": name, "status": status})
    query = f"?{filters_query}" if filters_query else ""
    return redirect(reverse("screening:board", args=[response.vacancy_id]) + f"{query}#card-{response.pk}")


def _move_choices():
    return [(status, Response.Status(status).label) for status in services.DECISION_STATUSES]


def _card_context(request, card, filters_query: str = "") -> dict:
    return {
        "card": card,
        "can_move": request.user.can_edit,
        "move_choices": _move_choices(),
        "filters_query": filters_query,
    }
