"""Reads of concerns, each owning its joins (the pages' query counts are pinned)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casework.models import Concern
from lbc_office.core import audit
from registry import access


def concerns_for(user) -> QuerySet:
    """The concerns ``user`` may read: officials all, teachers their schools' children.
    Volunteers are told their worry was received on their own check-in page, never the
    office's notes; report viewers and partners read none."""
    if not access.can_edit_children(user):
        return Concern.objects.none()
    return Concern.objects.visible_to(user)


def concern_list(user) -> QuerySet:
    return concerns_for(user).select_related(
        "child__school", "child__village__town", "raised_by", "triaged_by"
    )


def get_concern_for_user(request, pk) -> Concern:
    """The concern if ``request.user`` may read it, else 404 (never 403 with a hint)."""
    queryset = concerns_for(request.user).select_related(
        "child__school", "child__village__town", "raised_by", "triaged_by", "closed_by"
    )
    concern = get_object_or_404(queryset, pk=pk)
    audit.shown(request, concern.child_id)
    return concern


def concern_history(concern: Concern, limit: int = 50) -> list:
    """Its versions, newest first, with who made each (one query)."""
    return list(concern.history.select_related("history_user").order_by("-history_date")[:limit])


def child_concerns(child, limit: int = 20) -> list[Concern]:
    """The concerns of one child for the file's card (one query)."""
    return list(
        Concern.objects.filter(child=child)
        .select_related("raised_by")
        .order_by("closed_at", "-raised_at")[:limit]
    )
