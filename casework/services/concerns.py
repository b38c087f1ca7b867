"""Protection concerns: raised (from a check-in, a home visit, the family room, the file), looked
at by the office (triage), acted on, closed with an outcome, reopened if need be; escalated once
when nobody looked at them in time.

Every write here is keyword-only, in one transaction, validated with ``full_clean`` and audited.
A repeated call does its work once: raising the same concern again within ``REPEAT_WINDOW``
returns the first record; triage and closing take the row's lock and refuse a second time,
saying by whom and when it was done.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.deadlines import triage_due
from casework.models import Concern, ConcernKind, ConcernSource, Severity
from lbc_office.core import audit
from lbc_office.core.models import Role
from lbc_office.core.services import save_tracked
from registry import closure
from registry.models import Child

# The same concern sent twice (a double click, a form posted again) within this time is one.
REPEAT_WINDOW = datetime.timedelta(minutes=10)


def _require_official(by, field: str = "__all__") -> None:
    if not (by is not None and by.is_active and by.role == Role.OFFICIAL):
        raise ValidationError({field: _("Only a county official can do this.")})


def _locked(concern: Concern) -> Concern:
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _stamp(by, text: str) -> str:
    """One dated line of the concern's record of what was done."""
    now = timezone.localtime()
    return f"{now:%Y-%m-%d %H:%M} {by}: {text.strip()}"


def _append(existing: str, line: str) -> str:
    return f"{existing}\n{line}" if existing else line


@transaction.atomic
def raise_concern(
    *,
    child: Child,
    kind: str,
    source: str,
    description: str,
    by,
    severity: str = Severity.MEDIUM,
    raised_at: datetime.datetime | None = None,
) -> Concern:
    """Record a concern about ``child``; its deadline follows from the severity
    (``casework.deadlines``). The same concern raised again by the same person within
    ``REPEAT_WINDOW`` while still open is the record already made."""
    if by is None or not by.is_active:
        raise ValidationError({"raised_by": _("Say who raises the concern.")})
    raised_at = raised_at or timezone.now()
    description = (description or "").strip()
    # One raise at a time per child: a double submission waits here and finds the first.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    same = (
        Concern.objects.open()
        .filter(
            child=child,
            kind=kind,
            source=source,
            raised_by=by,
            description=description,
            raised_at__gte=raised_at - REPEAT_WINDOW,
        )
        .first()
    )
    if same is not None:
        return same
    concern = Concern(
        county_id=child.county_id,
        child=child,
        kind=kind,
        source=source,
        severity=severity or Severity.MEDIUM,
        description=description,
        raised_by=by,
        raised_at=raised_at,
        due_at=triage_due(raised_at, severity or Severity.MEDIUM),
    )
    return save_tracked(concern, by=by)


@transaction.atomic
def triage(*, concern: Concern, by, action_taken: str = "", severity: str = "") -> Concern:
    """The office has looked at the concern: who, when, what was done (and, if the official
    judges it so, another severity). Done once; a second time is refused with who did it."""
    _require_official(by)
    concern = _locked(concern)
    if concern.closed_at is not None:
        raise ValidationError({"__all__": _("This concern is closed: reopen it first.")})
    if concern.triaged_at is not None:
        raise ValidationError(
            {
                "__all__": _("%(who)s already looked at this concern on %(date)s.")
                % {
                    "who": concern.triaged_by,
                    "date": f"{timezone.localtime(concern.triaged_at):%Y-%m-%d %H:%M}",
                }
            }
        )
    fields = {"triaged_at": timezone.now(), "triaged_by": by}
    if severity:
        fields["severity"] = severity
    if (action_taken or "").strip():
        fields["action_taken"] = _append(concern.action_taken, _stamp(by, action_taken))
    return save_tracked(concern, by=by, fields=fields)


@transaction.atomic
def record_action(*, concern: Concern, by, action_taken: str) -> Concern:
    """Add what someone did (an official, or a teacher of the child's school) to the record."""
    if not (action_taken or "").strip():
        raise ValidationError({"action_taken": _("Say what was done.")})
    concern = _locked(concern)
    if concern.closed_at is not None:
        raise ValidationError({"action_taken": _("This concern is closed: reopen it first.")})
    line = _stamp(by, action_taken)
    if concern.action_taken.endswith(line):  # the same words sent twice in the same minute
        return concern
    return save_tracked(
        concern,
        by=by,
        fields={"action_taken": _append(concern.action_taken, line)},
        update_fields=["action_taken"],
    )


@transaction.atomic
def close_concern(*, concern: Concern, by, outcome: str, note: str = "") -> Concern:
    """Close with an outcome; a concern closed unseen counts as looked at by whoever closed it."""
    _require_official(by)
    concern = _locked(concern)
    if concern.closed_at is not None:
        raise ValidationError(
            {
                "outcome": _("%(who)s already closed this concern on %(date)s.")
                % {
                    "who": concern.closed_by,
                    "date": f"{timezone.localtime(concern.closed_at):%Y-%m-%d %H:%M}",
                }
            }
        )
    if not outcome:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    now = timezone.now()
    fields = {
        "outcome": outcome,
        "outcome_note": (note or "").strip(),
        "closed_at": now,
        "closed_by": by,
    }
    if concern.triaged_at is None:
        fields.update(triaged_at=now, triaged_by=by)
    return save_tracked(concern, by=by, fields=fields)


@transaction.atomic
def reopen_concern(*, concern: Concern, by, reason: str) -> Concern:
    """Open a closed concern again (it was closed too soon); why goes on its record."""
    _require_official(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the concern is opened again.")})
    concern = _locked(concern)
    if concern.closed_at is None:
        raise ValidationError({"reason": _("This concern is open.")})
    line = _stamp(by, _("opened again: %(reason)s") % {"reason": reason.strip()})
    return save_tracked(
        concern,
        by=by,
        fields={
            "outcome": "",
            "closed_at": None,
            "closed_by": None,
            "action_taken": _append(concern.action_taken, line),
        },
    )


# --- Escalation -------------------------------------------------------------------------------


@transaction.atomic
def claim_overdue(*, now: datetime.datetime | None = None, limit: int = 500) -> list[Concern]:
    """Mark the concerns nobody looked at by their deadline as escalated, and return them.

    Each concern is claimed once: its row is locked (rows another scan holds are skipped) and
    ``escalated_at`` set by a conditional UPDATE, so two scans, one after the other or at the
    same moment, claim it once between them. Call it inside the transaction that tells the
    officials (``volunteers.services.notify.escalate_overdue_concerns``): if telling fails, the
    claim is undone with it.
    """
    now = now or timezone.now()
    candidates = list(
        Concern.objects.overdue(now)
        .filter(escalated_at__isnull=True)
        .order_by("due_at", "pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    claimed = Concern.objects.filter(pk__in=candidates, escalated_at__isnull=True).update(
        escalated_at=now
    )
    if not claimed:
        return []
    concerns = list(
        Concern.objects.filter(pk__in=candidates, escalated_at=now).select_related(
            "child", "raised_by"
        )
    )
    for concern in concerns:
        audit.record(audit.Action.CHANGE, obj=concern, detail="concern escalated")
    return concerns


# --- When the child's file leaves the active register (registry.closure) ----------------------


def close_for_child(*, child, change, by) -> list[closure.Ended]:
    """The file leaves "active": its open concerns close with the outcome "left" and the
    change's reason, by whoever changed the status. A change nobody made (the nightly "aged
    out" run) closes none: a person must close a concern, so they stay on the office's list."""
    open_concerns = [] if by is None else list(Concern.objects.open().filter(child=child))
    now = timezone.now()
    for concern in open_concerns:
        concern = _locked(concern)
        fields = {
            "outcome": Concern.Outcome.LEFT,
            "outcome_note": getattr(change, "reason", "") or "",
            "closed_at": now,
            "closed_by": by,
        }
        if concern.triaged_at is None:
            fields.update(triaged_at=now, triaged_by=by)
        save_tracked(concern, by=by, fields=fields)
    count = len(open_concerns)
    label = ngettext(
        "%(count)d protection concern closed", "%(count)d protection concerns closed", count
    ) % {"count": count}
    return [closure.Ended(key="casework-concerns", label=label, count=count)]


__all__ = [
    "ConcernKind",
    "ConcernSource",
    "Severity",
    "claim_overdue",
    "close_concern",
    "close_for_child",
    "raise_concern",
    "record_action",
    "reopen_concern",
    "triage",
]
