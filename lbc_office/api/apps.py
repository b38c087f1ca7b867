from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "lbc_office.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self):
        from lbc_office.api import schema  # noqa: F401 — registers the schema's extensions
