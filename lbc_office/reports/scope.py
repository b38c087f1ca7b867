"""Who and what a report counts: the children on the register at a date, the schools and towns
within the filters.

A child counts on a day when their file was opened by then and their status at the end of that
day was *active*. The status at a past day is rebuilt from the ``StatusChange`` rows: the first
change after the day says what the status was on it (its ``from_status``); a child with no
change after the day had the status they have now. Other facts (school, grade, guardian,
boarding, poverty) are counted as the file says them today: the register keeps their history
for reading, not for counting.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lbc_office.reports.base import Filters
from registry.models import Child, ChildStatus, School, StatusChange, Town


def end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def active_on(day: datetime.date, prefix: str = "") -> Q:
    """Children active at the end of ``day`` (see the module's docstring).

    ``prefix``: the path from the queried model to the child ("child__" for an enrolment), so
    that a report on enrolments or visits joins the children once instead of asking whether
    each is among them.

    For a past day both conditions on the status changes are uncorrelated ``IN`` lists (the
    children changed since the day; those whose first change since it left an active status):
    PostgreSQL hashes each once and probes it per child, where a correlated ``EXISTS`` under
    the ``OR`` would be run again for each of millions of children (14 s → 1 s, municipal)."""
    if day >= timezone.localdate():
        return Q(**{f"{prefix}status": ChildStatus.ACTIVE})
    later = StatusChange.objects.filter(date__gt=day).order_by()
    earlier_after_day = StatusChange.objects.filter(child=OuterRef("child"), date__gt=day).filter(
        Q(date__lt=OuterRef("date")) | Q(date=OuterRef("date"), pk__lt=OuterRef("pk"))
    )
    # The first change after the day left an active status: the child was active on the day.
    was_active = later.filter(from_status=ChildStatus.ACTIVE).filter(~Exists(earlier_after_day))
    return Q(**{f"{prefix}created_at__lt": end_of(day)}) & (
        (
            Q(**{f"{prefix}status": ChildStatus.ACTIVE})
            & ~Q(**{f"{prefix}pk__in": later.values("child_id")})
        )
        | Q(**{f"{prefix}pk__in": was_active.values("child_id")})
    )


def place_q(filters: Filters, prefix: str = "", county: str | None = None) -> Q:
    """A county (by code), a town (by name, the school's town) and a school (by code).

    ``county``: the path to the county of a record that has its own (a concern, a referral, a
    check-in: the county whose office keeps it); by default the school's county, as the town."""
    q = Q()
    if filters.county:
        path = f"{prefix}school__county" if county is None else county
        q &= Q(**{f"{path}__code": filters.county})
    if filters.town:
        q &= Q(**{f"{prefix}school__town__name": filters.town})
    if filters.school:
        q &= Q(**{f"{prefix}school__code": filters.school})
    return q


def children_q(filters: Filters, prefix: str = "") -> Q:
    """Active children in compulsory education at the filters' day and place, as a condition
    on the model ``prefix`` leads from (see ``active_on``)."""
    return (
        active_on(filters.day, prefix)
        & Q(**{f"{prefix}grade__gte": 1, f"{prefix}grade__lte": 9})
        & place_q(filters, prefix)
    )


def children(filters: Filters) -> QuerySet:
    """Active children in compulsory education at the filters' day and place."""
    return Child.objects.filter(children_q(filters)).order_by()


def schools(filters: Filters) -> QuerySet:
    """Schools teaching now (a school has no history of opening and closing yet)."""
    qs = School.objects.filter(active=True).order_by()
    if filters.county:
        qs = qs.filter(county__code=filters.county)
    if filters.town:
        qs = qs.filter(town__name=filters.town)
    if filters.school:
        qs = qs.filter(code=filters.school)
    return qs


def towns(filters: Filters) -> QuerySet:
    qs = Town.objects.order_by()
    if filters.county:
        qs = qs.filter(county__code=filters.county)
    if filters.town:
        qs = qs.filter(name=filters.town)
    if filters.school:
        qs = qs.filter(schools__code=filters.school)
    return qs
