"""What the volunteers app ends when a child's file leaves the active register, and restores
when an official reopens it (``registry.closure``, registered from ``VolunteersConfig.ready()``).

- Carers: every active assignment ends on the day of the status change (not before it began),
  with the change's status and reason, and remembers the change (``Assignment.closing``).
- Check-ins: those still to do are cancelled, and so are those marked missed for a month after
  the one the child left in (a change recorded late): a cancelled check-in is never missed.
- Restoring: each carer the closing ended is assigned again from today, as a new assignment
  (the gap stays visible in the history), if the rules still allow it (volunteer active, vetted,
  with room); the others are named. Cancelled check-ins stay cancelled; the monthly cycle opens
  this month's for the new assignments.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from lbc_office.core import audit
from registry import closure
from volunteers.models import Assignment, MonthlyCheckin, month_start
from volunteers.services import care


def close(*, child, change, by) -> list[closure.Ended]:
    reason = f"{change.get_to_status_display()}: {change.reason}"
    ended = 0
    for assignment in Assignment.objects.filter(child=child, ended_on__isnull=True).order_by("pk"):
        care.end_assignment(
            assignment=assignment, by=by, reason=reason,
            ended_on=max(assignment.started_on, change.date), closing=change,
        )  # fmt: skip
        ended += 1
    status = MonthlyCheckin.Status
    cancelled = (
        MonthlyCheckin.objects.filter(assignment__child=child)
        .filter(Q(status=status.OPEN) | Q(status=status.MISSED, month__gt=month_start(change.date)))
        .update(status=status.CANCELLED, updated_at=timezone.now())
    )
    if cancelled:
        audit.record(
            audit.Action.CHANGE, user=by, object_type="volunteers.monthlycheckin",
            object_id=change.pk, child_id=child.pk, detail=f"{cancelled} cancelled on closing",
        )  # fmt: skip
    return [
        closure.Ended(
            "volunteers.carers",
            ngettext("%(count)d carer assignment ended", "%(count)d carer assignments ended", ended)
            % {"count": ended},
            ended,
        ),  # fmt: skip
        closure.Ended(
            "volunteers.checkins",
            ngettext("%(count)d check-in cancelled", "%(count)d check-ins cancelled", cancelled)
            % {"count": cancelled},
            cancelled,
        ),
    ]


def restore(*, child, change, by) -> list[closure.Ended]:
    restarted, refused = 0, []
    today = timezone.localdate()
    for old in Assignment.objects.filter(closing=change).select_related("volunteer"):
        try:
            with transaction.atomic():  # a savepoint: one refusal keeps the others
                care.assign_volunteer(
                    child=child, volunteer=old.volunteer, role=old.role, by=by, started_on=today
                )
        except ValidationError:
            refused.append(old.volunteer.name)
        else:
            restarted += 1
    return [
        closure.Ended(
            "volunteers.carers",
            ngettext("%(count)d carer assigned again", "%(count)d carers assigned again", restarted)
            % {"count": restarted},
            restarted,
        ),  # fmt: skip
        closure.Ended(
            "volunteers.carers_refused",
            ngettext(
                "%(count)d carer could not be assigned again (%(names)s): assign a carer",
                "%(count)d carers could not be assigned again (%(names)s): assign carers",
                len(refused),
            )
            % {"count": len(refused), "names": "、".join(refused)},
            len(refused),
        ),
    ]


def register() -> None:
    closure.register("volunteers", close=close, restore=restore)
