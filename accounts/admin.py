from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .admin_scoping import CompanyScopedModelAdmin, related_only, sees_all_companies
from .models import Company, Invitation, User


@admin.register(Company)
class CompanyAdmin(CompanyScopedModelAdmin):
    company_field = "pk"
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

    # Companies are created by sign-up; a company's staff may edit theirs, not add or delete any.
    def has_add_permission(self, request):
        return sees_all_companies(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return sees_all_companies(request) and super().has_delete_permission(request, obj)


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


# Fields that grant rights beyond the user's company; only a superuser may see or change them.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(CompanyScopedModelAdmin, DjangoUserAdmin):
    company_field = "company"
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
            # A company's staff must not take over a superuser's account by resetting its password.
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

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if not sees_all_companies(request):
            filters = [f for f in filters if f != "is_superuser"]
        return filters

    @admin.action(description=_("Reset two-factor sign-in"), permissions=["change"])
    def two_factor_reset(self, request, queryset):
        # The queryset is the scoped changelist's: a company's staff reset only their company's users.
        users = list(queryset)
        for user in users:
            services.two_factor_remove(user=user)
        self.message_user(request, _("Two-factor sign-in reset for %(count)d users.") % {"count": len(users)})

    def save_model(self, request, obj, form, change):
        if not sees_all_companies(request):
            # The form has no such fields for them; this guards against a crafted POST all the same.
            obj.is_superuser = bool(change and User.objects.filter(pk=obj.pk, is_superuser=True).exists())
        super().save_model(request, obj, form, change)


@admin.register(Invitation)
class InvitationAdmin(CompanyScopedModelAdmin):
    company_field = "company"
    list_display = ("email", "company", "role", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = (related_only("company"), "role", ("accepted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "company__name")
    list_select_related = ("company", "invited_by")
    autocomplete_fields = ("company", "invited_by")
    readonly_fields = ("token", "created_at", "accepted_at")
    date_hierarchy = "created_at"


# django-otp registers admins for its devices that know nothing of companies (a company's staff with the
# permission would see every company's devices). Two-factor is reset with the users' action above or by
# an owner on the team page.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class _SuperusersOnly:
    """Login records span every company: only superusers see them (a company's staff never do)."""

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
