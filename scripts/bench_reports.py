"""Benchmark: the county's statistical tables and the official's dashboard, county and municipal.

Reuses ``bench_register``'s generator (children in Wuxi-sized counties of 221 schools), then adds
what the reports count: registration dates spread over two years, children who left the register
(with their status changes), family phones and chat rooms, programmes with enrolments (love
lunch, egg and milk, the daily subsidy), donations with handovers, and — for the first
``--activity-counties`` counties — a year of calls, home visits, carers and check-ins.

Each table is timed twice: the command-level function (``lbc_office.reports.build``, what
``manage.py lbc_report`` runs) and its page through Django's whole request stack (test client,
``DEBUG=0``); then the dashboard. Median and p95 of N runs, and the number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_bench_reports \
        flock /tmp/lbc-bench.lock .venv/bin/python scripts/bench_reports.py --children 54660
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_bench_city \
        flock /tmp/lbc-bench.lock .venv/bin/python scripts/bench_reports.py --children 2350000

``--reuse`` measures again without regenerating (it migrates first); ``--generate-only`` fills
the database and stops.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_register  # noqa: E402  (sets the environment up for Django)


def generate_extras() -> None:
    """What the tables count beyond the register itself, mostly in set-based SQL."""
    from django.db import connection
    from django.utils import timezone

    from programmes.models import Donation, Enrolment, Handover, Programme
    from registry.models import Child, County, FamilyRoom, School, StatusChange

    t0 = time.perf_counter()
    today = timezone.localdate()
    child_t, school_t = Child._meta.db_table, School._meta.db_table
    with connection.cursor() as cursor:
        # Files opened over the last two years (bulk_create stamped them all "now").
        cursor.execute(
            f"UPDATE {child_t} SET created_at = now() - (random() * 700) * interval '1 day'"
        )
        # 3 % of the children left the register in the last 300 days (reunited with parents).
        cursor.execute(
            f"UPDATE {child_t} SET status = 'reunited',"
            f" status_changed_on = current_date - (random() * 300)::int"
            f" WHERE random() < 0.03"
        )
        cursor.execute(
            f"INSERT INTO {StatusChange._meta.db_table}"
            " (child_id, from_status, to_status, date, reason, created_at)"
            f" SELECT id, 'active', 'reunited', status_changed_on, 'bench', now()"
            f" FROM {child_t} WHERE status = 'reunited'"
        )
        # Family phones at half the schools (two at a tenth), chat rooms at two in five.
        for kind, condition in [
            ("phone", "id % 2 = 0"),
            ("phone", "id % 10 = 0"),
            ("chat_room", "id % 5 < 2"),
        ]:
            cursor.execute(
                f"INSERT INTO {FamilyRoom._meta.db_table}"
                " (school_id, kind, label, active, created_at, updated_at)"
                f" SELECT id, '{kind}', '', true, now(), now() FROM {school_t} WHERE {condition}"
            )
        # Bathrooms at half the boarding schools.
        cursor.execute(f"UPDATE {school_t} SET bathroom = (id % 2 = 0) WHERE boarding")
    start = today - datetime.timedelta(days=400)
    shares = {"love_lunch": 0.063, "egg_milk": 0.94, "daily_subsidy": 0.063}
    for county in County.objects.order_by("code"):
        Programme.objects.bulk_create(
            [
                Programme(county=county, name=f"{kind} {county.code}", kind=kind, starts_on=start)
                for kind in shares
            ]
        )
    with connection.cursor() as cursor:
        for kind, share in shares.items():
            cursor.execute(
                f"INSERT INTO {Enrolment._meta.db_table}"
                " (county_id, programme_id, child_id, starts_on, notes, created_at, updated_at)"
                " SELECT c.county_id, p.id, c.id, p.starts_on + (random() * 300)::int, '',"
                " now(), now()"
                f" FROM {child_t} c JOIN {Programme._meta.db_table} p"
                " ON p.county_id = c.county_id AND p.kind = %s WHERE random() < %s",
                [kind, share],
            )
    donations = []
    for county in County.objects.order_by("code"):
        school = School.objects.filter(county=county).order_by("pk").first()
        for i in range(50):
            donations.append(
                Donation(
                    county=county, donor=f"企业{i}", donor_kind="enterprise", kind="money",
                    value=1000 + i * 100, date=today - datetime.timedelta(days=i * 7),
                    destination="school" if i % 2 else "children",
                    school=school if i % 2 else None,
                )
            )  # fmt: skip
    donations = Donation.objects.bulk_create(donations)
    handovers = []
    children = {
        c: list(Child.objects.filter(county_id=c).order_by("pk").values_list("pk", flat=True)[:20])
        for c in County.objects.values_list("pk", flat=True)
    }
    for i, donation in enumerate(donations):
        if i % 3 == 0:
            continue  # a third stay open: nothing handed over yet
        for child_id in children[donation.county_id][:4]:
            handovers.append(
                Handover(
                    county_id=donation.county_id, donation=donation, child_id=child_id,
                    value=100, handed_over_on=donation.date, confirmed_by="班主任",
                )
            )  # fmt: skip
    Handover.objects.bulk_create(handovers, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated report extras in {time.perf_counter() - t0:.1f}s: "
        f"{StatusChange.objects.count():,} status changes, "
        f"{FamilyRoom.objects.count():,} family rooms, {Enrolment.objects.count():,} enrolments, "
        f"{len(donations):,} donations"
    )


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
    from registry.models import Child, Town
    from volunteers.models import Assignment, MonthlyCheckin, Volunteer

    t0 = time.perf_counter()
    teacher = User.objects.get(username="bench-teacher").pk
    child_t, visit_t = Child._meta.db_table, HomeVisit._meta.db_table
    vol_t, asg_t = Volunteer._meta.db_table, Assignment._meta.db_table
    chk_t, town_t = MonthlyCheckin._meta.db_table, Town._meta.db_table
    per_county = bench_register.CHILDREN_PER_COUNTY // 20
    with connection.cursor() as cursor:
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
        visits = cursor.rowcount
        cursor.execute(
            f"CREATE TEMP TABLE bench_new_counties AS SELECT DISTINCT county_id FROM {child_t}"
            f" WHERE county_id NOT IN (SELECT DISTINCT county_id FROM {vol_t})"
        )
        cursor.execute(
            f"INSERT INTO {vol_t} (created_at, updated_at, name, phone, email,"
            " may_be_foster_mother, may_be_foster_sibling, may_be_surrogate_parent, capacity,"
            " vetted_on, active, notes, county_id, town_id, vetted_by_id)"
            " SELECT now(), now(), '志愿者' || g, '', '', true, true, true, 5,"
            " current_date - 100, true, '', n.county_id,"
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
        cursor.execute("ANALYZE")
    print(
        f"spread activity in {time.perf_counter() - t0:.1f}s: {visits:,} more visits; now "
        f"{HomeVisit.objects.count():,} visits, {Assignment.objects.count():,} assignments, "
        f"{MonthlyCheckin.objects.count():,} check-ins"
    )


def _time_call(fn, runs):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
        reset_queries()
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95, queries


def measure(runs: int) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from lbc_office import reports
    from lbc_office.core.models import User
    from lbc_office.reports import figures
    from registry.models import School

    today = timezone.localdate()
    past = today - datetime.timedelta(days=180)
    if figures.enabled():
        # The beat task's work, timed: today's count (with the dashboard's trends), then the
        # count of the past day measured below.
        from lbc_office.upkeep import tasks

        t0 = time.perf_counter()
        stored = tasks.count_report_figures()
        print(f"count_report_figures task (today): {stored} school levels in "
              f"{time.perf_counter() - t0:.1f}s")  # fmt: skip
        t0 = time.perf_counter()
        stored = figures.count_day(past)
        print(f"count_report_figures --day {past}: {stored} school levels in "
              f"{time.perf_counter() - t0:.1f}s")  # fmt: skip
        # The stored figures must say what the live count says (nothing changed since).
        from django.test import override_settings

        for slug, table in reports.TABLES.items():
            if table.from_figures:
                with override_settings(REPORT_FIGURES_MINUTES=0):
                    live = reports.build(slug).rows
                same = reports.build(slug).rows == live
                print(f"{slug}: stored figures {'equal' if same else 'DIFFER FROM'} the live count")
    official = bench_register._signed_in(User.objects.get(username="bench-official"))
    viewer_user, _ = User.objects.get_or_create(
        username="bench-viewer", defaults={"role": "viewer"}
    )
    viewer = bench_register._signed_in(viewer_user)
    school = School.objects.order_by("pk").first()
    print(f"{'what':52s} {'median':>9s} {'p95':>9s} queries")

    def line(label, median, p95, queries):
        print(f"{label:52s} {median:7.1f}ms {p95:7.1f}ms {queries:4d}")

    for slug, table in reports.TABLES.items():
        variants = [("", reports.Filters(as_of=today))]
        if "as_of" in table.filters:
            variants.append((f", as of {past}", reports.Filters(as_of=past)))
        if "town" in table.filters:
            variants.append((", one town", reports.Filters(town=school.town.name)))
        for suffix, filters in variants:
            line(
                f"{slug}: build(){suffix}",
                *_time_call(lambda s=slug, f=filters: reports.build(s, f), runs),
            )
        url = reverse(reports.url_name(slug))
        line(f"{slug}: page (official)", *bench_register._time(official, url, runs))
        line(f"{slug}: page (viewer)", *bench_register._time(viewer, url, runs))
        line(f"{slug}: CSV download", *bench_register._time(official, url + "?format=csv", runs))
        line(f"{slug}: XLSX download", *bench_register._time(official, url + "?format=xlsx", runs))
    line("official's dashboard", *bench_register._time(official, "/", runs))
    line("reports index", *bench_register._time(official, "/reports/", runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=54_660)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--activity-counties", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--figures",
        action="store_true",
        help="as a city installs it: REPORT_FIGURES_MINUTES on, the day's figures counted first",
    )
    parser.add_argument(
        "--spread-activity",
        action="store_true",
        help="visits, carers and check-ins in SQL for every county without them (see above)",
    )
    parser.add_argument(
        "--extras-only",
        action="store_true",
        help="on a register already generated: the nightly contact refresh and the extras",
    )
    args = parser.parse_args()
    if args.figures:
        os.environ["REPORT_FIGURES_MINUTES"] = "10"
    bench_register._setup(args.reuse or args.extras_only)
    if args.extras_only:
        from programmes.services.contact import refresh_last_contact

        t0 = time.perf_counter()
        refresh_last_contact()
        print(f"nightly refresh of every child's last contact: {time.perf_counter() - t0:.1f}s")
        generate_extras()
    elif not args.reuse:
        bench_register.generate(args.children)
        if args.activity_counties:
            bench_register.generate_activity(counties=args.activity_counties)
        generate_extras()
    if args.spread_activity:
        spread_activity()
    if not args.generate_only:
        measure(args.runs)


if __name__ == "__main__":
    main()
