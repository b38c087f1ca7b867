"""A protection concern: one record, whoever raised it (a volunteer's worry, a concern ticked in
a home visit, a teacher, the family room, a department) and however it is dealt with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry.models import Child, County
from registry.models.children import ChildRecordQuerySet


class ConcernKind(models.TextChoices):
    NEGLECT = "neglect", _("Neglect")
    NO_GUARDIAN = "no_guardian", _("No effective guardian")
    ABUSE = "abuse", _("Abuse")
    INJURY = "injury", _("Injury")
    RUNNING_AWAY = "running_away", _("Running away")
    DROPPING_OUT = "dropping_out", _("Dropping out of school")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SAFETY = "safety", _("Safety at home or on the way to school")
    OTHER = "other", _("Other")


class ConcernSource(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    CHECKIN = "checkin", _("Volunteer check-in")
    FAMILY_ROOM = "family_room", _("Family room")
    SCHOOL = "school", _("School")
    CHILD = "child", _("The child")
    DEPARTMENT = "department", _("A department")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ConcernQuerySet(ChildRecordQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def untriaged(self):
        return self.filter(closed_at__isnull=True, triaged_at__isnull=True)

    def overdue(self, now=None):
        """Not looked at by the office's deadline (``due_at``)."""
        return self.untriaged().filter(due_at__lt=now or timezone.now())


class Concern(TrackedModel):
    """A worry about a child's safety or wellbeing, from being raised to being closed.

    Raised (``raised_by``/``raised_at``, a triage deadline ``due_at``), looked at by the office
    (``triaged_*``), acted on (``action_taken``), closed with an outcome (``closed_*``). Escalated
    to every official once when not looked at by ``due_at`` (``escalated_at``).
    """

    Kind = ConcernKind
    Source = ConcernSource

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        REFERRED = "referred", _("Referred and followed up")
        MONITORING = "monitoring", _("Closed, to be watched")
        UNFOUNDED = "unfounded", _("Unfounded")
        LEFT = "left", _("Child left the register")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="concerns"
    )
    kind = models.CharField(_("kind of concern"), max_length=16, choices=ConcernKind.choices)
    source = models.CharField(_("raised through"), max_length=16, choices=ConcernSource.choices)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    description = models.TextField(_("what was seen or heard"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    due_at = models.DateTimeField(_("to be looked at by"))
    triaged_at = models.DateTimeField(_("looked at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("looked at by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action_taken = models.TextField(_("what was done"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome in words"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("protection concern")
        verbose_name_plural = _("protection concerns")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="concern_kind_valid",
                condition=models.Q(kind__in=[k.value for k in ConcernKind]),
            ),
            models.CheckConstraint(
                name="concern_source_valid",
                condition=models.Q(source__in=[s.value for s in ConcernSource]),
            ),
            models.CheckConstraint(
                name="concern_severity_valid",
                condition=models.Q(severity__in=[s.value for s in Severity]),
            ),
            # Closed with an outcome, by someone; open with neither.
            models.CheckConstraint(
                name="concern_closed_with_outcome",
                condition=(
                    models.Q(closed_at__isnull=True, outcome="")
                    | (
                        models.Q(closed_at__isnull=False, closed_by__isnull=False)
                        & ~models.Q(outcome="")
                    )
                ),
            ),
        ]
        indexes = [
            # The office's triage list and the escalation scan: open, not looked at, by deadline.
            models.Index(
                fields=["due_at"],
                name="concern_untriaged_due",
                condition=models.Q(closed_at__isnull=True, triaged_at__isnull=True),
            ),
            models.Index(fields=["child", "-raised_at"], name="concern_child_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.child})"

    def get_absolute_url(self) -> str:
        return reverse("casework:concern_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.triaged_at is None and self.due_at < timezone.now()
