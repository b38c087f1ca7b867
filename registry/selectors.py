"""Reads that span several models, each owning its select_related/prefetch_related so that a
page costs the same number of queries however much data there is."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from lbc_office.core import audit
from registry import access, timeline
from registry.models import (
    Child,
    ChildStatus,
    HealthCheck,
    ParentAway,
    SchoolTransfer,
    StatusChange,
)


def children_for_list(user) -> QuerySet:
    """The children lists and searches: a file merged into another is listed no more."""
    return (
        Child.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .select_related("school", "village__town")
    )


@dataclass
class PersonalFile:
    child: Child
    parents_away: list = field(default_factory=list)
    guardians: list = field(default_factory=list)
    health_checks: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    transfers: list = field(default_factory=list)
    timeline: timeline.TimelinePage | None = None

    @property
    def restorable(self):
        """The change that last closed the file, if the file is active again and what the
        closing ended has not been restored (officials get a button)."""
        if self.child.status != ChildStatus.ACTIVE:
            return None
        closing = next((s for s in self.status_changes if s.closed_the_file), None)
        return closing if closing and closing.ended and closing.restored_at is None else None

    @property
    def parent_slots(self):
        """(relation, is away, label) for father and mother, in that order."""
        return [
            (ParentAway.Relation.FATHER, self.child.father_away, ParentAway.Relation.FATHER.label),
            (ParentAway.Relation.MOTHER, self.child.mother_away, ParentAway.Relation.MOTHER.label),
        ]


def personal_file_queryset() -> QuerySet:
    """Children with everything their file shows, fetched in a fixed number of queries."""
    return Child.objects.select_related(
        "school__town", "village__town", "county", "created_by", "updated_by"
    ).prefetch_related(
        "parents_away",
        "guardians",
        Prefetch("health_checks", HealthCheck.objects.select_related("created_by")),
        Prefetch(
            "status_changes",
            StatusChange.objects.select_related("created_by", "restored_by").order_by(
                "-date", "-created_at", "-id"
            ),
        ),
        Prefetch(
            "transfers",
            SchoolTransfer.objects.select_related("from_school", "to_school", "created_by"),
        ),
    )


def personal_file(child: Child, *, timeline_page: int = 1) -> PersonalFile:
    """Assemble the file of a child fetched through ``personal_file_queryset``."""
    return PersonalFile(
        child=child,
        parents_away=list(child.parents_away.all()),
        guardians=list(child.guardians.all()),
        health_checks=list(child.health_checks.all()),
        status_changes=list(child.status_changes.all()),
        transfers=list(child.transfers.all()),
        timeline=timeline.page(child, timeline_page),
    )


# --- Fetch and authorise: the only way a view reaches a child -------------------------------


def get_child_for_user(request, pk, *, edit: bool = False, queryset=None) -> Child:
    """The child if ``request.user`` may see it, else 404; ``edit`` also needs an editing role.

    ``queryset`` may add select/prefetch for the page; the scope is always applied on top.
    """
    queryset = queryset if queryset is not None else Child.objects.select_related("school")
    child = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    if edit and not access.can_edit_children(request.user):
        raise PermissionDenied
    audit.shown(request, child)  # the page shows the child: one VIEW event if it is served
    return child
