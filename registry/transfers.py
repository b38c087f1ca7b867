"""Transfers: between the county's schools, out of the county, into it — each one action.

- ``transfer_school``: a ``SchoolTransfer`` and the child's new school in one transaction.
  Access is by ``Child.school`` (``registry.access``): the old school's teachers lose the file
  and the new school's gain it on their next request. The edit form no longer changes the
  school (``services.update_child`` drops it): this is the only way a file changes school.
- ``transfer_to_county``: to a school of another county of the city, one action of the sending
  county's official: the file changes county (``Child.county``) and access with it.
- ``transfer_out``: a ``SchoolTransfer`` out of the county and the status change "transferred",
  which closes the file through ``registry.closure`` (carers, check-ins, enrolments end).
- ``handover_summary``: the least a receiving county needs, as a dict (JSON for a download and
  for ``transfer in``): no identity number unless an official asks. The apps add their facts
  (open concerns, last home visit) through ``register_fact`` from their ``AppConfig.ready()``.
- ``transfer_in``: a new file from another county's summary, noting where it came from.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.services import save_tracked
from registry import idnumber, services
from registry.models import Child, ChildStatus, School, SchoolTransfer, Village

FORMAT = "lbc-handover/1"
# name -> (child) -> a JSON-able value: what other apps add to the summary.
_facts: dict[str, Callable[[Child], object]] = {}


def register_fact(name: str, fact: Callable[[Child], object]) -> None:
    _facts[name] = fact


def _official(by) -> None:
    if by is None or not getattr(by, "is_official", False):
        raise PermissionDenied("only an official transfers a child")


def _check(child: Child, on: datetime.date, reason: str) -> dict:
    errors = {}
    if child.status != ChildStatus.ACTIVE:
        errors["__all__"] = _("Only a child on the active register is transferred.")
    if on > timezone.localdate():
        errors["date"] = _("The date of the change cannot be in the future.")
    elif on < child.date_of_birth:
        errors["date"] = _("The date of the change is before the child was born.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the child is transferred.")
    return errors


def _record(child, *, kind, on, reason, by, **fields) -> SchoolTransfer:
    transfer = SchoolTransfer(
        county_id=child.county_id, child=child, kind=kind, date=on,
        reason=(reason or "").strip(), created_by=by, **fields,
    )  # fmt: skip
    transfer.full_clean()
    transfer.save()
    audit.record(audit.Action.CREATE, user=by, obj=transfer, child_id=child.pk, detail=kind)
    return transfer


@transaction.atomic
def transfer_school(
    *, child: Child, to_school: School, on: datetime.date, reason: str, by
) -> SchoolTransfer:
    """Move ``child`` to another school of the county: one record, and access follows."""
    _official(by)
    child = Child.objects.select_for_update().select_related("school").get(pk=child.pk)
    errors = _check(child, on, reason)
    if to_school.pk == child.school_id:
        errors["to_school"] = _("The child is already at this school.")
    elif not to_school.active:
        errors["to_school"] = _("This school no longer teaches.")
    elif to_school.county_id != child.county_id:
        # Another county keeps its own files (its carers, plans, referrals): the child moves
        # there by ``transfer_to_county``, which ends what this county held.
        errors["to_school"] = _(
            "This school is in another county: make a transfer to another county instead."
        )
    if errors:
        raise ValidationError(errors)
    transfer = _record(
        child, kind=SchoolTransfer.Kind.BETWEEN_SCHOOLS, on=on, reason=reason, by=by,
        from_school=child.school, to_school=to_school,
    )  # fmt: skip
    save_tracked(child, by=by, fields={"school": to_school}, update_fields=["school"])
    return transfer


@transaction.atomic
def transfer_to_county(
    *, child: Child, to_school: School, village: Village, on: datetime.date, reason: str, by
) -> SchoolTransfer:
    """Move ``child`` to a school of another county of the city, as one action of the sending
    county's official; the file (and its identity number, unique in the city) goes with them.

    In one transaction: a transfer out, recorded in the sending county; the status change
    "transferred", which ends through ``registry.closure`` what this county's apps held for the
    child (carers, check-ins, enrolments, plan actions); the file back on the active register
    in the receiving county, with its new school, county and home village (status history and
    timeline say so); and a transfer in, recorded in the receiving county. Access follows the
    file's county and school: the sending county's officials and teachers lose it, the
    receiving county's gain it. Returns the transfer out.
    """
    _official(by)
    child = Child.objects.select_for_update().select_related("school", "county").get(pk=child.pk)
    if by.county_code != child.county.code:
        raise PermissionDenied("the county that keeps the file transfers the child")
    errors = _check(child, on, reason)
    if to_school.county_id == child.county_id:
        errors["to_school"] = _("This school is in the child's county: transfer between schools.")
    elif not to_school.active:
        errors["to_school"] = _("This school no longer teaches.")
    elif village is None or village.town.county_id != to_school.county_id:
        errors["village"] = _("Choose the child's village in the county of the new school.")
    if errors:
        raise ValidationError(errors)
    old_county, old_school = child.county, child.school
    place = f"{to_school.county.name} {to_school.name}"
    transfer = _record(
        child, kind=SchoolTransfer.Kind.OUT, on=on, reason=reason, by=by,
        from_school=old_school, elsewhere=place,
    )  # fmt: skip
    services.change_child_status(
        child=child, status=ChildStatus.TRANSFERRED, on=on,
        reason=_("Transferred to %(place)s: %(reason)s") % {"place": place,
                                                          "reason": reason.strip()},
        by=by,
    )  # fmt: skip
    services.change_child_status(
        child=child, status=ChildStatus.ACTIVE, on=on,
        reason=_("Transferred in from %(place)s.") % {"place": old_county.name}, by=by,
    )  # fmt: skip
    child = Child.objects.select_for_update().get(pk=child.pk)
    save_tracked(
        child, by=by,
        fields={"school": to_school, "county": to_school.county, "village": village},
        update_fields=["school", "county", "village"],
    )  # fmt: skip
    _record(
        child, kind=SchoolTransfer.Kind.IN, on=on, reason=reason, by=by,
        to_school=to_school, elsewhere=f"{old_county.name} {old_school.name}",
    )  # fmt: skip
    return transfer


@transaction.atomic
def transfer_out(
    *, child: Child, on: datetime.date, reason: str, elsewhere: str, by
) -> SchoolTransfer:
    """Out of the county: the record, and the file closes ("transferred") through closure."""
    _official(by)
    child = Child.objects.select_for_update().select_related("school").get(pk=child.pk)
    errors = _check(child, on, reason)
    if not (elsewhere or "").strip():
        errors["elsewhere"] = _("Say which county and school the child goes to.")
    if errors:
        raise ValidationError(errors)
    transfer = _record(
        child, kind=SchoolTransfer.Kind.OUT, on=on, reason=reason, by=by,
        from_school=child.school, elsewhere=elsewhere.strip(),
    )  # fmt: skip
    services.change_child_status(
        child=child, status=ChildStatus.TRANSFERRED, on=on,
        reason=_("Transferred to %(place)s: %(reason)s") % {"place": elsewhere.strip(),
                                                          "reason": reason.strip()},
        by=by,
    )  # fmt: skip
    return transfer


def handover_summary(child: Child, *, user) -> dict:
    """The least the receiving county needs (a fixed number of queries)."""
    transfers = list(
        SchoolTransfer.objects.filter(child=child).select_related("from_school", "to_school")
    )
    closing = services.closing_change(child)
    summary = {
        "format": FORMAT,
        "from_county": child.county.name,
        "school": child.school.name,
        "grade": child.grade,
        "status": child.status,
        "transferred_on": f"{child.status_changed_on:%Y-%m-%d}" if child.status_changed_on else "",
        "child": {
            "name": child.name,
            "sex": child.sex,
            "date_of_birth": f"{child.date_of_birth:%Y-%m-%d}",
            "guardian": child.guardian,
            "father_away": child.father_away,
            "mother_away": child.mother_away,
            "boarding": child.boarding,
            "poor": child.poor,
        },  # fmt: skip
        "guardians": [
            {"name": g.name, "relation": g.relation, "phone": g.phone}
            for g in child.guardians.all()
        ],
        "parents_away": [
            {"relation": p.relation, "work_province": p.work_province, "work_city": p.work_city}
            for p in child.parents_away.all()
        ],
        "school_history": [
            {
                "date": f"{t.date:%Y-%m-%d}",
                "from": t.from_school.name if t.from_school else t.elsewhere,
                "to": t.to_school.name if t.to_school else t.elsewhere,
            }
            for t in reversed(transfers)
        ],  # fmt: skip
        "ended_on_closing": [e.get("label", "") for e in (closing.ended if closing else [])],
        **{name: fact(child) for name, fact in _facts.items()},
    }
    if idnumber.sees_full(user):
        summary["child"]["id_number"] = child.id_number
    return summary


def parse_summary(text: str) -> dict:
    """A pasted or uploaded summary, checked enough to pre-fill a form (never trusted more)."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError({"summary": _("This is not a hand-over summary of LBC Office.")})
    if not isinstance(data.get("child"), dict):
        raise ValidationError({"summary": _("The summary names no child.")})
    return data


def origin(summary: dict) -> str:
    return " · ".join(
        str(summary.get(k) or "") for k in ("from_county", "school") if summary.get(k)
    )


def prefill(summary: dict) -> dict:
    """Initial values of the create-child form from a summary (school and village are the
    receiving county's: the official chooses them)."""
    child = summary["child"]
    keys = ("name", "sex", "date_of_birth", "guardian", "father_away", "mother_away",
            "boarding", "poor", "id_number")  # fmt: skip
    initial = {k: child[k] for k in keys if k in child}
    if isinstance(summary.get("grade"), int):
        initial["grade"] = summary["grade"]
    lines = [_("Transferred in from %(place)s.") % {"place": origin(summary)}]
    for g in summary.get("guardians") or []:
        if isinstance(g, dict):
            lines.append(
                _("Guardian: %(name)s %(phone)s")
                % {"name": g.get("name", ""), "phone": g.get("phone", "")}
            )
    for label in summary.get("ended_on_closing") or []:
        lines.append(str(label))
    initial["notes"] = "\n".join(lines)
    return initial


@transaction.atomic
def transfer_in(*, by, summary: dict, on: datetime.date | None = None, **fields) -> Child:
    """A new file from another county's hand-over summary, noting where it came from."""
    _official(by)
    child = services.create_child(by=by, **fields)
    _record(
        child, kind=SchoolTransfer.Kind.IN, on=on or timezone.localdate(),
        reason=_("Transferred in with a hand-over summary."), by=by,
        to_school=child.school, elsewhere=origin(summary)[:200],
    )  # fmt: skip
    return child
