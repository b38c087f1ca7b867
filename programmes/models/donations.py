"""Donations and where they ended up: each handover to a final recipient (a child, or a school for
shared use), with the date and who confirmed receipt. A donation whose value is not fully handed
over is *open*: the office can always say what is still unaccounted for."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from lbc_office.core.models import TrackedModel
from programmes.models.programmes import Programme
from registry.models import Child, County, School
from registry.models.children import ChildRecordQuerySet

ONE_FEN = Decimal("0.01")


class DonationQuerySet(models.QuerySet):
    def with_traced(self):
        """Annotate ``traced`` (yuan handed over), ``untraced`` and ``recipients``.

        Rounded to the fen: SQLite keeps decimals as floats, whose sums drift by 1e-14 (a
        no-op on PostgreSQL's exact NUMERIC).
        """
        money = models.DecimalField(max_digits=12, decimal_places=2)
        traced = Round(
            Coalesce(models.Sum("handovers__value"), models.Value(Decimal("0"))),
            2,
            output_field=money,
        )
        return self.annotate(
            traced=traced,
            untraced=Round(models.F("value") - traced, 2, output_field=money),
            recipients=models.Count("handovers"),
        )


class Donation(TrackedModel):
    class DonorKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        NGO = "ngo", _("NGO")
        PERSON = "person", pgettext_lazy("kind of donor", "Person")

    class Kind(models.TextChoices):
        BOOKS = "books", _("Books")
        CLOTHING = "clothing", _("Clothing")
        HOUSEHOLD = "household", _("Household items")
        MONEY = "money", _("Money")

    class Destination(models.TextChoices):
        SCHOOL = "school", _("A school")
        PROGRAMME = "programme", _("A programme")
        CHILDREN = "children", _("Named children")

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    donor = models.CharField(_("donor"), max_length=100)
    donor_kind = models.CharField(_("kind of donor"), max_length=16, choices=DonorKind.choices)
    date = models.DateField(_("date received"))
    kind = models.CharField(_("what was given"), max_length=16, choices=Kind.choices)
    value = models.DecimalField(
        _("value (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ONE_FEN, _("The value must be more than zero."))],
        help_text=_("For goods, their estimated value."),
    )
    description = models.TextField(_("description"), blank=True)
    destination = models.CharField(_("given to"), max_length=16, choices=Destination.choices)
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="donations",
        null=True,
        blank=True,
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="donations",
        null=True,
        blank=True,
    )

    objects = DonationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(name="donation_value_positive", condition=models.Q(value__gt=0)),
            models.CheckConstraint(
                name="donation_destination_consistent",
                condition=models.Q(
                    destination="school", school__isnull=False, programme__isnull=True
                )
                | models.Q(destination="programme", school__isnull=True, programme__isnull=False)
                | models.Q(destination="children", school__isnull=True, programme__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} · {self.get_kind_display()} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("programmes:donation_detail", args=[self.pk])

    @property
    def target(self):
        """The school or programme it was given to (None for named children)."""
        return self.school if self.school_id else (self.programme if self.programme_id else None)

    def clean(self):
        errors: dict = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("A donation cannot be dated in the future.")
        if self.destination == self.Destination.SCHOOL and not self.school_id:
            errors["school"] = _("Choose the school it was given to.")
        if self.destination == self.Destination.PROGRAMME and not self.programme_id:
            errors["programme"] = _("Choose the programme it was given to.")
        if self.destination != self.Destination.SCHOOL:
            self.school = None
        if self.destination != self.Destination.PROGRAMME:
            self.programme = None
        if errors:
            raise ValidationError(errors)


class Handover(TrackedModel):
    """Part of a donation handed to a final recipient: a child, or a school for shared use."""

    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    donation = models.ForeignKey(
        Donation, verbose_name=_("donation"), on_delete=models.PROTECT, related_name="handovers"
    )
    child = models.ForeignKey(
        Child,
        verbose_name=_("child"),
        on_delete=models.PROTECT,
        related_name="handovers",
        null=True,
        blank=True,
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school (shared use)"),
        on_delete=models.PROTECT,
        related_name="handovers",
        null=True,
        blank=True,
    )
    value = models.DecimalField(
        _("value (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ONE_FEN, _("The value must be more than zero."))],
    )
    items = models.CharField(_("what was handed over"), max_length=200, blank=True)
    handed_over_on = models.DateField(_("handed over on"))
    confirmed_by = models.CharField(
        _("receipt confirmed by"),
        max_length=100,
        help_text=_("Who signed for it: the child, a guardian or the head teacher."),
    )

    objects = ChildRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_over_on", "-id"]
        constraints = [
            models.CheckConstraint(name="handover_value_positive", condition=models.Q(value__gt=0)),
            models.CheckConstraint(
                name="handover_one_recipient",
                condition=models.Q(child__isnull=False, school__isnull=True)
                | models.Q(child__isnull=True, school__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["child", "-handed_over_on"], name="handover_child_date"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.value} ¥"

    @property
    def recipient(self):
        return self.child if self.child_id else self.school

    def clean(self):
        errors: dict = {}
        donation = self.donation if self.donation_id else None
        if self.handed_over_on:
            if self.handed_over_on > timezone.localdate():
                errors["handed_over_on"] = _("A handover cannot be dated in the future.")
            elif donation and self.handed_over_on < donation.date:
                errors["handed_over_on"] = _(
                    "This is before the donation was received (%(date)s)."
                ) % {"date": f"{donation.date:%Y-%m-%d}"}
        if not self.child_id and not self.school_id:
            errors["child"] = _("Choose who received it.")
        if errors:
            raise ValidationError(errors)
