"""Tenancy for the Django admin: staff who are not superusers see only their company.

Every ``ModelAdmin`` and inline of SmartBot mixes in ``CompanyScopedAdminMixin``
and names, in ``company_field``, the lookup path from its model to the company
(``"company"``, ``"vacancy__company"``, ``"session__response__vacancy__company"``,
``"pk"`` for the company itself). From that one path the mixin:

- filters the changelist, the change/delete pages and the actions to the
  user's company (another company's row is "not found");
- filters every foreign-key choice (selects, raw-id and autocomplete fields,
  inlines) by the *related* model's own path, looked up on its registered
  admin, so a recruiter cannot attach a row to another company's vacancy;
- forces the user's company on save where the model has a direct ``company``.

Superusers see everything. A staff user without a company sees nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models


def sees_all_companies(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def company_path_for(site: admin.AdminSite, model) -> str | None:
    """The lookup path from ``model`` to its company, from its registered admin; None if not tenant data."""
    model_admin = site._registry.get(model)
    return getattr(model_admin, "company_field", None)


def scope_to_company(request, queryset, path: str | None):
    """``queryset`` limited to the request user's company along ``path`` (unchanged for superusers)."""
    if path is None or sees_all_companies(request):
        return queryset
    if not request.user.company_id:
        return queryset.none()
    return queryset.filter(**{path: request.user.company_id})


def _has_direct_company(model) -> bool:
    try:
        field = model._meta.get_field("company")
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.ForeignKey)


class CompanyScopedAdminMixin:
    """Mix into a ModelAdmin or an InlineModelAdmin; set ``company_field``."""

    company_field: str = "company"

    def get_queryset(self, request):
        return scope_to_company(request, super().get_queryset(request), self.company_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not sees_all_companies(request):
            path = company_path_for(self.admin_site, db_field.related_model)
            if path is not None:
                queryset = kwargs.get("queryset")
                if queryset is None:
                    queryset = self.get_field_queryset(None, db_field, request)
                if queryset is None:
                    queryset = db_field.remote_field.model._default_manager.all()
                kwargs["queryset"] = scope_to_company(request, queryset, path)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not sees_all_companies(request):
            path = company_path_for(self.admin_site, db_field.related_model)
            if path is not None:
                queryset = kwargs.get("queryset")
                if queryset is None:
                    queryset = db_field.remote_field.model._default_manager.all()
                kwargs["queryset"] = scope_to_company(request, queryset, path)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CompanyScopedModelAdmin(CompanyScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin scoped to the user's company, with the company filled in for non-superusers."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if _has_direct_company(self.model) and request.user.company_id:
            initial.setdefault("company", request.user.company_id)
        return initial

    def save_model(self, request, obj, form, change):
        if not sees_all_companies(request) and _has_direct_company(self.model):
            # Whatever the form said, a company's staff write into their own company only.
            obj.company_id = request.user.company_id
        super().save_model(request, obj, form, change)

    def get_list_filter(self, request):
        # The company filter only means something to someone who sees several.
        filters = list(super().get_list_filter(request))
        if not sees_all_companies(request):
            filters = [f for f in filters if not (isinstance(f, tuple) and f[0] == "company") and f != "company"]
        return filters


def related_only(field_name: str):
    """A list filter that offers only related rows present in the (scoped) changelist."""
    return (field_name, admin.RelatedOnlyFieldListFilter)


class ReadOnlyInline(CompanyScopedAdminMixin):
    """A history-like inline: shown, never added to, changed or deleted from the parent page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
