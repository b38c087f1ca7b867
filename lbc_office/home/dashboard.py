"""The official's first screen: the headline figures, the children who need help today, and the
trends of the last twelve months — each a database aggregate, a fixed number of queries whatever
the size of the register (tests/lbc_office/test_home.py pins it)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from casework.models import Concern
from lbc_office.reports import Filters
from lbc_office.reports import figures as stored_figures
from programmes import selectors as programmes_selectors
from programmes.models import HomeVisit
from registry.models import (
    Child,
    ChildStatus,
    GuardianType,
    School,
    StatusChange,
    both_parents_away_q,
)
from volunteers import selectors as volunteers_selectors
from volunteers.models import Assignment, MonthlyCheckin, Volunteer, month_start

TREND_MONTHS = 12
WITHHELD_SHOWN = 20


def months_back(today: datetime.date, n: int = TREND_MONTHS) -> list[datetime.date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    months = [month_start(today)]
    for _i in range(n - 1):
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months[::-1]


def headline_counts(user, today: datetime.date) -> dict:
    """The headline counts over the active register, in two queries: one pass over the children
    (the contact gaps read the cached last contact), one over the active assignments.

    Where a city's register stores its report figures (REPORT_FIGURES_MINUTES), an official's
    come from today's count instead: one query summing a few thousand rows, and the time they
    were counted (``counted_at``) shown beside them."""
    if user.is_official:
        found = stored_figures.stored(Filters(as_of=today))
        if found is not None:
            return _headline_from_stored(found)
    counts = (
        Child.objects.visible_to(user)
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
        Assignment.objects.visible_to(user)
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


def trends(user, today: datetime.date) -> dict:
    """Per month over the last twelve: home visits, children leaving the register, check-ins
    done and missed, concerns raised. Three GROUP BY queries, over what ``user`` may see (None:
    the whole register).

    Family-room calls are left out: a county makes about 160,000 a year, and grouping a year
    of them by month took 144 ms of the dashboard's 340 ms at county scale (see
    docs/PERFORMANCE.md); the contact-gap figures say what the calls are for."""
    months = months_back(today)
    first = months[0]

    def scoped(model):
        return model.objects.visible_to(user) if user is not None else model.objects.all()

    def per_month(qs, field):
        return dict(
            qs.annotate(m=TruncMonth(field))
            .values("m")
            .annotate(n=Count("pk"))
            .values_list("m", "n")
            .order_by()
        )

    visits = per_month(scoped(HomeVisit).filter(date__gte=first), "date")
    left = per_month(scoped(StatusChange).filter(date__gte=first, from_status="active"), "date")
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


def official_dashboard(user, today: datetime.date) -> dict:
    last_month = month_start(month_start(today) - datetime.timedelta(days=1))
    # Protection concerns still open (casework), whoever raised them: a carer's worry, a home
    # visit, a teacher… Those of children still on the active register.
    open_concerns = Concern.objects.open().filter(child__status=ChildStatus.ACTIVE)
    counts = headline_counts(user, today)
    follow_ups_due = counts.pop("follow_ups_due", None)
    if follow_ups_due is None:
        follow_ups_due = programmes_selectors.open_follow_ups(user, today=today).count()
    return {
        "headline": counts,
        "schools": School.objects.filter(active=True).count(),
        "follow_ups_due": follow_ups_due,
        "concerns": open_concerns.select_related("child", "raised_by").order_by("due_at", "pk")[
            :20
        ],
        "concern_children": open_concerns.aggregate(n=Count("child", distinct=True))["n"],
        "last_month": last_month,
        "missed_last_month": MonthlyCheckin.objects.filter(
            month=last_month, status=MonthlyCheckin.Status.MISSED
        ).count(),
        "recent": StatusChange.objects.select_related("child").order_by("-date", "-id")[:8],
        # Carers who cannot open their child's file (consent to share withdrawn, no override):
        # to end, override or ask the guardian again. At most WITHHELD_SHOWN, one query.
        "withheld": list(volunteers_selectors.withheld_assignments()[: WITHHELD_SHOWN + 1]),
        "withheld_shown": WITHHELD_SHOWN,
        "vetting_expiring": Volunteer.objects.filter(active=True).vetting_expiring(today).count(),
        "vetting_warn_days": settings.VOLUNTEER_VETTING_WARN_DAYS,
        "trends": _trends(user, today, stored="counted_at" in counts),
    }


def _trends(user, today: datetime.date, *, stored: bool) -> dict:
    """The twelve months' trends. Where the headline figures are stored (a city's register),
    the whole register's trends (what an official sees) are kept in the cache for as long as
    the figures: grouping a city's year of check-ins and visits by month takes half a second.
    The figures' count fills the cache (``keep_trends``), so no official waits for it."""
    if not stored:
        return trends(user, today)
    return cache.get_or_set(
        _trends_key(today), lambda: trends(None, today), timeout=_trends_timeout()
    )


def keep_trends(today: datetime.date) -> None:
    """Count the whole register's trends into the cache (after each count of the figures)."""
    cache.set(_trends_key(today), trends(None, today), timeout=_trends_timeout())


def _trends_key(today: datetime.date) -> str:
    return f"dashboard-trends:{today.isoformat()}"


def _trends_timeout() -> int:
    # Until a little after the next count, so the cache never runs dry between counts.
    return (settings.REPORT_FIGURES_MINUTES + 5) * 60
