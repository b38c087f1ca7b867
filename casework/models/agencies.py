"""The departments and organisations the office works with (the joint conference), as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lbc_office.core.models import TrackedModel
from registry.models import County


class AgencyKind(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    EDUCATION = "education", _("Education department")
    HEALTH = "health", _("Health")
    PUBLIC_SECURITY = "public_security", _("Public security")
    YOUTH_LEAGUE = "youth_league", _("Communist Youth League")
    TOWNSHIP = "township", _("Township government")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


class Agency(TrackedModel):
    """A department or organisation of the joint conference that takes referrals."""

    Kind = AgencyKind

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("of a place", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=AgencyKind.choices)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="agency_unique_name"),
            models.CheckConstraint(
                name="agency_kind_valid", condition=models.Q(kind__in=[k.value for k in AgencyKind])
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Liaison(TrackedModel):
    """A partner login's organisation: a user with the partner role acts for one agency.

    The user carries no key into the apps (docs/ARCHITECTURE.md): the link points at the user.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="liaison",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="liaisons"
    )

    class Meta:
        verbose_name = _("partner liaison")
        verbose_name_plural = _("partner liaisons")

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"
