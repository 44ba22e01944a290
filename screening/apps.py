from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self):
        from vacancies.services import publish_check_register

        from .services import fairness_publish_check

        publish_check_register(fairness_publish_check)
