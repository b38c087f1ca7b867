from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    name = "lbc_office.core.idempotency"
    label = "idempotency"
    verbose_name = _("One-time keys")
