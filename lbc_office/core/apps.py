from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LbcOfficeConfig(AppConfig):
    """The ground floor. Its label stays "lbc_office" (it was the top-level app before issue 17),
    so table names, migration history and AUTH_USER_MODEL = "lbc_office.User" are unchanged."""

    name = "lbc_office.core"
    label = "lbc_office"
    verbose_name = _("Accounts")

    def ready(self):
        from lbc_office.core import audit, idle_sessions, lockout  # noqa: F401 (lockout: a check)

        audit.connect_signals()
        idle_sessions.connect_signals()
