"""Re-judging a question's past answers under its new rule: the preview (every member) and applying it (editors).

A thin door into ``services.rejudge_preview`` and ``services.rejudge_apply``: the question is fetched for the
user's company first (404 outside it, for every method), then a viewer's POST is refused (403).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import company_member_required
from vacancies.selectors import question_get_for_user

from .. import services

# Rows of each list the page shows; the rest are counted (applying covers them all).
PAGE_ROWS = 500


@company_member_required
def rejudge(request, pk):
    """GET: who would flip if the question's past answers were judged by its current rule. POST: apply it."""
    question = question_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        if not request.user.can_edit:
            raise PermissionDenied
        return _apply(request, question)
    preview = services.rejudge_preview(question=question)
    return render(
        request,
        "screening/rejudge.html",
        {
            "question": question,
            "vacancy": question.vacancy,
            "preview": preview,
            "changes": preview.changes[:PAGE_ROWS],
            "changes_more": max(0, len(preview.changes) - PAGE_ROWS),
            "kept": preview.kept[:PAGE_ROWS],
            "kept_more": max(0, len(preview.kept) - PAGE_ROWS),
            "can_edit": request.user.can_edit,
        },
    )


def _apply(request, question):
    try:
        done = services.rejudge_apply(
            question=question, actor=request.user, fingerprint=request.POST.get("fingerprint", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("screening:rejudge", question.pk)
    if done is None:
        messages.info(request, _("Every answer to this question was already judged by its current rule."))
    else:
        messages.success(
            request,
            ngettext(
                "Re-judged %(answers)d answer under the new rule.",
                "Re-judged %(answers)d answers under the new rule.",
                done.answers,
            )
            % {"answers": done.answers}
            + " "
            + ngettext(
                "%(n)d response's outcome changed; its history says so.",
                "%(n)d responses' outcomes changed; their history says so.",
                done.flipped,
            )
            % {"n": done.flipped},
        )
    return redirect(question.vacancy)
