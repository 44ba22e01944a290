"""Tenancy, roles and service doors for the Django admin (the site itself: ``accounts.admin_site``).

Every ``ModelAdmin`` and inline of SmartBot mixes in ``CompanyScopedAdminMixin``
and names, in ``company_field``, the lookup path from its model to the company
(``"company"``, ``"vacancy__company"``, ``"session__response__vacancy__company"``,
``"pk"`` for the company itself). From that one path the mixin:

- filters the changelist, the change/delete pages and the actions to the
  user's company (another company's row is "not found");
- filters every foreign-key choice (selects, autocomplete fields, inlines) by
  the *related* model's own path, from its admin on the site, so a recruiter
  cannot attach a row to another company's vacancy. A related model the site
  does not know as company data offers no choice at all (fails closed);
- forces the user's company on save where the model has a direct ``company``.

Permissions come from the role, not from Django's permission rows: every member
views; ``write_roles`` (owners and recruiters unless the admin says otherwise)
add, change and delete; an audit record (``AuditRecordAdmin``) is read-only for
everyone, superusers included. Superusers see every company.

Writes go through the services (``save_model``, ``delete_model``,
``save_formset`` and the actions call them). ``ServiceDoorMixin`` rolls a page
back when a service refuses (``ValidationError``) and shows the service's words
on the form, as the dashboard does.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import model_ngettext
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from smartbot.forms import form_add_service_errors

from .models import Role

# Who writes, by default: what ``User.can_edit`` says on the dashboard.
EDITORS = (Role.OWNER, Role.RECRUITER)
OWNERS = (Role.OWNER,)


def sees_all_companies(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def member_role(request) -> str | None:
    """The request user's role in their company; None for anyone who is not an active member of one."""
    user = request.user
    if not user.is_active or getattr(user, "company_id", None) is None:
        return None
    return user.role


def company_path_for(site: admin.AdminSite, model) -> str | None:
    """The lookup path from ``model`` to its company, as its admin on ``site`` declares; None if unknown."""
    try:
        model_admin = site.get_model_admin(model)
    except admin.sites.NotRegistered:
        return None
    return getattr(model_admin, "company_field", None)


def scope_to_company(request, queryset, path: str | None):
    """``queryset`` limited to the request user's company along ``path`` (unchanged for superusers).

    No ``path`` (a model not known as company data) or no company gives nothing: scoping fails closed.
    """
    if sees_all_companies(request):
        return queryset
    if path is None or not request.user.company_id:
        return queryset.none()
    return queryset.filter(**{path: request.user.company_id})


def _has_direct_company(model) -> bool:
    try:
        field = model._meta.get_field("company")
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.ForeignKey)


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service created (``saved``): the admin logs and links ``obj``."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class CompanyScopedAdminMixin:
    """Mix into a ModelAdmin or an InlineModelAdmin; set ``company_field`` (and ``write_roles`` if not editors)."""

    company_field: str | None = None
    write_roles: tuple[str, ...] = EDITORS
    read_only = False

    def get_queryset(self, request):
        return scope_to_company(request, super().get_queryset(request), self.company_field)

    # --- permissions: the role decides ------------------------------------------------------------------------

    def has_view_permission(self, request, obj=None):
        return sees_all_companies(request) or member_role(request) is not None

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def may_write(self, request) -> bool:
        """Whether the request user adds, changes and deletes here: not on audit records, else by role."""
        if self.read_only:
            return False
        return sees_all_companies(request) or member_role(request) in self.write_roles

    def has_add_permission(self, request, obj=None):
        return self.may_write(request)

    def has_change_permission(self, request, obj=None):
        return self.may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self.may_write(request)

    # --- foreign-key choices ------------------------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not sees_all_companies(request):
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            path = company_path_for(self.admin_site, db_field.related_model)
            kwargs["queryset"] = scope_to_company(request, queryset, path)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not sees_all_companies(request):
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            path = company_path_for(self.admin_site, db_field.related_model)
            kwargs["queryset"] = scope_to_company(request, queryset, path)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.company_field:
            errors.append(
                checks.Error(
                    f"{type(self).__name__} names no company_field: nobody but a superuser would see its rows.",
                    obj=type(self),
                    id="accounts.E101",
                )
            )
        return errors


class CompanyScopedModelAdmin(CompanyScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin scoped to the user's company, with the company filled in for non-superusers."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if _has_direct_company(self.model) and request.user.company_id:
            initial.setdefault("company", request.user.company_id)
        return initial

    def save_model(self, request, obj, form, change):
        if not sees_all_companies(request) and _has_direct_company(self.model):
            # Whatever the form said, a company's members write into their own company only.
            obj.company_id = request.user.company_id
        super().save_model(request, obj, form, change)

    def get_list_filter(self, request):
        # The company filter only means something to someone who sees several.
        filters = list(super().get_list_filter(request))
        if not sees_all_companies(request):
            filters = [f for f in filters if not (isinstance(f, tuple) and f[0] == "company") and f != "company"]
        return filters


# The request attribute that carries a service's refusal into the page shown again.
_REFUSAL = "admin_service_refusal"


class ServiceDoorMixin:
    """For admins whose writes call services: a service's ``ValidationError`` is shown on the form.

    The admin's add/change page runs in one transaction; when ``save_model``,
    ``save_related`` or ``save_formset`` raise ``ValidationError`` (a service
    refused), everything the page wrote is rolled back and the page is shown
    again, the service's messages on their fields or above the form, nothing
    saved. A refused delete returns to the object with the message.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            if request.method != "POST" or getattr(request, _REFUSAL, None) is not None:
                raise
            setattr(request, _REFUSAL, refusal)
            # The same page again: its form fails with the refusal, so nothing runs twice.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                form_add_service_errors(self, refusal)
                return cleaned

        return RefusedForm

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refusal:
            # delete_view's transaction (the deletion and its log entry) is rolled back.
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    def get_deleted_objects(self, objs, request):
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        # The service decides what may go with the row (it refuses, say, a vacancy with applications), not the
        # permissions on each related model: their rows are records nobody deletes by hand.
        return deleted, model_count, set(), protected

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = self.get_action("delete_selected")
        return actions

    @admin.action(description=admin_actions.delete_selected.short_description, permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's "delete selected" with its confirmation page; then each row goes through ``delete_model``."""
        if not request.POST.get("post") or self.get_deleted_objects(queryset, request)[3]:
            # Not confirmed yet, or rows that protect others (answers keep their question): Django's page says so.
            return admin_actions.delete_selected(self, request, queryset)
        self.run_on_each(request, queryset, lambda obj: self._delete_one(request, obj), self._deleted_message)
        return None

    def _delete_one(self, request, obj) -> None:
        with transaction.atomic():
            self.log_deletions(request, [obj])  # before the row goes; rolled back with a refusal
            self.delete_model(request, obj)

    def _deleted_message(self, count: int) -> str:
        # Django's own words (and translations) for its delete action.
        return _("Successfully deleted %(count)d %(items)s.") % {
            "count": count,
            "items": model_ngettext(self.opts, count),
        }

    def run_on_each(self, request, queryset, call, done_message) -> int:
        """``call(obj)`` (a service) for each selected row; report each refusal and the number done."""
        done = 0
        for obj in queryset:
            try:
                call(obj)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        return done


def related_only(field_name: str):
    """A list filter that offers only related rows present in the (scoped) changelist."""
    return (field_name, admin.RelatedOnlyFieldListFilter)


class AuditRecordAdmin(CompanyScopedModelAdmin):
    """A record of what happened (history, verdicts, evaluations, transcripts): shown, never written here."""

    read_only = True


class ReadOnlyInline(CompanyScopedAdminMixin):
    """A history-like inline: shown, never added to, changed or deleted from the parent page."""

    extra = 0
    can_delete = False
    show_change_link = True
    read_only = True
