"""Where children live and study: county, towns, village committees, schools, family rooms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry.access import scope_schools


class County(TrackedModel):
    """A county (县). Every child, visit and check-in knows its county, the future shard key."""

    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(pgettext_lazy("of a place", "name"), max_length=50)

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Town(TrackedModel):
    class Kind(models.TextChoices):
        TOWN = "town", pgettext_lazy("kind of town", "Town")
        TOWNSHIP = "township", _("Township")
        SUBDISTRICT = "subdistrict", _("Subdistrict")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="towns"
    )
    name = models.CharField(pgettext_lazy("of a place", "name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TOWN)

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="town_unique_name_in_county"),
        ]

    def __str__(self) -> str:
        return self.name


class Village(TrackedModel):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("Village committee")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood committee")

    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="villages"
    )
    name = models.CharField(pgettext_lazy("of a place", "name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.VILLAGE)

    class Meta:
        verbose_name = _("village committee")
        verbose_name_plural = _("village committees")
        ordering = ["town__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="village_unique_name_in_town"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    MIDDLE = "middle", _("Middle school")


# Grades taught at each level (compulsory education is grades 1–9).
GRADES_BY_LEVEL = {SchoolLevel.PRIMARY: range(1, 7), SchoolLevel.MIDDLE: range(7, 10)}


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_schools(self, user)


class School(TrackedModel):
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="schools"
    )
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="schools"
    )
    code = models.CharField(_("school code"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("of a place", "name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=SchoolLevel.choices)
    boarding = models.BooleanField(_("boarding school"), default=False)
    bathroom = models.BooleanField(_("has a bathroom block"), default=False)
    canteen = models.BooleanField(_("has a canteen"), default=False)
    active = models.BooleanField(_("still teaching"), default=True)

    objects = SchoolQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["town__name", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:school_detail", args=[self.pk])

    @property
    def grades(self) -> range:
        return GRADES_BY_LEVEL[SchoolLevel(self.level)]

    def clean(self):
        if self.town_id and self.county_id and self.town.county_id != self.county_id:
            raise ValidationError({"town": _("This town is in another county.")})


class FamilyRoom(TrackedModel):
    """A family phone (亲情电话) or family video-chat room (亲情聊天室) at a school."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Family phone")
        CHAT_ROOM = "chat_room", _("Family chat room")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="family_rooms"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("name or place"), max_length=100, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("family room")
        verbose_name_plural = _("family rooms")
        ordering = ["school", "kind", "id"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()
