"""The Django admin, for county officials only (ground floor)."""

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from lbc_office.core import places


class CountyScopedAdmin(admin.ModelAdmin):
    """Every admin page through the place scope of ``registry.access``: a county official sees
    and picks only their county's records (and no record that belongs to no county); a
    municipal official sees the city (and only reads: ``MunicipalReadsMiddleware``). A list
    that belongs to no county (the six check-in roles) is shared by every official."""

    def get_queryset(self, request):
        # A record that belongs to no county is a list the city shares (the six check-in
        # roles): every official keeps it, as before counties.
        return places.limit_to_county(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = places.limit_to_county(field.queryset, request.user)
        return field


class OfficialsAdminSite(admin.AdminSite):
    site_header = _("LBC Office administration")
    site_title = _("LBC Office")
    index_title = _("Administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model but a second-factor device.

        django-otp's plugins register admins that show a device's secret key and QR code and
        let anyone in the admin delete a device, unaudited. The admin therefore shows no device
        of any kind, present or future: an official resets someone's second factor on the
        account screen (``lbc_office.core.accounts.reset_second_factor``), which is audited.
        """
        from django.db.models.base import ModelBase
        from django_otp.models import Device

        models = (
            [model_or_iterable]
            if isinstance(model_or_iterable, ModelBase)
            else list(model_or_iterable)
        )
        kept = [m for m in models if not issubclass(m, Device)]
        for model in kept:
            base = admin_class or admin.ModelAdmin
            scoped = type(base.__name__, (CountyScopedAdmin, base), {})
            super().register(model, scoped, **options)

    def has_permission(self, request):
        # Officials only, and only once their second factor is verified.
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return bool(getattr(user, "is_official", False)) and (
            verified or not settings.TWO_FACTOR_REQUIRED
        )

    def admin_view(self, view, cacheable=False):
        """A signed-in user the admin turns away (to its sign-in page) is a refusal: audited."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def audited(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not self.has_permission(request):
                # Not at import: the app registry loads this module before the models.
                from lbc_office.core import audit

                audit.record(
                    audit.Action.REFUSED,
                    request=request,
                    object_type="admin",
                    detail=request.path_info[:200],  # the path only: a query may hold a search
                )
            return inner(request, *args, **kwargs)

        return audited


class LbcAdminConfig(AdminConfig):
    default_site = "lbc_office.core.admin_site.OfficialsAdminSite"

    def ready(self):
        super().ready()  # every app's admin module is loaded now
        # Recovery codes are secrets: no admin page lists them (lbc_office.core.enrolment).
        from django_otp.plugins.otp_static.models import StaticDevice

        if self.module.site.is_registered(StaticDevice):
            self.module.site.unregister(StaticDevice)
