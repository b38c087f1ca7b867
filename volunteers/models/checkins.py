"""The monthly check-ins: the office's editable list of roles, and one check-in per assignment
and month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from casework.models import Concern
from lbc_office.core.models import TimeStampedModel
from registry.models import County
from registry.models.children import ChildRecordQuerySet
from volunteers.models.care import Assignment

# The monthly SMS names each check-in by four letters (no digits: a reply's digits are the
# roles; no I, O, S, Z, B: they pass for 1, 0, 5, 2, 8). The code is the check-in's key shuffled
# by a multiplication modulo 21⁴ (a bijection: two check-ins of one volunteer never share one).
# It is a reference, not a secret: a reply is matched among the sender's own check-ins only.
CODE_LETTERS = "ACDEFGHJKLMNPQRTUVWXY"
CODE_LENGTH = 4
_CODE_SPACE = len(CODE_LETTERS) ** CODE_LENGTH
_CODE_MULTIPLIER = 100_003  # prime to 3 and 7, so to 21⁴


def reply_code(pk: int) -> str:
    n = (pk * _CODE_MULTIPLIER) % _CODE_SPACE
    letters = []
    for _position in range(CODE_LENGTH):
        n, digit = divmod(n, len(CODE_LETTERS))
        letters.append(CODE_LETTERS[digit])
    return "".join(letters)


class CheckinRole(TimeStampedModel):
    """One of the surrogate parent's monthly roles. The office edits this list (DOMAIN.md)."""

    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("check-in role")
        verbose_name_plural = _("check-in roles")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and not (translation.get_language() or "").startswith("zh"):
            return self.name_en
        return self.name


class CheckinQuerySet(ChildRecordQuerySet):
    child_path = "assignment__child"


class MonthlyCheckin(TimeStampedModel):
    """One month of one assignment: opened on the 1st, done when submitted, missed if not,
    cancelled if the child left the active register before it was done.

    The unique (assignment, month) constraint is what makes opening the month safe to repeat.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        # The child left the active register (or the carer's assignment ended with it): not
        # due, never counted as missed (``volunteers.closing``).
        CANCELLED = "cancelled", _("Cancelled")

    class Contact(models.TextChoices):
        VISIT = "visit", _("I visited the child")
        PHONE = "phone", _("By phone or video")
        NONE = "none", _("No contact this month")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="checkins"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    roles_done = models.ManyToManyField(
        CheckinRole, verbose_name=_("roles carried out"), blank=True, related_name="+"
    )
    contact = models.CharField(_("contact"), max_length=8, choices=Contact.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    concern = models.BooleanField(_("I am worried about this child"), default=False)
    concern_resolved_at = models.DateTimeField(_("concern handled at"), null=True, blank=True)
    concern_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concern handled by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The worry as the office's record (casework): raised when the volunteer ticks the box.
    # ``concern_resolved_*`` are the old "marked as handled", kept for the months before.
    concern_record = models.ForeignKey(
        Concern,
        verbose_name=_("protection concern"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    # Set when someone else recorded it for the volunteer (a volunteer without a smartphone):
    # an official or the coordinator of the volunteer's organisation ("recorded by X for Y").
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = CheckinQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly check-in")
        verbose_name_plural = _("monthly check-ins")
        ordering = ["-month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "month"], name="checkin_one_per_assignment_and_month"
            ),
            models.CheckConstraint(
                name="checkin_month_is_first_day", condition=models.Q(month__day=1)
            ),
            models.CheckConstraint(
                name="checkin_done_has_a_time",
                condition=~models.Q(status="done") | models.Q(submitted_at__isnull=False),
            ),
        ]
        indexes = [
            # The dashboard and the check-in report: a month's check-ins by status (the
            # missed count, the twelve months' trend) read from the index alone.
            models.Index(fields=["month", "status", "concern"], name="checkin_month_status"),
            # The monthly scans: this month's check-ins that are still open.
            models.Index(
                fields=["month"], condition=models.Q(status="open"), name="checkin_open_by_month"
            ),
            # The officials' dashboard: concerns not yet handled.
            models.Index(
                fields=["month"],
                condition=models.Q(concern=True, concern_resolved_at__isnull=True),
                name="checkin_open_concerns",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.month:%Y-%m}"

    @property
    def reply_code(self) -> str:
        """The short reference of this check-in in the monthly SMS (``reply_code``)."""
        return reply_code(self.pk) if self.pk else ""
