"""The working set: what a teacher's or a volunteer's phone keeps so that they can work with no
signal — their own children and nothing else (docs/OFFLINE.md).

- a teacher: the active children of their schools (``Child.objects.visible_to``, as the children
  list), each with name, grade, school, guardian, the guardians and the parents away with their
  phones, the date of the last home visit and of the last family call; the family rooms in use
  at those schools (for the call form);
- a volunteer: the children of their active assignments, as their "my children" page shows them
  (``volunteers.selectors.my_children``: a child whose file is not shared keeps its name only),
  with each assignment's role and whether this month's check-in is done.

Never an identity number, a date of birth, a village or free-text notes; officials and report
viewers get no working set (a lost phone must not carry a county). Each working set is stamped
with the time it was made and the time after which the phone drops it.
"""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from lbc_office.core.models import Role
from programmes.models import FamilyCall, HomeVisit
from registry.models import Child, FamilyRoom, Guardian, ParentAway
from volunteers import selectors as volunteer_selectors
from volunteers.models import CarerRole, MonthlyCheckin, Volunteer, month_start

# The phone drops a working set this long after it was made, if no newer one came (no sync).
KEEP_DAYS = 14
# A teacher linked to many schools still gets a bounded download.
MAX_CHILDREN = 2000
ROLES = (Role.TEACHER, Role.VOLUNTEER)


def allowed(user) -> bool:
    """Only teachers and volunteers keep a working set (and send records made offline)."""
    return user.is_authenticated and user.is_active and user.role in ROLES


def build(user, *, now: datetime.datetime | None = None) -> tuple[dict, list[int]]:
    """The user's working set as JSON-ready data, and the keys of the children it holds."""
    now = now or timezone.now()
    data = {
        "user": user.pk,
        "role": user.role,
        "made_at": now.isoformat(),
        "keep_until": (now + datetime.timedelta(days=KEEP_DAYS)).isoformat(),
        "month": f"{month_start(timezone.localdate(now)):%Y-%m}",
        "children": [],
        "rooms": {},
        "assignments": [],
    }
    if user.role == Role.TEACHER:
        _teacher(user, data)
    elif user.role == Role.VOLUNTEER:
        _volunteer(user, data)
    return data, [child["id"] for child in data["children"]]


def _date(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return value.isoformat()[:16]


def _people(child: Child) -> dict:
    return {
        "guardians": [
            {"relation": g.get_relation_display(), "name": g.name, "phone": g.phone}
            for g in child.guardians.all()
        ],
        "parents": [
            {
                "relation": p.get_relation_display(),
                "name": p.name,
                "phone": p.phone,
                "city": p.work_city,
            }
            for p in child.parents_away.all()
        ],
    }


def _teacher(user, data: dict) -> None:
    last_visit = HomeVisit.objects.filter(child=OuterRef("pk")).order_by("-date", "-pk")
    last_call = FamilyCall.objects.filter(child=OuterRef("pk")).order_by("-at", "-pk")
    children = (
        Child.objects.visible_to(user)
        .active()
        .select_related("school")
        .annotate(
            last_visit=Subquery(last_visit.values("date")[:1]),
            last_call=Subquery(last_call.values("at")[:1]),
        )
        .prefetch_related(
            Prefetch("guardians", Guardian.objects.order_by("id")),
            Prefetch("parents_away", ParentAway.objects.order_by("relation")),
        )
        .order_by("name", "pk")[:MAX_CHILDREN]
    )
    schools = set()
    for child in children:
        schools.add(child.school_id)
        data["children"].append(
            {
                "id": child.pk,
                "name": child.name,
                "grade": child.grade,
                "school": child.school.name,
                "school_id": child.school_id,
                "guardian": child.get_guardian_display(),
                "last_visit": _date(child.last_visit),
                "last_call": _date(child.last_call),
                **_people(child),
            }
        )
    rooms = FamilyRoom.objects.filter(school__in=schools, active=True).order_by("kind", "pk")
    for room in rooms:
        data["rooms"].setdefault(str(room.school_id), []).append({"id": room.pk, "name": str(room)})


def _volunteer(user, data: dict) -> None:
    volunteer = Volunteer.objects.filter(user=user).first()
    cards = volunteer_selectors.my_children(volunteer) if volunteer else []
    for card in cards:
        child = {"id": card.child.pk, "name": card.child.name, "shared": card.shared}
        if card.shared:
            child.update(
                grade=card.child.grade,
                school=card.child.school.name,
                guardian=card.child.get_guardian_display(),
                **_people(card.child),
            )
        data["children"].append(child)
        checkin = card.checkin
        data["assignments"].append(
            {
                "id": card.assignment.pk,
                "child": card.child.pk,
                "role": card.assignment.get_role_display(),
                "form": (
                    "roles" if card.assignment.role == CarerRole.SURROGATE_PARENT else "contact"
                ),
                "done": checkin is not None and checkin.status == MonthlyCheckin.Status.DONE,
            }
        )
