"""Stored figures for the reports a city's register makes too slow to count on each request.

Table 4 joins every child to every enrolment (2.5 million in Chongqing): no index makes that
join take less than 2 s on two cores (docs/PERFORMANCE.md). So, when ``REPORT_FIGURES_MINUTES``
is set, a beat task counts every school's figures by level for the day (``count_day``, the same
rules as the live reports, see ``scope``) and the programme, carer and home-visit tables read
those rows instead (``stored``): a few thousand rows summed, whatever the filters. A day with no
stored figures is counted live, as is every report when the setting is 0 (the default: a
county's register counts in well under a second).

The stored figures are as the register stood when they were counted (``counted_at``, shown on
the page); a past day keeps its last count, so it also keeps that day's schools and grades.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from lbc_office.figures.models import PROGRAMME_FIELDS, SchoolFigures
from lbc_office.reports import scope
from lbc_office.reports.base import Filters, start_report_transaction
from lbc_office.reports.care import school_year_start
from lbc_office.reports.county import STATUS_MEASURES
from programmes.models import Enrolment, HomeVisit
from programmes.selectors import gap_filters
from registry.models import GuardianType
from volunteers.models import Assignment, CarerRole

# A lock number of our own for PostgreSQL's advisory locks: one count at a time.
LOCK = 6_0001


def _level(prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}grade__lte": 6}, then=Value(SchoolFigures.Level.PRIMARY)),
        default=Value(SchoolFigures.Level.MIDDLE),
    )


def enabled() -> bool:
    return settings.REPORT_FIGURES_MINUTES > 0


@dataclass
class Stored:
    rows: QuerySet  # SchoolFigures of the day, within the filters' place
    counted_at: datetime.datetime


def stored(filters: Filters) -> Stored | None:
    """The day's stored figures within the filters' place, or None (count live)."""
    if not enabled():
        return None
    day_rows = SchoolFigures.objects.filter(day=filters.day).order_by()
    # Any row of the day tells when it was counted (no ORDER BY: the (day, …) index finds one).
    counted_at = next(iter(day_rows.values_list("counted_at", flat=True)[:1]), None)
    if counted_at is None:
        return None
    # A row is a school's: the live tables' place condition applies to it as it is.
    return Stored(rows=day_rows.filter(scope.place_q(filters)), counted_at=counted_at)


def count_day(day: datetime.date | None = None) -> int | None:
    """Count and store every school's figures for ``day`` (today by default), replacing the
    day's earlier count. Returns the rows stored, or None when another count is running (a
    second run at once does nothing; a later one counts again)."""
    day = day or timezone.localdate()
    filters = Filters(as_of=day)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        start_report_transaction(outermost)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
                if not cursor.fetchone()[0]:
                    return None
        # The register as it stood now: every count below sees this moment (see above).
        counted_at = timezone.now()
        figures: dict[tuple[int, str], dict] = defaultdict(dict)
        for key, values in _counts(filters):
            figures[key].update(values)
        SchoolFigures.objects.filter(day=day).delete()
        SchoolFigures.objects.bulk_create(
            [
                SchoolFigures(
                    day=day, school_id=school, level=level, counted_at=counted_at, **values
                )
                for (school, level), values in figures.items()
            ],
            batch_size=5_000,
        )
    return len(figures)


def _counts(filters: Filters):
    """(school, level), {field: count} pairs: each a GROUP BY in the database."""
    for counts in (_child_counts, _carer_counts, _visit_counts, _follow_ups, _programme_counts):
        yield from counts(filters)


def _child_counts(filters: Filters):
    """Table 1's measures (children among them), living alone, the contact gaps: one pass."""
    measures = {
        **STATUS_MEASURES,
        "alone": Q(guardian=GuardianType.NONE),
        **{f"no_contact_{d}": q for d, q in gap_filters(filters.day).items()},
        "never": Q(last_parent_contact_on__isnull=True),
    }
    for r in (
        scope.children(filters)
        .annotate(level=_level())
        .values("school_id", "level")
        .annotate(**{k: Count("pk", filter=q) if q else Count("pk") for k, q in measures.items()})
    ):
        yield (r.pop("school_id"), r.pop("level")), r


def _carer_counts(filters: Filters):
    """Carers on the day, by role and in all (a child counts once however many carers)."""
    cared = (
        Assignment.objects.held_on(filters.day)
        .filter(scope.children_q(filters, "child__"))
        .annotate(level=_level("child__"))
    )
    for r in (
        cared.values("child__school_id", "level", "role")
        .annotate(n=Count("child", distinct=True))
        .order_by()
    ):
        if r["role"] in CarerRole.values:
            yield (r["child__school_id"], r["level"]), {f"with_{r['role']}": r["n"]}
    for r in (
        cared.values("child__school_id", "level")
        .annotate(n=Count("child", distinct=True))
        .order_by()
    ):
        yield (r["child__school_id"], r["level"]), {"with_any_carer": r["n"]}


def _visit_counts(filters: Filters):
    """Home visits since the school year began."""
    day = filters.day
    for r in (
        HomeVisit.objects.filter(date__gte=school_year_start(day), date__lte=day)
        .filter(scope.children_q(filters, "child__"))
        .annotate(level=_level("child__"))
        .values("child__school_id", "level")
        .annotate(visited=Count("child", distinct=True), visits=Count("pk"))
        .order_by()
    ):
        yield (
            (r["child__school_id"], r["level"]),
            {"visited": r["visited"], "visits": r["visits"]},
        )


def _follow_ups(filters: Filters):
    """Follow-ups due and not yet made (visits, not children; meaningful for today's count)."""
    for r in (
        HomeVisit.objects.open_follow_ups(today=filters.day)
        .annotate(level=_level("child__"))
        .values("child__school_id", "level")
        .annotate(n=Count("pk"))
    ):
        yield (r["child__school_id"], r["level"]), {"follow_ups_due": r["n"]}


def _programme_counts(filters: Filters):
    """Programmes: a child in two programmes of one kind counts once for it."""
    day = filters.day
    for r in (
        Enrolment.objects.filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .filter(scope.children_q(filters, "child__"))
        .annotate(level=_level("child__"))
        .values("child__school_id", "level", "programme__kind")
        .annotate(n=Count("child", distinct=True))
        .order_by()
    ):
        if r["programme__kind"] in PROGRAMME_FIELDS:
            field = PROGRAMME_FIELDS[r["programme__kind"]]
            yield (r["child__school_id"], r["level"]), {field: r["n"]}
