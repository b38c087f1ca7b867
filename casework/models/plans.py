"""Case plans: what is being done for a child at high or urgent risk, by whom and by when.

A ``CasePlan`` is opened for a child (at most one open at a time), holds ``PlanAction`` rows —
each owned by exactly one user or one partner organisation, with a due date and an outcome —
and is reviewed at least monthly (``PlanReview``; the next review is ``next_review_on``, and a
``PlanReminder`` row makes the reminder of each review due go out once).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.agencies import Agency
from lbc_office.core.models import TrackedModel
from registry.models import Child, County, StatusChange
from registry.models.children import ChildRecordQuerySet


class CasePlanQuerySet(ChildRecordQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class CasePlan(TrackedModel):
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="case_plans"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    next_review_on = models.DateField(_("next review by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    close_note = models.TextField(_("why the plan closed"), blank=True)
    # Set when the plan closed because the child's file left "active": reopening the file
    # reopens exactly these (registry.closure).
    closed_with = models.ForeignKey(
        StatusChange, verbose_name=_("closed with the status change"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip

    objects = CasePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("case plan")
        verbose_name_plural = _("case plans")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(closed_at__isnull=True),
                name="caseplan_one_open_per_child",
            ),  # fmt: skip
            models.CheckConstraint(
                name="caseplan_closed_by_someone",
                condition=models.Q(closed_at__isnull=True)
                | models.Q(closed_by__isnull=False)
                | models.Q(closed_with__isnull=False),
            ),
        ]
        indexes = [
            # The review scan: open plans by their next review.
            models.Index(
                fields=["next_review_on"],
                condition=models.Q(closed_at__isnull=True),
                name="caseplan_review_due",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return _("Case plan of %(child)s") % {"child": self.child}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PlanActionQuerySet(ChildRecordQuerySet):
    child_path = "plan__child"

    def open(self):
        return self.filter(done_at__isnull=True, closed_at__isnull=True)


class PlanAction(TrackedModel):
    """One thing to do: what, who (a user or a partner organisation), by when, and how it went.

    Open until done (``done_*`` and an outcome) or closed without being done (``closed_at``:
    the plan closed, or the file left active — then ``closed_with`` names that change).
    """

    plan = models.ForeignKey(
        CasePlan, verbose_name=_("case plan"), on_delete=models.PROTECT, related_name="actions"
    )
    what = models.TextField(_("what is to be done"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by (a person)"),
        on_delete=models.PROTECT, related_name="+", null=True, blank=True,
    )  # fmt: skip
    owner_agency = models.ForeignKey(
        Agency, verbose_name=_("done by (an organisation)"), on_delete=models.PROTECT,
        related_name="plan_actions", null=True, blank=True,
    )  # fmt: skip
    due_on = models.DateField(_("due by"))
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded done by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_with = models.ForeignKey(
        StatusChange, verbose_name=_("closed with the status change"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="planaction_one_owner",
                condition=models.Q(owner_user__isnull=False, owner_agency__isnull=True)
                | models.Q(owner_user__isnull=True, owner_agency__isnull=False),
            ),
            models.CheckConstraint(
                name="planaction_done_with_outcome",
                condition=models.Q(done_at__isnull=True)
                | (models.Q(done_by__isnull=False) & ~models.Q(outcome="")),
            ),
            models.CheckConstraint(
                name="planaction_done_or_closed",
                condition=models.Q(done_at__isnull=True) | models.Q(closed_at__isnull=True),
            ),
        ]
        indexes = [
            # A user's open actions by due date ("my tasks").
            models.Index(
                fields=["owner_user", "due_on"],
                name="planaction_open_by_owner",
                condition=models.Q(done_at__isnull=True, closed_at__isnull=True),
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def child_id(self) -> int:
        """The plan's child (the audit notes it with every write)."""
        return self.plan.child_id

    @property
    def owner(self):
        return self.owner_user or self.owner_agency

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.closed_at is None


class PlanReview(models.Model):
    plan = models.ForeignKey(
        CasePlan, verbose_name=_("case plan"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    note = models.TextField(_("what the review found"))
    next_review_on = models.DateField(_("next review by"))

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(name="planreview_has_note", condition=~models.Q(note="")),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.reviewed_at:%Y-%m-%d}"


class PlanReminder(models.Model):
    """That the review of ``plan`` due on ``due_on`` was reminded: one row, so once."""

    plan = models.ForeignKey(
        CasePlan, verbose_name=_("case plan"), on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField(_("review due on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("people reminded"), default=0)

    class Meta:
        verbose_name = _("plan review reminder")
        verbose_name_plural = _("plan review reminders")
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on"], name="planreminder_once_per_due"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.due_on}"
