"""Pages that htmx makes live: the block an htmx request swaps, the whole page for everyone else.

The templates carry real links and forms (``href``/``action``) next to their ``hx-*`` attributes, so each
page works as plain HTML; htmx (``{% htmx_script %}`` in base.html, django-htmx's ``request.htmx``) only
fetches the part that changes.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """True for a request made by htmx to swap a block of the page it is on.

    A history-restore request (the browser's back button after ``hx-push-url``) wants the whole page, as
    does every request made without htmx (no JavaScript, a new tab, a bookmark).
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as depending on the ``HX-Request`` header (the block or the page), so that no cache
    hands one to a browser that asked for the other. Returns ``response``."""
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_partial_or_page(
    request: HttpRequest, *, page: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render ``partial`` for an htmx request (``wants_partial``), ``page`` otherwise, with ``context``."""
    template = partial if wants_partial(request) else page
    return vary_on_htmx(render(request, template, context, status=status))
