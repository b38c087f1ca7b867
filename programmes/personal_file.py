"""What the programmes app adds to the personal file: timeline sources, buttons and a card.

Registered from ``ProgrammesConfig.ready()``. Each timeline source costs one query whatever the
length of the child's history; the card costs two.
"""

from __future__ import annotations

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import selectors
from programmes.models import Enrolment, FamilyCall, Handover, HomeVisit, ParentVisit
from registry import access, file_sections, history, timeline
from registry.timeline import TimelineEvent


def _author(user) -> str:
    return str(user) if user else ""


def _short(text: str, length: int = 60) -> str:
    return Truncator(" ".join(text.split())).chars(length)


# --- Timeline sources --------------------------------------------------------------------------


def home_visits(child, limit: int) -> list[TimelineEvent]:
    rows = HomeVisit.objects.filter(child=child).select_related("visitor")[:limit]
    events = []
    for visit in rows:
        lines = [
            _("%(label)s: %(text)s") % {"label": label, "text": _short(text)}
            for label, text in visit.recommendations
        ]
        if visit.follow_up_needed:
            lines.append(_("Follow up by %(date)s") % {"date": f"{visit.follow_up_by:%Y-%m-%d}"})
        events.append(
            TimelineEvent(
                date=visit.date,
                kind="visit",
                title=_("Home visit (met: %(who)s)") % {"who": visit.get_met_display()},
                detail="\n".join(lines),
                by=_author(visit.visitor),
                url=visit.get_absolute_url(),
                order=visit.pk,
            )
        )
    return events


def family_calls(child, limit: int) -> list[TimelineEvent]:
    rows = FamilyCall.objects.filter(child=child).select_related("room", "created_by")[:limit]
    return [
        TimelineEvent(
            date=timezone.localdate(call.at),
            kind="call",
            title=_("Call with %(whom)s, %(minutes)d min")
            % {"whom": call.get_with_whom_display(), "minutes": call.minutes},
            detail=" · ".join(
                part
                for part in (f"{timezone.localtime(call.at):%H:%M}", str(call.room), call.notes)
                if part
            ),
            by=_author(call.created_by),
            url=reverse("programmes:call_edit", args=[call.pk]),  # to correct it
            order=call.at.timestamp(),
        )
        for call in rows
    ]


def parent_visits(child, limit: int) -> list[TimelineEvent]:
    rows = ParentVisit.objects.filter(child=child).select_related("created_by")[:limit]
    events = []
    for visit in rows:
        if visit.left_on:
            period = _("home until %(date)s") % {"date": f"{visit.left_on:%Y-%m-%d}"}
        else:
            period = _("still at home")
        events.append(
            TimelineEvent(
                date=visit.arrived_on,
                kind="parent",
                title=_("%(parent)s came home") % {"parent": visit.get_parent_display()},
                detail=" · ".join(part for part in (period, visit.notes) if part),
                by=_author(visit.created_by),
                url=reverse("programmes:parent_visit_edit", args=[visit.pk]),  # to add the end
                order=visit.pk,
            )
        )
    return events


def enrolments(child, limit: int) -> list[TimelineEvent]:
    """A start and (once it ends) an end event per enrolment. Ordered by each row's newest event
    so that the ``limit`` rows fetched hold the ``limit`` newest events."""
    rows = (
        Enrolment.objects.filter(child=child)
        .select_related("programme", "created_by", "updated_by")
        .order_by(Coalesce("ends_on", "starts_on").desc(), "-pk")[:limit]
    )
    events = []
    for enrolment in rows:
        programme = enrolment.programme
        events.append(
            TimelineEvent(
                date=enrolment.starts_on,
                kind="enrolment",
                title=_("Enrolled in %(programme)s") % {"programme": programme.name},
                detail=" · ".join(p for p in (programme.get_kind_display(), enrolment.notes) if p),
                by=_author(enrolment.created_by),
                order=enrolment.pk,
            )
        )
        if enrolment.ends_on:
            events.append(
                TimelineEvent(
                    date=enrolment.ends_on,
                    kind="enrolment",
                    title=_("Left %(programme)s") % {"programme": programme.name},
                    by=_author(enrolment.updated_by),
                    order=enrolment.pk + 0.5,
                )
            )
    return events


def donations_received(child, limit: int) -> list[TimelineEvent]:
    rows = Handover.objects.filter(child=child).select_related("donation", "created_by")[:limit]
    return [
        TimelineEvent(
            date=handover.handed_over_on,
            kind="donation",
            title=_("Received %(kind)s from %(donor)s (%(value)s yuan)")
            % {
                "kind": handover.donation.get_kind_display(),
                "donor": handover.donation.donor,
                "value": f"{handover.value:,.2f}",
            },
            detail=" · ".join(
                part
                for part in (
                    handover.items,
                    _("receipt confirmed by %(name)s") % {"name": handover.confirmed_by},
                )
                if part
            ),
            by=_author(handover.created_by),
            order=handover.pk,
        )
        for handover in rows
    ]


SOURCES = [home_visits, family_calls, parent_visits, enrolments, donations_received]


# --- Buttons and the card ----------------------------------------------------------------------


def _records_contact(user, child) -> bool:
    """Teachers (of the child's school: the file is already scoped) and officials."""
    return access.can_edit_children(user)


def _is_official(user, child) -> bool:
    return bool(getattr(user, "is_official", False))


ACTIONS = [
    file_sections.Action(
        key="programmes-visit",
        label=gettext_lazy("Record a home visit"),
        url_name="programmes:visit_add",
        icon="house-heart",
        allowed=_records_contact,
        order=10,
    ),
    file_sections.Action(
        key="programmes-call",
        label=gettext_lazy("Record a call"),
        url_name="programmes:call_add",
        icon="telephone",
        allowed=_records_contact,
        order=20,
    ),
    file_sections.Action(
        key="programmes-parent-visit",
        label=gettext_lazy("A parent came home"),
        url_name="programmes:parent_visit_add",
        icon="door-open",
        allowed=_records_contact,
        order=30,
    ),
    file_sections.Action(
        key="programmes-enrol",
        label=gettext_lazy("Enrol in a programme"),
        url_name="programmes:enrol_child",
        icon="clipboard-check",
        allowed=_is_official,
        order=40,
    ),
]


def card_context(request, child) -> dict:
    today = timezone.localdate()
    summary = selectors.child_summary(child, today=today)
    follow_up = summary["follow_up_by"]
    return {
        "child": child,
        "summary": summary,
        "follow_up_overdue": follow_up is not None and follow_up <= today,
        "gap_warning": summary["days_since_contact"] is None
        or summary["days_since_contact"] >= selectors.GAP_DAYS[0],
        "enrolments": list(selectors.current_enrolments(child)),
    }


CARD = file_sections.Section(
    key="programmes-care", template="programmes/_file_card.html", context=card_context, order=10
)


def register() -> None:
    from programmes.models import Attendance

    for model in (HomeVisit, FamilyCall, ParentVisit, Enrolment, Handover, Attendance):
        history.register(model)  # the file's change history shows their versions too
    for source in SOURCES:
        timeline.register(source)
    for action in ACTIONS:
        file_sections.register_action(action)
    file_sections.register_section(CARD)
