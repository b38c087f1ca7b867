"""Benchmark: how fast the children list, search and personal file answer at county scale.

Generates a register of N children (default 54,660: Wuxi's compulsory-education LBC) in a
separate PostgreSQL database, then times each page through Django's full request stack (test
client: middleware, session, templates; no network), N runs each, and prints median and p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_bench \
        .venv/bin/python scripts/bench_register.py --children 54660

The database is dropped and filled anew unless --reuse is given. Figures go in
docs/PERFORMANCE.md by hand, with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Production-like request handling: no DEBUG query log, no SSL redirect for the test client.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "小明红华丽军芳强敏静磊洋勇艳杰娟涛超秀霞平刚桂英宇浩然欣怡梓涵子轩雨萱佳琪俊杰思远"


def _setup(reuse: bool) -> None:
    import django
    from django.conf import settings

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://…/lbc_bench (a database this script may drop).")
    if not reuse:
        import psycopg

        name = settings_db_name(url)
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def settings_db_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


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
    from registry.idnumber import check_digit_for
    from registry.models import Child, County, School, Town, Village

    county = County.objects.create(code=code, name=f"县{code}")
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
    today = datetime.date.today()
    used: set[str] = set()
    batch: list[Child] = []
    for _ in range(children):
        school = school_objs[rng.randrange(schools)]
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
        batch.append(
            Child(
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
        )
        if len(batch) == 10_000:
            Child.objects.bulk_create(batch)
            batch.clear()
    Child.objects.bulk_create(batch)
    return school_objs


def generate_activity(seed: int = 2012, counties: int | None = None) -> None:
    """A year of life at county scale: about four family-room calls per child, a home visit for
    one child in five (a tenth of them with a follow-up due), a carer for one child in four with
    six months of check-ins, and a long history on one child's file."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from lbc_office.core.models import Role, User
    from programmes.models import FamilyCall, HomeVisit
    from registry.models import Child, County, FamilyRoom, HealthCheck
    from volunteers.models import Assignment, MonthlyCheckin, Volunteer, month_start

    rng = random.Random(seed)
    t0 = time.perf_counter()
    today = timezone.localdate()
    teacher = User.objects.get(username="bench-teacher")
    volunteer_user = User.objects.create_user("bench-volunteer", password="x", role=Role.VOLUNTEER)
    first_county = County.objects.order_by("code").first()
    for county in County.objects.order_by("code")[: counties or None]:
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
                when = timezone.now() - dt.timedelta(
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
                date = today - dt.timedelta(days=rng.randrange(200))
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
                        follow_up_by=date + dt.timedelta(days=14) if follow else None,
                    )
                )
        FamilyCall.objects.bulk_create(calls, batch_size=10_000)
        HomeVisit.objects.bulk_create(visits, batch_size=10_000)
        volunteers = Volunteer.objects.bulk_create(
            [
                Volunteer(
                    county=county,
                    name=f"志愿者{i}",
                    town=county.towns.first(),
                    may_be_surrogate_parent=True,
                    capacity=5,
                    vetted_on=today - dt.timedelta(days=100),
                    vetted_by=teacher,
                    # The benchmark volunteer's login belongs to one volunteer only (the first).
                    user=volunteer_user if i == 0 and county == first_county else None,
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
                    started_on=today - dt.timedelta(days=200),
                )
                for i, (pk, _s) in enumerate(children[: len(volunteers) * 5])
            ]
        )
        months, m = [], month_start(today)
        for _i in range(6):
            m = month_start(m - dt.timedelta(days=1))
            months.append(m)
        MonthlyCheckin.objects.bulk_create(
            [MonthlyCheckin(county=county, assignment=a, month=m, status="done" if rng.random() < 0.9 else "missed",
                            submitted_at=timezone.now(), contact="visit")
             for a in assignments for m in months],
            batch_size=10_000,
        )  # fmt: skip
    # Bulk inserts go around the services: recompute the cached last contact as the nightly
    # task does (and time it: it is that task's cost).
    from programmes.services.contact import refresh_last_contact

    t1 = time.perf_counter()
    refresh_last_contact()
    print(f"nightly refresh of every child's last contact: {time.perf_counter() - t1:.1f}s")
    # One child with a long story: the file must not slow down with it.
    long = Child.objects.order_by("id")[Child.objects.count() // 2]
    HealthCheck.objects.bulk_create(
        [HealthCheck(child=long, date=today - dt.timedelta(days=30 * i), height_cm=140, weight_kg=35)
         for i in range(100)]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated activity in {time.perf_counter() - t0:.1f}s: "
          f"{FamilyCall.objects.count():,} calls, {HomeVisit.objects.count():,} visits, "
          f"{Assignment.objects.count():,} assignments, {MonthlyCheckin.objects.count():,} check-ins")  # fmt: skip


def _signed_in(user):
    """A client signed in as ``user``; an official's session also passed the second step."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if user.role == "official":
        device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _time(client, url, runs):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    samples = []
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(ctx.captured_queries)
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        reset_queries()
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95, queries


def measure(runs: int, activity: bool = False) -> list[tuple[str, str, float, float, int]]:

    from lbc_office.core.models import User
    from registry.models import Child

    sample = Child.objects.order_by("id")[Child.objects.count() // 2]
    teacher_child = Child.objects.filter(school__teachers__user__username="bench-teacher").first()
    cases = [
        ("bench-official", "list, first page (active)", "/children/"),
        ("bench-official", "search by name (2 characters)", f"search:{sample.name[:2]}"),
        ("bench-official", "search by whole identity number", f"search:{sample.id_number}"),
        ("bench-official", "search by last four digits", f"search:{sample.id_number[-4:]}"),
        (
            "bench-official",
            "filters: town + grade + poor",
            f"/children/?town={sample.village.town_id}&grade={sample.grade}&poor=yes",
        ),  # noqa: E501
        ("bench-official", "last page of all children", "/children/?status=all&page=99999"),
        ("bench-official", "personal file", f"/children/{sample.pk}/"),
        ("bench-official", "dashboard", "/"),
        ("bench-official", "reports (Table 1)", "/reports/"),
        ("bench-teacher", "teacher: list of two schools", "/children/"),
        ("bench-teacher", "teacher: search by name", f"search:{teacher_child.name[:1]}"),
        ("bench-teacher", "teacher: personal file", f"/children/{teacher_child.pk}/"),
        ("bench-teacher", "teacher: home page", "/"),
    ]
    if activity:
        cases += [
            (
                "bench-official",
                "personal file, 100 health checks + calls",
                f"/children/{sample.pk}/",
            ),
            ("bench-official", "follow-ups due", "/visits/follow-ups/"),
            ("bench-official", "no contact for 90 days", "/contact-gaps/?days=90"),
            ("bench-official", "children without a surrogate parent", "/volunteers/without-carer/"),
            ("bench-official", "check-ins of last month", "/volunteers/checkins/"),
            ("bench-volunteer", "volunteer: my children", "/my/"),
        ]
    results = []
    clients = {}
    for username, label, url in cases:
        if username not in clients:
            clients[username] = _signed_in(User.objects.get(username=username))
        if url.startswith("search:"):  # searches POST, then read the redirect's page
            posted = clients[username].post("/children/", {"q": url.removeprefix("search:")})
            url = posted["Location"]
        median, p95, queries = _time(clients[username], url, runs)
        results.append((username, label, median, p95, queries))
        print(f"{label:40s} median {median:7.1f} ms   p95 {p95:7.1f} ms   {queries} queries")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=54_660)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument(
        "--activity", action="store_true", help="also calls, visits, carers and check-ins"
    )
    args = parser.parse_args()
    _setup(args.reuse)
    if not args.reuse:
        generate(args.children)
        if args.activity:
            generate_activity()
    measure(args.runs, activity=args.activity)


if __name__ == "__main__":
    main()
