"""The guardian's consent to what the office does with a child's personal file.

A row is either a guardian's consent (who gave it, when, and what it covers) or an official's
override (the file is kept without the guardian's consent, for a stated reason). Rows are never
changed or deleted: consent is withdrawn by recording a new row with the boxes unticked, and the
latest row (by date, then by the order of recording) is the one that counts.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from registry.models.children import Child, ChildRecordQuerySet, Guardian
from registry.models.places import County

# What a consent may cover, in the order the form and the file show them.
COVERS = ("keep_file", "share_with_volunteers", "photos")


class ConsentRecord(TrackedModel):
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="consents"
    )
    date = models.DateField(_("date"))
    guardian_name = models.CharField(_("guardian's name"), max_length=50, blank=True)
    guardian_relation = models.CharField(
        _("relation to the child"), max_length=16, choices=Guardian.Relation.choices, blank=True
    )
    keep_file = models.BooleanField(
        _("keeping the personal file"),
        default=False,
        help_text=_("The office may keep this personal file and the records in it."),
    )
    share_with_volunteers = models.BooleanField(
        _("sharing with volunteers outside government"),
        default=False,
        help_text=_(
            "Foster mothers, foster brothers and sisters and surrogate parents who are not "
            "government staff may see the file."
        ),
    )
    photos = models.BooleanField(
        _("photos"), default=False, help_text=_("Photos of the child may be taken and kept.")
    )
    notes = models.TextField(_("notes"), blank=True)
    override_reason = models.TextField(
        _("reason for the override"),
        blank=True,
        help_text=_("Only for an official's override: why the file is kept without consent."),
    )

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # When a record lets volunteers see the file: the guardian agreed to sharing it, and to the
    # office keeping it at all. The same rule in SQL (registry.access) and in Python below.
    @staticmethod
    def shares_with_volunteers_sql() -> models.ExpressionWrapper:
        return models.ExpressionWrapper(
            models.Q(keep_file=True, share_with_volunteers=True),
            output_field=models.BooleanField(),
        )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-date", "-id"]
        constraints = [
            # A guardian's consent names the guardian; an override (an official keeps the file
            # without consent) names nobody, covers keeping the file only, and says why.
            models.CheckConstraint(
                name="consent_is_consent_or_override",
                condition=(
                    models.Q(override_reason="") & ~models.Q(guardian_name="")
                    | ~models.Q(override_reason="")
                    & models.Q(
                        guardian_name="",
                        guardian_relation="",
                        keep_file=True,
                        share_with_volunteers=False,
                        photos=False,
                    )
                ),
            ),
        ]
        indexes = [
            # The latest record of a child: the card on the file and the missing-consent list
            # (a correlated subquery per child).
            models.Index(fields=["child", "-date", "-id"], name="consent_latest_by_child"),
        ]

    def __str__(self) -> str:
        if self.is_override:
            return _("Override of %(date)s") % {"date": f"{self.date:%Y-%m-%d}"}
        return _("Consent of %(date)s") % {"date": f"{self.date:%Y-%m-%d}"}

    @property
    def is_override(self) -> bool:
        return bool(self.override_reason)

    @property
    def shares_with_volunteers(self) -> bool:
        return self.keep_file and self.share_with_volunteers

    @property
    def covers_nothing(self) -> bool:
        return not any(getattr(self, name) for name in COVERS)

    def clean(self):
        errors: dict = {}
        if self.date:
            if self.date > timezone.localdate():
                errors["date"] = _("Consent cannot be dated in the future.")
            elif self.child_id and self.date < self.child.date_of_birth:
                errors["date"] = _("This date is before the child was born.")
        if self.is_override:
            if self.guardian_name or self.guardian_relation:
                errors["guardian_name"] = _("An override names no guardian.")
            if not self.keep_file or self.share_with_volunteers or self.photos:
                errors["override_reason"] = _(
                    "An override covers keeping the file only: sharing and photos need the "
                    "guardian's consent."
                )
        else:
            if not self.guardian_name.strip():
                errors["guardian_name"] = _("Write the name of the guardian who gave consent.")
            if not self.guardian_relation:
                errors["guardian_relation"] = _("Say how the guardian is related to the child.")
        if errors:
            raise ValidationError(errors)


class ConsentOverride(TrackedModel):
    """An official lets volunteers see a child's file although the guardian's consent to share
    it does not stand (withdrawn, refused), for a stated reason and until a stated date.

    It is a record of its own, not a ``ConsentRecord``: the guardian's answer stays what it was,
    and the override ends by itself on ``valid_until`` (or earlier, when an official ends it).
    Who made it and when: ``created_by`` / ``created_at``; the audit log has the event.
    """

    class Covers(models.TextChoices):
        SHARE_WITH_VOLUNTEERS = "share_with_volunteers", _("sharing with volunteers")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="consent_overrides"
    )
    covers = models.CharField(
        _("covers"),
        max_length=32,
        choices=Covers.choices,
        default=Covers.SHARE_WITH_VOLUNTEERS,
    )
    reason = models.TextField(_("reason"))
    valid_until = models.DateField(_("valid until"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("consent override")
        verbose_name_plural = _("consent overrides")
        ordering = ["-valid_until", "-id"]
        constraints = [
            models.CheckConstraint(
                name="consent_override_has_a_reason", condition=~models.Q(reason="")
            ),
        ]
        indexes = [
            models.Index(fields=["child", "covers", "-valid_until"], name="consent_override_child"),
        ]

    def __str__(self) -> str:
        return _("Override until %(date)s") % {"date": f"{self.valid_until:%Y-%m-%d}"}

    def applies_on(self, day) -> bool:
        return self.valid_until >= day and (self.ended_on is None or self.ended_on > day)


def sharing_stands(child_ref: str = "pk", today=None) -> models.Q:
    """A condition over children (or, with ``child_ref``, any model's path to the child's key):
    the guardian's consent to share the file with volunteers outside government stands, or an
    official's override applies today (registry/access.py, note (2)).

    The latest consent record counts (by date, then order of recording, as everywhere); it
    shares when it covers both keeping the file and sharing it (``ConsentRecord.
    shares_with_volunteers_sql``): a withdrawal, a refusal, or an official's override of keeping
    the file does not share. No record at all: shared.
    """
    today = today or timezone.localdate()
    latest = (
        ConsentRecord.objects.filter(child=models.OuterRef(child_ref))
        .order_by("-date", "-id")
        .annotate(shares=ConsentRecord.shares_with_volunteers_sql())
    )
    guardian_says = Coalesce(
        models.Subquery(latest.values("shares")[:1]),
        models.Value(True),
        output_field=models.BooleanField(),
    )
    override = ConsentOverride.objects.filter(
        child=models.OuterRef(child_ref),
        covers=ConsentOverride.Covers.SHARE_WITH_VOLUNTEERS,
        valid_until__gte=today,
    ).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=today))
    return models.Q(Exact(guardian_says, True)) | models.Q(models.Exists(override))
