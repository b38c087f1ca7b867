"""What the volunteers app adds to a child's personal file: the carers card, the "assign a
carer" button, and assignments and check-ins on the timeline."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import file_sections, history, timeline
from volunteers.models import Assignment, MonthlyCheckin


def register() -> None:
    file_sections.register_action(
        file_sections.Action(
            key="volunteers.assign",
            label=gettext_lazy("Assign a carer"),
            url_name="volunteers:assign_for_child",
            icon="person-heart",
            allowed=lambda user, child: user.is_official and child.status == "active",
            order=50,
        )
    )
    file_sections.register_section(
        file_sections.Section(
            key="volunteers.carers",
            template="volunteers/_carers_section.html",
            context=carers_section,
            order=10,
        )
    )
    timeline.register(assignment_events)
    history.register(Assignment)  # the file's change history shows assignments' versions
    timeline.register(checkin_events)


def carers_section(request, child) -> dict:
    """Active carers and the number of past ones: one query."""
    assignments = list(
        Assignment.objects.filter(child=child)
        .select_related("volunteer__organisation")
        .order_by("ended_on", "-started_on")[:20]
    )
    return {
        "active": [a for a in assignments if a.active],
        "ended": [a for a in assignments if not a.active],
        "can_manage": request.user.is_official,
        "show_phone": request.user.is_official or request.user.is_teacher,
    }


def assignment_events(child, limit: int) -> list[timeline.TimelineEvent]:
    events = []
    rows = (
        Assignment.objects.filter(child=child).select_related("volunteer").order_by("-id")[:limit]
    )
    for a in rows:
        events.append(
            timeline.TimelineEvent(
                date=a.started_on,
                kind="carer",
                title=_("%(role)s: %(volunteer)s")
                % {"role": a.get_role_display(), "volunteer": a.volunteer.name},
                order=a.pk,
            )
        )
        if a.ended_on:
            events.append(
                timeline.TimelineEvent(
                    date=a.ended_on,
                    kind="carer",
                    title=_("%(role)s %(volunteer)s stopped")
                    % {"role": a.get_role_display(), "volunteer": a.volunteer.name},
                    detail=a.end_reason,
                    order=a.pk + 0.5,
                )
            )
    return events


def checkin_events(child, limit: int) -> list[timeline.TimelineEvent]:
    rows = (
        MonthlyCheckin.objects.filter(assignment__child=child)
        .exclude(status=MonthlyCheckin.Status.OPEN)
        .select_related("assignment__volunteer")
        .prefetch_related("roles_done")
        .order_by("-month", "-id")[:limit]
    )
    events = []
    for c in rows:
        who = c.assignment.volunteer.name
        if c.status == MonthlyCheckin.Status.MISSED:
            title = _("Check-in of %(month)s missed (%(volunteer)s)") % {
                "month": f"{c.month:%Y-%m}",
                "volunteer": who,
            }
            day = c.month
        elif c.status == MonthlyCheckin.Status.CANCELLED:
            title = _("Check-in of %(month)s cancelled: the file left the register") % {
                "month": f"{c.month:%Y-%m}"
            }
            day = c.month
        else:
            title = _("Check-in of %(month)s by %(volunteer)s") % {
                "month": f"{c.month:%Y-%m}",
                "volunteer": who,
            }
            day = timezone.localdate(c.submitted_at)
        parts = [r.label for r in c.roles_done.all()]
        if c.contact:
            parts.append(c.get_contact_display())
        if c.concern:
            parts.append(_("worried about the child"))
        if c.notes:
            parts.append(c.notes)
        events.append(
            timeline.TimelineEvent(
                date=day,
                kind="missed" if c.status == "missed" else "checkin",
                title=title,
                detail=" · ".join(str(p) for p in parts),
                order=c.pk,
            )  # fmt: skip
        )
    return events
