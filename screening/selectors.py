"""Reads of responses, always scoped to a company."""

from django.shortcuts import get_object_or_404

from .models import Response


def response_get_for_user(*, user, pk) -> Response:
    """The response if its vacancy belongs to the user's company; 404 otherwise."""
    return get_object_or_404(
        Response.objects.select_related("vacancy", "vacancy__company", "candidate"),
        pk=pk,
        vacancy__company_id=user.company_id,
    )


def response_list(*, company):
    """The company's responses with what a table row shows, in one query."""
    return Response.objects.filter(vacancy__company=company).select_related("candidate", "vacancy")
