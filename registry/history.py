"""A child's change history: every version of the file and of the records tied to it, with what
changed from the version before (django-simple-history keeps the versions).

Like the timeline, other apps add their records' histories from ``AppConfig.ready()``:
``register(model)`` for a model with ``history`` and a ``child`` foreign key. The page costs one
query per model (plus the authors), however long the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator

from registry import idnumber

PER_PAGE = 30
_models: list = []


def register(model) -> None:
    if model not in _models:
        _models.append(model)


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Version:
    at: object
    user: object
    record_type: str
    record: str
    kind: str  # "+" created, "~" changed
    changes: list[Change] = field(default_factory=list)


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)


def _versions(history_qs, label: str, exclude: set[str], user=None) -> list[Version]:
    """Versions of one model's records, each compared with the version before it.

    Old and new identity numbers are shown as ``user`` may see them (``idnumber.shown_to``):
    the page is the officials', but a history is where an old number would otherwise linger.
    """
    rows = list(
        history_qs.select_related("history_user").order_by("id", "history_date", "history_id")
    )
    by_record = defaultdict(list)
    for row in rows:
        by_record[row.id].append(row)
    versions = []
    for record_rows in by_record.values():
        previous = None
        for row in record_rows:
            version = Version(
                at=row.history_date, user=row.history_user, record_type=label,
                record=str(row.history_object),  # not str(row): "… as of <UTC timestamp>"
                kind="+" if row.history_type == "+" else "~",
            )  # fmt: skip
            if previous is not None:
                delta = row.diff_against(previous, excluded_fields=exclude)
                for change in delta.changes:
                    name = row._meta.get_field(change.field).verbose_name
                    old, new = change.old, change.new
                    if change.field == "id_number":
                        old, new = (idnumber.shown_to(user, v or "") for v in (old, new))
                    version.changes.append(Change(str(name), _shown(old), _shown(new)))
                if not version.changes:
                    previous = row
                    continue  # a save that changed nothing visible
            versions.append(version)
            previous = row
    return versions


def page(child, number: int = 1, *, user=None):
    """The child's versions and its records', newest first, one page of them, as ``user`` may
    see them (no user: identity numbers masked)."""
    from registry.models import Child

    exclude = {"created_at", "updated_at", "created_by", "updated_by", "county"}
    label = str(Child._meta.verbose_name)
    versions = _versions(Child.history.filter(id=child.pk), label, exclude, user)
    for model in _models:
        versions += _versions(
            model.history.filter(child_id=child.pk), str(model._meta.verbose_name), exclude, user
        )
    versions.sort(key=lambda v: v.at, reverse=True)
    return Paginator(versions, PER_PAGE).get_page(number)
