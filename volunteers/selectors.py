"""Reads of the volunteers app, each with its joins fixed (no queries in loops)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils import timezone

from registry.filters import search
from registry.models import Child, ConsentRecord, Guardian, ParentAway, sharing_stands
from volunteers.models import Assignment, CarerRole, MonthlyCheckin, Volunteer, month_start

CANDIDATES = 20


def has_carer(role: str | None = None, *, day=None, child_ref: str = "pk") -> Exists:
    """The carer-coverage rule: the child (``OuterRef(child_ref)``) has an active carer of
    ``role`` (of any role when None); with ``day``, a carer held on that day (the reports)."""
    held = Assignment.objects.held_on(day) if day else Assignment.objects.active()
    held = held.filter(child=OuterRef(child_ref))
    return Exists(held.filter(role=role) if role else held)


def children_without(role: str, user) -> QuerySet:
    """Active children ``user`` may see with no active carer of ``role``."""
    return Child.objects.visible_to(user).active().filter(~has_carer(role))


def carer_coverage(user) -> dict[str, dict[str, int]]:
    """For each role: active children ``user`` may see with and without such a carer, in one
    query."""
    annotations = {f"has_{r.value}": has_carer(r.value) for r in CarerRole}
    counts = (
        Child.objects.visible_to(user)
        .active()
        .annotate(**annotations)
        .aggregate(
            total=Count("pk"),
            **{
                f"with_{r.value}": Count("pk", filter=Q(**{f"has_{r.value}": True}))
                for r in CarerRole
            },
        )
    )
    return {
        r.value: {
            "label": r.label,
            "with": counts[f"with_{r.value}"],
            "without": counts["total"] - counts[f"with_{r.value}"],
        }
        for r in CarerRole
    }


def children_to_assign(user, *, q: str, roles: list[str]) -> list[Child]:
    """Children matching a search that still lack a carer of one of ``roles``."""
    lacking = Q()
    for role in roles:
        lacking |= ~has_carer(role)
    return list(
        search(Child.objects.visible_to(user).active(), q, user=user)
        .filter(lacking)
        .select_related("school", "village__town")
        .order_by("name", "id")[:CANDIDATES]
    )


@dataclass
class ChildCard:
    assignment: Assignment
    child: Child
    checkin: MonthlyCheckin | None
    guardians: list
    parents: list
    shared: bool = True  # False: the guardian's consent to share the file does not stand


def my_children(volunteer: Volunteer) -> list[ChildCard]:
    """The volunteer's screen: each child, who to call, and this month's check-in.

    A child whose file is not shared with volunteers (``registry.models.sharing_stands``) keeps
    its card, with the name and the role only: no school, no phone numbers (they are not even
    read), and a message to call the office. An inactive volunteer has no cards at all.
    """
    if not volunteer.active:
        return []
    month = month_start(timezone.localdate())
    assignments = list(
        volunteer.assignments.active()
        .annotate(shared=ExpressionWrapper(sharing_stands("child_id"), output_field=BooleanField()))
        .select_related("child__school")
        .prefetch_related(
            Prefetch("checkins", MonthlyCheckin.objects.filter(month=month), to_attr="this_month"),
        )
        .order_by("child__name")
    )
    shared = [a.child for a in assignments if a.shared]
    prefetch_related_objects(
        shared,
        Prefetch("guardians", Guardian.objects.order_by("id")),
        Prefetch("parents_away", ParentAway.objects.order_by("relation")),
    )
    return [
        ChildCard(
            assignment=a,
            child=a.child,
            checkin=a.this_month[0] if a.this_month else None,
            guardians=list(a.child.guardians.all()) if a.shared else [],
            parents=list(a.child.parents_away.all()) if a.shared else [],
            shared=a.shared,
        )
        for a in assignments
    ]


def checkin_this_month(assignment: Assignment, today: datetime.date | None = None):
    """This month's check-in of ``assignment`` as stored, or an unsaved one to show (reads only:
    the row comes into being through ``care.open_checkin``, never on a page's GET)."""
    month = month_start(today or timezone.localdate())
    stored = (
        MonthlyCheckin.objects.filter(assignment=assignment, month=month)
        .select_related("concern_record")
        .first()
    )
    return stored or MonthlyCheckin(
        assignment=assignment, month=month, county_id=assignment.county_id
    )


def withheld_assignments() -> QuerySet:
    """Active assignments (active volunteer, child on the register) whose volunteer cannot open
    the child's file because the guardian's consent to share does not stand and no override
    applies: the officials' dashboard lists them, to end, override or ask the guardian again."""
    # Only a child with at least one record that does not share can be withheld: that
    # semi-join (a few rows) comes first, so the latest-record test runs on those children only
    # and not on every active assignment of a city.
    not_sharing = ConsentRecord.objects.filter(child=OuterRef("child_id")).exclude(
        ConsentRecord.shares_with_volunteers_sql()
    )
    return (
        Assignment.objects.filter(Exists(not_sharing))
        .in_force()
        .exclude(sharing_stands("child_id"))
        .select_related("child", "volunteer")
        .order_by("child__name", "id")
    )
