"""SmartBot's Django admin site: company members come in with their role, nobody grants permissions by hand.

``INSTALLED_APPS`` names ``accounts.admin_site.AdminConfig`` in place of ``django.contrib.admin``: the same app
(templates, label ``admin``), whose default site, ``admin.site``, where every ``@admin.register`` lands, is
``AdminSite`` below.

Who comes in (``admin_access``): an active superuser, or an active member of a company, whatever the role.
What each may see and do on each model is decided by the model's admin from the user's role
(``accounts.admin_scoping``: owners and recruiters write through the services, viewers read, audit records
are read-only for everyone), not by Django's per-user permission rows; ``is_staff`` plays no part.
The product's rules hold at this door too: the lockout counts the admin's login form (django-axes),
``accounts.two_factor.TwoFactorMiddleware`` keeps an unverified session away from every admin page, and the
password is changed on the account page.

This module is imported with ``INSTALLED_APPS``, before any model is loaded: it imports none, and builds its
login form when first asked for it.
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.sites import AdminSite as DjangoAdminSite
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def admin_access(user) -> bool:
    """Whether ``user`` may enter the admin: an active superuser or an active member of a company."""
    return bool(user.is_active and (user.is_superuser or getattr(user, "company_id", None) is not None))


class AdminSite(DjangoAdminSite):
    """The admin's entrance: ``admin_access`` instead of ``is_staff``; the models' admins decide the rest."""

    site_header = _("SmartBot administration")
    site_title = _("SmartBot admin")

    def has_permission(self, request):
        return admin_access(request.user)

    @cached_property
    def login_form(self):
        # Django's admin login form lets in is_staff users only; this one lets in whom has_permission does.
        # Built here, not at import: the auth forms need the user model, not loaded yet when this module is.
        from django.contrib.admin.forms import AdminAuthenticationForm
        from django.contrib.auth.forms import AuthenticationForm
        from django.core.exceptions import ValidationError

        class AdminLoginForm(AdminAuthenticationForm):
            error_messages = {
                **AdminAuthenticationForm.error_messages,
                "invalid_login": _(
                    "Please enter the correct %(username)s and password of a SmartBot account. "
                    "Note that both fields may be case-sensitive."
                ),
            }

            def confirm_login_allowed(self, user):
                AuthenticationForm.confirm_login_allowed(self, user)
                if not admin_access(user):
                    raise ValidationError(
                        self.error_messages["invalid_login"],
                        code="invalid_login",
                        params={"username": self.username_field.verbose_name},
                    )

        return AdminLoginForm

    def password_change(self, request, extra_context=None):
        # One place to change a password: the account page (it keeps this session and ends the others).
        return redirect("accounts:account")


class AdminConfig(DjangoAdminConfig):
    """``django.contrib.admin`` with ``AdminSite`` as its default site."""

    default_site = "accounts.admin_site.AdminSite"
