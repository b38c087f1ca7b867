"""Writes about suspected duplicates: the stored pairs, "not a duplicate", merge and its undo.

**Merge.** An official chooses the file that survives; the other (the duplicate) gives it every
record tied to it, found through ``Child._meta.related_objects`` — every foreign key to a child,
of every app, including those added later, without the register naming them. Not moved: the
duplicate's status changes (its own status history, which the merge adds to) and the history
tables (``related_name="+"``): the simple-history rows of both files stay as they were, so both
histories are kept. A record whose move breaks a unique rule (the survivor already has a
father working away, an enrolment in that programme…) stays on the duplicate and is named in
the merge (``kept``): the survivor's wins. The survivor keeps its own details; its blank
free-text fields take the duplicate's. The duplicate is closed (a status change saying
into which file, the apps' closers run) and marked ``merged_into``, so it is listed and
searched no more. One transaction: all of it or nothing, one audit event.

**Undo**, within ``UNDO_DAYS``: exactly the records moved go back (with their county), the
filled fields are emptied again if still as filled, the duplicate reopens with its status
before. Older merges are refused; their records are kept (small, and the audit of what moved).
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.services import save_tracked
from registry import closure, duplicates
from registry.models import (
    Child,
    ChildMerge,
    ChildStatus,
    County,
    DuplicatePair,
    NotDuplicate,
    StatusChange,
)
from registry.models.duplicates import ordered

UNDO_DAYS = 30
FILLED = ("wishes", "notes")  # the survivor's blank fields the duplicate's fill
NOT_MOVED = (StatusChange,)


def _require_official(by) -> None:
    if by is None or not getattr(by, "is_official", False):
        raise ValidationError(_("Only the county office merges files."))


# --- Suspected pairs --------------------------------------------------------------------------


def refresh_pairs() -> int:
    """Store what the county-wide check finds now (``duplicates.find_pairs``); safe to repeat."""
    found = duplicates.find_pairs()
    store_pairs(found)
    return len(found)


@transaction.atomic
def store_pairs(found: dict, county=None) -> None:
    """Replace the stored pairs with ``found`` (pair → reasons); with ``county``, only the
    stored pairs of two of that county's files (``find_pairs(county)`` found those only)."""
    stored = DuplicatePair.objects.all()
    if county is not None:
        stored = stored.filter(first__county=county, second__county=county)
    stored.delete()
    DuplicatePair.objects.bulk_create(
        [
            DuplicatePair(first_id=a, second_id=b, reasons=",".join(r))
            for (a, b), r in found.items()
        ],
        batch_size=5000,
    )


@transaction.atomic
def note_pairs(*, child: Child) -> int:
    """Store the suspected pairs of a file just saved (the form saved despite a warning, or
    without showing one to a non-official): the officials' list shows them at once."""
    found = duplicates.candidates(
        id_number=child.id_number, name=child.name, date_of_birth=child.date_of_birth,
        village=child.village, school=child.school, exclude=child.pk,
    )  # fmt: skip
    answered = set(NotDuplicate.objects.values_list("first_id", "second_id"))
    for candidate in found:
        first, second = ordered(child.pk, candidate.child.pk)
        if (first, second) not in answered:
            DuplicatePair.objects.update_or_create(
                first_id=first, second_id=second, defaults={"reasons": ",".join(candidate.reasons)}
            )
    return len(found)


@transaction.atomic
def mark_not_duplicate(*, first: Child, second: Child, by) -> NotDuplicate:
    """An official's answer that two files are two children: never suspected again."""
    _require_official(by)
    a, b = ordered(first.pk, second.pk)
    answer, created = NotDuplicate.objects.get_or_create(
        first_id=a, second_id=b, defaults={"decided_by": by}
    )
    DuplicatePair.objects.filter(first_id=a, second_id=b).delete()
    if created:
        audit.record(audit.Action.CREATE, user=by, obj=answer, child_id=a,
                     detail=f"not a duplicate: child:{a} child:{b}")  # fmt: skip
    return answer


# --- Merge ------------------------------------------------------------------------------------


def _relations():
    """(model, foreign key) of every record that points at a child, in every app."""
    for relation in Child._meta.related_objects:
        model = relation.related_model
        # Hidden relations (``related_name="+"``: history tables, the pairs, the merges) are
        # not in ``related_objects``.
        if relation.many_to_many or model is Child or issubclass(model, NOT_MOVED):
            continue
        yield model, relation.field


def _county_field(model):
    for field in model._meta.concrete_fields:
        if field.name == "county" and field.is_relation and field.related_model is County:
            return field
    return None


def _move(model, field, pk, to: Child) -> list | None:
    """Point record ``pk`` at ``to`` (and its county); the undo's entry, or None if a unique
    rule keeps it where it is."""
    county = _county_field(model)
    updates = {field.attname: to.pk}
    before = None
    if county is not None:
        before = model._base_manager.filter(pk=pk).values_list(county.attname, flat=True).first()
        updates[county.attname] = to.county_id
    try:
        with transaction.atomic():
            model._base_manager.filter(pk=pk).update(**updates)
    except IntegrityError:
        return None
    return [model._meta.label_lower, field.name, pk, before]


def _lock(*children: Child) -> list[Child]:
    keys = sorted(c.pk for c in children)
    locked = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=keys)}
    return [locked[c.pk] for c in children]


def _check_mergeable(survivor: Child, duplicate: Child) -> None:
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Choose two different files."))
    for child in (survivor, duplicate):
        if child.merged_into_id is not None:
            raise ValidationError(
                _("%(name)s's file was already merged into another.") % {"name": child.name}
            )
        if child.anonymised_at is not None:
            raise ValidationError(_("An anonymised file cannot be merged."))


@transaction.atomic
def merge(*, survivor: Child, duplicate: Child, by) -> ChildMerge:
    """Merge ``duplicate`` into ``survivor`` (see the module's docstring)."""
    _require_official(by)
    survivor, duplicate = _lock(survivor, duplicate)
    _check_mergeable(survivor, duplicate)
    moved, kept = [], []
    for model, field in _relations():
        for record in model._base_manager.filter(**{field.name: duplicate.pk}).order_by("pk"):
            entry = _move(model, field, record.pk, survivor)
            if entry is None:
                kept.append([model._meta.label_lower, record.pk, str(record)[:100]])
            else:
                moved.append(entry)
    filled = {}
    for name in FILLED:
        if not getattr(survivor, name) and getattr(duplicate, name):
            filled[name] = getattr(survivor, name)
    if filled:
        save_tracked(survivor, by=by, fields={n: getattr(duplicate, n) for n in filled},
                     update_fields=list(filled))  # fmt: skip
    today = timezone.localdate()
    record = ChildMerge(
        survivor=survivor, duplicate=duplicate, merged_by=by, moved=moved, kept=kept,
        filled=filled, previous_status=duplicate.status,
        previous_status_changed_on=duplicate.status_changed_on,
    )  # fmt: skip
    reason = _("Merged into the file of %(name)s (file %(pk)d).")
    record.status_change = _change_status(
        duplicate, ChildStatus.CLOSED, today, reason % {"name": survivor.name, "pk": survivor.pk},
        by, merged_into=survivor,
    )  # fmt: skip
    record.save()
    closure.close_all(child=duplicate, change=record.status_change, by=by)
    DuplicatePair.objects.filter(first_id__in=[survivor.pk, duplicate.pk]).filter(
        second_id__in=[survivor.pk, duplicate.pk]
    ).delete()
    audit.record(
        audit.Action.CHANGE, user=by, obj=record, child_id=survivor.pk,
        detail=f"merged child:{duplicate.pk} into child:{survivor.pk} "
        f"moved={len(moved)} kept={len(kept)}",
    )  # fmt: skip
    return record


def _change_status(child, status, on, reason, by, *, merged_into) -> StatusChange:
    change = StatusChange.objects.create(
        child=child, from_status=child.status, to_status=status, date=on, reason=reason,
        created_by=by,
    )  # fmt: skip
    if status == child.status:  # a closed file merged: the change says so, the status stays
        on = child.status_changed_on
    save_tracked(
        child, by=by,
        fields={"status": status, "status_changed_on": on, "merged_into": merged_into},
        update_fields=["status", "status_changed_on", "merged_into"],
    )  # fmt: skip
    return change


def undo_deadline(record: ChildMerge) -> datetime.datetime:
    return record.merged_at + datetime.timedelta(days=UNDO_DAYS)


@transaction.atomic
def undo(*, record: ChildMerge, by) -> ChildMerge:
    """Move back exactly what ``record`` moved and reopen the duplicate as it was."""
    _require_official(by)
    record = ChildMerge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    if timezone.now() > undo_deadline(record):
        raise ValidationError(
            _("A merge can be undone for %(days)d days only; this one is older.")
            % {"days": UNDO_DAYS}
        )
    survivor, duplicate = _lock(record.survivor, record.duplicate)
    for label, field_name, pk, county in record.moved:
        model = apps.get_model(label)
        updates = {model._meta.get_field(field_name).attname: duplicate.pk}
        if county is not None:
            updates[_county_field(model).attname] = county
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=pk, **{field_name: survivor.pk}).update(**updates)
        except IntegrityError:
            raise ValidationError(
                _("%(record)s cannot go back to the other file: it now has one like it.")
                % {"record": f"{model._meta.verbose_name} {pk}"}
            ) from None
    restore = {
        n: v for n, v in record.filled.items() if getattr(survivor, n) == getattr(duplicate, n)
    }
    if restore:
        save_tracked(survivor, by=by, fields=restore, update_fields=list(restore))
    closure.restore_all(child=duplicate, change=record.status_change, by=by)
    _reopen(record, duplicate, by)
    record.undone_at, record.undone_by = timezone.now(), by
    record.save(update_fields=["undone_at", "undone_by"])
    audit.record(
        audit.Action.CHANGE, user=by, obj=record, child_id=survivor.pk,
        detail=f"merge undone: child:{duplicate.pk} out of child:{survivor.pk}",
    )  # fmt: skip
    return record


def _reopen(record: ChildMerge, duplicate: Child, by) -> None:
    StatusChange.objects.create(
        child=duplicate, from_status=duplicate.status, to_status=record.previous_status,
        date=timezone.localdate(), reason=_("The merge was undone."), created_by=by,
    )  # fmt: skip
    save_tracked(
        duplicate, by=by,
        fields={"status": record.previous_status, "merged_into": None,
                "status_changed_on": record.previous_status_changed_on},
        update_fields=["status", "status_changed_on", "merged_into"],
    )  # fmt: skip
