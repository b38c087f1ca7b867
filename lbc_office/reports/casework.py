"""Casework's reports (issue 14): protection concerns by kind, source and outcome; referrals
by organisation and status with the days they took to be answered; risk levels by town and
school (the level the file gives today, also for a past day, as the county tables count
other facts). Each is a few GROUP BY aggregates, like every other table; the viewers' small-cell
rule (``disclosure``) applies to every count, which counts concerns or referrals (each about
one child) or children.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from casework.models import Concern, ConcernKind, ConcernSource, Referral, ReferralUpdate
from casework.models.agencies import AgencyKind
from casework.models.referrals import OPEN as OPEN_STATUSES
from lbc_office.reports import scope
from lbc_office.reports.base import Column, Filters, Table, children_url, is_total
from lbc_office.reports.care import town_place
from lbc_office.reports.county import TOTAL
from lbc_office.reports.scope import end_of
from registry.models.child_choices import RiskLevel

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
    return Concern.objects.filter(raised_at__lt=end).filter(
        scope.place_q(filters, "child__", county="county")
    )


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


# --- Referrals -------------------------------------------------------------------------------

STATUS_COLUMNS = {
    "accepted": ("accepted", _("Accepted")),
    "declined": ("declined", _("Declined")),
    "in_progress": ("in_progress", _("In progress")),
    "done": ("done", _("Done")),
    "withdrawn": ("cancelled", _("Withdrawn")),
}
REFERRAL_COLUMNS = [
    Column("organisation", _("Organisation"), children=False),
    Column("kind", _("Kind of organisation"), children=False),
    Column("sent", _("Sent")),
    Column("open", _("Open")),
    *(Column(key, label) for key, (_status, label) in STATUS_COLUMNS.items()),
    Column("overdue", _("Overdue")),
    Column("answered", _("Answered")),
    Column("days_to_answer", _("Average days to answer"), children=False, figure_of="answered"),
]
REFERRAL_COUNTS = ["sent", "open", *STATUS_COLUMNS, "overdue", "answered"]


def _status_on(end):
    """A referral's status at ``end``: its status now when it has not changed since; else the
    status of its last step before ``end`` (every step is a ``ReferralUpdate``)."""
    last_step = (
        ReferralUpdate.objects.filter(referral=OuterRef("pk"), at__lt=end)
        .order_by("-at", "-id")
        .values("status")[:1]
    )
    return Case(
        When(status_changed_at__lt=end, then=F("status")),
        default=Coalesce(Subquery(last_step), Value("sent")),
    )


def referral_rows(filters: Filters) -> list[dict]:
    """Referrals sent by the day about children of the place, by organisation, in one query:
    their status at the day, those past their date and not finished then, those answered by
    then and the average days from sending to the first answer (accepted or declined)."""
    day, end = filters.day, end_of(filters.day)
    answered = Q(answered_at__lt=end)
    grouped = (
        Referral.objects.filter(sent_at__lt=end)
        .filter(scope.place_q(filters, "child__", county="county"))
        .alias(status_then=_status_on(end))
        .values("agency_id", "agency__name", "agency__kind")
        .annotate(
            sent=Count("pk"),
            open=Count("pk", filter=Q(status_then__in=OPEN_STATUSES)),
            **{
                key: Count("pk", filter=Q(status_then=status))
                for key, (status, _label) in STATUS_COLUMNS.items()
            },
            overdue=Count("pk", filter=Q(status_then__in=OPEN_STATUSES, due_on__lt=day)),
            answered=Count("pk", filter=answered),
            waited=Sum(F("answered_at") - F("sent_at"), filter=answered),
        )
        .order_by("agency__name", "agency_id")
    )
    kinds = dict(AgencyKind.choices)
    rows = [
        {
            "organisation": r["agency__name"],
            "label": r["agency__name"],
            "kind": kinds.get(r["agency__kind"], r["agency__kind"]),
            **{k: r[k] for k in REFERRAL_COUNTS},
            "waited": r["waited"],
        }
        for r in grouped
    ]
    total = {k: sum(r[k] for r in rows) for k in REFERRAL_COUNTS}
    waited = [r["waited"] for r in rows if r["waited"] is not None]
    rows.append(
        {"organisation": "total", "label": TOTAL, "kind": "", **total,
         "waited": sum(waited[1:], waited[0]) if waited else None}
    )  # fmt: skip
    for row in rows:
        waited = row.pop("waited")
        row["days_to_answer"] = (
            round(waited.total_seconds() / 86400 / row["answered"], 1) if row["answered"] else None
        )
    return rows


# --- Risk levels ------------------------------------------------------------------------------

RISK_KEYS = [level.value for level in RiskLevel]


def _risk_columns(*place: Column) -> list[Column]:
    return [
        *place,
        *(Column(level.value, level.label) for level in RiskLevel),
        Column("children", _("Children")),
    ]


RISK_TOWN_COLUMNS = _risk_columns(Column("town", _("Town"), children=False))
RISK_SCHOOL_COLUMNS = _risk_columns(
    Column("town", _("Town"), children=False),
    Column("school_code", _("School code"), children=False),
    Column("school", _("School"), children=False),
)


def _risk_counts() -> dict:
    return {
        **{level: Count("pk", filter=Q(risk_level=level)) for level in RISK_KEYS},
        "children": Count("pk"),
    }


def _with_total(rows: list[dict], **names) -> list[dict]:
    keys = [*RISK_KEYS, "children"]
    for row in rows:
        row.pop("school_name", None)
    rows.append({**names, "label": TOTAL, **{k: sum(r[k] for r in rows) for k in keys}})
    return rows


def risk_town_rows(filters: Filters) -> list[dict]:
    """Active children by their risk level now, by town (one query)."""
    grouped = (
        scope.children(filters)
        .values(
            town=F("school__town__name"),
            county_name=F("school__county__name"),
            county_code=F("school__county__code"),
        )
        .annotate(**_risk_counts())
        .order_by("town", "county_code")
    )
    rows = list(grouped)
    # Town names repeat across counties: a city's rows say their county ("城口县 东镇").
    several = len({r["county_code"] for r in rows}) > 1
    for r in rows:
        county, r["town_name"] = r.pop("county_name"), r["town"]
        r["label"] = r["town"] = f"{county} {r['town']}" if several else r["town"]
    return _with_total(rows, town="total")


def risk_school_rows(filters: Filters) -> list[dict]:
    """Active children by their risk level now, by school (one query)."""
    grouped = (
        scope.children(filters)
        .values(town=F("school__town__name"), school_code=F("school__code"),
                school_name=F("school__name"))
        .annotate(**_risk_counts())
        .order_by("town", "school_name", "school_code")
    )  # fmt: skip
    return _with_total(
        [{**r, "school": r["school_name"], "label": r["school_name"]} for r in grouped],
        town="total",
        school_code="",
        school="",
    )


def risk_links(row: dict, place: dict) -> dict[str, str]:
    """Each count: the register's children of the row's place at that risk level."""
    if is_total(row, "town"):
        here = place
    elif row.get("school_code"):
        here = {**place, "school_code": row["school_code"]}
    else:
        here = {**place, **town_place(row)}
    return {
        "children": children_url(**here),
        **{level: children_url(**here, risk=level) for level in RISK_KEYS},
    }


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

TABLES += [
    Table(
        slug="referrals",
        title=_("Referrals by organisation"),
        description=_(
            "Referrals sent up to the day about children of the place, by partner organisation: "
            "their status on the day, those past their date and not finished, and the average "
            "days from sending to the organisation's first answer (shown to report viewers only "
            "over 5 answers or more)."
        ),
        columns=REFERRAL_COLUMNS,
        compute=referral_rows,
        row_count="sent",
    ),
    Table(
        slug="risk-levels",
        title=_("Risk levels by town"),
        description=_(
            "Active children by the office's risk level, by town. The level is the one the file "
            "gives today, also for a past day."
        ),
        columns=RISK_TOWN_COLUMNS,
        compute=risk_town_rows,
        row_count="children",
        links=risk_links,
    ),
    Table(
        slug="risk-levels-by-school",
        title=_("Risk levels by town and school"),
        description=_(
            "The same children by school (choose a town to see its schools only). The level is "
            "the one the file gives today, also for a past day."
        ),
        columns=RISK_SCHOOL_COLUMNS,
        compute=risk_school_rows,
        row_count="children",
        links=risk_links,
    ),
]
