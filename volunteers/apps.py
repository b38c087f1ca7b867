from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        # Carers and check-ins on the personal file (registry's extension points).
        # The volunteer's scope and the "needs attention" lists (registry's registrations).
        # What closing a file ends, and reopening restores (registry.closure).
        from volunteers import closing, file_parts, registrations

        file_parts.register()
        registrations.register()
        closing.register()
