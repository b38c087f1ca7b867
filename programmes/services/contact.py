"""Recording contact: home visits, family-room calls (one or a whole session), parents' visits.

The caller has already checked that the user may reach the child (``get_child_for_user``); these
functions keep the records' own rules, copy the child's county, and record who did it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, F, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import ConcernSource, Severity
from casework.services import concerns as casework_concerns
from lbc_office.core.models import Role
from lbc_office.core.services import save_tracked
from programmes.models import FamilyCall, HomeVisit, ParentVisit
from registry.models import Child, FamilyRoom


@transaction.atomic
def record_home_visit(
    *,
    child: Child,
    visitor,
    by,
    raise_concern: bool = False,
    concern_kind: str = "",
    concern_severity: str = "",
    concern_description: str = "",
    **fields,
) -> HomeVisit:
    """A home visit by ``visitor`` (a teacher or an official), recorded by ``by``. With
    ``raise_concern``, a protection concern (source: home visit) is raised in the same
    transaction and linked to the visit: both are recorded, or neither."""
    if not (visitor.is_active and visitor.role in (Role.TEACHER, Role.OFFICIAL)):
        raise ValidationError(_("Only a teacher or a county official can make a home visit."))
    visit = HomeVisit(child=child, county_id=child.county_id, visitor=visitor)
    if raise_concern:
        try:
            fields["concern"] = casework_concerns.raise_concern(
                child=child,
                kind=concern_kind,
                source=ConcernSource.HOME_VISIT,
                severity=concern_severity or Severity.MEDIUM,
                description=concern_description,
                by=by,
            )
        except ValidationError as exc:  # named after the visit form's fields
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(
                {VISIT_CONCERN_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
            ) from exc
    return save_tracked(visit, by=by, fields=fields)


# The concern's fields as the home-visit form names them.
VISIT_CONCERN_FIELDS = {
    "kind": "concern_kind",
    "severity": "concern_severity",
    "description": "concern_description",
}


@transaction.atomic
def update_home_visit(*, visit: HomeVisit, by, **fields) -> HomeVisit:
    for fixed in ("child", "county", "visitor", "concern"):
        fields.pop(fixed, None)
    return save_tracked(visit, by=by, fields=fields)


@transaction.atomic
def record_family_call(*, child: Child, room: FamilyRoom, by, **fields) -> FamilyCall:
    if not room.active:
        raise ValidationError({"room": _("This family room is no longer in use.")})
    call = FamilyCall(child=child, county_id=child.county_id, room=room)
    call = save_tracked(call, by=by, fields=fields)
    refresh_last_contact([child.pk])
    return call


@transaction.atomic
def update_family_call(*, call: FamilyCall, by, **fields) -> FamilyCall:
    fields.pop("child", None)
    fields.pop("county", None)
    call = save_tracked(call, by=by, fields=fields)
    refresh_last_contact([call.child_id])
    return call


@transaction.atomic
def record_call_session(
    *, room: FamilyRoom, at: datetime.datetime, calls: list[dict], by
) -> list[FamilyCall]:
    """Several children's calls of one session in a family room: all are saved, or none.

    ``calls``: one dict per child with ``child``, ``minutes``, ``with_whom`` and ``notes``.
    A refusal names the child and the field.
    """
    if not calls:
        raise ValidationError(_("Fill in the minutes of at least one child's call."))
    if not room.active:
        raise ValidationError({"room": _("This family room is no longer in use.")})
    saved, problems = [], []
    for row in calls:
        child = row["child"]
        call = FamilyCall(child=child, county_id=child.county_id, room=room, at=at)
        fields = {
            "minutes": row.get("minutes"),
            "with_whom": row.get("with_whom"),
            "notes": row.get("notes", ""),
        }
        try:
            # full_clean refuses before anything is written; one refusal undoes the session.
            saved.append(save_tracked(call, by=by, fields=fields))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = FamilyCall._meta.get_field(field).verbose_name if field != "__all__" else ""
                problems.extend(
                    f"{child.name} · {label}: {message}" if label else f"{child.name}: {message}"
                    for message in messages
                )
    if problems:
        raise ValidationError(problems)
    refresh_last_contact([call.child_id for call in saved])
    return saved


@transaction.atomic
def record_parent_visit(*, child: Child, by, **fields) -> ParentVisit:
    visit = save_tracked(ParentVisit(child=child, county_id=child.county_id), by=by, fields=fields)
    refresh_last_contact([child.pk])
    return visit


@transaction.atomic
def update_parent_visit(*, visit: ParentVisit, by, **fields) -> ParentVisit:
    fields.pop("child", None)
    fields.pop("county", None)
    visit = save_tracked(visit, by=by, fields=fields)
    refresh_last_contact([visit.child_id])
    return visit


def refresh_last_contact(child_ids=None, *, today: datetime.date | None = None) -> int:
    """Recompute ``Child.last_parent_contact_on`` from the calls and parents' visits: for the
    given children (after a write), or for every child (the nightly run, which also moves the
    date on for children whose parent is still at home). One UPDATE; safe to repeat."""
    from programmes.selectors import last_contact_expression

    today = today or timezone.localdate()
    children = Child.objects.all() if child_ids is None else Child.objects.filter(pk__in=child_ids)
    # Only the rows whose date changes are written (the nightly run rewrote all 2.35 million
    # of a city's children, each a new row version for VACUUM, to change a few thousand).
    # Returns how many changed.
    last_contact = last_contact_expression(today)
    changed = children.filter(_IsDistinctFrom(F("last_parent_contact_on"), last_contact))
    return changed.update(last_parent_contact_on=last_contact)


class _IsDistinctFrom(Func):
    """``a IS DISTINCT FROM b``: unequal, a NULL and a date counting as different."""

    arg_joiner = " IS DISTINCT FROM "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, arg_joiner=" IS NOT ", **extra)
