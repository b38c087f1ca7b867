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

(1) The assignment is active (not ended) and the ``Volunteer`` record is active: an official who
marks a volunteer inactive ends their access on the next request, as does deactivating the user.
(2) ``sharing_stands()``: the latest consent record of the child does not refuse sharing with
volunteers outside government, or an official's ``ConsentOverride`` applies today. A child with
no consent record at all stays shared: that is how the office worked before consent was recorded
(docs/security/volaccess.md), and such children are on the officials' "without consent" list.
A child whose sharing does not stand stays on the volunteer's own list (name and a message to
call the office) but every record of the file (the file, visits, calls, health checks, check-ins
through ``visible_to``) is out of the volunteer's scope. Any future role outside government
(partners, outside organisations) must go through ``sharing_stands()`` too.

Nothing here imports a model at load time: the filters are ORM paths (the volunteers' through
the reverse relation ``Child.assignments``), so models can call in without cycles and the
register never imports the volunteers app.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from lbc_office.core.models import Role


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
        # The Volunteer record must be active too (the reverse path through the assignment,
        # so that registry never imports the volunteers app).
        child_model = apps.get_model("registry", "Child")
        assigned = (
            child_model.objects.filter(
                assignments__volunteer__user=user,
                assignments__volunteer__active=True,
                assignments__ended_on__isnull=True,
            )
            .filter(sharing_stands())
            .values("pk")
        )
        return qs.filter(**{f"{prefix}pk__in": assigned})
    return qs.none()


def sharing_stands(child_ref: str = "pk", today=None) -> Q:
    """A condition over children (or, with ``child_ref``, any model's path to the child's key):
    the guardian's consent to share the file with volunteers outside government stands, or an
    official's override applies today.

    The latest consent record counts (by date, then order of recording, as everywhere); it
    shares when it covers both keeping the file and sharing it (``ConsentRecord.
    shares_with_volunteers_sql``): a withdrawal, a refusal, or an official's override of keeping
    the file does not share. No record at all: shared (see the module's note (2)).
    """
    today = today or timezone.localdate()
    consent_model = apps.get_model("registry", "ConsentRecord")
    override_model = apps.get_model("registry", "ConsentOverride")
    latest = (
        consent_model.objects.filter(child=OuterRef(child_ref))
        .order_by("-date", "-id")
        .annotate(shares=consent_model.shares_with_volunteers_sql())
    )
    guardian_says = Coalesce(
        Subquery(latest.values("shares")[:1]),
        Value(True),
        output_field=BooleanField(),
    )
    override = override_model.objects.filter(
        child=OuterRef(child_ref),
        covers=override_model.Covers.SHARE_WITH_VOLUNTEERS,
        valid_until__gte=today,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    return Q(Exact(guardian_says, True)) | Q(Exists(override))


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
