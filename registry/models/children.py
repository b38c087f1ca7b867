"""The child's personal file (个人档案) and the records tied to it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Right
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry import idnumber
from registry.access import scope_children
from registry.models import child_rules
from registry.models.child_choices import ChildStatus, GuardianType, RiskLevel, Sex, age_on
from registry.models.places import County, School, Village


def both_parents_away_q(prefix: str = "") -> models.Q:
    """Father and mother both away: the rule behind ``Child.objects.both_parents_away()`` and
    ``Child.both_parents_away``, for counts and for reaching the child from another model."""
    return models.Q(**{f"{prefix}father_away": True, f"{prefix}mother_away": True})


class ChildRecordQuerySet(models.QuerySet):
    """For records tied to one child: they are visible exactly when the child is."""

    child_path = "child"

    def visible_to(self, user):
        return scope_children(self, user, self.child_path)


class ChildQuerySet(ChildRecordQuerySet):
    child_path = ""

    def active(self):
        return self.filter(status=ChildStatus.ACTIVE)

    def both_parents_away(self):
        return self.filter(both_parents_away_q())

    def national_definition(self):
        """Under 16 with both parents away, or one away and the other unable to be guardian."""
        sixteen_years_ago = _years_before(timezone.localdate(), 16)
        return self.filter(date_of_birth__gt=sixteen_years_ago).filter(
            both_parents_away_q() | models.Q(remaining_parent_unable=True)
        )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Child(TrackedModel):
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="children"
    )
    id_number = models.CharField(_("identity number"), max_length=18, unique=True)
    name = models.CharField(pgettext_lazy("of a person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,  # child_school_status_name starts with it
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("household village"),
        help_text=_(
            "The village or neighbourhood committee of the child's household registration."
        ),
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,  # child_village_status starts with it
    )
    father_away = models.BooleanField(_("father works away"), default=False)
    mother_away = models.BooleanField(_("mother works away"), default=False)
    remaining_parent_unable = models.BooleanField(
        _("the parent at home cannot be guardian"),
        default=False,
        help_text=_("Only one parent is away and the other cannot look after the child."),
    )
    guardian = models.CharField(_("guardian"), max_length=16, choices=GuardianType.choices)
    boarding = models.BooleanField(_("boards at school"), default=False)
    poor = models.BooleanField(_("poor household"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ChildStatus.choices, default=ChildStatus.ACTIVE
    )
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    # The current risk level, written only by registry.risk.set_risk_level (its history is
    # RiskChange). Kept on the child so that lists, filters and counts need no join.
    risk_level = models.CharField(
        _("risk level"),
        max_length=8,
        choices=RiskLevel.choices,
        default=RiskLevel.NONE,
        editable=False,
    )
    wishes = models.TextField(
        _("in the child's own words"),
        blank=True,
        help_text=_("What the child says they need and wish for, written as they said it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # A cache, kept by programmes.services.contact whenever a call or a parent's visit home is
    # recorded and refreshed every night: one indexed column lets "no contact for N days" be
    # counted for millions of children in one pass. Never edited by hand.
    last_parent_contact_on = models.DateField(
        _("last contact with a parent"), null=True, blank=True, editable=False
    )
    # Set by lbc_office.upkeep.retention once the file's identity, names, phones and free text have
    # been replaced by placeholders (the retention period after closing has passed). Recorded
    # in the audit log, so not in the history.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    # Set by registry.merging when this file was a duplicate merged into another: it is then
    # no longer listed or searched (registry.selectors.children_for_list), and undoing the
    # merge clears it.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        related_name="merged_from",
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # read by the key of the file, never searched by it
    )

    objects = ChildQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "last_parent_contact_on", "anonymised_at"],
        # History is read by the child's key and date only: indexes on its other columns would
        # cost every import and save, and serve no query.
        no_db_index=[
            "county",
            "school",
            "village",
            "created_by",
            "updated_by",
            "id_number",
            "merged_into",
        ],  # fmt: skip
    )

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="child_a_parent_is_away",
                condition=models.Q(father_away=True) | models.Q(mother_away=True),
            ),
            models.CheckConstraint(
                name="child_grade_in_compulsory_education",
                condition=models.Q(grade__gte=1, grade__lte=9),
            ),
            models.CheckConstraint(
                name="child_status_valid",
                condition=models.Q(status__in=[s.value for s in ChildStatus]),
            ),
            models.CheckConstraint(
                name="child_risk_level_valid",
                condition=models.Q(risk_level__in=[r.value for r in RiskLevel]),
            ),
        ]
        indexes = [
            # The children list: a school's (or a teacher's schools') active children by name.
            models.Index(fields=["school", "status", "name"], name="child_school_status_name"),
            # The county-wide list, filtered by status and ordered by name.
            models.Index(fields=["status", "name"], name="child_status_name"),
            # One county's list of a city's register, page by page in (name, id) order.
            models.Index(fields=["county", "status", "name", "id"], name="child_county_list"),
            models.Index(fields=["village", "status"], name="child_village_status"),
            # The contact-gap lists: active children whose last contact is oldest (or never).
            models.Index(fields=["status", "last_parent_contact_on"], name="child_last_contact"),
            # Search by the last four digits, the part of the number a masked file shows.
            models.Index(Right("id_number", 4), name="child_id_number_last4"),
            # "Children at high risk in this town": the few active children above "none", by
            # level and village (a partial index: most children have no known risk).
            models.Index(
                fields=["risk_level", "village"],
                name="child_at_risk",
                condition=models.Q(status="active") & ~models.Q(risk_level="none"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:child_detail", args=[self.pk])

    @property
    def both_parents_away(self) -> bool:
        return self.father_away and self.mother_away

    @property
    def masked_id_number(self) -> str:
        return idnumber.mask(self.id_number)

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    def clean(self):
        """The rules of a personal file (``child_rules``: the one place the form's service and
        the import take them from)."""
        child_rules.validate(self, today=timezone.localdate())


class ParentAway(TrackedModel):
    """A parent who works away from home (外出务工)."""

    class Relation(models.TextChoices):
        FATHER = "father", _("Father")
        MOTHER = "mother", _("Mother")

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="parents_away"
    )
    relation = models.CharField(_("relation"), max_length=8, choices=Relation.choices)
    name = models.CharField(pgettext_lazy("of a person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    work_city = models.CharField(_("city of work"), max_length=50, blank=True)
    work_province = models.CharField(_("province of work"), max_length=50, blank=True)
    away_since = models.DateField(_("away since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("parent working away")
        verbose_name_plural = _("parents working away")
        ordering = ["relation"]
        constraints = [
            models.UniqueConstraint(fields=["child", "relation"], name="parent_away_one_per_role"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_relation_display()

    def clean(self):
        if self.away_since and self.away_since > timezone.localdate():
            raise ValidationError({"away_since": _("This date cannot be in the future.")})


class Guardian(TrackedModel):
    """Who looks after the child at home (监护人)."""

    class Relation(models.TextChoices):
        GRANDFATHER = "grandfather", _("Grandfather")
        GRANDMOTHER = "grandmother", _("Grandmother")
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        UNCLE_AUNT = "uncle_aunt", _("Uncle or aunt")
        SIBLING = "sibling", _("Older brother or sister")
        OTHER = "other", _("Other")

    class Schooling(models.TextChoices):
        NONE = "none", _("No schooling")
        PRIMARY = "primary", _("Primary school")
        MIDDLE = "middle", _("Middle school")
        HIGH = "high", _("High school or more")

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="guardians"
    )
    name = models.CharField(pgettext_lazy("of a person", "name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    schooling = models.CharField(
        _("schooling"), max_length=16, choices=Schooling.choices, blank=True
    )
    notes = models.TextField(_("health, work and daily situation"), blank=True)

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.birth_year and self.birth_year > timezone.localdate().year - 14:
            raise ValidationError({"birth_year": _("A guardian must be at least 14 years old.")})


class StatusChange(models.Model):
    """One change of a child's status, with its date and reason. Written only by the service."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(_("previous status"), max_length=20, choices=ChildStatus.choices)
    to_status = models.CharField(_("new status"), max_length=20, choices=ChildStatus.choices)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # What the apps ended when this change took the file off the active register
    # (``registry.closure``: a list of {"key", "label", "count"}), and what an official restored
    # from it after reopening the file (once: ``restored_at``).
    ended = models.JSONField(_("ended on closing"), default=list, blank=True, editable=False)
    restored = models.JSONField(_("restored"), default=list, blank=True, editable=False)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True, editable=False)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("restored by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-date", "-id"]
        indexes = [
            # The dashboard's newest changes (ORDER BY date DESC, id DESC LIMIT 8: 836 ms over
            # 70,000 changes of 2.35 M children without it), and the reports' changes after a
            # day (date > D) that rebuild who was on the register then.
            models.Index(fields=["-date", "-id"], name="statuschange_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def closed_the_file(self) -> bool:
        return self.from_status == ChildStatus.ACTIVE and self.to_status != ChildStatus.ACTIVE

    @property
    def ended_summary(self) -> str:
        """What was ended, in words: "2 carer assignments ended · 1 enrolment ended"."""
        return " · ".join(e.get("label", "") for e in self.ended or [])
