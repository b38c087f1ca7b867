"""The register and the year of activity the benchmarks run on, generated at county scale.

``generate`` fills Wuxi-sized counties (221 schools, 32 towns) with children whose identity
numbers, names and families are drawn from a seeded generator (the same seed gives the same
register); ``generate_activity`` adds calls, home visits, carers and check-ins, and ``spread_activity``
the same in set-based SQL for every county still without them. Used by
``bench_register.py`` and ``bench_reports.py``, which set Django up first.
"""

from __future__ import annotations

import datetime
import random
import time

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "小明红华丽军芳强敏静磊洋勇艳杰娟涛超秀霞平刚桂英宇浩然欣怡梓涵子轩雨萱佳琪俊杰思远"


CHILDREN_PER_COUNTY = 58_750  # 2.35 M children over Chongqing's 40 counties


def generate(children: int, schools: int = 221, towns: int = 32, seed: int = 2011) -> None:
    """One county per 58,750 children (Wuxi-sized), each with 221 schools and 32 towns."""
    from django.db import connection

    from lbc_office.core.models import Role, User
    from registry.models import Teacher

    rng = random.Random(seed)
    counties = max(1, -(-children // CHILDREN_PER_COUNTY))
    t0 = time.perf_counter()
    first_schools = []
    for c in range(counties):
        share = children // counties + (1 if c < children % counties else 0)
        code = "500238" if counties == 1 else f"50{c + 1:02d}38"
        county_schools = _county(rng, code, share, schools, towns)
        if c == 0:
            first_schools = county_schools[:2]  # the benchmark teacher's two schools
        print(f"  county {code}: {share:,} children ({time.perf_counter() - t0:.0f}s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated {children:,} children in {counties} counties in {time.perf_counter() - t0:.1f}s"
    )
    User.objects.create_user("bench-official", password="x", role=Role.OFFICIAL)
    teacher_user = User.objects.create_user("bench-teacher", password="x", role=Role.TEACHER)
    Teacher.objects.create(user=teacher_user).schools.set(first_schools)


def _county(rng, code, children, schools, towns):
    from registry.models import Child, County

    county = County.objects.create(code=code, name=f"县{code}")
    villages, school_objs = _places(county, code, schools, towns)
    today = datetime.date.today()
    used: set[str] = set()
    batch: list[Child] = []
    for _ in range(children):
        school = school_objs[rng.randrange(schools)]
        batch.append(_child(rng, county, code, school, villages, used, today))
        if len(batch) == 10_000:
            Child.objects.bulk_create(batch)
            batch.clear()
    Child.objects.bulk_create(batch)
    return school_objs


def _places(county, code, schools, towns):
    """The county's towns, eight villages a town, and its schools."""
    from registry.models import School, Town, Village

    town_objs = Town.objects.bulk_create(
        [Town(county=county, name=f"镇{i:02d}") for i in range(towns)]
    )
    villages = Village.objects.bulk_create(
        [Village(town=t, name=f"村{j:02d}") for t in town_objs for j in range(8)]
    )
    school_objs = School.objects.bulk_create(
        [
            School(
                county=county,
                town=town_objs[i % towns],
                code=f"{code}{i:04d}",
                name=f"学校{code}-{i:03d}",
                level="primary" if i % 4 else "middle",
                boarding=i % 3 == 0,
                canteen=True,
            )
            for i in range(schools)
        ]
    )
    return villages, school_objs


def _child(rng, county, code, school, villages, used, today):
    """One child at ``school`` with an identity number not in ``used`` (the draws in the
    generator's order: the same seed gives the same register)."""
    from registry.idnumber import check_digit_for
    from registry.models import Child

    grade = rng.randint(1, 6) if school.level == "primary" else rng.randint(7, 9)
    dob = datetime.date(today.year - grade - 6, rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice("MF")
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
        first17 = f"{code}{dob:%Y%m%d}{seq:03d}"
        if first17 not in used:
            used.add(first17)
            break
    father, mother = rng.random() < 0.85, rng.random() < 0.45
    if not (father or mother):
        father = True
    return Child(
        county=county,
        id_number=first17 + check_digit_for(first17),
        name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        sex=sex,
        date_of_birth=dob,
        school=school,
        grade=grade,
        village=villages[rng.randrange(len(villages))],
        father_away=father,
        mother_away=mother,
        guardian="grandparents" if father and mother else "mother" if father else "father",
        boarding=school.boarding and rng.random() < 0.4,
        poor=rng.random() < 0.18,
    )


def generate_activity(seed: int = 2012, counties: int | None = None) -> None:
    """A year of life at county scale: about four family-room calls per child, a home visit for
    one child in five (a tenth of them with a follow-up due), a carer for one child in four with
    six months of check-ins, and a long history on one child's file."""
    from django.db import connection
    from django.utils import timezone

    from lbc_office.core.models import Role, User
    from programmes.models import FamilyCall, HomeVisit
    from programmes.services.contact import refresh_last_contact
    from registry.models import Child, County, HealthCheck
    from volunteers.models import Assignment, MonthlyCheckin

    rng = random.Random(seed)
    t0 = time.perf_counter()
    today = timezone.localdate()
    teacher = User.objects.get(username="bench-teacher")
    volunteer_user = User.objects.create_user("bench-volunteer", password="x", role=Role.VOLUNTEER)
    first_county = County.objects.order_by("code").first()
    for county in County.objects.order_by("code")[: counties or None]:
        children = _calls_and_visits(rng, county, teacher, today)
        # The benchmark volunteer's login belongs to one volunteer only (the first county's).
        login = volunteer_user if county == first_county else None
        _carers(rng, county, children, teacher, login, today)
    # Bulk inserts go around the services: recompute the cached last contact as the nightly
    # task does (and time it: it is that task's cost).
    t1 = time.perf_counter()
    refresh_last_contact()
    print(f"nightly refresh of every child's last contact: {time.perf_counter() - t1:.1f}s")
    # One child with a long story: the file must not slow down with it.
    long = Child.objects.order_by("id")[Child.objects.count() // 2]
    HealthCheck.objects.bulk_create(
        [HealthCheck(child=long, date=today - datetime.timedelta(days=30 * i), height_cm=140,
                     weight_kg=35)
         for i in range(100)]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated activity in {time.perf_counter() - t0:.1f}s: "
          f"{FamilyCall.objects.count():,} calls, {HomeVisit.objects.count():,} visits, "
          f"{Assignment.objects.count():,} assignments, {MonthlyCheckin.objects.count():,} check-ins")  # fmt: skip


def _calls_and_visits(rng, county, teacher, today):
    """A family phone at every school, calls from it, home visits; returns (child, school) keys."""
    from django.utils import timezone

    from programmes.models import FamilyCall, HomeVisit
    from registry.models import Child, FamilyRoom

    room_objs = FamilyRoom.objects.bulk_create(
        [
            FamilyRoom(school_id=sid, kind="phone")
            for sid in county.schools.values_list("pk", flat=True)
        ]
    )
    rooms = {r.school_id: r.pk for r in room_objs}
    children = list(Child.objects.filter(county=county).values_list("pk", "school_id"))
    calls, visits = [], []
    for pk, school_id in children:
        for _i in range(rng.choice([0, 2, 4, 6])):
            when = timezone.now() - datetime.timedelta(
                days=rng.randrange(400), minutes=rng.randrange(600)
            )
            calls.append(
                FamilyCall(
                    child_id=pk,
                    county_id=county.pk,
                    room_id=rooms[school_id],
                    at=when,
                    minutes=rng.randint(3, 20),
                    with_whom=rng.choice(["father", "mother", "both"]),
                )
            )
        if rng.random() < 0.2:
            date = today - datetime.timedelta(days=rng.randrange(200))
            follow = rng.random() < 0.1
            visits.append(
                HomeVisit(
                    child_id=pk,
                    county_id=county.pk,
                    visitor=teacher,
                    date=date,
                    met="grandparents",
                    education="按时完成作业。",
                    follow_up_needed=follow,
                    follow_up_by=date + datetime.timedelta(days=14) if follow else None,
                )
            )
    FamilyCall.objects.bulk_create(calls, batch_size=10_000)
    HomeVisit.objects.bulk_create(visits, batch_size=10_000)
    return children


def _carers(rng, county, children, teacher, login, today):
    """A volunteer for every twenty children (the first with ``login``), a surrogate parent for
    five children each, and six months of check-ins for every assignment."""
    from django.utils import timezone

    from volunteers.models import Assignment, MonthlyCheckin, Volunteer, month_start

    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                county=county,
                name=f"志愿者{i}",
                town=county.towns.first(),
                may_be_surrogate_parent=True,
                capacity=5,
                vetted_on=today - datetime.timedelta(days=100),
                vetted_by=teacher,
                user=login if i == 0 else None,
            )
            for i in range(len(children) // 20)
        ]
    )
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                county=county,
                child_id=pk,
                volunteer=volunteers[i // 5],
                role="surrogate_parent",
                started_on=today - datetime.timedelta(days=200),
            )
            for i, (pk, _s) in enumerate(children[: len(volunteers) * 5])
        ]
    )
    months, m = [], month_start(today)
    for _i in range(6):
        m = month_start(m - datetime.timedelta(days=1))
        months.append(m)
    MonthlyCheckin.objects.bulk_create(
        [MonthlyCheckin(county=county, assignment=a, month=m, status="done" if rng.random() < 0.9 else "missed",
                        submitted_at=timezone.now(), contact="visit")
         for a in assignments for m in months],
        batch_size=10_000,
    )  # fmt: skip


def spread_activity() -> None:
    """Visits, carers and check-ins for every county that has none yet, in set-based SQL (the
    register generator's Python loop takes minutes a county): a fifth of the children visited
    in the last 200 days (a tenth of those with a follow-up); a surrogate parent for 6 % of
    the children and a foster mother and a foster brother or sister for 2 % each (Wuxi's
    surrogate parents look after 1,800 of its 55,000–71,000 children, about 3 %); six months
    of check-ins for every carer (nine in ten done, one in two hundred with a concern still
    open)."""
    from django.db import connection

    from lbc_office.core.models import User
    from programmes.models import HomeVisit
    from volunteers.models import Assignment, MonthlyCheckin

    t0 = time.perf_counter()
    teacher = User.objects.get(username="bench-teacher").pk
    with connection.cursor() as cursor:
        visits = _spread_visits(cursor, teacher)
        _spread_carers(cursor, teacher)
        _spread_checkins(cursor)
        cursor.execute("ANALYZE")
    print(
        f"spread activity in {time.perf_counter() - t0:.1f}s: {visits:,} more visits; now "
        f"{HomeVisit.objects.count():,} visits, {Assignment.objects.count():,} assignments, "
        f"{MonthlyCheckin.objects.count():,} check-ins"
    )


def _spread_visits(cursor, teacher: int) -> int:
    """A fifth of the children of every county without visits, visited; how many visits."""
    from programmes.models import HomeVisit
    from registry.models import Child

    child_t, visit_t = Child._meta.db_table, HomeVisit._meta.db_table
    cursor.execute(
        f"INSERT INTO {visit_t} (created_at, updated_at, date, met, guardian_health,"
        " guardian_supervision, guardian_homework, guardian_situation, community, education,"
        " safety, behaviour, physical_health, mental_health, child_said, follow_up_needed,"
        " follow_up_by, follow_up_note, child_id, county_id, visitor_id)"
        " SELECT now(), now(), d, 'grandparents', '', '', '', '', '', '按时完成作业。', '', '',"
        " '', '', '', f, CASE WHEN f THEN d + 14 END, '', id, county_id, %s FROM ("
        "  SELECT id, county_id, current_date - (random() * 200)::int AS d,"
        "   random() < 0.1 AS f"
        f"  FROM {child_t} WHERE random() < 0.2"
        f"  AND county_id NOT IN (SELECT DISTINCT county_id FROM {visit_t})) x",
        [teacher],
    )
    return cursor.rowcount


def _spread_carers(cursor, teacher: int) -> None:
    """Volunteers and their assignments in every county without volunteers (the counties are
    kept in the temporary table ``bench_new_counties`` for the check-ins)."""
    from registry.models import Child, Town
    from volunteers.models import Assignment, Volunteer

    child_t, town_t = Child._meta.db_table, Town._meta.db_table
    vol_t, asg_t = Volunteer._meta.db_table, Assignment._meta.db_table
    per_county = CHILDREN_PER_COUNTY // 20
    cursor.execute(
        f"CREATE TEMP TABLE bench_new_counties AS SELECT DISTINCT county_id FROM {child_t}"
        f" WHERE county_id NOT IN (SELECT DISTINCT county_id FROM {vol_t})"
    )
    cursor.execute(
        f"INSERT INTO {vol_t} (created_at, updated_at, name, phone, email,"
        " may_be_foster_mother, may_be_foster_sibling, may_be_surrogate_parent, capacity,"
        " vetted_on, active, notes, background_check_result, county_id, town_id, vetted_by_id)"
        " SELECT now(), now(), '志愿者' || g, '', '', true, true, true, 5,"
        " current_date - 100, true, '', '', n.county_id,"
        f" (SELECT min(id) FROM {town_t} t WHERE t.county_id = n.county_id), %s"
        " FROM bench_new_counties n CROSS JOIN generate_series(0, %s - 1) g",
        [teacher, per_county],
    )
    for role, share in [
        ("surrogate_parent", 0.06),
        ("foster_mother", 0.02),
        ("foster_sibling", 0.02),
    ]:
        cursor.execute(
            f"INSERT INTO {asg_t} (created_at, updated_at, role, started_on, end_reason,"
            " child_id, county_id, volunteer_id)"
            " SELECT now(), now(), %s, current_date - 200, '', c.id, c.county_id,"
            "  v.first + (c.id %% %s)"
            f" FROM {child_t} c JOIN bench_new_counties n ON n.county_id = c.county_id"
            f" JOIN (SELECT county_id, min(id) AS first FROM {vol_t} GROUP BY county_id) v"
            "  ON v.county_id = c.county_id"
            " WHERE c.status = 'active' AND random() < %s",
            [role, per_county, share],
        )


def _spread_checkins(cursor) -> None:
    """Six months of check-ins for every assignment in the new counties."""
    from volunteers.models import Assignment, MonthlyCheckin

    chk_t, asg_t = MonthlyCheckin._meta.db_table, Assignment._meta.db_table
    cursor.execute(
        f"INSERT INTO {chk_t} (created_at, updated_at, month, status, contact, notes,"
        " concern, submitted_at, assignment_id, county_id)"
        " SELECT now(), now(), m, CASE WHEN r < 0.9 THEN 'done' ELSE 'missed' END,"
        " CASE WHEN r < 0.9 THEN 'visit' ELSE '' END, '', r < 0.005,"
        " CASE WHEN r < 0.9 THEN now() END, a.id, a.county_id"
        " FROM (SELECT id, county_id, random() AS r FROM {asg}) a".format(asg=asg_t)
        + " JOIN bench_new_counties n ON n.county_id = a.county_id"
        " CROSS JOIN generate_series(date_trunc('month', current_date) - interval '6 months',"
        "  date_trunc('month', current_date) - interval '1 month', interval '1 month') m",
    )
    cursor.execute("DROP TABLE bench_new_counties")
