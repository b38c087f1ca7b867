"""Load test: many users at once on a city's register, through gunicorn in production mode.

One file, three uses (``make loadtest`` runs them in order; docs/PERFORMANCE.md, issue 15):

    # 1. users and their sessions, made directly in the database (officials' sessions have passed
    #    the second step, as scripts/bench_register.py signs in): writes a JSON file for locust
    DATABASE_URL=… .venv/bin/python scripts/loadtest.py prepare --out var/loadtest/users.json
    # 2. the users (60 % teachers, 25 % volunteers, 15 % officials, 1–4 s between requests)
    LOADTEST_USERS=var/loadtest/users.json .venv/bin/locust -f scripts/loadtest.py --headless \
        -u 100 -r 10 -t 3m -H http://127.0.0.1:8000 --csv var/loadtest/u100
    # 3. nothing stored twice: home visits by (child, date, visitor), check-ins by (assignment,
    #    month), among those written since the start of the run
    DATABASE_URL=… .venv/bin/python scripts/loadtest.py check --since 2026-12-07T16:00:00+00:00

Teachers: their list, a name search (two or three characters of a name they see), a child's
file, now and then a home visit through the real form (its one-time key; one visit in five is
sent twice, as a double tap, and must be stored once). Volunteers: their page, a check-in form,
a check-in. Officials: a filtered list (one county), a search, the dashboard, a report, a
download.

The users live in the benchmark's database only: ``load-*`` accounts, made by ``prepare``, that
the product never creates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password-not-used"  # sessions are made directly; nobody signs in

# --- 1. prepare and 3. check (Django) ---------------------------------------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")
    import django

    django.setup()


def prepare(args) -> None:
    _django()
    from bench_register import _signed_in  # the officials' second step, as the benches do

    from lbc_office.core.models import Role, User
    from registry.models import Child, County, School, Teacher
    from volunteers.models import Assignment, Volunteer

    rng = random.Random(15)
    official = User.objects.filter(role=Role.OFFICIAL, is_active=True).first()
    if official is None:
        raise SystemExit("no official: generate the register first (bench_reports.py)")
    counties = list(County.objects.order_by("code").values_list("pk", flat=True))
    codes = dict(County.objects.values_list("pk", "code"))
    # The county with volunteers (the benchmark's activity county) gets half the teachers.
    activity = (
        Volunteer.objects.filter(user__isnull=True).values_list("county_id", flat=True).first()
    )
    users = []

    def _session(user):
        return _signed_in(user).cookies["sessionid"].value

    for i in range(args.teachers):
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
        if not children:
            continue
        users.append(
            {
                "role": "teacher",
                "session": _session(user),
                "children": [pk for pk, _n in children],
                "names": sorted({n[:k] for _pk, n in children for k in (2, 3) if len(n) >= k}),
            }
        )
    free = list(
        Volunteer.objects.filter(user__isnull=True, active=True)
        .filter(pk__in=Assignment.objects.active().values("volunteer"))
        .order_by("pk")[: args.volunteers]
    )
    mine = list(Volunteer.objects.filter(user__username__startswith="load-volunteer-"))
    for i, volunteer in enumerate(mine + free[: max(0, args.volunteers - len(mine))]):
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
    # Officials of the city (municipal: every county) and one of the activity county.
    for i in range(args.officials):
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
    # The new rows' statistics, as autovacuum would gather them (without them the planner met
    # a teacher's 2 schools as 122 and a search took 850 ms instead of 10).
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (User, Teacher, Teacher.schools.through, Volunteer):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    # What the one-user timings ask for (``single``): a child of the city and its county.
    child = Child.objects.filter(status="active", county_id=activity or counties[0]).order_by("pk")[
        1000
    ]
    given = child.name[1:3] if len(child.name) >= 3 else child.name
    probes = {
        "child": child.pk,
        "county": child.county.code,
        "town": child.village.town_id,
        "name3": child.name[:3],
        "name2": child.name[:2],
        "given2": given,
        "surname": child.name[:1],
        "id": child.id_number,
        "last4": child.id_number[-4:],
    }
    users.append({"role": "probes", "session": "", **probes})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(users, ensure_ascii=False))
    kinds = {r: sum(u["role"] == r for u in users) for r in ("teacher", "volunteer", "official")}
    print(f"{len(users)} users with sessions in {args.out}: {kinds}")
    rng.random()


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


# --- 2. the users (locust) --------------------------------------------------------------------


class _Form(HTMLParser):
    """The fields of the first form on a page whose action is ``action`` (or the page itself),
    with the values a person who changes nothing would send: hidden and filled inputs, checked
    boxes, the selected (else first) option, the first choice of each radio group."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._radio: dict[str, str] = {}
        self._select: str | None = None
        self._chosen = False
        self._textarea: str | None = None
        self._in_form = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._in_form += 1
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox",) and "checked" in a:
                self.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "radio":
                if "checked" in a:
                    self.fields[name] = [a.get("value", "")]
                self._radio.setdefault(name, a.get("value", ""))
            elif kind not in ("checkbox", "radio", "submit", "button", "file"):
                self.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._chosen = name, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = [value]
                self._chosen = True
            elif self._select not in self.fields and value:
                self.fields[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, [""])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form -= 1

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] = [data]

    def data(self) -> dict[str, list[str]]:
        for name, value in self._radio.items():
            self.fields.setdefault(name, [value])
        return self.fields


def form_fields(html: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(html)
    return parser.data()


if "locust" in sys.modules:  # loaded by locust (prepare, check and run never import it)
    from locust import HttpUser, between, task

    _USERS: dict[str, list[dict]] = {}
    _NEXT = {"teacher": 0, "volunteer": 0, "official": 0}

    def _account(role: str) -> dict:
        if not _USERS:
            for user in json.loads(Path(os.environ["LOADTEST_USERS"]).read_text()):
                _USERS.setdefault(user["role"], []).append(user)
        accounts = _USERS[role]
        account = accounts[_NEXT[role] % len(accounts)]
        _NEXT[role] += 1
        return account

    def search_as(user, role: str, text: str) -> None:
        page = user.client.get("/children/", name=f"{role}: children list")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            return
        response = user.client.post(
            "/children/", data={"q": text, "csrfmiddlewaretoken": token.group(1)},
            name=f"{role}: search (post)", allow_redirects=False,
            headers={"Referer": user.host + "/children/"},
        )  # fmt: skip
        if response.status_code == 302:
            kind = "2 chars" if len(text) == 2 else f"{len(text)} chars"
            user.client.get(response.headers["Location"], name=f"{role}: search, {kind}")

    class _Signed(HttpUser):
        abstract = True
        wait_time = between(1, 4)
        role = ""

        def on_start(self):
            self.account = _account(self.role)
            self.client.cookies.set("sessionid", self.account["session"])

        def post_form(self, url: str, name: str, fill: dict, *, twice: bool = False):
            """GET the form, send it back with ``fill`` (its one-time key and CSRF token as
            the page gave them); ``twice`` sends the same again, as a double tap. A form sent
            back (200, refused) is a failure."""
            page = self.client.get(url, name=f"{name} (form)")
            if page.status_code != 200:
                return
            data = form_fields(page.text)
            data.update({k: v if isinstance(v, list) else [v] for k, v in fill.items()})
            for attempt in range(2 if twice else 1):
                with self.client.post(
                    url,
                    data=data,
                    name=name + (" (again)" if attempt else ""),
                    headers={"Referer": self.host + url},
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    if response.status_code in (302, 303):
                        response.success()
                    else:
                        errors = re.findall(
                            r"invalid-feedback.*?<strong>([^<]+)", response.text, re.S
                        )
                        response.failure(f"{response.status_code}: {errors[:3]}")

    class Teacher(_Signed):
        weight = 60
        role = "teacher"

        def on_start(self):
            super().on_start()
            self.visited: set[int] = set()

        @task(4)
        def children_list(self):
            self.client.get("/children/", name="teacher: children list")

        @task(3)
        def search(self):
            """The list page open, two or three characters of a name typed into its box."""
            names = self.account["names"]
            search_as(self, "teacher", random.choice(names) if names else "王")

        @task(3)
        def personal_file(self):
            child = random.choice(self.account["children"])
            self.client.get(f"/children/{child}/", name="teacher: personal file")

        @task(1)
        def home_visit(self):
            # Each number of users visits its own third of the children: the same teacher
            # visiting a child twice in a day would be two visits, not one stored twice.
            todo = [
                c
                for i, c in enumerate(self.account["children"])
                if c not in self.visited and i % 3 == int(os.environ.get("LOADTEST_ROUND", "0")) % 3
            ]
            if not todo:
                return
            child = random.choice(todo)
            self.visited.add(child)
            self.post_form(
                f"/children/{child}/visits/new/",
                "teacher: home visit",
                {"child_said": "负载测试家访", "education": "每天按时完成作业"},
                twice=random.random() < 0.2,
            )

    class Volunteer(_Signed):
        weight = 25
        role = "volunteer"

        @task(4)
        def my_children(self):
            self.client.get("/my/", name="volunteer: my children")

        @task(2)
        def checkin_form(self):
            if self.account["assignments"]:
                pk = random.choice(self.account["assignments"])
                self.client.get(f"/my/checkins/{pk}/", name="volunteer: check-in form")

        @task(1)
        def checkin(self):
            if self.account["assignments"]:
                pk = random.choice(self.account["assignments"])
                self.post_form(
                    f"/my/checkins/{pk}/",
                    "volunteer: check-in",
                    {"contact": "visit", "notes": "负载测试"},
                    twice=random.random() < 0.2,
                )

    class Official(_Signed):
        weight = 15
        role = "official"

        @task(4)
        def filtered_list(self):
            county = self.account["activity"] or random.choice(self.account["counties"])
            self.client.get(f"/children/?county={county}&grade=3", name="official: filtered list")

        @task(2)
        def dashboard(self):
            self.client.get("/", name="official: dashboard")

        @task(2)
        def report(self):
            slug = random.choice(["status", "programmes", "volunteer-coverage", "contact-gaps"])
            self.client.get(f"/reports/{slug}/", name="official: report")

        @task(1)
        def download(self):
            self.client.get("/reports/status/?format=xlsx", name="official: download (XLSX)")


def single(host: str, users_file: str, runs: int) -> list[str]:
    """One user at a time: each page ``runs`` times through the server, median and p95 (ms)."""
    import statistics
    import time

    import requests

    accounts = json.loads(Path(users_file).read_text())
    probe = next(a for a in accounts if a["role"] == "probes")
    sessions = {}
    for role in ("official", "county", "teacher"):
        s = requests.Session()
        s.cookies.set("sessionid", next(a for a in accounts if a["role"] == role)["session"])
        sessions[role] = s

    def search_url(role: str, text: str, extra: str = "") -> str:
        s = sessions[role]
        page = s.get(f"{host}/children/{extra}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {"q": text, "csrfmiddlewaretoken": token}
        if extra:
            data.update(dict(p.split("=") for p in extra.lstrip("?").split("&")))
        response = s.post(
            f"{host}/children/", data=data, allow_redirects=False,
            headers={"Referer": f"{host}/children/"},
        )  # fmt: skip
        return host + response.headers["Location"]

    def deep_url(role: str, first: str, pages: int) -> str:
        url = first
        for _ in range(pages):
            page = sessions[role].get(url).text
            found = re.search(r'id="page-next" href="\?([^"]+)"', page)
            url = first.split("?")[0] + "?" + found.group(1).replace("&amp;", "&")
        return url

    c, county = probe, f"?county={probe['county']}"
    teacher_child = next(a for a in accounts if a["role"] == "teacher")["children"][0]
    pages = [
        ("official", "list, first page", f"{host}/children/"),
        ("official", "list, page 50 (cursor)", deep_url("official", f"{host}/children/", 49)),
        ("official", "filters: grade 3, poor", f"{host}/children/?grade=3&poor=yes"),
        ("official", "search: 1 character (surname)", search_url("official", c["surname"])),
        ("official", "search: 2 characters (start)", search_url("official", c["name2"])),
        ("official", "search: 2 characters (given name)", search_url("official", c["given2"])),
        ("official", "search: 3 characters", search_url("official", c["name3"])),
        ("official", "search: whole identity number", search_url("official", c["id"])),
        ("official", "search: last four digits", search_url("official", c["last4"])),
        ("official", "personal file", f"{host}/children/{c['child']}/"),
        ("official", "list of one county, first page", f"{host}/children/{county}"),
        ("county", "list, first page", f"{host}/children/"),
        ("county", "list, page 50 (cursor)", deep_url("county", f"{host}/children/", 49)),
        ("county", "filters: town, grade 3", f"{host}/children/?town={c['town']}&grade=3"),
        ("county", "search: 1 character (surname)", search_url("county", c["surname"])),
        ("county", "search: 2 characters", search_url("county", c["given2"])),
        ("county", "search: 3 characters", search_url("county", c["name3"])),
        ("county", "search: whole identity number", search_url("county", c["id"])),
        ("county", "search: last four digits", search_url("county", c["last4"])),
        ("county", "personal file", f"{host}/children/{c['child']}/"),
        ("teacher", "list, first page", f"{host}/children/"),
        ("teacher", "personal file", f"{host}/children/{teacher_child}/"),
    ]  # fmt: skip
    lines = []
    for role, label, url in pages:
        s = sessions[role]
        times, size = [], 0
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = s.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
            size = len(response.content)
        times = sorted(times[1:])  # the first warms the worker's caches
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        lines.append(
            f"| {role} | {label} | {statistics.median(times):,.0f} ms | {p95:,.0f} ms | "
            f"{size / 1024:,.0f} KB |"
        )
        print(lines[-1], flush=True)
    return lines


# --- the whole run: gunicorn in production mode, locust at each number of users, the check ---


def production_env(static_root: str) -> dict:
    """As scripts/bench_pages.py runs it: DEBUG=0, collected static files, plain HTTP on the
    loopback (the TLS proxy's part is not measured)."""
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "load-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=static_root,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    # A city counts its report figures every few minutes (docs/REPORTS.md, "Stored figures").
    env.setdefault("REPORT_FIGURES_MINUTES", "10")
    return env


def summary(csv_prefix: str) -> dict:
    """The "Aggregated" row and every request's row of locust's ``_stats.csv``."""
    import csv

    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["Name"]: r for r in rows}


def run(args) -> int:
    import datetime
    import subprocess
    import tempfile
    import time
    import urllib.request

    py = str(ROOT / ".venv/bin/python")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    static_root = tempfile.mkdtemp(prefix="lbc-loadtest-static-")
    env = production_env(static_root)
    manage = lambda *a: subprocess.run([py, "manage.py", *a], cwd=ROOT, env=env, check=True)  # noqa: E731
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    if env["REPORT_FIGURES_MINUTES"] != "0":  # today's figures and the dashboard's trends
        manage("count_report_figures")
    users_file = str(out / "users.json")
    subprocess.run([py, __file__, "prepare", "--out", users_file], cwd=ROOT, env=env, check=True)
    since = datetime.datetime.now(datetime.UTC).isoformat()
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "lbc_office.wsgi", "-b", f"127.0.0.1:{args.port}"]
    cmd += ["-w", str(args.workers), "-k", args.worker_class, "--timeout", "120"]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    host = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{host}/healthz", timeout=2)  # noqa: S310 (http only)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer on /healthz")
        layout = f"{args.workers} {args.worker_class}" + (
            f" x {args.threads} threads" if args.worker_class == "gthread" else ""
        )
        if args.single:
            print("| who | page | median | p95 | HTML |")
            single(host, users_file, args.single)
        lines = []
        for round_, users in enumerate(int(u) for u in args.users.split() if u != "0"):
            prefix = str(out / f"{args.label}-u{users}")
            load = os.getloadavg()[0]
            subprocess.run(
                [str(ROOT / ".venv/bin/locust"), "-f", __file__, "--headless", "-u", str(users),
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
