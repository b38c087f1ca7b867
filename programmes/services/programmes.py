"""Programmes, enrolments (one child, or every child a filter finds, in one step), sessions and
attendance."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from lbc_office.core import audit
from lbc_office.core.services import save_tracked
from programmes import selectors
from programmes.models import Attendance, Enrolment, Programme, ProgrammeSession
from registry.models import Child


@transaction.atomic
def save_programme(*, programme: Programme, by, schools=None, towns=None, **fields) -> Programme:
    """Create or change a programme; ``schools`` and ``towns`` (if given) replace its places."""
    programme = save_tracked(programme, by=by, fields=fields)
    if schools is not None:
        programme.schools.set(schools)
    if towns is not None:
        programme.towns.set(towns)
    return programme


def _check_can_enrol(programme: Programme, child: Child, starts_on: datetime.date) -> None:
    if not Child.objects.filter(pk=child.pk).active().exists():
        raise ValidationError({"child": _("Only a child on the active register can be enrolled.")})
    this_child = Child.objects.filter(pk=child.pk)
    if not this_child.filter(selectors.programme_children_filter(programme)).exists():
        message = _("This programme does not run at %(school)s.")
        raise ValidationError({"programme": message % {"school": child.school}})
    if not selectors.enrolment_candidates(programme, this_child, starts_on=starts_on).exists():
        message = _("%(child)s is already enrolled in this programme on that date.")
        raise ValidationError({"programme": message % {"child": child.name}})


@transaction.atomic
def enrol_child(
    *, programme: Programme, child: Child, starts_on: datetime.date, by, notes: str = ""
) -> Enrolment:
    if starts_on:
        _check_can_enrol(programme, child, starts_on)
    enrolment = Enrolment(programme=programme, child=child, county_id=child.county_id)
    return save_tracked(enrolment, by=by, fields={"starts_on": starts_on, "notes": notes})


@transaction.atomic
def enrol_children(
    *, programme: Programme, children: QuerySet, starts_on: datetime.date, by, notes: str = ""
) -> int:
    """Enrol, in one step, every active child of ``children`` where the programme runs and who is
    not already enrolled on ``starts_on`` (e.g. every poor pupil of a school). Returns how many.

    Each enrolment passes ``full_clean`` (dates against the programme) before a bulk insert with
    its history rows. Foreign keys and uniqueness are not re-queried one row at a time: the rows
    come from the database and the candidates exclude existing enrolments; the database's
    constraints still stand behind both.
    """
    rows = []
    candidates = selectors.enrolment_candidates(programme, children, starts_on=starts_on)
    for child_id, county_id in candidates.values_list("pk", "county_id").order_by("pk"):
        enrolment = Enrolment(
            programme=programme,
            child_id=child_id,
            county_id=county_id,
            starts_on=starts_on,
            notes=notes,
            created_by=by,
            updated_by=by,
        )
        enrolment.full_clean(
            exclude=["programme", "child", "county", "created_by", "updated_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        rows.append(enrolment)
    if rows:
        # Each row gets its history row, as a one-by-one enrolment would; the audit log gets
        # one event for the bulk action.
        bulk_create_with_history(rows, Enrolment, batch_size=500, default_user=by)
        audit.record(
            audit.Action.CREATE, user=by, object_type="programmes.enrolment",
            object_id=programme.pk, detail=f"{len(rows)} enrolled by filter",
        )  # fmt: skip
    return len(rows)


@transaction.atomic
def end_enrolment(*, enrolment: Enrolment, ends_on: datetime.date, by, closing=None) -> Enrolment:
    """``closing``: the status change that took the child off the register (``closing.py``)."""
    if enrolment.ends_on is not None:
        raise ValidationError({"ends_on": _("This enrolment has already ended.")})
    return save_tracked(
        enrolment, by=by, fields={"ends_on": ends_on, "closing": closing},
        update_fields=["ends_on", "closing"],
    )  # fmt: skip


@transaction.atomic
def resume_enrolment(*, enrolment: Enrolment, by) -> Enrolment:
    """Undo the end of an enrolment that closing the child's file ended (``closing.py``), where
    the programme goes on and still runs at the child's school; its history keeps the end."""
    enrolment = (
        Enrolment.objects.select_for_update().select_related("programme").get(pk=enrolment.pk)
    )
    programme = enrolment.programme
    this_child = Child.objects.filter(pk=enrolment.child_id)
    if programme.ends_on is not None and programme.ends_on < timezone.localdate():
        raise ValidationError({"programme": _("The programme has ended.")})
    if not this_child.filter(selectors.programme_children_filter(programme)).exists():
        raise ValidationError({"programme": _("This programme does not run at this school.")})
    return save_tracked(
        enrolment, by=by, fields={"ends_on": None, "closing": None},
        update_fields=["ends_on", "closing"],
    )  # fmt: skip


@transaction.atomic
def save_session(*, session: ProgrammeSession, by, **fields) -> ProgrammeSession:
    programme = fields.get("programme") or session.programme
    fields["county_id"] = programme.county_id
    return save_tracked(session, by=by, fields=fields)


@transaction.atomic
def record_attendance(*, session: ProgrammeSession, present: dict, by) -> int:
    """Mark who came: ``present`` maps each child who came to who came for them (may be "").

    Children enrolled on the session's date only. Unticking a child keeps the row, marked absent:
    nothing is deleted. Returns how many came.
    """
    enrolled = set(
        Enrolment.objects.filter(programme=session.programme_id, starts_on__lte=session.date)
        .exclude(ends_on__lt=session.date)
        .filter(child__in=[c.pk for c in present])
        .values_list("child_id", flat=True)
    )
    strangers = [c.name for c in present if c.pk not in enrolled]
    if strangers:
        raise ValidationError(
            _("Not enrolled in the programme on that day: %(names)s.")
            % {"names": "、".join(strangers)}
        )
    existing = {a.child_id: a for a in session.attendances.select_for_update()}
    for child, attendee in present.items():
        row = existing.pop(child.pk, None) or Attendance(
            session=session, child=child, county_id=child.county_id
        )
        if row.pk is None or not row.present or row.attendee != attendee:
            save_tracked(row, by=by, fields={"present": True, "attendee": attendee})
    for row in existing.values():
        if row.present:
            save_tracked(row, by=by, fields={"present": False}, update_fields=["present"])
    return len(present)
