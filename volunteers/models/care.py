"""Who cares: organisations, volunteers (with their vetting) and their assignments to children.
The monthly check-ins are in ``volunteers.models.checkins``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry.models import Child, ChildStatus, County, StatusChange, Town
from registry.models.children import ChildRecordQuerySet


class CarerRole(models.TextChoices):
    FOSTER_MOTHER = "foster_mother", _("Foster mother")
    FOSTER_SIBLING = "foster_sibling", _("Foster brother or sister")
    SURROGATE_PARENT = "surrogate_parent", _("Surrogate parent")


# How many children a volunteer of each role takes unless the office says otherwise.
DEFAULT_CAPACITY = {
    CarerRole.FOSTER_MOTHER: 1,
    CarerRole.FOSTER_SIBLING: 2,
    CarerRole.SURROGATE_PARENT: 5,
}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def active_assignment_q(prefix: str = "") -> models.Q:
    """An assignment that has not ended: the child has this carer now. ``prefix`` reaches the
    assignment from another model (``"assignments__"`` from a volunteer or a child,
    ``"assignment__"`` from a check-in). ``Assignment.objects.active()`` is this rule."""
    return models.Q(**{f"{prefix}ended_on__isnull": True})


def vetting_years() -> int:
    return settings.VOLUNTEER_VETTING_YEARS


class Organisation(TrackedModel):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        REGISTERED_NGO = "registered_ngo", _("Registered NGO")
        GRASSROOTS_NGO = "grassroots_ngo", _("Grassroots NGO")
        VILLAGE_ASSOCIATION = "village_association", _("Village association")
        ENTERPRISE = "enterprise", _("Enterprise")
        SCHOOL = "school", _("School")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("of a place", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator (login)"),
        help_text=_("Receives the organisation's monthly list of missed check-ins in the inbox."),
        on_delete=models.PROTECT,
        related_name="coordinated_organisations",
        null=True,
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(models.QuerySet):
    def allowed(self, role: str):
        return self.filter(**{f"may_be_{role}": True})

    def vetting_current(self, today: datetime.date | None = None):
        """Vetted, and the vetting has not yet expired (VOLUNTEER_VETTING_YEARS)."""
        today = today or timezone.localdate()
        return self.filter(vetted_on__lte=today, vetted_on__gt=add_years(today, -vetting_years()))

    def vetting_expired(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(vetted_on__lte=add_years(today, -vetting_years()))

    def vetting_expiring(self, today: datetime.date | None = None, days: int | None = None):
        """Still vetted today, but the vetting expires within ``days`` (default: the setting)."""
        today = today or timezone.localdate()
        days = settings.VOLUNTEER_VETTING_WARN_DAYS if days is None else days
        last = today + datetime.timedelta(days=days)
        return self.vetting_current(today).filter(vetted_on__lte=add_years(last, -vetting_years()))

    def with_load(self):
        """Annotate ``active_count``: the children each volunteer looks after now."""
        return self.annotate(
            active_count=models.Count("assignments", filter=active_assignment_q("assignments__"))
        )


class Volunteer(TrackedModel):
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("of a person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="volunteers"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteers",
        null=True,
        blank=True,
    )
    may_be_foster_mother = models.BooleanField(_("may be a foster mother"), default=False)
    may_be_foster_sibling = models.BooleanField(
        _("may be a foster brother or sister"), default=False
    )
    may_be_surrogate_parent = models.BooleanField(_("may be a surrogate parent"), default=False)
    capacity = models.PositiveSmallIntegerField(
        _("children they can take"),
        blank=True,  # the service fills in the role's usual number
        help_text=_("Leave empty for the usual: foster mother 1, brother or sister 2, surrogate "
                    "parent 5."),
    )  # fmt: skip
    vetted_on = models.DateField(_("vetted on"), null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vetted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class CheckResult(models.TextChoices):
        CLEAR = "clear", _("Clear: nothing found")
        NOT_CLEAR = "not_clear", _("Not clear: something was found")

    background_check_on = models.DateField(
        _("background check done on"),
        null=True,
        blank=True,
        help_text=_("The date of the criminal-record check with the police station."),
    )
    background_check_result = models.CharField(
        _("background check result"), max_length=12, choices=CheckResult.choices, blank=True
    )
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="volunteer",
        null=True,
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = VolunteerQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="volunteer_may_take_a_role",
                condition=models.Q(may_be_foster_mother=True)
                | models.Q(may_be_foster_sibling=True)
                | models.Q(may_be_surrogate_parent=True),
            ),
            models.CheckConstraint(
                name="volunteer_capacity_positive", condition=models.Q(capacity__gte=1)
            ),
            models.CheckConstraint(
                name="volunteer_vetting_has_a_vetter",
                condition=models.Q(vetted_on__isnull=True) | models.Q(vetted_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[str]:
        return [r.value for r in CarerRole if getattr(self, f"may_be_{r.value}")]

    @property
    def role_labels(self) -> list[str]:
        return [CarerRole(r).label for r in self.roles]

    def may_take(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_vetted(self) -> bool:
        return self.vetted_on is not None and self.vetted_on <= timezone.localdate()

    @property
    def vetting_expires_on(self) -> datetime.date | None:
        """The first day the vetting no longer holds."""
        if self.vetted_on is None:
            return None
        return add_years(self.vetted_on, vetting_years())

    @property
    def vetting_expired(self) -> bool:
        return self.vetted_on is not None and self.vetting_expires_on <= timezone.localdate()

    @property
    def vetting_expires_soon(self) -> bool:
        if not self.is_vetted or self.vetting_expired:
            return False
        warn = timezone.localdate() + datetime.timedelta(days=settings.VOLUNTEER_VETTING_WARN_DAYS)
        return self.vetting_expires_on <= warn

    def clean(self):
        # Who vetted is not asked here: the service records the official who enters the date
        # (services.care.save_volunteer), and a database constraint keeps the pair together.
        errors = {}
        today = timezone.localdate()
        if not self.roles:
            errors["may_be_foster_mother"] = _("Tick at least one role this volunteer may take.")
        if self.vetted_on and self.vetted_on > today:
            errors["vetted_on"] = _("The vetting date cannot be in the future.")
        if self.background_check_on and self.background_check_on > today:
            errors["background_check_on"] = _("The check cannot be dated in the future.")
        if bool(self.background_check_on) != bool(self.background_check_result):
            errors["background_check_result"] = _(
                "Give both the date of the background check and its result."
            )
        if self.vetted_on and self.background_check_result == self.CheckResult.NOT_CLEAR:
            errors["vetted_on"] = _(
                "A volunteer whose background check is not clear cannot be vetted."
            )
        if self.trained_on and self.trained_on > today:
            errors["trained_on"] = _("The training date cannot be in the future.")
        if self.user_id and self.user.role != "volunteer":
            errors["user"] = _("This login does not have the volunteer role.")
        if errors:
            raise ValidationError(errors)


class AssignmentQuerySet(ChildRecordQuerySet):
    def active(self):
        """Not ended: the child's carers now, whether or not the volunteer is still active."""
        return self.filter(active_assignment_q())

    def in_force(self):
        """Active, with an active volunteer and a child on the register: the assignments that
        are at work (a volunteer's access to the child's file also needs the guardian's consent
        to share, see ``registry.access.sharing_stands``)."""
        return self.active().filter(volunteer__active=True, child__status=ChildStatus.ACTIVE)

    def held_on(self, day: datetime.date):
        """Held on ``day``: started by then and not ended by then (the reports' "as of" rule;
        for today it is ``active()`` less the assignments that start later)."""
        return self.filter(started_on__lte=day).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day)
        )


class Assignment(TrackedModel):
    """A volunteer caring for a child in one role, from a start date until it ends."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="assignments"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=CarerRole.choices)
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    # Set when the assignment ended because the child's file left the active register
    # (``volunteers.closing``): reopening the file finds the carers to restart by it.
    closing = models.ForeignKey(
        StatusChange, verbose_name=_("ended by the status change"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True, editable=False,
    )  # fmt: skip

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_on", "-id"]
        constraints = [
            # A child has at most one active carer of each kind.
            models.UniqueConstraint(
                fields=["child", "role"],
                condition=active_assignment_q(),
                name="assignment_one_active_per_child_and_role",
            ),
            models.CheckConstraint(
                name="assignment_ends_after_it_starts",
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
            ),
        ]
        indexes = [
            # The volunteer's own screen and the monthly scans: a volunteer's active assignments.
            models.Index(
                fields=["volunteer"],
                condition=active_assignment_q(),
                name="assignment_active_by_volunteer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.child} ({self.get_role_display()})"

    @property
    def active(self) -> bool:
        return self.ended_on is None
