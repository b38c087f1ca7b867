"""The Django admin, for county officials only (ground floor)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class OfficialsAdminSite(admin.AdminSite):
    site_header = _("LBC Office administration")
    site_title = _("LBC Office")
    index_title = _("Administration")

    def has_permission(self, request):
        return bool(getattr(request.user, "is_official", False))


class LbcAdminConfig(AdminConfig):
    default_site = "lbc_office.admin_site.OfficialsAdminSite"
