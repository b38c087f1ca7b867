from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Children's register")

    def ready(self):
        # The register's own cards on the personal file (same extension points as other apps).
        from registry import consent, file_parts

        file_parts.register()
        consent.register()
