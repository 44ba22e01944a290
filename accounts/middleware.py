"""The company's clock for its team: every time a member sees is in the company's time zone.

Django stores and compares aware UTC times (``USE_TZ``); templates and forms show them in the *current* time
zone (https://docs.djangoproject.com/en/5.2/topics/i18n/timezones/#selecting-the-current-time-zone). This
middleware makes that the member's company's ``Company.time_zone`` for the request; the base template names
it, so no time on a page is an unlabelled UTC figure. Candidates' pages and the API keep UTC (the API writes
ISO 8601 with the offset; candidates see slots in their own zone, named, from ``screening.services.calendars``).
"""

from __future__ import annotations

import zoneinfo

from django.utils import timezone


class CompanyTimeZoneMiddleware:
    """Activate ``request.user.company.time_zone`` for a signed-in member; UTC for everyone else.

    Must come after ``AuthenticationMiddleware``. Costs no query on a dashboard page: the base template reads
    ``user.company`` anyway, from the same cached instance. A zone name this machine no longer knows falls
    back to UTC (and the page's label says UTC) rather than failing the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = company_zone(getattr(request, "user", None))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            # The thread serves other requests next (ASGI runs views on a thread pool): leave no zone behind.
            timezone.deactivate()


def company_zone(user) -> zoneinfo.ZoneInfo | None:
    """The zone of ``user``'s company, or None for an anonymous user, one without a company, or an unknown
    zone name."""
    if user is None or not user.is_authenticated or not getattr(user, "company_id", None):
        return None
    try:
        return zoneinfo.ZoneInfo(user.company.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return None
