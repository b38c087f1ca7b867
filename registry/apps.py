from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Children's register")

    def ready(self):
        # The register's own cards on the personal file (same extension points as other apps).
        from lbc_office.core import audit
        from registry import consent, file_parts, risk_file
        from registry.models import Child

        file_parts.register()
        consent.register()
        risk_file.register()
        # The audit notes the child of a record, a page of children, or a refused child's URL.
        meta = Child._meta
        audit.register_children(
            Child,
            routes=[
                ("children/", "pk"),
                (f"admin/{meta.app_label}/{meta.model_name}/", "object_id"),
            ],
        )
