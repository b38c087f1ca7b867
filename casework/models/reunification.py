"""A check on a child reunited with their parents, one and three months later: a task for the
teachers of the child's school (``casework.reunification``)."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Child, County, StatusChange
from registry.models.children import ChildRecordQuerySet

CHECK_AFTER_MONTHS = (1, 3)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved on by whole months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class ReunificationCheckQuerySet(ChildRecordQuerySet):
    def pending(self):
        """Not done. A file reopened since keeps its checks: how the child came through the
        months after the parents' return is still worth a teacher's look."""
        return self.filter(done_at__isnull=True)

    def due(self, today: datetime.date):
        return self.pending().filter(due_on__lte=today)


class ReunificationCheck(models.Model):
    """Scheduled by the status change to "reunited" (one per change and delay, so scheduling
    twice makes nothing new); done when a teacher of the school (or an official) records how the
    child is; reminded once, when due (``reminded_at``, set by a conditional update)."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT,
        related_name="reunification_checks",
    )  # fmt: skip
    status_change = models.ForeignKey(
        StatusChange, verbose_name=_("reunification"), on_delete=models.PROTECT, related_name="+"
    )
    after_months = models.PositiveSmallIntegerField(_("months after reunification"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    note = models.TextField(_("how the child is"), blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)

    objects = ReunificationCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("reunification check")
        verbose_name_plural = _("reunification checks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_change", "after_months"], name="reunification_check_once"
            ),
            models.CheckConstraint(
                name="reunification_check_done_by_someone",
                condition=models.Q(done_at__isnull=True, done_by__isnull=True)
                | models.Q(done_at__isnull=False, done_by__isnull=False),
            ),
        ]
        indexes = [
            # The teachers' lists and the reminder scan: checks not done, by due date.
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_at__isnull=True),
                name="reunification_check_pending",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return _("Check %(months)d months after reunification") % {"months": self.after_months}

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def clean(self):
        if self.done_at and not (self.note or "").strip():
            raise ValidationError({"note": _("Say how the child is.")})
