"""The fairness pre-flight of a vacancy's AI evaluator: the report, running it, the owner's acknowledgement.

Thin doors: a selector fetches (404 outside the user's company), a service writes. Every member reads the
report; owners and recruiters run the check; only the owner acknowledges a check over the threshold. The
vacancy page loads the report block with htmx (``vacancies`` never includes a screening template); without
JavaScript the block is a page of its own.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import company_member_required
from vacancies.selectors import vacancy_get_for_user

from .. import services
from .htmx import render_partial_or_page, vary_on_htmx, wants_partial


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(str(message) for messages_ in error.message_dict.values() for message in messages_)
    return " ".join(error.messages)


def _report(request, vacancy, *, refused: str = "", status: int = 200):
    key = services.fairness_key(vacancy=vacancy)
    check = services.fairness_check_latest(vacancy=vacancy)
    context = {
        "vacancy": vacancy,
        "check": check,
        "current": check is not None and check.key == key,
        "gated": not services.company_llm_fallback(company=vacancy.company),
        "refused": refused,
    }
    return render_partial_or_page(
        request, page="screening/fairness.html", partial="screening/_fairness.html", context=context, status=status
    )


@require_http_methods(["GET", "POST"])
@company_member_required
def fairness(request, vacancy_pk):
    """The vacancy's fairness report (GET: the block for htmx, the page otherwise); POST runs the check
    (owners and recruiters): htmx gets the block back, a plain post goes to the page."""
    vacancy = vacancy_get_for_user(user=request.user, pk=vacancy_pk)
    if request.method == "POST":
        if not request.user.can_edit:
            raise PermissionDenied
        try:
            with transaction.atomic():
                services.fairness_check_request(vacancy=vacancy, user=request.user)
        except PermissionDenied as refused:
            # The report again, with the reason: only the owner may re-run a check over the threshold.
            messages.error(request, str(refused))
            page = _report(request, vacancy)
            page.status_code = 403
            return page
        if not wants_partial(request):
            messages.success(request, _("The fairness check was queued; its report appears here when it is ready."))
            return vary_on_htmx(redirect("screening:fairness", vacancy_pk=vacancy.pk))
    return _report(request, vacancy)


@require_POST
@company_member_required
def fairness_acknowledge(request, pk):
    """The owner's "Acknowledge and allow publishing" with a ``note``; others get 403, outsiders 404."""
    check = services.fairness_check_get_for_user(user=request.user, pk=pk)
    if not request.user.is_owner:
        raise PermissionDenied
    try:
        services.fairness_acknowledge(check=check, user=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        if wants_partial(request):
            return _report(request, check.vacancy, refused=_error_text(error), status=422)
        messages.error(request, _error_text(error))
    else:
        if wants_partial(request):
            return _report(request, check.vacancy)
        messages.success(request, _("Acknowledged: the vacancy can be published."))
    return vary_on_htmx(redirect("screening:fairness", vacancy_pk=check.vacancy_id))
