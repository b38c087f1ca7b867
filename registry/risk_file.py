"""The risk level on the personal file: a card with its history and the button that sets it
(officials and the child's teachers), and an event on the timeline per change. Registered from
``RegistryConfig.ready()`` through the register's own extension points."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access, file_sections, timeline
from registry.models import RiskChange, RiskLevel
from registry.timeline import TimelineEvent

HISTORY_SHOWN = 5


def risk_changes(child, limit: int) -> list[TimelineEvent]:
    rows = RiskChange.objects.filter(child=child).select_related("set_by")[:limit]
    return [
        TimelineEvent(
            date=timezone.localdate(change.set_at),
            kind="risk",
            title=_("Risk level: %(from)s → %(to)s")
            % {"from": change.get_from_level_display(), "to": change.get_to_level_display()},
            # The reason stays on the risk card, for staff: the timeline is every reader's,
            # volunteers' included, and a reason may name what happens at home.
            by=str(change.set_by),
            order=change.set_at.timestamp(),
        )
        for change in rows
    ]


def _may_set_here(user, child) -> bool:
    """On the file (already fetched within the user's scope): the roles that keep files."""
    return child.status == "active" and access.can_edit_children(user)


def risk_section(request, child) -> dict:
    """The level and its newest changes (one query); every reader of the file sees it."""
    changes = list(
        RiskChange.objects.filter(child=child).select_related("set_by")[: HISTORY_SHOWN + 1]
    )
    return {
        "child": child,
        "changes": changes[:HISTORY_SHOWN],
        "more": len(changes) > HISTORY_SHOWN,
        "can_set": _may_set_here(request.user, child),
        # why the level was set: the staff who keep files (not a volunteer reading it)
        "show_reasons": access.can_edit_children(request.user),
    }


def register() -> None:
    timeline.register(risk_changes)
    file_sections.register_section(
        file_sections.Section(
            key="registry.risk",
            template="registry/_risk_card.html",
            context=risk_section,
            order=5,
        )  # fmt: skip
    )


BADGE = {
    RiskLevel.LOW: "text-bg-info",
    RiskLevel.MEDIUM: "text-bg-warning",
    RiskLevel.HIGH: "text-bg-danger",
    RiskLevel.URGENT: "text-bg-dark border border-danger",
}
