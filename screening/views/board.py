"""The pipeline board of a vacancy (docs/pipeline.md, "Board"): columns of cards, moved by drag and drop
(static/js/board.js) or by each card's plain form, every move through ``services.response_change_status``.

Thin doors: ``screening.board`` reads, the service writes. Viewers see the board and move nothing (403);
anything outside the member's company is a 404 before anything else is looked at.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import company_member_required
from vacancies.selectors import vacancy_get_for_user

from .. import board as pipeline
from .. import selectors, services
from ..models import Response


class BoardMoveForm(forms.Form):
    """A card's move: any status is accepted here, so that the service's own refusal of a screening status is the
    message the recruiter reads."""

    status = forms.ChoiceField(choices=Response.Status.choices)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@company_member_required
@require_GET
def board(request, vacancy_pk):
    """The vacancy's board: a column per status with its count and first cards; ``?<column>=N`` shows N cards of
    that column ("show more"). Editors get each card's move form, viewers only the cards."""
    vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_pk)
    limits = {key: pipeline.column_limit(request.GET[key]) for key in pipeline.COLUMN_KEYS if key in request.GET}
    columns = pipeline.board_columns(company=request.user.company, vacancy=vacancy, limits=limits)
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
        },
    )


@company_member_required
@require_GET
def board_card(request, pk):
    """One card as the board shows it (for the live updates of static/js/board.js); 404 outside the company."""
    response = selectors.response_get_for_user(user=request.user, pk=pk)
    card = pipeline.board_cards(company=request.user.company, response_ids=[response.pk]).get()
    return render(request, "screening/_board_card.html", _card_context(request, card))


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
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "error": error}, status=400)
        card = pipeline.board_cards(company=request.user.company, response_ids=[response.pk]).get()
        html = render_to_string("screening/_board_card.html", _card_context(request, card), request=request)
        return JsonResponse({"ok": True, "column": card.column, "card": html})
    if error:
        messages.error(request, _("%(name)s was not moved: %(error)s") % {"name": name, "error": error})
    else:
        status = Response.Status(form.cleaned_data["status"]).label
        messages.success(request, _("%(name)s moved to %(status)s.") % {"name": name, "status": status})
    return redirect(reverse("screening:board", args=[response.vacancy_id]) + f"#card-{response.pk}")


def _move_choices():
    return [(status, Response.Status(status).label) for status in services.DECISION_STATUSES]


def _card_context(request, card) -> dict:
    return {"card": card, "can_move": request.user.can_edit, "move_choices": _move_choices()}
