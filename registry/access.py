"""Who may see which records: the one place where access to the register is decided.

Every view, export, search and report reaches children through these functions, by way of the
querysets' ``visible_to(user)``. A record outside the user's scope is simply not in the queryset,
so fetching it answers 404 (never 403 with a hint).

| role            | children                                | schools        |
|-----------------|-----------------------------------------|----------------|
| county official | all                                     | all            |
| teacher         | those of the schools they are linked to | those schools  |
| volunteer       | those with an active assignment to them | none           |
| report viewer   | none: aggregate reports only            | none           |

Nothing here imports a model at load time: the filters are ORM paths (the volunteers' through
the reverse relation ``Child.assignments``), so models can call in without cycles and the
register never imports the volunteers app.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet

from lbc_office.models import Role


def _active_role(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.role


def scope_children(qs: QuerySet, user, path: str = "") -> QuerySet:
    """Filter ``qs`` to the children ``user`` may see.

    ``path`` is the ORM path from the queryset's model to ``Child`` ("" for Child itself,
    "child" for a health check, …), so one rule serves every record tied to a child.
    """
    prefix = f"{path}__" if path else ""
    role = _active_role(user)
    if role == Role.OFFICIAL:
        return qs
    if role == Role.TEACHER:
        # child → school → teacher link → the teacher's user. One teacher row per user, so the
        # join cannot repeat a child.
        return qs.filter(**{f"{prefix}school__teachers__user": user})
    if role == Role.VOLUNTEER:
        # Only while the assignment is active: ending it removes access on the next request.
        # A subquery, not a join, so that two active roles for one child do not repeat it.
        child_model = apps.get_model("registry", "Child")
        assigned = child_model.objects.filter(
            assignments__volunteer__user=user, assignments__ended_on__isnull=True
        ).values("pk")
        return qs.filter(**{f"{prefix}pk__in": assigned})
    return qs.none()


def scope_schools(qs: QuerySet, user) -> QuerySet:
    role = _active_role(user)
    if role == Role.OFFICIAL:
        return qs
    if role == Role.TEACHER:
        return qs.filter(teachers__user=user)
    return qs.none()


def can_read_children(user) -> bool:
    """Whether the role reads personal files at all (report viewers never do)."""
    return _active_role(user) in (Role.OFFICIAL, Role.TEACHER, Role.VOLUNTEER)


def can_edit_children(user) -> bool:
    """Officials and teachers keep files up to date (teachers only within their scope)."""
    return _active_role(user) in (Role.OFFICIAL, Role.TEACHER)


def sees_full_id_number(user) -> bool:
    """Identity numbers are masked for everyone but county officials."""
    return _active_role(user) == Role.OFFICIAL
