from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LbcOfficeConfig(AppConfig):
    name = "lbc_office"
    verbose_name = _("Accounts")

    def ready(self):
        from lbc_office import audit, lockout  # noqa: F401 (lockout registers a deploy check)

        audit.connect_signals()
