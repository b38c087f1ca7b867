"""Reads that span several models, each owning its select_related/prefetch_related so that a
page costs the same number of queries however much data there is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Child, HealthCheck, ParentAway, StatusChange

TIMELINE_LIMIT = 50


def children_for_list(user) -> QuerySet:
    return Child.objects.visible_to(user).select_related("school", "village__town")


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date
    kind: str  # a short code for the template's icon
    title: str
    detail: str = ""
    by: str = ""


@dataclass
class PersonalFile:
    child: Child
    parents_away: list = field(default_factory=list)
    guardians: list = field(default_factory=list)
    health_checks: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)

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
        Prefetch("status_changes", StatusChange.objects.select_related("created_by")),
    )


def personal_file(child: Child) -> PersonalFile:
    """Assemble the file of a child fetched through ``personal_file_queryset``."""
    pf = PersonalFile(
        child=child,
        parents_away=list(child.parents_away.all()),
        guardians=list(child.guardians.all()),
        health_checks=list(child.health_checks.all()),
        status_changes=list(child.status_changes.all()),
    )
    pf.timeline = _timeline(pf)
    return pf


def _timeline(pf: PersonalFile) -> list[TimelineEvent]:
    """The child's story, newest first. Later capabilities (visits, calls, check-ins) add
    their events here."""
    events = [
        TimelineEvent(
            date=hc.date,
            kind="health",
            title=str(_("Health check")),
            detail=f"{hc.height_cm} cm · {hc.weight_kg} kg",
            by=str(hc.created_by or ""),
        )
        for hc in pf.health_checks
    ]
    events += [
        TimelineEvent(
            date=sc.date,
            kind="status",
            title=f"{sc.get_from_status_display()} → {sc.get_to_status_display()}",
            detail=sc.reason,
            by=str(sc.created_by or ""),
        )
        for sc in pf.status_changes
    ]
    created = timezone.localdate(pf.child.created_at) if pf.child.created_at else None
    if created:
        events.append(
            TimelineEvent(
                date=created,
                kind="created",
                title=str(_("Personal file opened")),
                by=str(pf.child.created_by or ""),
            )
        )
    events.sort(key=lambda e: e.date, reverse=True)
    return events[:TIMELINE_LIMIT]
