from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        # Reunification checks: scheduled when a file closes as reunited, on the timeline.
        # Open concerns in a hand-over summary (registry.transfers).
        from casework import handover, reunification

        reunification.register()
        handover.register()
