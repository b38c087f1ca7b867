"""Load test: many users at once on a city's register, through gunicorn in production mode.

``make loadtest`` runs it whole (docs/PERFORMANCE.md, issue 15); its three steps by hand:

    # 1. users and their sessions, made directly in the database (scripts/loadtest_prepare.py)
    DATABASE_URL=… .venv/bin/python scripts/loadtest.py prepare --out var/loadtest/users.json
    # 2. the users (60 % teachers, 25 % volunteers, 15 % officials, 1–4 s between requests;
    #    scripts/loadtest_users.py)
    LOADTEST_USERS=var/loadtest/users.json .venv/bin/locust -f scripts/loadtest_users.py \
        --headless -u 100 -r 10 -t 3m -H http://127.0.0.1:8000 --csv var/loadtest/u100
    # 3. nothing stored twice: home visits by (child, date, visitor), check-ins by (assignment,
    #    month), among those written since the start of the run
    DATABASE_URL=… .venv/bin/python scripts/loadtest.py check --since 2026-12-07T16:00:00+00:00

``run --single N`` first times each page alone, N times (the one-user table), as a municipal
official, a county official and a teacher.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

import bench_pages
from loadtest_prepare import ROOT, _django, prepare
from loadtest_users import single

LOCUSTFILE = str(Path(__file__).resolve().parent / "loadtest_users.py")

# --- 3. check (Django) ---------------------------------------------------------------------


def check(args) -> int:
    """Print what was stored twice since ``--since``; exit 1 if anything was."""
    _django()
    import datetime

    from django.db.models import Count

    from lbc_office.core.idempotency.models import IdempotentRequest
    from programmes.models import HomeVisit
    from volunteers.models import MonthlyCheckin

    since = datetime.datetime.fromisoformat(args.since)
    visits = HomeVisit.objects.filter(created_at__gte=since)
    twice_visits = (
        visits.values("child", "date", "visitor").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    checkins = MonthlyCheckin.objects.filter(submitted_at__gte=since)
    twice_checkins = (
        MonthlyCheckin.objects.filter(assignment__in=checkins.values("assignment"))
        .values("assignment", "month")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    keys = IdempotentRequest.objects.filter(created_at__gte=since)
    # Every visit form carries its own one-time key: a visit no kept key names was a repeat
    # stored again.
    keyed = set(keys.filter(object_type="programmes.homevisit").values_list("object_id", flat=True))
    unkeyed = visits.exclude(pk__in=[int(k) for k in keyed if k.isdigit()]).count()
    print(
        f"since {since:%H:%M:%S}: {visits.count()} home visits ({twice_visits} with the same "
        f"child, day and visitor; {unkeyed} without a one-time key of their own), "
        f"{checkins.count()} check-ins submitted ({twice_checkins} stored twice), "
        f"{keys.count()} one-time keys kept"
    )
    return 1 if twice_visits or twice_checkins or unkeyed else 0


# --- the whole run: gunicorn in production mode, locust at each number of users, the check ---


def production_env(static_root: str) -> dict:
    """As scripts/bench_pages.py runs it: DEBUG=0, collected static files, plain HTTP on the
    loopback (the TLS proxy's part is not measured); warnings only in the log."""
    env = bench_pages.production_env(static_root, port=0)
    env.pop("PORT")
    env["SECRET_KEY"] = os.environ.get("SECRET_KEY") or env["SECRET_KEY"]
    env["LOG_LEVEL"] = "WARNING"
    # A city counts its report figures every few minutes (docs/REPORTS.md, "Stored figures").
    env.setdefault("REPORT_FIGURES_MINUTES", "10")
    return env


def summary(csv_prefix: str) -> dict:
    """The "Aggregated" row and every request's row of locust's ``_stats.csv``."""
    import csv

    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["Name"]: r for r in rows}


def _serve(args, env: dict):
    """gunicorn in production mode on ``--port``, once it answers /healthz."""
    import time
    import urllib.request

    cmd = [str(ROOT / ".venv/bin/gunicorn"), "lbc_office.wsgi", "-b", f"127.0.0.1:{args.port}"]
    cmd += ["-w", str(args.workers), "-k", args.worker_class, "--timeout", "120"]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    host = f"http://127.0.0.1:{args.port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{host}/healthz", timeout=2)  # noqa: S310 (http only)
            return server, host
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, 15)
    raise SystemExit("gunicorn did not answer on /healthz")


def _rounds(args, env: dict, host: str, users_file: str) -> list[str]:
    """locust at each number of users: a line of the results table each."""
    out, lines = Path(args.out), []
    layout = f"{args.workers} {args.worker_class}" + (
        f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    for round_, users in enumerate(int(u) for u in args.users.split() if u != "0"):
        prefix = str(out / f"{args.label}-u{users}")
        load = os.getloadavg()[0]
        subprocess.run(
            [str(ROOT / ".venv/bin/locust"), "-f", LOCUSTFILE, "--headless", "-u", str(users),
             "-r", str(max(1, users // 10)), "-t", args.duration, "-H", host,
             "--csv", prefix, "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOADTEST_USERS": users_file, "LOADTEST_ROUND": str(round_)},
            check=False,
        )  # fmt: skip
        total = summary(prefix)["Aggregated"]
        lines.append(
            f"| {layout} | {users} | {float(total['50%']):,.0f} ms | "
            f"{float(total['95%']):,.0f} ms | {float(total['Requests/s']):.1f} | "
            f"{total['Failure Count']} of {total['Request Count']} | {load:.2f} |"
        )
        print(lines[-1], flush=True)
    return lines


def run(args) -> int:
    import datetime
    import tempfile

    py = str(ROOT / ".venv/bin/python")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    env = production_env(tempfile.mkdtemp(prefix="lbc-loadtest-static-"))
    manage = lambda *a: subprocess.run([py, "manage.py", *a], cwd=ROOT, env=env, check=True)  # noqa: E731
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    if env["REPORT_FIGURES_MINUTES"] != "0":  # today's figures and the dashboard's trends
        manage("count_report_figures")
    users_file = str(Path(args.out) / "users.json")
    subprocess.run([py, __file__, "prepare", "--out", users_file], cwd=ROOT, env=env, check=True)
    since = datetime.datetime.now(datetime.UTC).isoformat()
    server, host = _serve(args, env)
    try:
        if args.single:
            print("| who | page | median | p95 | HTML |")
            single(host, users_file, args.single)
        lines = _rounds(args, env, host, users_file)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    print("| layout | users | p50 | p95 | req/s | errors | load before |")
    print("\n".join(lines))
    return subprocess.run([py, __file__, "check", "--since", since], cwd=ROOT, env=env).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="make the users and their sessions")
    p.add_argument("--out", default=str(ROOT / "var/loadtest/users.json"))
    p.add_argument("--teachers", type=int, default=60)
    p.add_argument("--volunteers", type=int, default=25)
    p.add_argument("--officials", type=int, default=15)
    c = sub.add_parser("check", help="count what was stored twice since a moment")
    c.add_argument("--since", required=True, help="ISO date and time with its offset")
    r = sub.add_parser("run", help="gunicorn, locust at each number of users, the check")
    r.add_argument("--users", default="10 50 100")
    r.add_argument("--single", type=int, default=0, help="first time each page N times alone")
    r.add_argument("--duration", default="3m", help="per number of users (locust's -t)")
    r.add_argument("--workers", type=int, default=4)
    r.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    r.add_argument("--threads", type=int, default=4)
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--label", default="sync4")
    r.add_argument("--out", default=str(ROOT / "var/loadtest"))
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args)
    elif args.command == "check":
        raise SystemExit(check(args))
    else:
        raise SystemExit(run(args))


if __name__ == "__main__":
    main()
