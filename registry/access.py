"""Who may see which records: the one place where access to the register is decided.

Every view, export, search and report reaches children through these functions, by way of the
querysets' ``visible_to(user)``. A record outside the user's scope is simply not in the queryset,
so fetching it answers 404 (never 403 with a hint).

| role            | children                                | schools        |
|-----------------|-----------------------------------------|----------------|
| county official | all                                     | all            |
| teacher         | those of the schools they are linked to | those schools  |
| volunteer       | those with an active assignment to them | none           |
|                 | (1) whose file the guardian lets them   |                |
|                 | see (2), while they are active (3)      |                |
| report viewer   | none: aggregate reports only            | none           |
| partner         | none: only the referrals sent to their  | none           |
|                 | organisation (casework's                |                |
|                 | ``Referral.objects.for_partner``) (4)   |                |

(1) The assignment is active (not ended) and the ``Volunteer`` record is active: an official who
marks a volunteer inactive ends their access on the next request, as does deactivating the user.
(2) ``sharing_stands()`` (registry/models/consent.py): the latest consent record of the child
does not refuse sharing with volunteers outside government, or an official's
``ConsentOverride`` applies today. A child with no consent record at all stays shared: that is
how the office worked before consent was recorded (docs/security/volaccess.md), and such children
are on the officials' "without consent" list. A child whose sharing does not stand stays on the
volunteer's own list (name and a message to call the office) but every record of the file (the
file, visits, calls, health checks, check-ins through ``visible_to``) is out of the volunteer's
scope. Any future role outside government (partners, outside organisations) must go through
``sharing_stands()`` too.

(4) A partner organisation's liaison registers no child scope, on purpose: the register never
shows them a child. Their referral page shows the least of the file (casework/partner_views.py).

Officials and teachers are decided here. A role whose children are named by another app's
records (the volunteer's, by their assignments) gets its rule from that app's
``AppConfig.ready()`` through ``register_child_scope`` (volunteers/registrations.py), written
in that app's own schema: the register holds no ORM path of another app. A role with no rule
sees no child.

Nothing here imports a model, so the models' querysets import this module freely.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from lbc_office.core.models import Role

# role -> (user -> a queryset of the keys of the children that user may see)
ChildScope = Callable[[object], QuerySet]
_child_scopes: dict[str, ChildScope] = {}


def register_child_scope(role: str, rule: ChildScope) -> ChildScope:
    """Give ``role`` its children: ``rule(user)`` returns the keys (``.values("pk")``) of the
    children that user may see. Called from an app's ``AppConfig.ready()``; registering again
    replaces the rule. Officials and teachers are decided here and cannot be given a rule."""
    if role in (Role.OFFICIAL, Role.TEACHER):
        raise ValueError(f"the register decides the {role!r} scope itself")
    _child_scopes[role] = rule
    return rule


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
    rule = _child_scopes.get(role)
    if rule is None:
        return qs.none()
    # A subquery of keys, not a join, so that two matching records cannot repeat a child.
    return qs.filter(**{f"{prefix}pk__in": rule(user)})


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
