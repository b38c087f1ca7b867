from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        # Case plans on the register's extension points (casework/plan_file.py).
        from casework import plan_file

        plan_file.register()
