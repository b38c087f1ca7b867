"""Operations that change the register. Views, the admin, imports and tasks all call these.

Each runs in one transaction, validates with ``full_clean()`` before saving, and records who
did it (``created_by``/``updated_by`` and the change history).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.core import accounts, audit
from lbc_office.core.models import Role
from lbc_office.core.services import save_tracked
from registry import closure, idnumber
from registry.models import (
    Child,
    ChildStatus,
    County,
    FamilyRoom,
    Guardian,
    HealthCheck,
    ParentAway,
    School,
    StatusChange,
    Teacher,
    Town,
    Village,
    child_rules,
)
from registry.risk import set_risk_level  # noqa: F401 — the risk level's one writer

# --- Places and schools -----------------------------------------------------------------------


@transaction.atomic
def save_county(*, county: County, by, **fields) -> County:
    return save_tracked(county, by=by, fields=fields)


@transaction.atomic
def save_town(*, town: Town, by, **fields) -> Town:
    return save_tracked(town, by=by, fields=fields)


@transaction.atomic
def save_village(*, village: Village, by, **fields) -> Village:
    return save_tracked(village, by=by, fields=fields)


@transaction.atomic
def save_school(*, school: School, by, **fields) -> School:
    if "town" in fields:
        fields["county"] = fields["town"].county
    return save_tracked(school, by=by, fields=fields)


@transaction.atomic
def save_family_room(*, room: FamilyRoom, by, **fields) -> FamilyRoom:
    return save_tracked(room, by=by, fields=fields)


# --- Teachers: which schools' children a teacher sees -----------------------------------------


@transaction.atomic
def set_teacher_schools(*, user, schools, by) -> Teacher | None:
    """Link the teacher ``user`` to exactly ``schools`` (link and unlink in one go).

    Only an official does it; the account must have the teacher role, and a school that no
    longer teaches takes no new teacher. One audit event lists the schools added and removed;
    setting the same schools again changes and records nothing.
    """
    if by is None or not getattr(by, "is_official", False):
        raise PermissionDenied("only an active county official links teachers to schools")
    if user.role != Role.TEACHER:
        raise ValidationError({"schools": _("This account does not have the teacher role.")})
    wanted = {school.pk: school for school in schools}
    teacher = Teacher.objects.select_for_update().filter(user=user).first()
    current = set(teacher.schools.values_list("pk", flat=True)) if teacher else set()
    added, removed = set(wanted) - current, current - set(wanted)
    # A teacher works in their own county: a school of another county is out of their reach
    # (and of the county officials who keep their account).
    if by.county_code and user.county_code != by.county_code:
        raise PermissionDenied("an official links the teachers of their own county")
    codes = dict(School.objects.filter(pk__in=added).values_list("pk", "county__code"))
    elsewhere = [wanted[pk].name for pk in sorted(added) if codes[pk] != user.county_code]
    if elsewhere:
        raise ValidationError(
            {
                "schools": _("These schools are not in the teacher's county: %s")
                % "、".join(elsewhere)
            }
        )
    closed = [wanted[pk].name for pk in sorted(added) if not wanted[pk].active]
    if closed:
        raise ValidationError(
            {"schools": _("These schools no longer teach: %s") % "、".join(closed)}
        )
    if not added and not removed:
        return teacher
    created = teacher is None
    if created:
        teacher = Teacher(user=user, created_by=by)
    teacher.updated_by = by
    teacher.full_clean()
    teacher.save()
    teacher.schools.add(*added)
    teacher.schools.remove(*removed)
    detail = " ".join(
        [*(f"+school:{pk}" for pk in sorted(added)), *(f"-school:{pk}" for pk in sorted(removed))]
    )
    action = audit.Action.CREATE if created else audit.Action.CHANGE
    audit.record(action, user=by, obj=teacher, detail=detail)
    return teacher


@transaction.atomic
def create_teacher(*, by, username: str, schools, full_name: str = "", phone: str = "",
                   email: str = "", county_code: str | None = None):  # fmt: skip
    """A teacher's account linked to ``schools``, in one transaction: (user, temporary password).
    The account's county is the creator's (a municipal official names it: ``county_code``)."""
    if not schools:
        raise ValidationError({"schools": _("Choose at least one school.")})
    user, password = accounts.create_account(
        by=by, username=username, role=Role.TEACHER, full_name=full_name, phone=phone,
        email=email, county_code=county_code,
    )  # fmt: skip
    set_teacher_schools(user=user, schools=schools, by=by)
    return user, password


# --- Children ---------------------------------------------------------------------------------


def _save_child(child: Child, *, by, fields, number_typed: bool) -> Child:
    """``save_tracked`` in its own transaction, with the refusals a non-official reads made
    neutral: "this number is already registered" must not confirm a number outside their scope
    (``idnumber.neutral_duplicate``, which also records the lookup: outside the transaction
    the refusal rolls back, so that the record stays), and the checks of a number they did not
    type (the file's own) must not quote its digits."""
    try:
        with transaction.atomic():
            return save_tracked(child, by=by, fields=fields)
    except ValidationError as exc:
        refusal = idnumber.neutral_duplicate(by, exc)
        errors = getattr(refusal, "error_dict", {})
        if not number_typed and "id_number" in errors and not idnumber.sees_full(by):
            refusal = ValidationError({**errors, "id_number": [idnumber.stored_number_error()]})
        raise refusal from None


def create_child(*, by, **fields) -> Child:
    if not idnumber.lookups_left(by):  # a non-official past today's lookups: the office
        raise ValidationError({"id_number": idnumber.lookups_refused_error()})
    child = Child(**child_rules.opening(today=timezone.localdate()))
    child_rules.assign(child, fields)  # the rules the import fills a child with
    return _save_child(child, by=by, fields={}, number_typed=True)


def update_child(*, child: Child, by, **fields) -> Child:
    """Change the file's details. The status is not changed here (``change_child_status``), nor
    the school (``registry.transfers.transfer_school``).

    Only officials change an identity number (whoever else calls this, from any view or
    script, with a different number is refused).
    """
    fields.pop("status", None)
    fields.pop("school", None)  # a school changes by a transfer only: registry.transfers
    if "id_number" in fields and not idnumber.sees_full(by):
        if idnumber.normalise(fields["id_number"] or "") != child.id_number:
            raise ValidationError(
                {"id_number": _("Only the county office changes an identity number.")}
            )
        del fields["id_number"]
    child_rules.assign(child, fields)  # the rules the import fills a child with
    # A non-official's fields never hold a number by now: the file's own is checked.
    return _save_child(child, by=by, fields={}, number_typed="id_number" in fields)


@transaction.atomic
def change_child_status(
    *, child: Child, status: str, on: datetime.date, reason: str, by
) -> StatusChange:
    """Move a child to another status (left the county, reunited, closed, back to active…).

    The file is never deleted: the change is recorded with its date, reason and author.
    """
    child = Child.objects.select_for_update().get(pk=child.pk)
    errors = {}
    if status not in ChildStatus.values:
        errors["status"] = _("Choose a status from the list.")
    elif status == child.status:
        errors["status"] = _("The child already has this status.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the status changes.")
    if on > timezone.localdate():
        errors["date"] = _("The date of the change cannot be in the future.")
    elif on < child.date_of_birth:
        errors["date"] = _("The date of the change is before the child was born.")
    if errors:
        raise ValidationError(errors)
    change = StatusChange(
        child=child,
        from_status=child.status,
        to_status=status,
        date=on,
        reason=reason.strip(),
        created_by=by,
    )
    change.full_clean()
    change.save()
    save_tracked(
        child,
        by=by,
        fields={"status": status, "status_changed_on": on},
        update_fields=["status", "status_changed_on"],
    )
    if change.closed_the_file:  # every app ends what it holds, in this transaction
        ended = closure.close_all(child=child, change=change, by=by)
        change.ended = [dataclasses.asdict(e) for e in ended]
        change.save(update_fields=["ended"])
    return change


def closing_change(child: Child) -> StatusChange | None:
    """The status change that last took ``child`` off the active register (None if never)."""
    return (
        StatusChange.objects.filter(child=child, from_status=ChildStatus.ACTIVE)
        .exclude(to_status=ChildStatus.ACTIVE)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def restore_closed(*, child: Child, by) -> StatusChange:
    """Officials: after a file is back on the active register, give back what its closing ended
    (``registry.closure.restore_all``). Once per closing: a second call is refused."""
    if by is None or not getattr(by, "is_official", False):
        raise PermissionDenied("only an official restores what closing a file ended")
    child = Child.objects.select_for_update().get(pk=child.pk)
    change = closing_change(child)
    if child.status != ChildStatus.ACTIVE:
        raise ValidationError(_("Put the child back on the active register first."))
    if change is None or not change.ended:
        raise ValidationError(_("Closing this file ended nothing to restore."))
    if change.restored_at is not None:
        raise ValidationError(_("What closing this file ended has already been restored."))
    restored = closure.restore_all(child=child, change=change, by=by)
    change.restored = [dataclasses.asdict(e) for e in restored]
    change.restored_at = timezone.now()
    change.restored_by = by
    change.save(update_fields=["restored", "restored_at", "restored_by"])
    detail = " ".join(f"{e.key}:{e.count}" for e in restored)
    audit.record(audit.Action.CHANGE, user=by, obj=change, child_id=child.pk,
                 detail=f"restored {detail}".strip())  # fmt: skip
    return change


@transaction.atomic
def save_parent_away(*, child: Child, relation: str, by, **fields) -> ParentAway:
    """Create or update the father's or mother's record; the parent must be marked as away."""
    away = child.father_away if relation == ParentAway.Relation.FATHER else child.mother_away
    if not away:
        raise ValidationError(
            _("The file does not say this parent works away: change that in the file first.")
        )
    parent = ParentAway.objects.filter(child=child, relation=relation).first()
    parent = parent or ParentAway(child=child, relation=relation)
    return save_tracked(parent, by=by, fields=fields)


@transaction.atomic
def save_guardian(*, guardian: Guardian, by, **fields) -> Guardian:
    return save_tracked(guardian, by=by, fields=fields)


@transaction.atomic
def record_health_check(*, child: Child, by, **fields) -> HealthCheck:
    return save_tracked(HealthCheck(child=child), by=by, fields=fields)


# --- Background work --------------------------------------------------------------------------


def mark_aged_out(*, today: datetime.date | None = None, by=None) -> int:
    """Every active child who has reached the register's age limit becomes "aged out".

    Safe to run twice or late: it only ever touches children who are still active, one at a
    time under a row lock, so a second run finds nothing left to do.
    """
    today = today or timezone.localdate()
    limit = settings.LBC_MAX_AGE
    try:
        born_on_or_before = today.replace(year=today.year - limit)
    except ValueError:  # 29 February
        born_on_or_before = today.replace(year=today.year - limit, day=28)
    candidates = Child.objects.active().filter(date_of_birth__lte=born_on_or_before)
    count = 0
    for child in candidates.only("pk").iterator():
        with transaction.atomic():
            still_active = (
                Child.objects.select_for_update()
                .filter(pk=child.pk, status=ChildStatus.ACTIVE)
                .first()
            )
            if still_active is None:  # another run, or a person, got there first
                continue
            change_child_status(
                child=still_active,
                status=ChildStatus.AGED_OUT,
                on=today,
                reason=_("Reached the age of %(age)d.") % {"age": limit},
                by=by,
            )
            count += 1
    return count
