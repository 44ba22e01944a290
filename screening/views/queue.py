"""The company's live queue of candidates waiting for a person (docs/notifications.md, "Talking to a person").

Every member sees it (viewers read-only); htmx polls the table every few seconds. "Claim" takes the chat over,
so it is a chat view (``chat.views.human_claim``); "Done" resolves a request here.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import company_member_required, editor_required

from ..services.human import human_queue, human_request_get_for_user, human_request_resolve, human_waiting_count
from .htmx import render_partial_or_page, vary_on_htmx

# How often the open page asks for the table again (htmx ``every``), in seconds.
POLL_SECONDS = 5


@company_member_required
def queue(request):
    """Who waits for a person, for how long, why, their last words; soonest due first. Two queries."""
    rows = human_queue(company=request.user.company)
    return render_partial_or_page(
        request,
        page="screening/queue.html",
        partial="screening/_queue.html",
        context={
            "rows": rows,
            "can_edit": request.user.can_edit,
            "poll_seconds": POLL_SECONDS,
            # The deadline as the candidate was told it: in the company's clock, named.
            "company_time_zone": request.user.company.time_zone,
        },
    )


@company_member_required
def queue_badge(request):
    """The menu's count of waiting candidates (loaded by htmx, so no other page pays for the count)."""
    count = human_waiting_count(company_id=request.user.company_id)
    return vary_on_htmx(render(request, "screening/_queue_badge.html", {"waiting": count}))


@require_POST
@editor_required
def queue_resolve(request, pk):
    """ "Done": the request was answered (by phone, by email, in the chat) and leaves the queue."""
    human_request = human_request_get_for_user(user=request.user, pk=pk)
    human_request_resolve(request=human_request, user=request.user)
    messages.success(request, _("Marked as answered."))
    return redirect("screening:queue")
