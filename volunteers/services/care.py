"""Writes of the care model: organisations, volunteers, assignments and check-ins."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import ConcernKind, ConcernSource
from casework.services import concerns
from lbc_office.core import audit
from lbc_office.core.services import save_tracked
from registry.models import Child, ChildStatus
from volunteers.models import (
    DEFAULT_CAPACITY,
    Assignment,
    CarerRole,
    CheckinRole,
    MonthlyCheckin,
    Organisation,
    Volunteer,
    month_start,
)
from volunteers.services import notify


@transaction.atomic
def save_organisation(*, organisation: Organisation, by, **fields) -> Organisation:
    return save_tracked(organisation, by=by, fields=fields)


@transaction.atomic
def save_volunteer(*, volunteer: Volunteer, by, **fields) -> Volunteer:
    """Create or change a volunteer. An empty capacity takes the usual number for the roles."""
    for name, value in fields.items():
        setattr(volunteer, name, value)
    if volunteer.town_id:
        volunteer.county_id = volunteer.town.county_id
    if not volunteer.capacity and volunteer.roles:
        volunteer.capacity = max(DEFAULT_CAPACITY[CarerRole(r)] for r in volunteer.roles)
    # Who vetted: the official who records (or changes) the vetting date.
    stored = (
        Volunteer.objects.filter(pk=volunteer.pk).values_list("vetted_on", flat=True).first()
        if volunteer.pk
        else None
    )
    if volunteer.vetted_on is None:
        volunteer.vetted_by = None
    elif volunteer.vetted_on != stored or not volunteer.vetted_by_id:
        volunteer.vetted_by = by
    return save_tracked(volunteer, by=by)


@transaction.atomic
def assign_volunteer(
    *, child: Child, volunteer: Volunteer, role: str, by, started_on: datetime.date | None = None
) -> Assignment:
    """Put a volunteer beside a child in one role, if the rules allow it.

    The volunteer's row is locked so that two officials assigning the last free place at the
    same moment cannot both succeed; the database's partial unique constraint keeps one active
    carer per child and role whatever happens.
    """
    started_on = started_on or timezone.localdate()
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    errors = _assignment_errors(child=child, volunteer=volunteer, role=role, started_on=started_on)
    if errors:
        raise ValidationError(errors)
    assignment = Assignment(
        county_id=child.county_id,
        child=child,
        volunteer=volunteer,
        role=role,
        started_on=started_on,
    )
    return save_tracked(assignment, by=by)


def _assignment_errors(
    *, child: Child, volunteer: Volunteer, role: str, started_on: datetime.date
) -> dict[str, list[str]]:
    """Why ``volunteer`` may not take ``child`` in ``role`` from ``started_on``, by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if volunteer.county_id != child.county_id:
        # A county's volunteers look after its children: a child who moves county is
        # transferred and gets that county's carers.
        add("volunteer", _("This volunteer works in another county than the child's."))
    if role not in CarerRole.values:
        add("role", _("Choose a role from the list."))
    elif not volunteer.may_take(role):
        add(
            "volunteer",
            _("%(volunteer)s may not take the role “%(role)s”: change the volunteer's roles first.")
            % {"volunteer": volunteer, "role": CarerRole(role).label},
        )
    if not volunteer.active:
        add("volunteer", _("%(volunteer)s is no longer active.") % {"volunteer": volunteer})
    if not volunteer.is_vetted:
        add(
            "volunteer",
            _("%(volunteer)s has not been vetted yet: record the vetting first.")
            % {"volunteer": volunteer},
        )
    elif volunteer.vetting_expired:
        add(
            "volunteer",
            _(
                "The vetting of %(volunteer)s expired on %(date)s: record a new vetting "
                "(background check and training) before assigning a child."
            )
            % {"volunteer": volunteer, "date": f"{volunteer.vetting_expires_on:%Y-%m-%d}"},
        )
    load = volunteer.assignments.active().count()
    if load >= volunteer.capacity:
        add(
            "volunteer",
            _("%(volunteer)s already looks after %(count)d children, as many as agreed.")
            % {"volunteer": volunteer, "count": load},
        )
    if child.status != ChildStatus.ACTIVE:
        add("child", _("This child is not on the active register."))
    if role in CarerRole.values and child.assignments.active().filter(role=role).exists():
        add(
            "role",
            _("This child already has a carer in the role “%(role)s”: end that assignment first.")
            % {"role": CarerRole(role).label},
        )
    if started_on > timezone.localdate():
        add("started_on", _("The start date cannot be in the future."))
    return errors


@transaction.atomic
def end_assignment(
    *, assignment: Assignment, by, reason: str, ended_on=None, closing=None
) -> Assignment:
    """End an assignment; the row stays as history. The volunteer loses access at once.
    ``closing``: the status change that took the child off the register (``closing.py``)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    ended_on = ended_on or timezone.localdate()
    errors = {}
    if assignment.ended_on is not None:
        errors["ended_on"] = _("This assignment has already ended.")
    elif ended_on < assignment.started_on:
        errors["ended_on"] = _("It cannot end before it started.")
    elif ended_on > timezone.localdate():
        errors["ended_on"] = _("The end date cannot be in the future.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the assignment ends.")
    if errors:
        raise ValidationError(errors)
    return save_tracked(
        assignment,
        by=by,
        fields={"ended_on": ended_on, "end_reason": reason.strip(), "closing": closing},
        update_fields=["ended_on", "end_reason", "closing"],
    )


@transaction.atomic
def save_checkin_role(*, role: CheckinRole, by, **fields) -> CheckinRole:
    for name, value in fields.items():
        setattr(role, name, value)
    role.full_clean()
    created = role.pk is None
    role.save()
    audit.record(audit.Action.CREATE if created else audit.Action.CHANGE, user=by, obj=role)
    return role


@transaction.atomic
def open_checkin(*, assignment: Assignment, today: datetime.date | None = None) -> MonthlyCheckin:
    """Open this month's check-in of an active assignment, if the monthly task has not yet
    (``monthly.open_month`` opens them all at the start of the month)."""
    month = month_start(today or timezone.localdate())
    checkin, _created = MonthlyCheckin.objects.get_or_create(
        assignment=assignment, month=month, defaults={"county_id": assignment.county_id}
    )
    return checkin


@transaction.atomic
def submit_checkin(
    *,
    checkin: MonthlyCheckin,
    by,
    roles_done=(),
    contact: str = "",
    notes: str = "",
    concern: bool = False,
    recorded_by=None,
    detail: str = "",
    concern_kind: str = "",
    concern_words: str = "",
) -> MonthlyCheckin:
    """Record what the volunteer did this month. A worry becomes a protection concern, the
    office's record (``casework``), and reaches the officials at once.

    A check-in can be corrected until its month is closed; a missed month stays missed. A worry
    once raised stays raised: unticking the box later does not take it back from the office.
    ``recorded_by``: someone who recorded it for the volunteer (``record_checkin_for``); ``by``
    may be None for a volunteer without a login who answered the monthly SMS.
    """
    checkin = (
        MonthlyCheckin.objects.select_for_update().select_related("assignment").get(pk=checkin.pk)
    )
    errors = {}
    if checkin.status == MonthlyCheckin.Status.MISSED or checkin.month < month_start(
        timezone.localdate()
    ):
        errors["__all__"] = _("This month is closed: its check-in can no longer be changed.")
    if checkin.assignment.ended_on is not None:
        errors["__all__"] = _("This assignment has ended.")
    is_surrogate = checkin.assignment.role == CarerRole.SURROGATE_PARENT
    if not is_surrogate and not contact:
        errors["contact"] = _("Say whether you saw or spoke with the child this month.")
    if is_surrogate and not roles_done and not notes.strip():
        errors["roles_done"] = _("Tick what you did this month, or write a note why not.")
    if errors:
        raise ValidationError(errors)
    raised_now = concern and checkin.concern_record_id is None
    checkin.contact = contact
    checkin.notes = notes.strip()
    checkin.concern = concern or checkin.concern_record_id is not None
    checkin.status = MonthlyCheckin.Status.DONE
    checkin.submitted_at = timezone.now()
    checkin.submitted_by = by
    checkin.recorded_by = recorded_by
    if raised_now:
        checkin.concern_record = _raise_worry(
            checkin, by=by, kind=concern_kind, words=concern_words or notes
        )
    checkin.full_clean()
    checkin.save()
    checkin.roles_done.set(roles_done if is_surrogate else [])
    audit.record(
        audit.Action.CHANGE, user=by, obj=checkin, child_id=checkin.assignment.child_id,
        detail=" ".join(filter(None, [detail, "concern raised" if raised_now else ""])),
    )  # fmt: skip
    if raised_now:
        notify.concern_raised(checkin)
    return checkin


def may_record_for(user, volunteer: Volunteer) -> bool:
    """Who may record a volunteer's check-in for them: an official, or the coordinator (the
    ``Organisation.coordinator`` login) of the volunteer's own organisation."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_official:
        return True
    organisation = volunteer.organisation
    return (
        organisation is not None and organisation.active and organisation.coordinator_id == user.pk
    )


@transaction.atomic
def record_checkin_for(*, checkin: MonthlyCheckin, by, **fields) -> MonthlyCheckin:
    """A check-in recorded by an official or coordinator for a volunteer without a smartphone:
    stored as "recorded by ``by`` for the volunteer" and audited so."""
    volunteer = checkin.assignment.volunteer
    if not may_record_for(by, volunteer):
        raise ValidationError(_("You may not record check-ins for this volunteer."))
    return submit_checkin(
        checkin=checkin, by=by, recorded_by=by, detail=f"recorded for volunteer {volunteer.pk}",
        **fields,
    )  # fmt: skip


def _raise_worry(checkin: MonthlyCheckin, *, by, kind: str, words: str):
    """The volunteer's worry as a protection concern (source: check-in), in their words."""
    return concerns.raise_concern(
        child=checkin.assignment.child,
        kind=kind or ConcernKind.OTHER,
        source=ConcernSource.CHECKIN,
        description=words.strip() or _("The carer ticked “I am worried about this child”."),
        by=by,
    )
