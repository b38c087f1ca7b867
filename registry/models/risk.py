"""A child's risk level over time: each change, with who set it, when and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.child_choices import RiskLevel
from registry.models.children import Child, ChildRecordQuerySet


class RiskChange(models.Model):
    """One change of a child's risk level. Written only by ``registry.risk.set_risk_level``,
    which keeps ``Child.risk_level`` equal to the newest row's ``to_level``."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="risk_changes"
    )
    from_level = models.CharField(_("previous level"), max_length=8, choices=RiskLevel.choices)
    to_level = models.CharField(_("new level"), max_length=8, choices=RiskLevel.choices)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk level change")
        verbose_name_plural = _("risk level changes")
        ordering = ["-set_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="riskchange_levels_valid",
                condition=models.Q(from_level__in=RiskLevel.values, to_level__in=RiskLevel.values),
            ),
            models.CheckConstraint(
                name="riskchange_changes_level",
                condition=~models.Q(from_level=models.F("to_level")),
            ),
            models.CheckConstraint(name="riskchange_has_reason", condition=~models.Q(reason="")),
        ]
        indexes = [models.Index(fields=["child", "-set_at"], name="riskchange_child_recent")]

    def __str__(self) -> str:
        return f"{self.get_from_level_display()} → {self.get_to_level_display()}"
