"""The Django admin, for county officials only (ground floor)."""

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


def county_path(model, depth: int = 3) -> str | None:
    """The ORM path from ``model`` to a county's administrative code, found through its
    forward keys (a county, or a record that leads to one, or an account's ``county_code``);
    None for a record that belongs to no county. Found from ``_meta``: the ground floor names
    no app's model."""
    if model is None:
        return None
    if model._meta.model_name == "county":
        return "code"
    if any(f.name == "county_code" for f in model._meta.concrete_fields):
        return "county_code"
    if depth == 0:
        return None
    keys = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    for field in sorted(keys, key=lambda f: f.name != "county"):  # the record's own first
        rest = county_path(field.related_model, depth - 1)
        if rest is not None:
            return f"{field.name}__{rest}"
    return None


class CountyScopedAdmin(admin.ModelAdmin):
    """Every admin page through the place scope of ``registry.access``: a county official sees
    and picks only their county's records (and no record that belongs to no county); a
    municipal official sees the city (and only reads: ``MunicipalReadsMiddleware``). A list
    that belongs to no county (the six check-in roles) is shared by every official."""

    def _code(self, request) -> str:
        return getattr(request.user, "county_code", "") or ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        code = self._code(request)
        if not code:
            return qs
        path = county_path(self.model)
        # A record that belongs to no county is a list the city shares (the six check-in
        # roles, the kinds of programme): every official keeps it, as before counties.
        return qs.filter(**{path: code}) if path else qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        code = self._code(request)
        path = county_path(db_field.related_model)
        if field is not None and code and path and hasattr(field, "queryset"):
            field.queryset = field.queryset.filter(**{path: code})
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
