"""Who may see which records: the one place where access to the register is decided.

Every view, export, search and report reaches children through these functions, by way of the
querysets' ``visible_to(user)``. A record outside the user's scope is simply not in the queryset,
so fetching it answers 404 (never 403 with a hint).

| role            | children                                | schools        |
|-----------------|-----------------------------------------|----------------|
| county official | all of their county                     | their county's |
| municipal       | all of every county (reads; writes only | all            |
| official        | accounts: ``county_writes_only``)       |                |
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

**Place scope.** Every account belongs to one county or to the city (``User.county_code``,
empty for the city). A county official's children, schools and every county-keyed record
(``scope_county``: volunteers, programmes, imports, organisations…) are their county's; a
municipal official (an official of the city) reads them all. Report viewers and partners are per
county or per city too (the reports and the referrals ask ``county_code_of``). Teachers reach
only their own schools, volunteers only their own children, all in one county. A record of
another county is out of scope like any other: 404.

Officials and teachers are decided here. A role whose children are named by another app's
records (the volunteer's, by their assignments) gets its rule from that app's
``AppConfig.ready()`` through ``register_child_scope`` (volunteers/registrations.py), written
in that app's own schema: the register holds no ORM path of another app. A role with no rule
sees no child.

Nothing here imports a model, so the models' querysets import this module freely.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet, Subquery

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


def county_code_of(user) -> str:
    """The administrative code of the user's county, or "" for the city."""
    return getattr(user, "county_code", "") or ""


def is_municipal(user) -> bool:
    """An official of the city: reads every county."""
    return _active_role(user) == Role.OFFICIAL and not county_code_of(user)


def scope_county(qs: QuerySet, user, path: str = "county") -> QuerySet:
    """Filter ``qs`` to the records of the user's county (all of them for the city).

    ``path`` is the ORM path from the queryset's model to ``County``. For the records an
    official manages that belong to no child (volunteers, programmes, organisations, imports…);
    each view still checks the role. A signed-out or inactive user gets nothing.
    """
    if _active_role(user) is None:
        return qs.none()
    code = county_code_of(user)
    if not code:
        return qs
    # ``county_id = (SELECT id FROM county WHERE code = …)``: a value the planner knows before
    # the scan, so an index that starts with the county also gives the list its order (a join
    # on the code would sort the whole county for each page).
    county = qs.model
    for part in path.split("__"):
        county = county._meta.get_field(part).related_model
    one = county._default_manager.filter(code=code).values("pk")[:1]
    return qs.filter(**{path: Subquery(one)})


def scope_children(qs: QuerySet, user, path: str = "") -> QuerySet:
    """Filter ``qs`` to the children ``user`` may see.

    ``path`` is the ORM path from the queryset's model to ``Child`` ("" for Child itself,
    "child" for a health check, …), so one rule serves every record tied to a child.
    """
    prefix = f"{path}__" if path else ""
    role = _active_role(user)
    if role == Role.OFFICIAL:
        return scope_county(qs, user, f"{prefix}county")
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
        return scope_county(qs, user)
    if role == Role.TEACHER:
        return qs.filter(teachers__user=user)
    return qs.none()


def can_read_children(user) -> bool:
    """Whether the role reads personal files at all (report viewers never do)."""
    return _active_role(user) in (Role.OFFICIAL, Role.TEACHER, Role.VOLUNTEER)


def can_edit_children(user) -> bool:
    """County officials and teachers keep files up to date (teachers only within their scope);
    a municipal official reads."""
    return _active_role(user) in (Role.OFFICIAL, Role.TEACHER) and not is_municipal(user)


def sees_full_id_number(user) -> bool:
    """Identity numbers are masked for everyone but county officials."""
    return _active_role(user) == Role.OFFICIAL
