"""Reads of the volunteers app, each with its joins fixed (no queries in loops)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from registry.filters import search
from registry.models import Child, Guardian, ParentAway
from volunteers.models import Assignment, CarerRole, MonthlyCheckin, Volunteer, month_start

CANDIDATES = 20


def _active_assignment(role: str):
    return Assignment.objects.filter(child=OuterRef("pk"), role=role, ended_on__isnull=True)


def children_without(role: str) -> QuerySet:
    """Active children with no active carer of ``role``."""
    return Child.objects.active().filter(~Exists(_active_assignment(role)))


def carer_coverage() -> dict[str, dict[str, int]]:
    """For each role: active children with and without such a carer, in one query."""
    active = Assignment.objects.filter(child=OuterRef("pk"), ended_on__isnull=True)
    annotations = {f"has_{r.value}": Exists(active.filter(role=r.value)) for r in CarerRole}
    counts = (
        Child.objects.active()
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
        lacking |= ~Exists(_active_assignment(role))
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


def my_children(volunteer: Volunteer) -> list[ChildCard]:
    """The volunteer's screen: each child, who to call, and this month's check-in."""
    month = month_start(timezone.localdate())
    assignments = (
        volunteer.assignments.filter(ended_on__isnull=True)
        .select_related("child__school")
        .prefetch_related(
            Prefetch("child__guardians", Guardian.objects.order_by("id")),
            Prefetch("child__parents_away", ParentAway.objects.order_by("relation")),
            Prefetch("checkins", MonthlyCheckin.objects.filter(month=month), to_attr="this_month"),
        )
        .order_by("child__name")
    )
    return [
        ChildCard(
            assignment=a,
            child=a.child,
            checkin=a.this_month[0] if a.this_month else None,
            guardians=list(a.child.guardians.all()),
            parents=list(a.child.parents_away.all()),
        )
        for a in assignments
    ]
