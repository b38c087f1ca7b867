"""Rural school programmes (love lunch, egg and milk, subsidies, parent school, camps…), the
children enrolled in them, and their sessions with attendance (a mobile parent school's classes,
a camp's days)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry.models import Child, County, School, StatusChange, Town
from registry.models.children import ChildRecordQuerySet


class ProgrammeKind(models.TextChoices):
    LOVE_LUNCH = "love_lunch", _("Love lunch")
    EGG_MILK = "egg_milk", _("Egg and milk")
    DAILY_SUBSIDY = "daily_subsidy", _("Daily subsidy for poor pupils")
    BOARDING = "boarding", _("Boarding support")
    FOUR_PLUS_ONE = "four_plus_one", _("“4+1” education model")
    PARENT_SCHOOL = "parent_school", _("Mobile parent school")
    SUMMER_CAMP = "summer_camp", _("Summer camp")
    PSYCHOLOGICAL_CARE = "psychological_care", _("Psychological care")


class Programme(TrackedModel):
    Kind = ProgrammeKind

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("of a programme", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    schools = models.ManyToManyField(
        School,
        verbose_name=_("schools"),
        related_name="programmes",
        blank=True,
        help_text=_("Where it runs. Leave schools and towns empty for the whole county."),
    )
    towns = models.ManyToManyField(
        Town,
        verbose_name=_("towns"),
        related_name="programmes",
        blank=True,
        help_text=_("Every school of these towns takes part."),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                name="programme_ends_after_start",
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
            ),
            models.CheckConstraint(
                name="programme_kind_valid", condition=models.Q(kind__in=ProgrammeKind.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme_detail", args=[self.pk])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A programme cannot end before it starts.")})


class Enrolment(TrackedModel):
    """A child taking part in a programme, from one date to another (open while it goes on)."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="enrolments"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="enrolments"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    # Set when the enrolment ended because the child's file left the active register
    # (``programmes.closing``): reopening the file finds the enrolments to restart by it.
    closing = models.ForeignKey(
        StatusChange, verbose_name=_("ended by the status change"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True, editable=False,
    )  # fmt: skip

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="enrolment_ends_after_start",
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
            ),
            models.UniqueConstraint(
                fields=["programme", "child"],
                condition=models.Q(ends_on__isnull=True),
                name="enrolment_one_open_per_child",
                violation_error_message=_("This child is already enrolled in this programme."),
            ),
        ]
        indexes = [
            models.Index(fields=["child", "-starts_on"], name="enrolment_child_start"),
            models.Index(fields=["programme", "child"], name="enrolment_programme_child"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.child}"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None

    def clean(self):
        errors: dict = {}
        today = timezone.localdate()
        programme = self.programme if self.programme_id else None
        if self.starts_on and self.starts_on > today:
            errors["starts_on"] = _("Enrol a child on the day they start, not before.")
        elif programme and self.starts_on and self.starts_on < programme.starts_on:
            errors["starts_on"] = _("The programme only starts on %(date)s.") % {
                "date": f"{programme.starts_on:%Y-%m-%d}"
            }
        elif programme and programme.ends_on and self.starts_on > programme.ends_on:
            errors["starts_on"] = _("The programme ended on %(date)s.") % {
                "date": f"{programme.ends_on:%Y-%m-%d}"
            }
        if self.ends_on:
            if self.ends_on > today:
                errors["ends_on"] = _("Record the end on the day it happens, not before.")
            elif self.starts_on and self.ends_on < self.starts_on:
                errors["ends_on"] = _("An enrolment cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class ProgrammeSession(TrackedModel):
    """One class, meeting or activity day of a programme (a parent-school class, a camp day)."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def clean(self):
        programme = self.programme if self.programme_id else None
        if self.date and programme and self.date < programme.starts_on:
            raise ValidationError({"date": _("This is before the programme starts.")})
        if self.date and programme and programme.ends_on and self.date > programme.ends_on:
            raise ValidationError({"date": _("This is after the programme ended.")})


class Attendance(TrackedModel):
    """Who came to a session for an enrolled child: the child, or their guardian (parent school)."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        ProgrammeSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="attendances"
    )
    present = models.BooleanField(_("came"), default=True)
    attendee = models.CharField(
        _("who came"),
        max_length=50,
        blank=True,
        help_text=_("For a parent school: the guardian who came, e.g. grandmother."),
    )

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "child"], name="attendance_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.child}"
