from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LbcOfficeConfig(AppConfig):
    name = "lbc_office"
    verbose_name = _("Accounts")

    def ready(self):
        from lbc_office import audit

        audit.connect_signals()
