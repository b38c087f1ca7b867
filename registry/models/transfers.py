"""A child's move from one school to another, out of the county or into it: one record with
its date and reason, on the timeline and in the status history (``registry.transfers``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.children import Child, ChildRecordQuerySet
from registry.models.places import County, School


class SchoolTransfer(models.Model):
    """Written only by ``registry.transfers``. Access follows ``Child.school``: the old school's
    teachers lose the file and the new school's gain it with the same transaction."""

    class Kind(models.TextChoices):
        BETWEEN_SCHOOLS = "schools", _("Between schools of the county")
        OUT = "out", _("Out of the county")
        IN = "in", _("Into the county")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="transfers"
    )
    kind = models.CharField(_("kind of transfer"), max_length=8, choices=Kind.choices)
    from_school = models.ForeignKey(
        School, verbose_name=_("from school"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    to_school = models.ForeignKey(
        School, verbose_name=_("to school"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    # Outside the county: where the child goes to, or comes from (county, school).
    elsewhere = models.CharField(_("county and school elsewhere"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="transfer_schools_by_kind",
                condition=(
                    models.Q(kind="schools", from_school__isnull=False, to_school__isnull=False)
                    | models.Q(kind="out", from_school__isnull=False, to_school__isnull=True)
                    | models.Q(kind="in", from_school__isnull=True, to_school__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="transfer_to_another_school",
                condition=~models.Q(from_school=models.F("to_school")),
            ),
        ]
        indexes = [models.Index(fields=["child", "-date"], name="transfer_child_date")]

    def __str__(self) -> str:
        return f"{self.from_school or self.elsewhere} → {self.to_school or self.elsewhere}"
