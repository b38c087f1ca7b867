"""The load test's users and their sessions, made directly in the benchmark's database
(``scripts/loadtest.py prepare``): teachers linked to two schools each (half of them in the
county with activity), volunteers with assignments, officials of the city and one official of a
county. Officials' sessions have passed the second step, as scripts/bench_register.py signs in.
The ``load-*`` accounts live in the benchmark's database only."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django():
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")
    import django

    django.setup()


def _session(user) -> str:
    from bench_register import _signed_in  # the officials' second step, as the benches do

    return _signed_in(user).cookies["sessionid"].value


def _teachers(n: int, counties: list[int], codes: dict, activity) -> list[dict]:
    from lbc_office.core.models import Role, User
    from registry.models import Child, School, Teacher

    users = []
    for i in range(n):
        county = activity if (i % 2 == 0 and activity) else counties[i % len(counties)]
        user, _ = User.objects.update_or_create(
            username=f"load-teacher-{i}",
            defaults={"role": Role.TEACHER, "first_name": "负载", "county_code": codes[county]},
        )
        schools = list(
            School.objects.filter(county_id=county, active=True).order_by("pk")[2 * i : 2 * i + 2]
        ) or list(School.objects.filter(county_id=county).order_by("pk")[:2])
        teacher, _ = Teacher.objects.get_or_create(user=user)
        teacher.schools.set(schools)
        children = list(
            Child.objects.filter(school__in=schools, status="active")
            .order_by("?")
            .values_list("pk", "name")[:40]
        )
        if children:
            users.append(
                {
                    "role": "teacher",
                    "session": _session(user),
                    "children": [pk for pk, _n in children],
                    "names": sorted({n[:k] for _pk, n in children for k in (2, 3) if len(n) >= k}),
                }
            )
    return users


def _volunteers(n: int, codes: dict) -> list[dict]:
    from lbc_office.core.models import Role, User
    from volunteers.models import Assignment, Volunteer

    free = list(
        Volunteer.objects.filter(user__isnull=True, active=True)
        .filter(pk__in=Assignment.objects.active().values("volunteer"))
        .order_by("pk")[:n]
    )
    mine = list(Volunteer.objects.filter(user__username__startswith="load-volunteer-"))
    users = []
    for i, volunteer in enumerate(mine + free[: max(0, n - len(mine))]):
        if volunteer.user_id is None:
            user, _ = User.objects.update_or_create(
                username=f"load-volunteer-{i}",
                defaults={"role": Role.VOLUNTEER, "county_code": codes[volunteer.county_id]},
            )
            Volunteer.objects.filter(user=user).update(user=None)
            volunteer.user = user
            volunteer.save(update_fields=["user"])
        assignments = list(
            Assignment.objects.active().filter(volunteer=volunteer).values_list("pk", flat=True)
        )
        users.append(
            {"role": "volunteer", "session": _session(volunteer.user), "assignments": assignments}
        )
    return users


def _officials(n: int, codes: dict, activity, counties: list[int]) -> list[dict]:
    """Officials of the city (municipal: every county) and one of the activity county."""
    from lbc_office.core.models import Role, User

    users = []
    for i in range(n):
        user, _ = User.objects.update_or_create(
            username=f"load-official-{i}", defaults={"role": Role.OFFICIAL, "county_code": ""}
        )
        users.append(
            {
                "role": "official",
                "session": _session(user),
                "counties": list(codes.values()),
                "activity": codes.get(activity, ""),
            }
        )
    county_official, _ = User.objects.update_or_create(
        username="load-county-official",
        defaults={"role": Role.OFFICIAL, "county_code": codes[activity or counties[0]]},
    )
    users.append({"role": "county", "session": _session(county_official)})
    return users


def _probes(county_id) -> dict:
    """What the one-user timings ask for (``single``): a child of the county and its names."""
    from registry.models import Child

    child = Child.objects.filter(status="active", county_id=county_id).order_by("pk")[1000]
    given = child.name[1:3] if len(child.name) >= 3 else child.name
    return {
        "role": "probes", "session": "", "child": child.pk, "county": child.county.code,
        "town": child.village.town_id, "name3": child.name[:3], "name2": child.name[:2],
        "given2": given, "surname": child.name[:1], "id": child.id_number,
        "last4": child.id_number[-4:],
    }  # fmt: skip


def prepare(args) -> None:
    _django()
    from django.db import connection

    from lbc_office.core.models import Role, User
    from registry.models import County, Teacher
    from volunteers.models import Volunteer

    if not User.objects.filter(role=Role.OFFICIAL, is_active=True).exists():
        raise SystemExit("no official: generate the register first (bench_reports.py)")
    counties = list(County.objects.order_by("code").values_list("pk", flat=True))
    codes = dict(County.objects.values_list("pk", "code"))
    # The county with volunteers (the benchmark's activity county) gets half the teachers.
    activity = (
        Volunteer.objects.filter(user__isnull=True).values_list("county_id", flat=True).first()
    )
    users = _teachers(args.teachers, counties, codes, activity)
    users += _volunteers(args.volunteers, codes)
    users += _officials(args.officials, codes, activity, counties)
    # The new rows' statistics, as autovacuum would gather them (without them the planner met
    # a teacher's 2 schools as 122 and a search took 850 ms instead of 10).
    with connection.cursor() as cursor:
        for model in (User, Teacher, Teacher.schools.through, Volunteer):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    users.append(_probes(activity or counties[0]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(users, ensure_ascii=False))
    kinds = {r: sum(u["role"] == r for u in users) for r in ("teacher", "volunteer", "official")}
    print(f"{len(users)} users with sessions in {args.out}: {kinds}")
