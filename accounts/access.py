"""Who may see and change what. Every recruiter view goes through these."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def company_member_required(view):
    """Logged in and member of a company; otherwise login page / 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.company_id is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def editor_required(view):
    """A company member who may write (owner or recruiter); a viewer gets 403."""

    @company_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_edit:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view):
    """The company's owner (team and settings); others get 403."""

    @company_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_owner:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
