"""Companies, users and invitations in the admin, as doors into ``accounts.services``.

A company's members see their company and colleagues. The owner changes the company's settings (checked
and saved as on the settings page: ``CompanySettingsForm``, ``company_update``), invites and revokes
(``invitation_create`` / ``invitation_revoke``) and resets a teammate's two-factor. Nobody in a company
edits a user here: roles, companies and rights change on the owner's team page, never in the admin.
Superusers see every company and keep Django's user administration.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services, team
from .admin_scoping import (
    OWNERS,
    AuditRecordAdmin,
    CompanyScopedModelAdmin,
    ServiceDoorMixin,
    adopt,
    member_role,
    related_only,
    sees_all_companies,
)
from .forms import CompanySettingsForm
from .models import AuditEntry, Company, Invitation, Role, User

# What the owner's settings page edits (and ``company_update`` saves). The settings for after the screening
# (time zone, working hours, candidate emails: ``company_after_screening_update``) are the settings page's only.
SETTINGS_FIELDS = tuple(
    name for name in CompanySettingsForm.base_fields if name not in CompanySettingsForm.AFTER_SCREENING_FIELDS
)


class CompanyAdminForm(forms.ModelForm):
    """The company's settings, checked as the settings page checks them (``CompanySettingsForm``)."""

    class Meta:
        model = Company
        # Members edit the settings page's fields (get_readonly_fields); superusers the chat link periods too.
        fields = (*SETTINGS_FIELDS, "chat_link_read_only_days", "chat_link_expiry_days")

    def clean(self):
        cleaned = super().clean()
        settings_form = CompanySettingsForm(self.data, company=self.instance)
        settings_form.is_valid()
        for name in SETTINGS_FIELDS:
            if name not in self.fields or name in self._errors:
                continue
            if name in settings_form.errors:
                self.add_error(name, settings_form.errors[name])
            elif name in settings_form.cleaned_data:
                cleaned[name] = settings_form.cleaned_data[name]
        return cleaned


@admin.register(Company)
class CompanyAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    company_field = "pk"
    write_roles = OWNERS
    form = CompanyAdminForm
    ordering = ("name",)
    list_display = ("name", "slug", "ai_enabled", "ai_monthly_budget", "member_count", "vacancy_count", "created_at")
    list_filter = ("ai_enabled",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("members", distinct=True), _vacancies=Count("vacancies", distinct=True))
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj):
        return obj._members

    @admin.display(description=_("vacancies"), ordering="_vacancies")
    def vacancy_count(self, obj):
        return obj._vacancies

    # Companies are created by sign-up; the owner edits theirs, only a superuser adds or deletes one.
    def has_add_permission(self, request, obj=None):
        return sees_all_companies(request)

    def has_delete_permission(self, request, obj=None):
        return sees_all_companies(request)

    def get_readonly_fields(self, request, obj=None):
        if sees_all_companies(request):
            return ("created_at",)
        # The owner edits what the settings page edits.
        return tuple(
            field.name
            for field in Company._meta.concrete_fields
            if not field.primary_key and field.name not in SETTINGS_FIELDS
        )

    def save_model(self, request, obj, form, change):
        if not change:
            # A superuser's new company: no service makes a company without its owner (sign-up does both).
            return super().save_model(request, obj, form, change)
        services.company_update(
            company=obj,
            actor=request.user,
            request=request,
            **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS if name in form.cleaned_data},
        )
        others = [name for name in form.changed_data if name not in SETTINGS_FIELDS]
        if others:
            # Only a superuser's form has other fields (the chat link periods), which no page or service sets.
            obj.save(update_fields=others)
        return None


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {}


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


# Fields a company's members do not see: the password hash and the rights beyond the company.
SUPERUSER_ONLY_FIELDS = ("password", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(CompanyScopedModelAdmin, DjangoUserAdmin):
    """Members read their colleagues; only superusers add, change or delete users here."""

    company_field = "company"
    write_roles = ()
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "company", "role", "is_staff", "is_active", "last_login")
    list_filter = (related_only("company"), "role", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("last_login", "date_joined")
    actions = ["two_factor_reset"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Company"), {"fields": ("company", "role")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2", "company", "role"),
            },
        ),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not sees_all_companies(request):
            # A superuser's account is nobody's colleague.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_all_companies(request):
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS)})
            for name, options in fieldsets
        ]

    def get_list_display(self, request):
        display = super().get_list_display(request)
        if sees_all_companies(request):
            return display
        return [field for field in display if field not in SUPERUSER_ONLY_FIELDS]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if not sees_all_companies(request):
            filters = [f for f in filters if f not in SUPERUSER_ONLY_FIELDS]
        return filters

    def has_two_factor_reset_permission(self, request):
        return sees_all_companies(request) or member_role(request) == Role.OWNER

    @admin.action(description=_("Reset two-factor sign-in"), permissions=["two_factor_reset"])
    def two_factor_reset(self, request, queryset):
        # The queryset is the scoped changelist's: an owner resets only their company's users.
        users = list(queryset)
        if not sees_all_companies(request) and any(user.pk == request.user.pk for user in users):
            # As on the team page: one's own two-factor is turned off on one's two-factor page.
            self.message_user(
                request, _("Turn your own two-factor sign-in off on your two-factor page."), messages.ERROR
            )
            users = [user for user in users if user.pk != request.user.pk]
        for user in users:
            services.two_factor_remove(user=user)
        self.message_user(request, _("Two-factor sign-in reset for %(count)d users.") % {"count": len(users)})


@admin.register(Invitation)
class InvitationAdmin(ServiceDoorMixin, CompanyScopedModelAdmin):
    """The owner invites and revokes here as on the team page (the same services); an invitation is not edited."""

    company_field = "company"
    write_roles = OWNERS
    list_display = ("email", "company", "role", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = (related_only("company"), "role", ("accepted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "company__name")
    list_select_related = ("company", "invited_by")
    autocomplete_fields = ("company",)
    readonly_fields = ("invited_by", "created_at", "expires_at", "accepted_at")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("company", "email", "role")
        return ("company", "email", "role", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        if sees_all_companies(request):
            company = form.cleaned_data["company"]
            invitation = services.invitation_create(company=company, invited_by=request.user, email=email, role=role)
        else:  # the owner: as on the team page, with its audit entry
            invitation = team.invitation_send(actor=request.user, email=email, role=role, request=request)
        adopt(obj, invitation)

    def delete_model(self, request, obj):
        if sees_all_companies(request):
            services.invitation_revoke(invitation=obj)
        else:
            team.invitation_withdraw(actor=request.user, invitation=obj, request=request)


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditRecordAdmin):
    """The audit log: the company's owners read it (as on the audit log page); nobody adds, changes or deletes
    an entry here, superusers included (docs/audit.md)."""

    company_field = "company"
    list_display = ("created_at", "actor_name", "action", "target", "summary", "ip_address", "company")
    list_filter = (related_only("company"), "action", "created_at")
    search_fields = ("actor_name", "summary", "target")
    list_select_related = ("company",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "company",
        "actor",
        "actor_name",
        "action",
        "target",
        "summary",
        "details",
        "ip_address",
        "created_at",
    )
    fields = readonly_fields

    def has_view_permission(self, request, obj=None):
        return sees_all_companies(request) or member_role(request) == Role.OWNER

    def get_actions(self, request):
        return {}


# django-otp registers admins for its devices that know nothing of companies (a company's members would see
# every company's devices). Two-factor is reset with the users' action above or by an owner on the team page.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class _SuperusersOnly:
    """Login records span every company: only superusers see them (a company's members never do)."""

    def has_module_permission(self, request):
        return sees_all_companies(request)

    def has_view_permission(self, request, obj=None):
        return sees_all_companies(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting an attempt lifts that lockout (owners do it from the team page).
        return sees_all_companies(request)


def _register_login_records():
    """django-axes' pages for failed logins and lockouts (AccessAttempt, AccessFailureLog), superusers only."""
    from axes import admin as axes_admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model, base in (
        (AccessAttempt, axes_admin.AccessAttemptAdmin),
        (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
        (AccessLog, axes_admin.AccessLogAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, type(base.__name__, (_SuperusersOnly, base), {}))


_register_login_records()
