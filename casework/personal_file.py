"""What casework adds to the register, registered from ``CaseworkConfig.ready()``: the
concerns on the personal file (a card, a button, the timeline, the change history), the
children's "needs attention" list, and the closing of open concerns when a file leaves the
active register (``registry.closure``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import selectors
from casework.models import Concern
from casework.services import concerns as concern_services
from registry import access, closure, file_sections, filters, history, timeline
from registry.timeline import TimelineEvent


def concerns_on_timeline(child, limit: int) -> list[TimelineEvent]:
    """One event per concern, on the day it was raised. The timeline is read by everyone who
    sees the file (volunteers too): kind, source, severity and where it stands, never what was
    seen nor the office's notes; those are on the concern's page, for staff."""
    rows = Concern.objects.filter(child=child).order_by("-raised_at", "-pk")[:limit]
    events = []
    for concern in rows:
        if concern.closed_at:
            state = _("closed: %(outcome)s") % {"outcome": concern.get_outcome_display()}
        elif concern.triaged_at:
            state = _("looked at by the office")
        else:
            state = _("waiting for the office")
        events.append(
            TimelineEvent(
                date=timezone.localdate(concern.raised_at),
                kind="concern",
                title=_("Protection concern: %(kind)s") % {"kind": concern.get_kind_display()},
                detail=" · ".join(
                    (concern.get_source_display(), concern.get_severity_display(), state)
                ),
                url=concern.get_absolute_url(),
                order=concern.raised_at.timestamp(),
            )
        )
    return events


def card_context(request, child) -> dict | None:
    if not access.can_edit_children(request.user):
        return None  # volunteers and viewers: the timeline says a concern was raised, no more
    return {"child": child, "concerns": selectors.child_concerns(child)}


CARD = file_sections.Section(
    key="casework-concerns", template="casework/_file_concerns.html", context=card_context, order=5
)

ACTION = file_sections.Action(
    key="casework-concern",
    label=gettext_lazy("Raise a protection concern"),
    url_name="casework:concern_add",
    icon="exclamation-triangle",
    allowed=lambda user, child: access.can_edit_children(user),
    order=15,
)


def with_open_concern(children):
    return children.filter(
        Exists(Concern.objects.filter(child=OuterRef("pk"), closed_at__isnull=True))
    )


def register() -> None:
    history.register(Concern)
    timeline.register(concerns_on_timeline)
    file_sections.register_section(CARD)
    file_sections.register_action(ACTION)
    filters.register_attention(
        filters.Attention("concern", gettext_lazy("An open protection concern"), with_open_concern)
    )
    closure.register("casework-concerns", close=concern_services.close_for_child)
