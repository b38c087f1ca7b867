"""The official's first screen: the headline figures, the children who need help today, and the
trends of the last twelve months — each a database aggregate, a fixed number of queries whatever
the size of the register (tests/lbc_office/test_home.py pins it).

Counties are tenants: every figure is of one county (``county``: a county official's own, or the
one a municipal official chose) or of the whole city (a municipal official's first screen, with
its figures by county, each linking to that county's). Everything cached is keyed by it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from casework.models import Concern
from lbc_office.reports import Filters
from lbc_office.reports import figures as stored_figures
from programmes import selectors as programmes_selectors
from programmes.models import HomeVisit
from registry import access
from registry.models import (
    Child,
    ChildStatus,
    County,
    GuardianType,
    RiskLevel,
    School,
    StatusChange,
    both_parents_away_q,
)
from volunteers import selectors as volunteers_selectors
from volunteers.models import Assignment, MonthlyCheckin, Volunteer, month_start

TREND_MONTHS = 12
WITHHELD_SHOWN = 20


def in_county(qs: QuerySet, county: str, path: str = "county") -> QuerySet:
    """``qs`` within the county of code ``county`` ("" : the whole city). ``path``: the ORM
    path to the record's county."""
    return qs.filter(**{f"{path}__code": county}) if county else qs


def months_back(today: datetime.date, n: int = TREND_MONTHS) -> list[datetime.date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    months = [month_start(today)]
    for _i in range(n - 1):
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months[::-1]


def headline_counts(user, today: datetime.date, county: str = "") -> dict:
    """The headline counts over the active register, in two queries: one pass over the children
    (the contact gaps read the cached last contact), one over the active assignments.

    Where a city's register stores its report figures (REPORT_FIGURES_MINUTES), an official's
    come from today's count instead: one query summing a few thousand rows, and the time they
    were counted (``counted_at``) shown beside them. ``county``: the county counted ("": all
    those ``user`` may see)."""
    if user.is_official:
        found = stored_figures.stored(Filters(as_of=today, county=county))
        if found is not None:
            return _headline_from_stored(found)
    counts = (
        in_county(Child.objects.visible_to(user), county)
        .active()
        .aggregate(
            children=Count("pk"),
            both_away=Count("pk", filter=both_parents_away_q()),
            alone=Count("pk", filter=Q(guardian=GuardianType.NONE)),
            poor=Count("pk", filter=Q(poor=True)),
            boarding=Count("pk", filter=Q(boarding=True)),
            **{
                f"gap_{d}": Count("pk", filter=q)
                for d, q in programmes_selectors.gap_filters(today).items()
            },
        )
    )
    # Children with no carer = active children − those with an active assignment: counting
    # the assignments (tens of thousands) is cheaper than asking, for each of millions of
    # children, whether one exists.
    cared = (
        in_county(Assignment.objects.visible_to(user), county)
        .active()
        .filter(child__status=ChildStatus.ACTIVE)
        .aggregate(n=Count("child", distinct=True))["n"]
    )
    counts["no_carer"] = counts["children"] - cared
    counts["gaps"] = {d: counts.pop(f"gap_{d}") for d in programmes_selectors.GAP_DAYS}
    return counts


def _headline_from_stored(found: stored_figures.Stored) -> dict:
    sums = {
        key: value or 0
        for key, value in found.rows.aggregate(
            children=Sum("children"),
            both_away=Sum("both_parents_away"),
            alone=Sum("alone"),
            poor=Sum("poor"),
            boarding=Sum("boarding"),
            cared=Sum("with_any_carer"),
            follow_ups_due=Sum("follow_ups_due"),
            **{f"gap_{d}": Sum(f"no_contact_{d}") for d in programmes_selectors.GAP_DAYS},
        ).items()
    }
    sums["no_carer"] = sums["children"] - sums.pop("cared")
    sums["gaps"] = {d: sums.pop(f"gap_{d}") for d in programmes_selectors.GAP_DAYS}
    sums["counted_at"] = found.counted_at
    return sums


def trends(user, today: datetime.date, county: str = "") -> dict:
    """Per month over the last twelve: home visits, children leaving the register, check-ins
    done and missed, concerns raised. Three GROUP BY queries, over what ``user`` may see (None:
    the whole register) within ``county`` ("": the whole city).

    Family-room calls are left out: a county makes about 160,000 a year, and grouping a year
    of them by month took 144 ms of the dashboard's 340 ms at county scale (see
    docs/PERFORMANCE.md); the contact-gap figures say what the calls are for."""
    months = months_back(today)
    first = months[0]

    def scoped(model, path="county"):
        qs = model.objects.visible_to(user) if user is not None else model.objects.all()
        return in_county(qs, county, path)

    def per_month(qs, field):
        return dict(
            qs.annotate(m=TruncMonth(field))
            .values("m")
            .annotate(n=Count("pk"))
            .values_list("m", "n")
            .order_by()
        )

    visits = per_month(scoped(HomeVisit).filter(date__gte=first), "date")
    left = per_month(
        scoped(StatusChange, "child__county").filter(date__gte=first, from_status="active"), "date"
    )
    checkins = {}
    for row in (
        scoped(MonthlyCheckin)
        .filter(month__gte=first)
        .values("month", "status")
        # COUNT(*), not of a column: the (month, status, concern) index answers it alone.
        .annotate(n=Count("*"), concerns=Count("concern", filter=Q(concern=True)))
        .order_by()
    ):
        checkins[(row["month"], row["status"])] = row["n"]
        checkins[(row["month"], "concerns")] = (
            checkins.get((row["month"], "concerns"), 0) + row["concerns"]
        )

    def series(found):
        return [found.get(m, 0) for m in months]

    return {
        "labels": [m.strftime("%Y-%m") for m in months],
        "visits": series(visits),
        "left": series(left),
        "checkins_done": [checkins.get((m, "done"), 0) for m in months],
        "checkins_missed": [checkins.get((m, "missed"), 0) for m in months],
        "concerns": [checkins.get((m, "concerns"), 0) for m in months],
    }


RISK_COLUMNS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.URGENT]


def risk_by_town(user, county: str = "") -> list[dict]:
    """Active children at each risk level above "none", per town: one GROUP BY over the few
    children with a known risk (the partial index ``child_at_risk``). Officials only: report
    viewers get risk figures through the reports and their small-cell rule, never here. Town
    names repeat across counties: a city's rows say their county ("城口县 东镇")."""
    rows = list(
        in_county(Child.objects.visible_to(user), county)
        .active()
        .exclude(risk_level=RiskLevel.NONE)
        .values("village__town_id", "village__town__name", "village__town__county__name")
        .annotate(**{level: Count("pk", filter=Q(risk_level=level)) for level in RISK_COLUMNS})
        .order_by("village__town__name", "village__town_id")
    )
    several = len({row["village__town__county__name"] for row in rows}) > 1
    return [
        {
            "town_id": row["village__town_id"],
            "town": (
                f"{row['village__town__county__name']} {row['village__town__name']}"
                if several
                else row["village__town__name"]
            ),
            "counts": [(level, row[level]) for level in RISK_COLUMNS],
        }
        for row in rows
    ]


BY_COUNTY = {
    "children": Q(),
    "both_away": both_parents_away_q(),
    "alone": Q(guardian=GuardianType.NONE),
    "poor": Q(poor=True),
    "boarding": Q(boarding=True),
}
# The stored figures' names of the same counts.
BY_COUNTY_STORED = {
    "children": "children",
    "both_away": "both_parents_away",
    "alone": "alone",
    "poor": "poor",
    "boarding": "boarding",
}


def by_county(today: datetime.date) -> list[dict]:
    """The city's headline counts, one row per county (the municipal official's first screen,
    each row linking to that county's): one GROUP BY, over today's stored figures where the city
    stores them, else over the active children."""
    found = stored_figures.stored(Filters(as_of=today))
    if found is not None:
        grouped = found.rows.values(
            county_code=F("school__county__code"), county_name=F("school__county__name")
        ).annotate(**{k: Sum(field) for k, field in BY_COUNTY_STORED.items()})
    else:
        grouped = (
            Child.objects.active()
            .values(county_code=F("county__code"), county_name=F("county__name"))
            .annotate(**{k: Count("pk", filter=q) if q else Count("pk")
                         for k, q in BY_COUNTY.items()})
        )  # fmt: skip
    return [
        {"code": r["county_code"], "name": r["county_name"], **{k: r[k] or 0 for k in BY_COUNTY}}
        for r in grouped.order_by("county_code")
    ]


def official_dashboard(user, today: datetime.date, county: str = "") -> dict:
    """The official's first screen: of their county (a county official; ``county`` is theirs,
    whatever is asked: the view refuses another with a 404), or of the county a municipal
    official chose, or of the whole city (a municipal official, with its figures by county)."""
    county = access.county_code_of(user) or county
    last_month = month_start(month_start(today) - datetime.timedelta(days=1))
    # Protection concerns still open (casework), whoever raised them: a carer's worry, a home
    # visit, a teacher… Those of children still on the active register.
    open_concerns = in_county(Concern.objects.open(), county).filter(
        child__status=ChildStatus.ACTIVE
    )
    counts = headline_counts(user, today, county)
    follow_ups_due = counts.pop("follow_ups_due", None)
    if follow_ups_due is None:
        follow_ups_due = in_county(
            programmes_selectors.open_follow_ups(user, today=today), county
        ).count()
    city = access.is_municipal(user) and not county
    return {
        "county": county,
        "by_county": by_county(today) if city else None,
        "headline": counts,
        "schools": in_county(School.objects.filter(active=True), county).count(),
        "follow_ups_due": follow_ups_due,
        "concerns": open_concerns.select_related("child", "raised_by").order_by("due_at", "pk")[
            :20
        ],
        "concern_children": open_concerns.aggregate(n=Count("child", distinct=True))["n"],
        "last_month": last_month,
        "missed_last_month": in_county(
            MonthlyCheckin.objects.filter(month=last_month, status=MonthlyCheckin.Status.MISSED),
            county,
        ).count(),
        "recent": in_county(
            StatusChange.objects.select_related("child"), county, "child__county"
        ).order_by("-date", "-id")[:8],
        # Carers who cannot open their child's file (consent to share withdrawn, no override):
        # to end, override or ask the guardian again. At most WITHHELD_SHOWN, one query.
        "withheld": list(
            in_county(volunteers_selectors.withheld_assignments(), county)[: WITHHELD_SHOWN + 1]
        ),
        "withheld_shown": WITHHELD_SHOWN,
        "vetting_expiring": in_county(Volunteer.objects.filter(active=True), county)
        .vetting_expiring(today)
        .count(),
        "vetting_warn_days": settings.VOLUNTEER_VETTING_WARN_DAYS,
        "trends": _trends(user, today, county, stored="counted_at" in counts),
        "risk_by_town": risk_by_town(user, county),
        "risk_columns": [(level, level.label) for level in RISK_COLUMNS],
    }


def _trends(user, today: datetime.date, county: str, *, stored: bool) -> dict:
    """The twelve months' trends. Where the headline figures are stored (a city's register),
    the trends of the whole city and of each county (what an official sees: a county
    official's county is all they see) are kept in the cache for as long as the figures, each
    under its own key: grouping a city's year of check-ins and visits by month takes half a
    second. The figures' count fills the cache (``keep_trends``), so no official waits for it."""
    if not stored:
        return trends(user, today, county)
    return cache.get_or_set(
        _trends_key(today, county),
        lambda: trends(None, today, county),
        timeout=_trends_timeout(),
    )


def keep_trends(today: datetime.date) -> None:
    """Count the trends of the whole city and of each county into the cache (after each count
    of the figures)."""
    for county in ["", *County.objects.order_by("code").values_list("code", flat=True)]:
        cache.set(
            _trends_key(today, county), trends(None, today, county), timeout=_trends_timeout()
        )


def _trends_key(today: datetime.date, county: str = "") -> str:
    # The county in every key: a county official never reads the city's trends, nor another's.
    return f"dashboard-trends:{county or 'city'}:{today.isoformat()}"


def _trends_timeout() -> int:
    # Until a little after the next count, so the cache never runs dry between counts.
    return (settings.REPORT_FIGURES_MINUTES + 5) * 60
