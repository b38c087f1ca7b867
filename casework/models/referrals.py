"""Referrals across the joint conference: the office asks a partner organisation to act for a
child, and the organisation answers with feedback at each step.

Status: sent → accepted or declined; accepted → in progress → done (accepted → done when the
job was quick). The office may withdraw a referral that is not finished (cancelled). The
service (``casework.services.referrals``) enforces the transitions; the table only allows the
values. Every step is a ``ReferralUpdate`` row (who, when, what they said), the first one the
sending itself, so the history and the timeline read one table.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.agencies import Agency
from casework.models.concerns import Concern
from lbc_office.core.models import Role, TrackedModel
from registry import access
from registry.models import Child, County
from registry.models.children import ChildRecordQuerySet


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Withdrawn by the office")


# What each status may become (a status to itself: one more progress note, "in progress" only).
TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.SENT: frozenset({"accepted", "declined", "cancelled"}),
    ReferralStatus.ACCEPTED: frozenset({"in_progress", "done", "cancelled"}),
    ReferralStatus.IN_PROGRESS: frozenset({"in_progress", "done", "cancelled"}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.DONE: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
}
OPEN = ("sent", "accepted", "in_progress")
CLOSED = ("declined", "done", "cancelled")
# A partner keeps seeing a finished referral this long (then it leaves their list: the least of
# the file for the shortest time; the office keeps it).
PARTNER_KEEPS_CLOSED = datetime.timedelta(days=30)


class ReferralQuerySet(ChildRecordQuerySet):
    def visible_to(self, user):
        """Officials: all; teachers: those of the children of their schools (read only);
        everyone else none — partners read theirs through ``for_partner`` only, volunteers
        and report viewers never (a volunteer's child scope does not reach referrals)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in (Role.OFFICIAL, Role.TEACHER):
            return super().visible_to(user)
        return self.none()

    def for_partner(self, user, now=None):
        """The referrals sent to the partner's own organisation: open ones, and finished ones
        for ``PARTNER_KEEPS_CLOSED``. Nothing for anyone but an active partner with a liaison."""
        if user is None or not user.is_authenticated or not getattr(user, "is_partner", False):
            return self.none()
        since = (now or timezone.now()) - PARTNER_KEEPS_CLOSED
        mine = self.filter(agency__liaisons__user=user, agency__active=True).filter(
            Q(status__in=OPEN) | Q(status_changed_at__gte=since)
        )
        # A partner of a county reads that county's referrals only, even if an organisation
        # of another county were linked to them by mistake; a partner of the city, any.
        return access.scope_county(mine, user)

    def open(self):
        return self.filter(status__in=OPEN)

    def overdue(self, today=None):
        """Past their date and not finished (declined, done or withdrawn)."""
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Referral(TrackedModel):
    Status = ReferralStatus

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="referrals"
    )
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("protection concern"),
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="referrals"
    )
    asked = models.TextField(_("what is asked"))
    due_on = models.DateField(_("answer needed by"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The organisation's first answer (accepted or declined): "days to answer" in the reports.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="referral_status_valid",
                condition=Q(status__in=[s.value for s in ReferralStatus]),
            ),
            models.CheckConstraint(name="referral_asks_something", condition=~Q(asked="")),
            # Answered once it has left "sent" (a withdrawal may come before any answer).
            models.CheckConstraint(
                name="referral_answered_when_answered",
                condition=Q(status__in=["sent", "cancelled"]) | Q(answered_at__isnull=False),
            ),
        ]
        indexes = [
            # The officials' open and overdue list and the reminder scan: open, by date.
            models.Index(fields=["due_on"], name="referral_open_due", condition=Q(status__in=OPEN)),
            # A partner's list: their organisation's referrals by status.
            models.Index(fields=["agency", "status", "due_on"], name="referral_agency_status"),
            models.Index(fields=["child", "-sent_at"], name="referral_child_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.child}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def days_overdue(self, today=None) -> int:
        """Days past ``due_on`` (0 when not overdue or finished)."""
        if not self.is_open:
            return 0
        return max(0, ((today or timezone.localdate()) - self.due_on).days)

    def clean(self):
        errors = {}
        if self.child_id and self.county_id and self.child.county_id != self.county_id:
            errors["child"] = _("The child is not of this county.")
        if self.concern_id and self.child_id and self.concern.child_id != self.child_id:
            errors["concern"] = _("This concern is about another child.")
        if self.agency_id and self.county_id and self.agency.county_id != self.county_id:
            errors["agency"] = _("This organisation is not of this county.")
        if errors:
            raise ValidationError(errors)


class ReferralUpdate(models.Model):
    """One step of a referral: its status after the step, what was said, by whom and when.

    ``on_behalf`` marks an official recording the organisation's answer for it (a phone call).
    Rows are never changed.
    """

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="updates"
    )
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices)
    feedback = models.TextField(_("feedback"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("recorded by the office for the organisation"), default=False)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("referral update")
        verbose_name_plural = _("referral updates")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="referral_update_status_valid",
                condition=Q(status__in=[s.value for s in ReferralStatus]),
            ),
        ]
        indexes = [models.Index(fields=["referral", "at"], name="referral_update_by_referral")]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status}"


class ReferralReminder(models.Model):
    """An overdue referral was reminded for this bucket of days overdue: the claim that makes
    the reminder go out exactly once (``bucket`` 0 is the first day overdue, then one a week)."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="reminders"
    )
    bucket = models.PositiveSmallIntegerField(_("overdue week"))
    at = models.DateTimeField(_("reminded at"), default=timezone.now)

    class Meta:
        verbose_name = _("referral reminder")
        verbose_name_plural = _("referral reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "bucket"], name="referral_reminder_once_per_bucket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.bucket}"
