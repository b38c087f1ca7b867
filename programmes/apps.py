from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        # The personal file shows visits, calls, enrolments and donations without the
        # registry importing this app: sources, buttons and a card are registered here.
        # What closing a file ends, and reopening restores: registry.closure.
        from programmes import closing, personal_file

        personal_file.register()
        closing.register()
