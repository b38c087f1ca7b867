"""Benchmark: the county's statistical tables and the official's dashboard, county and municipal.

Reuses ``bench_data``'s generator (children in Wuxi-sized counties of 221 schools), then adds
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

import bench_data  # noqa: E402
import bench_register  # noqa: E402  (sets the environment up for Django)


def generate_extras() -> None:
    """What the tables count beyond the register itself, mostly in set-based SQL."""
    from django.db import connection
    from django.utils import timezone

    from programmes.models import Enrolment
    from registry.models import FamilyRoom, StatusChange

    t0 = time.perf_counter()
    today = timezone.localdate()
    _register_extras()
    _programmes(today)
    donations = _donations(today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated report extras in {time.perf_counter() - t0:.1f}s: "
        f"{StatusChange.objects.count():,} status changes, "
        f"{FamilyRoom.objects.count():,} family rooms, {Enrolment.objects.count():,} enrolments, "
        f"{donations:,} donations"
    )


def _register_extras() -> None:
    """Registration dates, children who left, family phones and chat rooms, bathrooms."""
    from django.db import connection

    from registry.models import Child, FamilyRoom, School, StatusChange

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
            " (child_id, from_status, to_status, date, reason, created_at, ended, restored)"
            f" SELECT id, 'active', 'reunited', status_changed_on, 'bench', now(), '[]', '[]'"
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


def _programmes(today) -> None:
    """Love lunch, egg and milk and the daily subsidy in every county, with their enrolments."""
    from django.db import connection

    from programmes.models import Enrolment, Programme
    from registry.models import Child, County

    child_t = Child._meta.db_table
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


def _donations(today) -> int:
    """Fifty donations a county, two thirds handed over to four children each; how many."""
    from programmes.models import Donation, Handover
    from registry.models import Child, County, School

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
    return len(donations)


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


def _time_figures(past) -> None:
    """The beat task's work, timed: today's count (with the dashboard's trends), then the count
    of ``past``; then whether the stored figures say what the live count says."""
    from django.test import override_settings

    from lbc_office import reports
    from lbc_office.reports import figures
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
    for slug, table in reports.TABLES.items():
        if table.from_figures:
            with override_settings(REPORT_FIGURES_MINUTES=0):
                live = reports.build(slug).rows
            same = reports.build(slug).rows == live
            print(f"{slug}: stored figures {'equal' if same else 'DIFFER FROM'} the live count")


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
        _time_figures(past)
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
        help="visits, carers and check-ins in SQL for every county without them (bench_data.py)",
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
        bench_data.generate(args.children)
        if args.activity_counties:
            bench_data.generate_activity(counties=args.activity_counties)
        generate_extras()
    if args.spread_activity:
        bench_data.spread_activity()
    if not args.generate_only:
        measure(args.runs)


if __name__ == "__main__":
    main()
