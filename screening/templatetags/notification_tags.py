"""The notification bell in the site's top bar (templates/base.html): ``{% notification_bell %}``."""

from django import template

from ..services.notifications import notification_unread_cached

register = template.Library()


@register.inclusion_tag("_bell.html", takes_context=True)
def notification_bell(context) -> dict:
    """The bell with the signed-in member's unread count as last counted (from the cache, never a database query:
    every dashboard page has the bell); nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.company_id is None:
        return {"show": False}
    return {"show": True, "unread": notification_unread_cached(user_id=user.pk)}
