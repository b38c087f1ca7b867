"""Casework's reports (issue 14): protection concerns by kind, source and outcome; referrals
by organisation and status with the days they took to be answered; risk levels by town and
school. Each is a few GROUP BY aggregates, like every other table; the viewers' small-cell
rule (``disclosure``) applies to every count, which counts concerns or referrals (each about
one child) or children.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from casework.models import Concern, ConcernKind, ConcernSource
from lbc_office.reports import scope
from lbc_office.reports.base import Column, Filters, Table
from lbc_office.reports.county import TOTAL
from lbc_office.reports.scope import end_of

# --- Concerns --------------------------------------------------------------------------------

OUTCOMES = Concern.Outcome


def _concern_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("raised", _("Raised")),
        Column("open", _("Open")),
        Column("overdue", _("Not looked at in time")),
        Column("closed", _("Closed")),
        *(Column(f"outcome_{o.value}", o.label) for o in OUTCOMES),
    ]


CONCERN_KIND_COLUMNS = _concern_columns(Column("kind", _("Kind of concern"), children=False))
CONCERN_SOURCE_COLUMNS = _concern_columns(Column("source", _("Raised through"), children=False))


def _concerns(filters: Filters):
    """Concerns raised by the end of the filters' day, about children of the place."""
    end = end_of(filters.day)
    return Concern.objects.filter(raised_at__lt=end).filter(scope.place_q(filters, "child__"))


def _concern_counts(filters: Filters) -> dict:
    end = end_of(filters.day)
    open_q = Q(closed_at__isnull=True) | Q(closed_at__gte=end)
    closed_q = Q(closed_at__lt=end)
    return {
        "raised": Count("pk"),
        "open": Count("pk", filter=open_q),
        # looked at after its deadline, or not at all by the day although the deadline passed
        "overdue": Count(
            "pk",
            filter=Q(due_at__lt=end) & (Q(triaged_at__isnull=True) | Q(triaged_at__gt=F("due_at"))),
        ),
        "closed": Count("pk", filter=closed_q),
        **{
            f"outcome_{o.value}": Count("pk", filter=closed_q & Q(outcome=o.value))
            for o in OUTCOMES
        },
    }


def _grouped(filters: Filters, field: str, choices) -> list[dict]:
    counts = _concern_counts(filters)
    found = {
        r.pop(field): r for r in _concerns(filters).values(field).annotate(**counts).order_by()
    }
    keys = list(counts)
    rows = [
        {field: label, "label": label, f"{field}_key": value, **found[value]}
        for value, label in choices
        if value in found
    ]
    total = {k: sum(r[k] for r in rows) for k in keys}
    rows.append({field: "total", "label": TOTAL, **total})
    return rows


def concern_kind_rows(filters: Filters) -> list[dict]:
    return _grouped(filters, "kind", ConcernKind.choices)


def concern_source_rows(filters: Filters) -> list[dict]:
    return _grouped(filters, "source", ConcernSource.choices)


TABLES = [
    Table(
        slug="concerns-by-kind",
        title=_("Protection concerns by kind"),
        description=_(
            "Concerns raised up to the day about children of the place, by kind: how many are "
            "still open, how many were not looked at within the office's deadline, and how the "
            "closed ones ended."
        ),
        columns=CONCERN_KIND_COLUMNS,
        compute=concern_kind_rows,
        row_count="raised",
    ),
    Table(
        slug="concerns-by-source",
        title=_("Protection concerns by source"),
        description=_(
            "The same concerns by the way they reached the office: home visits, volunteers' "
            "check-ins, the family room, the school, the child, a department."
        ),
        columns=CONCERN_SOURCE_COLUMNS,
        compute=concern_source_rows,
        row_count="raised",
    ),
]
