from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")

    def ready(self):
        from screening import signals

        signals.application_erasing.connect(_erase, sender=None, dispatch_uid="chat-erase")
        signals.application_exporting.connect(_export, sender=None, dispatch_uid="chat-export")


def _erase(sender, response_ids, **kwargs):
    from . import services

    services.chat_erase(response_ids=response_ids)


def _export(sender, response, **kwargs):
    from . import services

    return services.chat_export(response=response)
