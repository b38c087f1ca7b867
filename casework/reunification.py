"""Reunification checks: a child whose file closes as "reunited" is checked on one and three
months later by the teachers of their school (``ReunificationCheck``).

Scheduled by a closer (``registry.closure``, registered from ``CaseworkConfig.ready()``) in the
transaction of the status change; recorded by a teacher of the school or an official; listed on
the teachers' home screen; reminded once when due (the roof's scan, ``lbc_office/upkeep``, which
alone may reach the notification channels). The model is casework's: a check is something the
office does about a child, like a concern or a plan action, and it gathers with them in the
users' task lists; the register only knows that the file closed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.models import ReunificationCheck
from casework.models.reunification import CHECK_AFTER_MONTHS, add_months
from lbc_office.core import audit
from lbc_office.core.models import Role
from registry import closure, timeline
from registry.models import ChildStatus


def schedule(*, child, change, by) -> list[closure.Ended]:
    """The closer: for a change to "reunited", one check per delay (once per change)."""
    if change.to_status != ChildStatus.REUNITED:
        return []
    made = 0
    for months in CHECK_AFTER_MONTHS:
        _check, created = ReunificationCheck.objects.get_or_create(
            status_change=change,
            after_months=months,
            defaults={
                "child": child, "county_id": child.county_id,
                "due_on": add_months(change.date, months),
            },
        )  # fmt: skip
        made += created
    if made:
        audit.record(
            audit.Action.CREATE, user=by, object_type="casework.reunificationcheck",
            object_id=change.pk, child_id=child.pk, detail=f"{made} scheduled",
        )  # fmt: skip
    label = ngettext(
        "%(count)d reunification check scheduled for the school's teachers",
        "%(count)d reunification checks scheduled for the school's teachers",
        made,
    )
    return [closure.Ended("casework.reunification", label % {"count": made}, made)]


def for_user(user):
    """The checks ``user`` may see and record: teachers of the child's school, officials."""
    if not (user.is_authenticated and user.role in (Role.OFFICIAL, Role.TEACHER)):
        return ReunificationCheck.objects.none()
    return ReunificationCheck.objects.visible_to(user)


def pending_for(user, *, today=None):
    """Checks to make, in ``user``'s scope, the soonest due first."""
    return for_user(user).pending().select_related("child__school").order_by("due_on", "pk")


@transaction.atomic
def record_check(*, check: ReunificationCheck, by, note: str) -> ReunificationCheck:
    """A teacher of the child's school (or an official) records how the reunited child is."""
    if not for_user(by).filter(pk=check.pk).exists():
        raise PermissionDenied("not a teacher of this child's school, nor an official")
    check = ReunificationCheck.objects.select_for_update().get(pk=check.pk)
    if check.done_at is not None:
        raise ValidationError(_("This check has already been recorded."))
    check.note = (note or "").strip()
    check.done_at = timezone.now()
    check.done_by = by
    check.full_clean()
    check.save(update_fields=["note", "done_at", "done_by"])
    audit.record(audit.Action.CHANGE, user=by, obj=check, child_id=check.child_id, detail="done")
    return check


def check_events(child, limit: int) -> list[timeline.TimelineEvent]:
    rows = ReunificationCheck.objects.filter(child=child).select_related("done_by")
    events = []
    for c in rows.order_by("-due_on", "-id")[:limit]:
        if c.done_at:
            title = _("Reunification check (%(months)d months) done") % {"months": c.after_months}
            day, detail = timezone.localdate(c.done_at), c.note
        else:
            title = _("Reunification check (%(months)d months) due") % {"months": c.after_months}
            day, detail = c.due_on, ""
        events.append(
            timeline.TimelineEvent(
                date=day,
                kind="status",
                title=title,
                detail=detail,
                by=str(c.done_by or ""),
                order=c.pk,
            )  # fmt: skip
        )
    return events


def register() -> None:
    closure.register("casework.reunification", close=schedule)
    timeline.register(check_events)
