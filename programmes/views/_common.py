"""What every view of the app shares: the role checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from lbc_office.core.auth import role_required
from lbc_office.core.models import Role
from registry import access

official_only = role_required(Role.OFFICIAL)


def require_teacher_or_official(request) -> None:
    """Teachers and officials record contact; volunteers and report viewers do not (403)."""
    if not access.can_edit_children(request.user):
        raise PermissionDenied
