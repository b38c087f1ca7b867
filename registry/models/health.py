"""A child's health checks (体检), on the personal file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry.models.children import Child, ChildRecordQuerySet


class HealthCheck(TrackedModel):
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="health_checks"
    )
    date = models.DateField(_("date"))
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(40), MaxValueValidator(220)],
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(5), MaxValueValidator(200)],
    )
    notes = models.TextField(_("findings"), blank=True)

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="health_check_height_plausible",
                condition=models.Q(height_cm__gte=40, height_cm__lte=220),
            ),
            models.CheckConstraint(
                name="health_check_weight_plausible",
                condition=models.Q(weight_kg__gte=5, weight_kg__lte=200),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A health check cannot be dated in the future.")})
        if self.date and self.child_id and self.date < self.child.date_of_birth:
            raise ValidationError({"date": _("This date is before the child was born.")})
