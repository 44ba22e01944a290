"""The search page: one box across the company's candidates and applications (docs/search.md).

A thin door into ``screening.services.search``: every member (viewers too) searches their own company; the
results are grouped by person with every live application. htmx swaps the results as the query changes; the
form is a plain GET form without JavaScript.
"""

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from accounts.access import company_member_required

from ..services import search as search_service
from ..services.responses import DECISION_STATUSES
from ..services.tags import tag_list
from .bulk import bulk_kinds
from .htmx import render_partial_or_page


class SearchForm(forms.Form):
    """The search box: any text up to ``QUERY_MAX_CHARS`` characters (a name, an email, a phone, a word)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=search_service.QUERY_MAX_CHARS,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, email, phone, city or a word from a resume or answer")}
        ),
    )


@company_member_required
def search(request):
    """People of the user's company matching ``?q=``, a page (``?page=``) of ``PAGE_SIZE``; six queries in all
    (session, user, company; vacancies, people with their count, applications) whatever the number of results."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    if query:
        page = search_service.search_page(
            company=request.user.company, query=query, page_number=request.GET.get("page")
        )
    else:
        page = Paginator([], search_service.PAGE_SIZE).get_page(1)
    return render_partial_or_page(
        request,
        page="screening/search.html",
        partial="screening/_search_results.html",
        context={
            "form": form,
            "query": query,
            "page_obj": page,
            "people": page.object_list,
            "forgives_typos": search_service.search_forgives_typos(),
            # Bulk actions on ticked applications, as on the table (templates/screening/_bulk_form.html).
            "can_bulk": request.user.can_edit and bool(page.object_list),
            "bulk_kinds": bulk_kinds(request.user),
            "decision_statuses": DECISION_STATUSES,
            "tags": tag_list(company=request.user.company) if request.user.can_edit else [],
        },
    )
