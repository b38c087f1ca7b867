from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        # Referrals on the personal file: a card, a button, the timeline (registry's points).
        from casework import referral_parts

        referral_parts.register()
