from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        # Reunification checks: scheduled when a file closes as reunited, on the timeline.
        from casework import reunification

        reunification.register()
