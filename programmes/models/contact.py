"""Contact with the child and the family: teachers' home visits (家访), calls in a school's
family room (亲情电话/亲情聊天室), and parents' visits home.

Each record is tied to a child, knows the child's county (the future shard key) and is scoped by
``visible_to(user)`` exactly like the child.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models import Concern
from lbc_office.core.models import TrackedModel
from registry.models import Child, ChildStatus, County, FamilyRoom
from registry.models.children import ChildRecordQuerySet

CALL_MIN_MINUTES = 1
CALL_MAX_MINUTES = 180


def _call_length_message() -> str:
    return gettext("A call lasts from %(min)d to %(max)d minutes.") % {
        "min": CALL_MIN_MINUTES,
        "max": CALL_MAX_MINUTES,
    }


# Lazy: formatted when shown, in the reader's language (not once, at import).
CALL_LENGTH_MESSAGE = lazy(_call_length_message, str)()


def _check_date(errors: dict, field: str, day, child, *, future) -> None:
    """A recorded event happened: not in the future (message ``future``), nor before birth."""
    if not day:
        return
    if day > timezone.localdate():
        errors[field] = future
    elif child is not None and day < child.date_of_birth:
        errors[field] = _("This date is before the child was born.")


class GuardianAbility(models.TextChoices):
    """How well the guardian copes with one side of looking after the child."""

    WELL = "well", _("Well")
    PARTLY = "partly", _("Partly")
    NOT_AT_ALL = "no", _("Not at all")


class VisitMet(models.TextChoices):
    GRANDPARENTS = "grandparents", _("Grandparents")
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    RELATIVES = "relatives", _("Other relatives")
    CHILD_ONLY = "child_only", _("Only the child")


class GuardianHealth(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class HomeVisitQuerySet(ChildRecordQuerySet):
    def followed_up(self) -> models.Exists:
        """A visit of the same child after this one (same day counts if recorded later)."""
        return models.Exists(
            HomeVisit.objects.filter(child=models.OuterRef("child")).filter(
                models.Q(date__gt=models.OuterRef("date"))
                | models.Q(date=models.OuterRef("date"), pk__gt=models.OuterRef("pk"))
            )
        )

    def open_follow_ups(self, *, today, due_only: bool = True):
        """Visits that asked for a follow-up which no later visit has made, for active children
        (due by ``today`` when ``due_only``); unordered, for counting."""
        qs = self.filter(follow_up_needed=True, child__status=ChildStatus.ACTIVE)
        if due_only:
            qs = qs.filter(follow_up_by__lte=today)
        return qs.filter(~self.followed_up()).order_by()


class HomeVisit(TrackedModel):
    """A teacher's visit to the child's home (家访), with recommendations on five areas."""

    Met = VisitMet
    Health = GuardianHealth

    # The five areas a visit gives recommendations on, in the order the form shows them.
    AREAS = {
        "education": _("Education"),
        "safety": _("Safety"),
        "behaviour": _("Behaviour"),
        "physical_health": _("Physical health"),
        "mental_health": _("Mental health"),
    }

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="home_visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visiting teacher"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("date of the visit"))
    met = models.CharField(_("who was met"), max_length=16, choices=Met.choices)
    guardian_health = models.CharField(
        _("guardian's health"), max_length=8, choices=Health.choices, blank=True
    )
    guardian_supervision = models.CharField(
        _("guardian can supervise the child"),
        max_length=8,
        choices=GuardianAbility.choices,
        blank=True,
    )
    guardian_homework = models.CharField(
        _("guardian can help with schoolwork"),
        max_length=8,
        choices=GuardianAbility.choices,
        blank=True,
    )
    guardian_situation = models.TextField(_("the guardian's real situation"), blank=True)
    community = models.TextField(_("the community's education environment"), blank=True)
    education = models.TextField(_("recommendation: education"), blank=True)
    safety = models.TextField(_("recommendation: safety"), blank=True)
    behaviour = models.TextField(_("recommendation: behaviour"), blank=True)
    physical_health = models.TextField(_("recommendation: physical health"), blank=True)
    mental_health = models.TextField(_("recommendation: mental health"), blank=True)
    child_said = models.TextField(
        _("what the child said"),
        blank=True,
        help_text=_("In the child's own words: what they want and need."),
    )
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_by = models.DateField(_("follow up by"), null=True, blank=True)
    follow_up_note = models.CharField(_("what to follow up"), max_length=200, blank=True)
    # A protection concern ticked during the visit (casework's record, raised with the visit).
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("protection concern"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = HomeVisitQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="home_visit_follow_up_date_iff_needed",
                condition=models.Q(follow_up_needed=True, follow_up_by__isnull=False)
                | models.Q(follow_up_needed=False, follow_up_by__isnull=True),
            ),
            models.CheckConstraint(
                name="home_visit_follow_up_after_visit",
                condition=models.Q(follow_up_by__isnull=True)
                | models.Q(follow_up_by__gte=models.F("date")),
            ),
            models.CheckConstraint(
                name="home_visit_met_valid", condition=models.Q(met__in=VisitMet.values)
            ),
        ]
        indexes = [
            # The timeline and "is there a later visit?": a child's visits, newest first.
            models.Index(fields=["child", "-date"], name="home_visit_child_date"),
            # The follow-ups list: visits that asked for a follow-up, by due date.
            models.Index(
                fields=["follow_up_by"],
                condition=models.Q(follow_up_needed=True),
                name="home_visit_follow_up_due",
            ),
        ]

    def __str__(self) -> str:
        return _("Home visit on %(date)s") % {"date": f"{self.date:%Y-%m-%d}"}

    def get_absolute_url(self) -> str:
        return reverse("programmes:visit_detail", args=[self.pk])

    @property
    def recommendations(self) -> list[tuple[str, str]]:
        """(area label, text) for each area with a recommendation."""
        return [
            (label, getattr(self, area))
            for area, label in self.AREAS.items()
            if getattr(self, area)
        ]

    def clean(self):
        errors: dict = {}
        child = self.child if self.child_id else None
        _check_date(
            errors,
            "date",
            self.date,
            child,
            future=_("A home visit cannot be dated in the future."),
        )
        if self.follow_up_needed and not self.follow_up_by:
            errors["follow_up_by"] = _("Say by when the follow-up is due.")
        elif self.follow_up_by and not self.follow_up_needed:
            errors["follow_up_by"] = _("Tick “follow-up needed” or leave this date empty.")
        elif self.follow_up_by and self.date and self.follow_up_by < self.date:
            errors["follow_up_by"] = _("The follow-up cannot be due before the visit.")
        if not any((getattr(self, area) or "").strip() for area in self.AREAS):
            errors["education"] = _(
                "Write a recommendation on at least one of the five areas: education, safety, "
                "behaviour, physical health or mental health."
            )
        if errors:
            raise ValidationError(errors)


class WithWhom(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BOTH = "both", _("Both parents")
    OTHER = "other", _("Someone else")


# Calls that count as contact with a parent (a call with an aunt does not).
PARENT_CONTACT = [WithWhom.FATHER, WithWhom.MOTHER, WithWhom.BOTH]


class FamilyCall(TrackedModel):
    """A call from a school's family phone or chat room to the family (亲情电话)."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="family_calls"
    )
    room = models.ForeignKey(
        FamilyRoom, verbose_name=_("family room"), on_delete=models.PROTECT, related_name="calls"
    )
    at = models.DateTimeField(_("date and time"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"),
        validators=[
            MinValueValidator(CALL_MIN_MINUTES, CALL_LENGTH_MESSAGE),
            MaxValueValidator(CALL_MAX_MINUTES, CALL_LENGTH_MESSAGE),
        ],
    )
    with_whom = models.CharField(_("with whom"), max_length=8, choices=WithWhom.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("family-room call")
        verbose_name_plural = _("family-room calls")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="family_call_minutes_plausible",
                condition=models.Q(minutes__gte=CALL_MIN_MINUTES, minutes__lte=CALL_MAX_MINUTES),
            ),
            models.CheckConstraint(
                name="family_call_with_whom_valid",
                condition=models.Q(with_whom__in=WithWhom.values),
            ),
        ]
        indexes = [
            # The timeline and the last contact with a parent: a child's calls, newest first.
            models.Index(fields=["child", "-at"], name="family_call_child_at"),
            models.Index(fields=["room", "-at"], name="family_call_room_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_with_whom_display()} · {self.minutes} min"

    def clean(self):
        errors: dict = {}
        child = self.child if self.child_id else None
        if self.at:
            if self.at > timezone.now():
                errors["at"] = _("A call cannot be recorded before it happens.")
            elif child is not None and timezone.localdate(self.at) < child.date_of_birth:
                errors["at"] = _("This date is before the child was born.")
        if child is not None and self.room_id and self.room.school_id != child.school_id:
            errors["room"] = _(
                "This family room is at another school: record the call in a room of %(school)s."
            ) % {"school": child.school.name}
        if errors:
            raise ValidationError(errors)


class VisitingParent(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BOTH = "both", _("Both parents")


class ParentVisit(TrackedModel):
    """A parent working away comes home for a while (New Year, harvest, a family event)."""

    Parent = VisitingParent

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="parent_visits"
    )
    parent = models.CharField(_("who came home"), max_length=8, choices=Parent.choices)
    arrived_on = models.DateField(_("came home on"))
    left_on = models.DateField(
        _("left again on"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the parent is still at home."),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("parent's visit home")
        verbose_name_plural = _("parents' visits home")
        ordering = ["-arrived_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="parent_visit_leaves_after_arriving",
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("arrived_on")),
            ),
            models.CheckConstraint(
                name="parent_visit_parent_valid",
                condition=models.Q(parent__in=VisitingParent.values),
            ),
        ]
        indexes = [models.Index(fields=["child", "-arrived_on"], name="parent_visit_child_date")]

    def __str__(self) -> str:
        return f"{self.get_parent_display()} {self.arrived_on:%Y-%m-%d}"

    @property
    def last_day(self):
        """The last day the child was with the parent (today while the parent is still home)."""
        return self.left_on or timezone.localdate()

    def clean(self):
        errors: dict = {}
        child = self.child if self.child_id else None
        _check_date(
            errors,
            "arrived_on",
            self.arrived_on,
            child,
            future=_("A parent's visit home cannot be dated in the future."),
        )
        if self.left_on and self.left_on > timezone.localdate():
            errors["left_on"] = _("Leave this empty until the parent has left.")
        elif self.left_on and self.arrived_on and self.left_on < self.arrived_on:
            errors["left_on"] = _("The parent cannot leave before coming home.")
        if child is not None and self.parent:
            away = {
                self.Parent.FATHER: child.father_away,
                self.Parent.MOTHER: child.mother_away,
                self.Parent.BOTH: child.both_parents_away,
            }[self.Parent(self.parent)]
            if not away:
                errors["parent"] = _(
                    "The personal file does not say this parent works away: correct the file first."
                )
        if errors:
            raise ValidationError(errors)
