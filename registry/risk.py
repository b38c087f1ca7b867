"""A child's risk level: the one service that sets it, and the hook the apps listen on.

``set_risk_level`` is the only writer of ``RiskChange`` and of ``Child.risk_level``. Officials
and the child's teachers set it (a teacher within their schools); volunteers, report viewers
and partners never do. The apps react in the same transaction through a listener registered
from their ``AppConfig.ready()`` (casework opens a case plan for a child at high or urgent
risk)::

    risk.register_listener("case_plan", on_change)   # (*, child, change, by) -> None

The register imports no app (docs/ARCHITECTURE.md): this is how it tells them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lbc_office.core.services import save_tracked
from registry import access
from registry.models import Child, ChildStatus, RiskChange, RiskLevel

Listener = Callable[..., None]
_listeners: dict[str, Listener] = {}


def register_listener(key: str, listener: Listener) -> None:
    """Add (or replace) what an app does when a child's risk level changes."""
    _listeners[key] = listener


def may_set(user, child: Child) -> bool:
    """Officials, and teachers of the child's school: those who keep the file (and see it)."""
    if not access.can_edit_children(user):
        return False
    return user.is_official or Child.objects.visible_to(user).filter(pk=child.pk).exists()


@transaction.atomic
def set_risk_level(*, child: Child, level: str, reason: str, by) -> RiskChange:
    """Move ``child`` to ``level`` for ``reason``, recorded with who and when.

    Refused: a level not in the list, the level the child already has, a blank reason, a file
    that is not active. Sent twice (the same level and reason by the same person, a double
    click or a retried request), the second returns the first change and writes nothing.
    """
    if by is None or not may_set(by, child):
        raise PermissionDenied("only officials and the child's teachers set a risk level")
    child = Child.objects.select_for_update().get(pk=child.pk)
    reason = (reason or "").strip()
    latest = RiskChange.objects.filter(child=child).first()
    if (
        latest is not None
        and level == child.risk_level == latest.to_level
        and (latest.reason, latest.set_by_id) == (reason, by.pk)
    ):
        return latest  # the same request again
    errors = {}
    if level not in RiskLevel.values:
        errors["level"] = _("Choose a risk level from the list.")
    elif level == child.risk_level:
        errors["level"] = _("The child's risk level is already “%(level)s”.") % {
            "level": RiskLevel(level).label
        }
    if not reason:
        errors["reason"] = _("Say why the risk level changes.")
    if child.status != ChildStatus.ACTIVE:
        errors["level"] = _("Only an active child's file has a risk level.")
    if errors:
        raise ValidationError(errors)
    change = save_tracked(
        RiskChange(child=child, from_level=child.risk_level, to_level=level, reason=reason),
        by=by,
        fields={"set_by": by},
    )
    # The level itself: one column, its history is ``change`` (audited just above).
    child.risk_level = level
    child.updated_by = by
    child._history_user = by
    child.save(update_fields=["risk_level", "updated_by", "updated_at"])
    for listener in _listeners.values():
        listener(child=child, change=change, by=by)
    return change
