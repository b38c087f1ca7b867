from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        # Concerns on the personal file, its timeline and history, the "needs attention" list
        # and the file's closure: registered, so that the register imports no casework.
        from casework import personal_file

        personal_file.register()
        # Referrals on the personal file: a card, a button, the timeline (registry's points).
        from casework import referral_parts

        referral_parts.register()
