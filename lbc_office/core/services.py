"""The one write path every app's services share (ground floor: imports none of our apps)."""

from __future__ import annotations

from typing import Any

from lbc_office.core import audit


def save_tracked(instance, *, by, fields: dict[str, Any] | None = None, update_fields=None):
    """Set ``fields``, stamp who did it, validate and save: the one write path of the apps.

    Other apps' services use it for their own ``TrackedModel`` records.
    """
    for name, value in (fields or {}).items():
        setattr(instance, name, value)
    if instance.pk is None and hasattr(instance, "created_by_id"):
        instance.created_by = by
    if hasattr(instance, "updated_by_id"):
        instance.updated_by = by
    instance._history_user = by  # read by django-simple-history
    instance.full_clean()
    if update_fields is not None:
        update_fields = [*update_fields, "updated_by", "updated_at"]
    created = instance.pk is None
    instance.save(update_fields=update_fields)
    audit.record(audit.Action.CREATE if created else audit.Action.CHANGE, user=by, obj=instance)
    return instance
