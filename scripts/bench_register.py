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
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_data  # noqa: E402

# Production-like request handling: no DEBUG query log, no SSL redirect for the test client.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")


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
        bench_data.generate(args.children)
        if args.activity:
            bench_data.generate_activity()
    measure(args.runs, activity=args.activity)


if __name__ == "__main__":
    main()
