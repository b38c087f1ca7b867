"""The personal file's timeline: one chronological list fed by every app that records events.

An app registers a *source* — a function ``(child, limit) -> list[TimelineEvent]`` returning the
child's newest ``limit`` events in one query — from its ``AppConfig.ready()``. The registry knows
nothing of the apps that feed it (imports run towards registry, never away from it).

A page of the timeline costs one query per source, however long the child's history: each source
is asked for at most ``page * per_page + 1`` events, and the merge happens in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

PER_PAGE = 20


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date
    kind: str  # a short code: the template picks its colour and icon
    title: str
    detail: str = ""
    by: str = ""
    url: str = ""
    # Among events of one day, the later one first (a timestamp or an id will do).
    order: float = 0


Source = Callable[[object, int], list[TimelineEvent]]
_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add a source (usable as a decorator); registering twice is harmless."""
    if source not in _sources:
        _sources.append(source)
    return source


@dataclass(frozen=True)
class TimelinePage:
    events: list[TimelineEvent]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page(child, number: int = 1, per_page: int = PER_PAGE) -> TimelinePage:
    number = max(1, number)
    limit = number * per_page + 1
    events: list[TimelineEvent] = []
    for source in _sources:
        events.extend(source(child, limit))
    events.sort(key=lambda e: (e.date, e.order), reverse=True)
    start = (number - 1) * per_page
    return TimelinePage(
        events=events[start : start + per_page],
        number=number,
        has_next=len(events) > start + per_page,
    )


# --- The register's own events ---------------------------------------------------------------


def _author(user) -> str:
    return str(user) if user else ""


def _newest(child, name: str, limit: int, fetch):
    """The child's newest ``limit`` rows of ``name`` by (date, id): from those the file page
    already fetched with the child (``selectors.personal_file_queryset`` prefetches every
    one), else from ``fetch()`` (a queryset in that order)."""
    rows = getattr(child, "_prefetched_objects_cache", {}).get(name)
    if rows is None:
        return list(fetch()[:limit])
    return sorted(rows, key=lambda row: (row.date, row.pk), reverse=True)[:limit]


@register
def health_checks(child, limit: int) -> list[TimelineEvent]:
    from registry.models import HealthCheck

    rows = _newest(
        child,
        "health_checks",
        limit,
        lambda: HealthCheck.objects.filter(child=child).select_related("created_by"),
    )
    return [
        TimelineEvent(
            date=hc.date,
            kind="health",
            title=_("Health check"),
            detail=f"{hc.height_cm} cm · {hc.weight_kg} kg"
            + (f" · {hc.notes}" if hc.notes else ""),
            by=_author(hc.created_by),
            order=hc.pk,
        )
        for hc in rows
    ]


@register
def status_changes(child, limit: int) -> list[TimelineEvent]:
    from registry.models import StatusChange

    rows = _newest(
        child,
        "status_changes",
        limit,
        lambda: (
            StatusChange.objects.filter(child=child)
            .select_related("created_by", "restored_by")
            .order_by("-date", "-id")
        ),
    )
    events = []
    for sc in rows:
        events.append(
            TimelineEvent(
                date=sc.date,
                kind="status",
                title=f"{sc.get_from_status_display()} → {sc.get_to_status_display()}",
                detail="\n".join(filter(None, [sc.reason, sc.ended_summary])),
                by=_author(sc.created_by),
                order=sc.pk,
            )
        )
        if sc.restored_at:  # an official gave back what this closing ended
            restored = " · ".join(e.get("label", "") for e in sc.restored)
            events.append(
                TimelineEvent(
                    date=timezone.localdate(sc.restored_at),
                    kind="status",
                    title=_("Restored what closing the file ended"),
                    detail=restored or _("Nothing could be restored."),
                    by=_author(sc.restored_by),
                    order=sc.restored_at.timestamp(),
                )
            )
    return events


@register
def transfers(child, limit: int) -> list[TimelineEvent]:
    from registry.models import SchoolTransfer

    rows = _newest(
        child,
        "transfers",
        limit,
        lambda: (
            SchoolTransfer.objects.filter(child=child)
            .select_related("from_school", "to_school", "created_by")
            .order_by("-date", "-id")
        ),
    )
    return [
        TimelineEvent(
            date=t.date,
            kind="status",
            title=_("Transfer %(kind)s: %(route)s")
            % {"kind": t.get_kind_display(), "route": str(t)},
            detail=t.reason,
            by=_author(t.created_by),
            order=t.pk,
        )
        for t in rows
    ]


@register
def file_opened(child, limit: int) -> list[TimelineEvent]:
    # The child row is already loaded: no query.
    return [
        TimelineEvent(
            date=timezone.localdate(child.created_at),
            kind="created",
            title=_("Personal file opened"),
            by=_author(child.created_by),
            order=-1,
        )
    ]
