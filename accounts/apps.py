from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from smartbot import checks  # noqa: F401 - registers the project's deployment checks

        from . import audit
        from .selectors import two_factor_cache_forget, two_factor_cache_warm

        post_save.connect(two_factor_cache_forget, sender=TOTPDevice, dispatch_uid="accounts.two_factor_cache.save")
        post_delete.connect(two_factor_cache_forget, sender=TOTPDevice, dispatch_uid="accounts.two_factor_cache.delete")
        user_logged_in.connect(two_factor_cache_warm, dispatch_uid="accounts.two_factor_cache.login")
        # The audit log's sign-in entries (docs/audit.md).
        user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="accounts.audit.login")
        user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="accounts.audit.logout")
        user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="accounts.audit.login_failed")
