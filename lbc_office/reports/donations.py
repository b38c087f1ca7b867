"""The office's donation-tracing report: what was given, what reached a final recipient.

Like every report, a few database aggregates; the rows are merged here by their keys."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lbc_office.reports.base import Column, Filters, Table
from lbc_office.reports.county import TOTAL
from programmes.models import Donation, Handover

MONEY = DecimalField(max_digits=14, decimal_places=2)
DONATION_COLUMNS = [
    Column("kind", _("What was given"), children=False),
    Column("donations", _("Donations"), children=False),
    Column("value", _("Value (yuan)"), children=False),
    Column("traced", _("Handed over (yuan)"), children=False),
    Column("untraced", _("Not yet handed over (yuan)"), children=False),
    Column("open_donations", _("Donations not fully handed over"), children=False),
    Column("children_reached", _("Children who received")),
]


def _counted(filters: Filters):
    """The hand-overs and donations by the filters' day, of the filters' county if any."""
    handovers = Handover.objects.filter(handed_over_on__lte=filters.day)
    donations = Donation.objects.filter(date__lte=filters.day)
    if filters.county:
        handovers = handovers.filter(donation__county__code=filters.county)
        donations = donations.filter(county__code=filters.county)
    return handovers, donations


def donation_rows(filters: Filters) -> list[dict]:
    """Donations received by the day, by kind: their value, what was handed over to a final
    recipient by then, what is still open, and the children reached (three queries). A
    donation is the county's that received it (a city's report: every county's)."""
    day = filters.day
    handovers, donations = _counted(filters)
    traced = Subquery(
        handovers.filter(donation=OuterRef("pk"))
        .order_by()
        .values("donation")
        .annotate(total=Sum("value"))
        .values("total"),
        output_field=MONEY,
    )
    zero = Value(Decimal("0"), output_field=MONEY)
    grouped = (
        donations.annotate(traced_value=Coalesce(traced, zero, output_field=MONEY))
        .values("kind")
        .annotate(
            donations=Count("pk"),
            total_value=Sum("value"),
            traced=Sum("traced_value"),
            open_donations=Count("pk", filter=Q(traced_value__lt=F("value"))),
        )
        .order_by()
    )
    reached = dict(
        handovers.filter(child__isnull=False, donation__date__lte=day)
        .values("donation__kind")
        .annotate(n=Count("child", distinct=True))
        .values_list("donation__kind", "n")
        .order_by()
    )
    reached_total = handovers.filter(child__isnull=False, donation__date__lte=day).aggregate(
        n=Count("child", distinct=True)
    )["n"]
    found = {r["kind"]: r for r in grouped}
    rows = []
    for kind in Donation.Kind:
        r = found.get(kind.value, {})
        value, done = r.get("total_value") or Decimal("0"), r.get("traced") or Decimal("0")
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "donations": r.get("donations", 0),
                "value": value,
                "traced": done,
                "untraced": value - done,
                "open_donations": r.get("open_donations", 0),
                "children_reached": reached.get(kind.value, 0),
            }
        )
    keys = ["donations", "value", "traced", "untraced", "open_donations"]
    rows.append(
        {"kind": "total", "label": TOTAL, **{k: sum(r[k] for r in rows) for k in keys},
         "children_reached": reached_total}
    )  # fmt: skip
    return rows


def donation_links(row: dict, place: dict) -> dict[str, str]:
    """The open donations drill down to the office's list of them (a donation has no place)."""
    return {"open_donations": reverse("programmes:donation_list") + "?open=1"}


TABLES = [
    Table(
        slug="donations",
        title=_("Donation tracing"),
        description=_("Donations given, handed over to their final recipients, and still open."),
        columns=DONATION_COLUMNS,
        compute=donation_rows,
        filters=("as_of",),
        links=donation_links,
    ),
]
