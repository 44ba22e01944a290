from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self):
        from vacancies.services import publish_check_register

        from .services import fairness_publish_check

        publish_check_register(fairness_publish_check)

        # A removed member's open work (accounts.team.member_remove) moves on: docs/audit.md.
        from accounts.signals import member_removing

        from .services.members import on_member_removing

        member_removing.connect(on_member_removing, dispatch_uid="screening.member_removing")
