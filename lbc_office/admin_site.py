"""The Django admin, for county officials only (ground floor)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class OfficialsAdminSite(admin.AdminSite):
    site_header = _("LBC Office administration")
    site_title = _("LBC Office")
    index_title = _("Administration")

    def has_permission(self, request):
        # Officials only, and only once their second factor is verified.
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return bool(getattr(user, "is_official", False)) and (
            verified or not settings.TWO_FACTOR_REQUIRED
        )


class LbcAdminConfig(AdminConfig):
    default_site = "lbc_office.admin_site.OfficialsAdminSite"

    def ready(self):
        super().ready()  # every app's admin module is loaded now
        # Recovery codes are secrets: no admin page lists them (lbc_office.enrolment).
        from django_otp.plugins.otp_static.models import StaticDevice

        if self.module.site.is_registered(StaticDevice):
            self.module.site.unregister(StaticDevice)
