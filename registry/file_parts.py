"""The register's own additions to the personal file, through its extension points: for
officials, who has looked at this file (from the audit log) and the file's change history."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from lbc_office.core.models import AuditEvent
from registry import file_sections, history

VIEWERS_SHOWN = 15


def register() -> None:
    from registry.models import Guardian, HealthCheck, ParentAway

    for model in (ParentAway, Guardian, HealthCheck):
        history.register(model)
    file_sections.register_section(
        file_sections.Section(
            key="registry.viewed_by",
            template="registry/_viewed_by_section.html",
            context=viewed_by_section,
            order=900,
        )
    )
    file_sections.register_action(
        file_sections.Action(
            key="registry.history",
            label=gettext_lazy("Changes"),
            url_name="registry:child_history",
            icon="clock-history",
            allowed=lambda user, child: user.is_official,
            order=900,
        )
    )


def viewed_by_section(request, child) -> dict:
    """Officials see who opened the file last (one query); for everyone else, no card."""
    if not request.user.is_official:
        return None
    events = list(
        AuditEvent.objects.filter(child_id=child.pk, action=AuditEvent.Action.VIEW)
        .select_related("user")
        .order_by("-at", "-id")[:VIEWERS_SHOWN]
    )
    return {"events": events, "child": child}
